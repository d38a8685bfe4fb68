package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

func testItemRoundTrip(t *testing.T, open Opener) {
	hk := time.FixedZone("HKT", 8*3600)
	tests := []struct {
		name string
		in   feeds.Item
		want feeds.Item
	}{
		{name: "every field set", in: fullItem(), want: fullItem()},
		{
			name: "only an id",
			in:   feeds.Item{ID: "urn:uuid:1", Source: "newsroom"},
			want: feeds.Item{ID: "urn:uuid:1", Source: "newsroom"},
		},
		{
			// Empty lists and a nil origin all come back nil; an empty
			// origin is still an origin.
			name: "empty lists come back nil",
			in: feeds.Item{ID: "urn:uuid:2", Source: "newsroom", Authors: []feeds.Person{},
				Categories: []string{}, Enclosures: []feeds.Enclosure{}, Origin: &feeds.Origin{}},
			want: feeds.Item{ID: "urn:uuid:2", Source: "newsroom", Origin: &feeds.Origin{}},
		},
		{
			name: "times come back in UTC, to the second",
			in: feeds.Item{ID: "urn:uuid:3", Source: "newsroom",
				Published: time.Date(2025, time.March, 13, 0, 1, 0, 999_999_999, hk),
				Updated:   time.Date(2025, time.March, 13, 8, 0, 0, 1, hk),
				FirstSeen: time.Date(2025, time.March, 13, 9, 30, 0, 500, hk)},
			want: feeds.Item{ID: "urn:uuid:3", Source: "newsroom",
				Published: time.Date(2025, time.March, 12, 16, 1, 0, 0, time.UTC),
				Updated:   time.Date(2025, time.March, 13, 0, 0, 0, 0, time.UTC),
				FirstSeen: time.Date(2025, time.March, 13, 1, 30, 0, 0, time.UTC)},
		},
		{
			// The store files an item under the source that upserts it.
			name: "source is the upserting one",
			in:   feeds.Item{ID: "urn:uuid:4", Source: "elsewhere"},
			want: feeds.Item{ID: "urn:uuid:4", Source: "newsroom"},
		},
		{
			name: "text is kept byte for byte",
			in: feeds.Item{ID: "urn:uuid:5", Source: "newsroom", Title: "  A\tB\r\n ",
				Summary: `\ % _ ' " \u0041 {"a":1}`, Categories: []string{"", " x ", `"q"`},
				Authors: []feeds.Person{{Name: "<b>&amp;</b>"}}},
			want: feeds.Item{ID: "urn:uuid:5", Source: "newsroom", Title: "  A\tB\r\n ",
				Summary: `\ % _ ' " \u0041 {"a":1}`, Categories: []string{"", " x ", `"q"`},
				Authors: []feeds.Person{{Name: "<b>&amp;</b>"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if n := mustUpsert(t, s, "newsroom", tt.in); n != 1 {
				t.Errorf("changed %d, want 1", n)
			}
			got := mustItems(t, s, store.Query{IncludeHeld: true})
			if len(got) != 1 {
				t.Fatalf("got %d items, want 1", len(got))
			}
			if !reflect.DeepEqual(got[0], tt.want) {
				t.Errorf("round trip\n got %#v\nwant %#v", got[0], tt.want)
			}
			// Stored text reads back equal: upserting it again changes nothing.
			if n := mustUpsert(t, s, "newsroom", tt.in); n != 0 {
				t.Errorf("repeated upsert: changed %d, want 0", n)
			}
		})
	}
}

func testUpsertKeepsFirstValues(t *testing.T, open Opener) {
	s := open(t)
	first := fullItem()
	first.Held = false // a released item's date is frozen
	mustUpsert(t, s, "newsroom", first)

	next := fullItem()
	next.Title = "Minister Meets Delegation"
	next.Link = "https://www.example.edu/news/minister-2"
	next.Summary = "New summary."
	next.Content = "<p>New content.</p>"
	next.Language = "en"
	next.Authors = []feeds.Person{{Name: "Desk"}}
	next.Categories = nil
	next.Image = ""
	next.Enclosures = nil
	next.Origin = nil
	next.Updated = time.Date(2025, time.March, 20, 0, 0, 0, 0, time.UTC)
	next.File = "listings/2025-04.txt"
	next.Held = false
	// Never rewritten once stored:
	next.Published = time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC)
	next.FirstSeen = time.Date(2025, time.March, 21, 0, 0, 0, 0, time.UTC)
	next.Position = 9
	next.Slug = "another-slug"
	if n := mustUpsert(t, s, "newsroom", next); n != 1 {
		t.Errorf("changed %d, want 1", n)
	}

	want := next
	want.Published = first.Published
	want.FirstSeen = first.FirstSeen
	want.Position = first.Position
	want.Slug = first.Slug
	got := mustItems(t, s, store.Query{IncludeHeld: true})
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("after update\n got %#v\nwant %#v", got, want)
	}
	// The new link is the item's own: another item may not take it.
	other := item("urn:uuid:other", at(2, 0, 0))
	other.Link = "https://www.example.edu/news/minister-2"
	if n := mustUpsert(t, s, "newsroom", other); n != 0 {
		t.Errorf("item with the updated link: changed %d, want 0", n)
	}
	// The old link is free again.
	other.Link = "https://www.example.edu/news/minister?id=7"
	if n := mustUpsert(t, s, "newsroom", other); n != 1 {
		t.Errorf("item with the freed link: changed %d, want 1", n)
	}
}

