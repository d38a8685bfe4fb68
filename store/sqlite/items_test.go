package sqlite

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

// fullItem sets every field of feeds.Item.
func fullItem() feeds.Item {
	return feeds.Item{
		ID:      "tag:example.edu,2025-03-12:newsroom/minister",
		Source:  "newsroom",
		Title:   "Minister of Education Meets HKUST Delegation",
		Link:    "https://www.example.edu/news/minister?id=7",
		Summary: "教育部長 met the delegation.",
		Content: "<p>教育部長 met the <b>delegation</b>.</p>",
		Authors: []feeds.Person{
			{Name: "Newsroom", Email: "news@example.edu", URL: "https://www.example.edu/"},
			{Name: "陳大文"},
		},
		Categories: []string{"News", "Press Release"},
		Language:   "zh-Hant",
		Image:      "https://www.example.edu/img/minister.jpg",
		Enclosures: []feeds.Enclosure{
			{URL: "https://www.example.edu/a.mp3", Type: "audio/mpeg", Length: 1234567},
			{URL: "https://www.example.edu/b.jpg", Type: "image/jpeg"},
		},
		Published: time.Date(2025, time.March, 12, 16, 1, 0, 0, time.UTC),
		Updated:   time.Date(2025, time.March, 13, 2, 30, 15, 0, time.UTC),
		Origin: &feeds.Origin{
			Title: "Engineering News",
			ID:    "https://engineering.example.edu/feed.xml",
			Link:  "https://engineering.example.edu/",
		},
		File:      "listings/2025-03.txt",
		Position:  3,
		FirstSeen: time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC),
		Slug:      "minister-of-education-meets-hkust-delegation",
		Held:      true,
	}
}

func TestItemRoundTrip(t *testing.T) {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
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
		})
	}
}

func TestUpsertKeepsFirstValues(t *testing.T) {
	s := openTemp(t)
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
}