func testUpsertChangedCount(t *testing.T, open Opener) {
	tests := []struct {
		name   string
		change func(*feeds.Item)
		want   int
	}{
		{"identical", func(*feeds.Item) {}, 0},
		{"published of a held item", func(it *feeds.Item) { it.Published = it.Published.Add(time.Hour) }, 1},
		{"first seen only", func(it *feeds.Item) { it.FirstSeen = it.FirstSeen.Add(time.Hour) }, 0},
		{"position only", func(it *feeds.Item) { it.Position++ }, 0},
		{"slug only", func(it *feeds.Item) { it.Slug = "x" }, 0},
		{"source field only", func(it *feeds.Item) { it.Source = "other" }, 0},
		{"updated below a second", func(it *feeds.Item) { it.Updated = it.Updated.Add(time.Millisecond) }, 0},
		{"same instant in another zone", func(it *feeds.Item) { it.Updated = it.Updated.In(time.FixedZone("HKT", 8*3600)) }, 0},
		{"empty lists for nil", func(it *feeds.Item) { it.Categories = it.Categories[:0] }, 1},
		{"title", func(it *feeds.Item) { it.Title += "!" }, 1},
		{"link", func(it *feeds.Item) { it.Link += "&x=1" }, 1},
		{"summary", func(it *feeds.Item) { it.Summary = "" }, 1},
		{"content", func(it *feeds.Item) { it.Content = "<p>x</p>" }, 1},
		{"language", func(it *feeds.Item) { it.Language = "zh-Hans" }, 1},
		{"language case", func(it *feeds.Item) { it.Language = "zh-hant" }, 1},
		{"author", func(it *feeds.Item) { it.Authors[1].Email = "chan@example.edu" }, 1},
		{"category order", func(it *feeds.Item) { slices.Reverse(it.Categories) }, 1},
		{"enclosure length", func(it *feeds.Item) { it.Enclosures[1].Length = 1 }, 1},
		{"image", func(it *feeds.Item) { it.Image = "" }, 1},
		{"origin", func(it *feeds.Item) { it.Origin = nil }, 1},
		{"updated", func(it *feeds.Item) { it.Updated = it.Updated.Add(time.Second) }, 1},
		{"file", func(it *feeds.Item) { it.File = "other.txt" }, 1},
		{"held", func(it *feeds.Item) { it.Held = false }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			mustUpsert(t, s, "newsroom", fullItem())
			it := fullItem()
			tt.change(&it)
			if n := mustUpsert(t, s, "newsroom", it); n != tt.want {
				t.Errorf("changed %d, want %d", n, tt.want)
			}
			// A second identical upsert never changes anything.
			if n := mustUpsert(t, s, "newsroom", it); n != 0 {
				t.Errorf("repeated upsert: changed %d, want 0", n)
			}
		})
	}
}

func testUpsertFirstSourceKeeps(t *testing.T, open Opener) {
	const id = "https://www.example.edu/news/1"
	tests := []struct {
		name     string
		first    feeds.Item // upserted by "newsroom"
		source   string
		second   feeds.Item
		wantIDs  []string
		wantFrom []string // source of each item
	}{
		{
			name:     "same id from another source",
			first:    item(id, at(1, 0, 0)),
			source:   "partner",
			second:   func() feeds.Item { it := item(id, at(2, 0, 0)); it.Title = "Partner's"; return it }(),
			wantIDs:  []string{id},
			wantFrom: []string{"newsroom"},
		},
		{
			name:     "same canonical link from another source",
			first:    withLink(item("urn:a", at(1, 0, 0)), "https://example.edu/a"),
			source:   "partner",
			second:   withLink(item("urn:b", at(2, 0, 0)), "HTTPS://Example.edu/a?utm_source=x#f"),
			wantIDs:  []string{"urn:a"},
			wantFrom: []string{"newsroom"},
		},
		{
			name:     "canonical link stored in its messy form first",
			first:    withLink(item("urn:a", at(1, 0, 0)), "HTTPS://Example.edu:443/a?utm_medium=rss"),
			source:   "partner",
			second:   withLink(item("urn:b", at(2, 0, 0)), "https://example.edu/a"),
			wantIDs:  []string{"urn:a"},
			wantFrom: []string{"newsroom"},
		},
		{
			name:     "same canonical link from the same source",
			first:    withLink(item("urn:a", at(1, 0, 0)), "https://example.edu/a"),
			source:   "newsroom",
			second:   withLink(item("urn:b", at(2, 0, 0)), "https://example.edu/a#top"),
			wantIDs:  []string{"urn:a"},
			wantFrom: []string{"newsroom"},
		},
		{
			name:     "different query is another story",
			first:    withLink(item("urn:a", at(1, 0, 0)), "https://example.edu/a?id=1"),
			source:   "partner",
			second:   withLink(item("urn:b", at(2, 0, 0)), "https://example.edu/a?id=2"),
			wantIDs:  []string{"urn:b", "urn:a"},
			wantFrom: []string{"partner", "newsroom"},
		},
		{
			name:     "no link on either",
			first:    item("urn:a", at(1, 0, 0)),
			source:   "partner",
			second:   item("urn:b", at(2, 0, 0)),
			wantIDs:  []string{"urn:b", "urn:a"},
			wantFrom: []string{"partner", "newsroom"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			mustUpsert(t, s, "newsroom", tt.first)
			wantChanged := 0
			if len(tt.wantIDs) == 2 {
				wantChanged = 1
			}
			if n := mustUpsert(t, s, tt.source, tt.second); n != wantChanged {
				t.Errorf("second upsert changed %d, want %d", n, wantChanged)
			}
			got := mustItems(t, s, store.Query{})
			var from []string
			for _, it := range got {
				from = append(from, it.Source)
			}
			if !slices.Equal(ids(got), tt.wantIDs) || !slices.Equal(from, tt.wantFrom) {
				t.Errorf("items %q from %q, want %q from %q", ids(got), from, tt.wantIDs, tt.wantFrom)
			}
			if got[len(got)-1].Title != tt.first.Title {
				t.Errorf("first item's title %q, want %q", got[len(got)-1].Title, tt.first.Title)
			}
		})
	}
}