func TestUpsertChangedCount(t *testing.T) {
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
			s := openTemp(t)
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

func TestUpsertFirstSourceKeeps(t *testing.T) {
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
			s := openTemp(t)
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

func withLink(it feeds.Item, link string) feeds.Item {
	it.Link = link
	return it
}

func withSlug(it feeds.Item, slug string) feeds.Item {
	it.Slug = slug
	return it
}

func TestSlugs(t *testing.T) {
	s := openTemp(t)
	slugs := func() map[string]string {
		got := map[string]string{}
		for _, it := range mustItems(t, s, store.Query{IncludeHeld: true}) {
			got[it.ID] = it.Slug
		}
		return got
	}
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
	if got := slugs(); !reflect.DeepEqual(got, want) {
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
	if got := slugs(); !reflect.DeepEqual(got, want) {
		t.Errorf("slugs %v, want %v", got, want)
	}

	// A removed item frees its slug for the next new one.
	if _, err := s.Remove(context.Background(), "newsroom", []string{"urn:2"}); err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, s, "newsroom", withSlug(item("urn:9", at(9, 0, 0)), "hello"))
	delete(want, "urn:2")
	want["urn:9"] = "hello-2"
	if got := slugs(); !reflect.DeepEqual(got, want) {
		t.Errorf("after remove: slugs %v, want %v", got, want)
	}
}

func TestItemsLanguage(t *testing.T) {
	s := openTemp(t)
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
		// LIKE wildcards in a query are literal characters.
		{"e_", []string{}},
		{"z%", []string{}},
		{"%", []string{}},
		{"_", []string{}},
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

func TestItemsOrderLimitSource(t *testing.T) {
	s := openTemp(t)
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustItems(t, s, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("%+v: %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestHeldAndRelease(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	now := at(12, 0, 0).Add(400 * time.Millisecond)
	held := func(id string, published time.Time) feeds.Item {
		it := item(id, published)
		it.Held = true
		return it
	}
	mustUpsert(t, s, "newsroom",
		item("urn:out", at(9, 0, 0)),
		held("urn:past", at(11, 0, 0)),
		held("urn:now", at(12, 0, 0)),
		held("urn:next-second", at(12, 0, 1)),
		held("urn:tomorrow", at(12, 0, 0).AddDate(0, 0, 1)),
	)
	mustUpsert(t, s, "partner", held("urn:partner", at(10, 0, 0)))

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
}

func TestRemove(t *testing.T) {
	s := openTemp(t)
	mustUpsert(t, s, "newsroom", item("urn:x", at(1, 0, 0)), item("urn:y", at(2, 0, 0)))
	mustUpsert(t, s, "partner", item("urn:z", at(3, 0, 0)))
	n, err := s.Remove(context.Background(), "newsroom", []string{"urn:x", "urn:z", "urn:unknown", "urn:x"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("removed %d, want 1", n)
	}
	if got, want := ids(mustItems(t, s, store.Query{})), []string{"urn:z", "urn:y"}; !slices.Equal(got, want) {
		t.Errorf("after remove: %q, want %q", got, want)
	}
	if n, err := s.Remove(context.Background(), "newsroom", nil); err != nil || n != 0 {
		t.Errorf("Remove(nil): %d, %v; want 0, nil", n, err)
	}
}

// TestFailedUpsertWritesNothing makes a batch fail for real, in the database,
// after earlier items of it were written.
func TestFailedUpsertWritesNothing(t *testing.T) {
	s := openTemp(t)
	stored := item("urn:stored", at(1, 0, 0))
	mustUpsert(t, s, "newsroom", stored)

	changed := stored
	changed.Title = "Changed"
	bad := item("", at(3, 0, 0)) // the items table refuses an empty id
	n, err := s.Upsert(context.Background(), "newsroom",
		[]feeds.Item{changed, withSlug(item("urn:new", at(2, 0, 0)), "new"), bad})
	if err == nil {
		t.Fatal("Upsert of an item with no id succeeded")
	}
	if n != 0 {
		t.Errorf("changed %d on failure, want 0", n)
	}
	if want := `sqlite: upsert "newsroom": item "": `; !strings.HasPrefix(err.Error(), want) ||
		!strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Errorf("error %q, want %q… with the CHECK constraint", err, want)
	}
	got := mustItems(t, s, store.Query{IncludeHeld: true})
	if len(got) != 1 || !reflect.DeepEqual(got[0], stored) {
		t.Errorf("after failed upsert: %#v, want only %#v", got, stored)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Upsert(ctx, "newsroom", []feeds.Item{item("urn:late", at(4, 0, 0))}); err == nil {
		t.Error("Upsert with a cancelled context succeeded")
	}
	if got := ids(mustItems(t, s, store.Query{})); !slices.Equal(got, []string{"urn:stored"}) {
		t.Errorf("after cancelled upsert: %q, want only urn:stored", got)
	}
}

// TestItemsUsesIndex guards the reason for items_feed and items_source: a
// feed query, and a refresh's read of its source, get items already in order
// and stop at their Limit, without sorting the whole table.
func TestItemsUsesIndex(t *testing.T) {
	s := openTemp(t)
	const feed = "SEARCH items USING INDEX items_feed (held=?)"
	tests := []struct {
		q    store.Query
		want string
	}{
		{store.Query{Limit: 50}, feed},
		{store.Query{Language: "zh-Hant", Limit: 50}, feed},
		{store.Query{Source: "newsroom", Language: "en"}, feed},
		{store.Query{Source: "newsroom", IncludeHeld: true}, "SEARCH items USING INDEX items_source (source=?)"},
	}
	for _, tt := range tests {
		query, args := itemsQuery(tt.q)
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if want := []string{tt.want}; !slices.Equal(plan, want) {
			t.Errorf("%+v: plan %q, want %q", tt.q, plan, want)
		}
	}
}

// TestHeldItemFollowsItsDate: an embargoed item's date moves with its
// story; once released, it is frozen.
func TestHeldItemFollowsItsDate(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	at := func(day int) time.Time { return time.Date(2030, 1, day, 9, 0, 0, 0, time.UTC) }
	it := feeds.Item{ID: "tag:x,2025-01-01:s/a", Title: "A", Published: at(10), Updated: at(10), Held: true}
	if _, err := st.Upsert(ctx, "s", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	it.Published, it.Updated = at(12), at(12)
	if n, err := st.Upsert(ctx, "s", []feeds.Item{it}); err != nil || n != 1 {
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
	if _, err := st.Upsert(ctx, "s", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Items(ctx, store.Query{})
	if len(got) != 1 || !got[0].Published.Equal(at(12)) {
		t.Fatalf("after release: %+v; want published frozen at %v", got, at(12))
	}
}