// testUpsertWithinOneBatch: each item of a batch sees the items before it
// in the same batch, as if they were upserted one by one.
func testUpsertWithinOneBatch(t *testing.T, open Opener) {
	const (
		l1 = "https://example.edu/1"
		l2 = "https://example.edu/2"
	)
	retitled := func(it feeds.Item, title string) feeds.Item {
		it.Title = title
		return it
	}
	tests := []struct {
		name    string
		stored  []feeds.Item // upserted first by newsroom
		batch   []feeds.Item // then by newsroom, in one batch
		changed int
		want    map[string]string // id → title, link and slug
	}{
		{
			name:    "the same id twice: the second updates the first",
			batch:   []feeds.Item{item("urn:a", at(1, 0, 0)), retitled(item("urn:a", at(1, 0, 0)), "Again")},
			changed: 2,
			want:    map[string]string{"urn:a": "Again  "},
		},
		{
			name:    "the same id twice, identical",
			batch:   []feeds.Item{item("urn:a", at(1, 0, 0)), item("urn:a", at(1, 0, 0))},
			changed: 1,
			want:    map[string]string{"urn:a": "Title of urn:a  "},
		},
		{
			name: "the same id twice keeps the first slug and date",
			batch: []feeds.Item{withSlug(item("urn:a", at(1, 0, 0)), "a"),
				withSlug(retitled(item("urn:a", at(2, 0, 0)), "Again"), "b")},
			changed: 2,
			want:    map[string]string{"urn:a": "Again  a"},
		},
		{
			name:    "a new item takes a link an earlier new item holds",
			batch:   []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1), withLink(item("urn:b", at(2, 0, 0)), l1)},
			changed: 1,
			want:    map[string]string{"urn:a": "Title of urn:a " + l1 + " "},
		},
		{
			name:    "a link freed earlier in the batch is free",
			stored:  []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1)},
			batch:   []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l2), withLink(item("urn:b", at(2, 0, 0)), l1)},
			changed: 2,
			want: map[string]string{"urn:a": "Title of urn:a " + l2 + " ",
				"urn:b": "Title of urn:b " + l1 + " "},
		},
		{
			name:    "a link freed later in the batch is not yet free",
			stored:  []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1)},
			batch:   []feeds.Item{withLink(item("urn:b", at(2, 0, 0)), l1), withLink(item("urn:a", at(1, 0, 0)), l2)},
			changed: 1,
			want:    map[string]string{"urn:a": "Title of urn:a " + l2 + " "},
		},
		{
			name: "two items cannot swap their links",
			stored: []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1),
				withLink(item("urn:b", at(2, 0, 0)), l2)},
			batch: []feeds.Item{retitled(withLink(item("urn:a", at(1, 0, 0)), l2), "A"),
				retitled(withLink(item("urn:b", at(2, 0, 0)), l1), "B")},
			changed: 0,
			want: map[string]string{"urn:a": "Title of urn:a " + l1 + " ",
				"urn:b": "Title of urn:b " + l2 + " "},
		},
		{
			name:    "an item keeps its own link in another form",
			stored:  []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1)},
			batch:   []feeds.Item{withLink(item("urn:a", at(1, 0, 0)), l1+"?utm_source=x")},
			changed: 1,
			want:    map[string]string{"urn:a": "Title of urn:a " + l1 + "?utm_source=x "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if len(tt.stored) > 0 {
				mustUpsert(t, s, "newsroom", tt.stored...)
			}
			if n := mustUpsert(t, s, "newsroom", tt.batch...); n != tt.changed {
				t.Errorf("changed %d, want %d", n, tt.changed)
			}
			got := map[string]string{}
			for _, it := range mustItems(t, s, store.Query{IncludeHeld: true}) {
				got[it.ID] = it.Title + " " + it.Link + " " + it.Slug
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items %q, want %q", got, tt.want)
			}
		})
	}
}

func testSlugs(t *testing.T, open Opener) {
	s := open(t)
	mustUpsert(t, s, "newsroom",
		withSlug(item("urn:1", at(1, 0, 0)), "hello"),
		withSlug(item("urn:2", at(2, 0, 0)), "hello"),
		withSlug(item("urn:3", at(3, 0, 0)), "hello-world"),
		withSlug(item("urn:4", at(4, 0, 0)), "hello"),
		item("urn:5", at(5, 0, 0)),
		item("urn:6", at(6, 0, 0)),
	)
	want := map[string]string{
		"urn:1": "hello", "urn:2": "hello-2", "urn:3": "hello-world", "urn:4": "hello-3",
		"urn:5": "", "urn:6": "",
	}
	if got := slugs(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("slugs %v, want %v", got, want)
	}

	// Re-upserting, in another order and from another batch, keeps every
	// slug; a new clash takes the next free number; an item whose own slug
	// looks numbered clashes like any other.
	n := mustUpsert(t, s, "newsroom",
		withSlug(item("urn:7", at(7, 0, 0)), "hello"),
		withSlug(item("urn:4", at(4, 0, 0)), "hello"),
		withSlug(item("urn:2", at(2, 0, 0)), "hello"),
		withSlug(item("urn:1", at(1, 0, 0)), "hello"),
		withSlug(item("urn:8", at(8, 0, 0)), "hello-2"),
	)
	if n != 2 {
		t.Errorf("re-upsert changed %d, want 2", n)
	}
	want["urn:7"] = "hello-4"
	want["urn:8"] = "hello-2-2"
	if got := slugs(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("slugs %v, want %v", got, want)
	}

	// A removed item frees its slug for the next new one.
	if _, err := Remove(context.Background(), s, "newsroom", []string{"urn:2"}); err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, s, "newsroom", withSlug(item("urn:9", at(9, 0, 0)), "hello"))
	delete(want, "urn:2")
	want["urn:9"] = "hello-2"
	if got := slugs(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("after remove: slugs %v, want %v", got, want)
	}
}

// testSlugsAcrossSources: slugs are unique in the whole store, and only the
// slug itself and its numbered forms clash, whatever sorts beside them.
func testSlugsAcrossSources(t *testing.T, open Opener) {
	s := open(t)
	mustUpsert(t, s, "newsroom",
		withSlug(item("urn:1", at(1, 0, 0)), "a"),
		withSlug(item("urn:2", at(1, 0, 0)), "a-b"),
		withSlug(item("urn:3", at(1, 0, 0)), "a.b"),
		withSlug(item("urn:4", at(1, 0, 0)), "a_2"),
		withSlug(item("urn:5", at(1, 0, 0)), "A-2"),
		withSlug(item("urn:6", at(1, 0, 0)), "a-10"),
	)
	mustUpsert(t, s, "partner",
		withSlug(item("urn:7", at(1, 0, 0)), "a"),
		withSlug(item("urn:8", at(1, 0, 0)), "a"),
		withSlug(item("urn:9", at(1, 0, 0)), "A"),
		withSlug(item("urn:10", at(1, 0, 0)), "a-b"),
		withSlug(item("urn:11", at(1, 0, 0)), "例子"),
		withSlug(item("urn:12", at(1, 0, 0)), "例子"),
	)
	want := map[string]string{
		"urn:1": "a", "urn:2": "a-b", "urn:3": "a.b", "urn:4": "a_2", "urn:5": "A-2", "urn:6": "a-10",
		"urn:7": "a-2", "urn:8": "a-3", "urn:9": "A", "urn:10": "a-b-2", "urn:11": "例子", "urn:12": "例子-2",
	}
	if got := slugs(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("slugs %v, want %v", got, want)
	}
}

func testItemsLanguage(t *testing.T, open Opener) {
	s := open(t)
	langs := []string{"en", "en-GB", "eng", "EN-us", "zh", "zh-Hant", "zh-Hant-HK", "zh-Hans", "zhx-Hant", ""}
	var items []feeds.Item
	for i, lang := range langs {
		it := item("urn:"+lang, at(10-i, 0, 0)) // listed in langs order
		it.Language = lang
		items = append(items, it)
	}
	mustUpsert(t, s, "newsroom", items...)

	// RFC 4647 section 3.3.1 basic filtering, ignoring case.
	tests := []struct {
		lang string
		want []string
	}{
		{"", []string{"urn:en", "urn:en-GB", "urn:eng", "urn:EN-us", "urn:zh", "urn:zh-Hant",
			"urn:zh-Hant-HK", "urn:zh-Hans", "urn:zhx-Hant", "urn:"}},
		{"en", []string{"urn:en", "urn:en-GB", "urn:EN-us"}},
		{"EN", []string{"urn:en", "urn:en-GB", "urn:EN-us"}},
		{"en-gb", []string{"urn:en-GB"}},
		{"zh", []string{"urn:zh", "urn:zh-Hant", "urn:zh-Hant-HK", "urn:zh-Hans"}},
		{"zh-Hant", []string{"urn:zh-Hant", "urn:zh-Hant-HK"}},
		{"zh-hant-hk", []string{"urn:zh-Hant-HK"}},
		{"zh-Hans", []string{"urn:zh-Hans"}},
		{"e", []string{}},
		// LIKE wildcards and the escape character in a query are literal
		// characters.
		{"e_", []string{}},
		{"z%", []string{}},
		{"%", []string{}},
		{"_", []string{}},
		{`\`, []string{}},
		{`en\`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			got := ids(mustItems(t, s, store.Query{Language: tt.lang}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Language %q: %q, want %q", tt.lang, got, tt.want)
			}
			for _, it := range mustItems(t, s, store.Query{}) {
				inGot := slices.Contains(got, it.ID)
				if feeds.MatchLang(it.Language, tt.lang) != inGot {
					t.Errorf("Language %q: item %q selected %v, feeds.MatchLang disagrees", tt.lang, it.Language, inGot)
				}
			}
		})
	}
}

func testItemsOrderLimitSource(t *testing.T, open Opener) {
	s := open(t)
	// Upserted out of order; two pairs share a published time.
	mustUpsert(t, s, "newsroom",
		item("urn:c", at(1, 0, 0)),
		item("urn:b", at(3, 0, 0)),
		item("urn:e", at(2, 0, 0)),
		item("urn:a", at(3, 0, 0)),
		item("urn:d", at(1, 0, 0)),
	)
	mustUpsert(t, s, "partner",
		item("urn:p", at(2, 30, 0)),
		item("urn:q", time.Date(2024, time.December, 31, 23, 59, 59, 0, time.UTC)),
	)
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all", store.Query{}, []string{"urn:a", "urn:b", "urn:p", "urn:e", "urn:c", "urn:d", "urn:q"}},
		{"limit 3", store.Query{Limit: 3}, []string{"urn:a", "urn:b", "urn:p"}},
		{"limit above count", store.Query{Limit: 50}, []string{"urn:a", "urn:b", "urn:p", "urn:e", "urn:c", "urn:d", "urn:q"}},
		{"source", store.Query{Source: "partner"}, []string{"urn:p", "urn:q"}},
		{"source and limit", store.Query{Source: "newsroom", Limit: 2}, []string{"urn:a", "urn:b"}},
		{"unknown source", store.Query{Source: "nobody"}, []string{}},
		{"published in a range", store.Query{PublishedFrom: at(2, 0, 0), PublishedBefore: at(3, 0, 0)}, []string{"urn:p", "urn:e"}},
		// Bounds finer than the stored precision still hold exactly.
		{"from just after", store.Query{PublishedFrom: at(2, 0, 0).Add(time.Nanosecond), PublishedBefore: at(3, 0, 0)}, []string{"urn:p"}},
		{"before just after", store.Query{PublishedFrom: at(2, 30, 0), PublishedBefore: at(3, 0, 0).Add(time.Nanosecond)}, []string{"urn:a", "urn:b", "urn:p"}},
		{"from only", store.Query{PublishedFrom: at(3, 0, 0)}, []string{"urn:a", "urn:b"}},
		{"before only", store.Query{PublishedBefore: at(1, 0, 0)}, []string{"urn:q"}},
		{"source, range and limit", store.Query{Source: "newsroom", IncludeHeld: true, Sparse: true, Limit: 1, PublishedFrom: at(1, 0, 0), PublishedBefore: at(2, 30, 0)}, []string{"urn:e"}},
		{"empty range", store.Query{Source: "partner", PublishedFrom: at(2, 31, 0), PublishedBefore: at(3, 0, 0)}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustItems(t, s, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("%+v: %q, want %q", tt.q, got, tt.want)
			}
		})
	}
	if got := mustItems(t, s, store.Query{Source: "nobody"}); got != nil {
		t.Errorf("no items: %#v, want nil", got)
	}
}

// testItemsByteOrder: items published at the same second are ordered by id
// in byte order, whatever the database's collation would say.
func testItemsByteOrder(t *testing.T, open Opener) {
	s := open(t)
	unsorted := []string{"urn:b", "urn:B", "urn:a-b", "urn:a b", "urn:ab", "urn:a.b", "urn:_", "urn:Z",
		"urn:á", "urn:z", "urn:a", "urn:例", "urn:A", "urn:a_b"}
	var items []feeds.Item
	for _, id := range unsorted {
		items = append(items, item(id, at(1, 0, 0)))
	}
	mustUpsert(t, s, "newsroom", items...)
	want := slices.Clone(unsorted)
	slices.Sort(want) // Go compares strings byte by byte
	if got := ids(mustItems(t, s, store.Query{})); !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if got := ids(mustItems(t, s, store.Query{Limit: 4})); !slices.Equal(got, want[:4]) {
		t.Errorf("limit 4: %q, want %q", got, want[:4])
	}
}

func testHeldAndRelease(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := at(12, 0, 0).Add(400 * time.Millisecond)
	mustUpsert(t, s, "newsroom",
		item("urn:out", at(9, 0, 0)),
		held(item("urn:past", at(11, 0, 0))),
		held(item("urn:now", at(12, 0, 0))),
		held(item("urn:next-second", at(12, 0, 1))),
		held(item("urn:tomorrow", at(12, 0, 0).AddDate(0, 0, 1))),
	)
	mustUpsert(t, s, "partner", held(item("urn:partner", at(10, 0, 0))))

	if got, want := ids(mustItems(t, s, store.Query{})), []string{"urn:out"}; !slices.Equal(got, want) {
		t.Errorf("before release: %q, want %q", got, want)
	}
	all := []string{"urn:tomorrow", "urn:next-second", "urn:now", "urn:past", "urn:partner", "urn:out"}
	if got := ids(mustItems(t, s, store.Query{IncludeHeld: true})); !slices.Equal(got, all) {
		t.Errorf("IncludeHeld: %q, want %q", got, all)
	}

	n, err := s.Release(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("released %d, want 3", n)
	}
	if got, want := ids(mustItems(t, s, store.Query{})), []string{"urn:now", "urn:past", "urn:partner", "urn:out"}; !slices.Equal(got, want) {
		t.Errorf("after release: %q, want %q", got, want)
	}
	if n, err := s.Release(ctx, now); err != nil || n != 0 {
		t.Errorf("second release: %d, %v; want 0, nil", n, err)
	}
	if got := ids(mustItems(t, s, store.Query{IncludeHeld: true})); !slices.Equal(got, all) {
		t.Errorf("IncludeHeld after release: %q, want %q", got, all)
	}
	// Release takes the instant, whatever its zone.
	hk := time.FixedZone("HKT", 8*3600)
	if n, err := s.Release(ctx, at(12, 0, 1).In(hk)); err != nil || n != 1 {
		t.Errorf("release in another zone: %d, %v; want 1, nil", n, err)
	}
}

// testHeldItemFollowsItsDate: an embargoed item's date moves with its
// story; once released, it is frozen.
func testHeldItemFollowsItsDate(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	at := func(day int) time.Time { return time.Date(2030, 1, day, 9, 0, 0, 0, time.UTC) }
	it := feeds.Item{ID: "tag:x,2025-01-01:s/a", Title: "A", Published: at(10), Updated: at(10), Held: true}
	if _, err := Upsert(ctx, st, "s", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	it.Published, it.Updated = at(12), at(12)
	if n, err := Upsert(ctx, st, "s", []feeds.Item{it}); err != nil || n != 1 {
		t.Fatalf("postponing: changed %d, %v; want 1", n, err)
	}
	got, err := st.Items(ctx, store.Query{IncludeHeld: true})
	if err != nil || len(got) != 1 || !got[0].Published.Equal(at(12)) {
		t.Fatalf("after postponing: %+v, %v; want published %v", got, err, at(12))
	}
	if _, err := st.Release(ctx, at(13)); err != nil {
		t.Fatal(err)
	}
	it.Published, it.Updated, it.Held = at(20), at(20), false
	if _, err := Upsert(ctx, st, "s", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Items(ctx, store.Query{})
	if len(got) != 1 || !got[0].Published.Equal(at(12)) {
		t.Fatalf("after release: %+v; want published frozen at %v", got, at(12))
	}
}

func testRemove(t *testing.T, open Opener) {
	s := open(t)
	mustUpsert(t, s, "newsroom", item("urn:x", at(1, 0, 0)), item("urn:y", at(2, 0, 0)))
	mustUpsert(t, s, "partner", item("urn:z", at(3, 0, 0)))
	n, err := Remove(context.Background(), s, "newsroom", []string{"urn:x", "urn:z", "urn:unknown", "urn:x"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("removed %d, want 1", n)
	}
	if got, want := ids(mustItems(t, s, store.Query{})), []string{"urn:z", "urn:y"}; !slices.Equal(got, want) {
		t.Errorf("after remove: %q, want %q", got, want)
	}
	if n, err := Remove(context.Background(), s, "newsroom", nil); err != nil || n != 0 {
		t.Errorf("Remove(nil): %d, %v; want 0, nil", n, err)
	}
	if n, err := Upsert(context.Background(), s, "newsroom", nil); err != nil || n != 0 {
		t.Errorf("Upsert(nil): %d, %v; want 0, nil", n, err)
	}
}

// testFailedUpsertWritesNothing makes a batch fail for real, in the
// database, after earlier items of it were written.
func testFailedUpsertWritesNothing(t *testing.T, open Opener) {
	s := open(t)
	stored := item("urn:stored", at(1, 0, 0))
	mustUpsert(t, s, "newsroom", stored)

	changed := stored
	changed.Title = "Changed"
	bad := item("", at(3, 0, 0)) // the items table refuses an empty id
	n, err := Upsert(context.Background(), s, "newsroom",
		[]feeds.Item{changed, withSlug(item("urn:new", at(2, 0, 0)), "new"), bad})
	if err == nil {
		t.Fatal("Upsert of an item with no id succeeded")
	}
	if n != 0 {
		t.Errorf("changed %d on failure, want 0", n)
	}
	// "sqlite: apply …" or "postgres: apply …", then the database's words.
	if want := backend(s) + `: apply "newsroom": item "": `; !strings.HasPrefix(err.Error(), want) ||
		!strings.Contains(strings.ToLower(err.Error()), "check constraint") {
		t.Errorf("error %q, want %q… with the check constraint", err, want)
	}
	got := mustItems(t, s, store.Query{IncludeHeld: true})
	if len(got) != 1 || !reflect.DeepEqual(got[0], stored) {
		t.Errorf("after failed upsert: %#v, want only %#v", got, stored)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Upsert(ctx, s, "newsroom", []feeds.Item{item("urn:late", at(4, 0, 0))}); err == nil {
		t.Error("Upsert with a cancelled context succeeded")
	}
	if got := ids(mustItems(t, s, store.Query{})); !slices.Equal(got, []string{"urn:stored"}) {
		t.Errorf("after cancelled upsert: %q, want only urn:stored", got)
	}
}
