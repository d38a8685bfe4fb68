package normalize

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
)

func TestStatedDay(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // YYYY-MM-DD, "" for none
	}{
		{"chinese month and day", "3月13日,國家教育部部長", "2025-03-13"},
		{"time-of-day word ignored", "3月12日下午,中央港澳工作辦公室", "2025-03-12"},
		{"chinese with year", "2024年3月13日舉行", "2024-03-13"},
		{"chinese with spaces and 号", "3 月 9 号", "2025-03-09"},
		{"day month", "On 13 March the team met.", "2025-03-13"},
		{"month day", "On March 13 the team met.", "2025-03-13"},
		{"day month year", "Held on 13 March 2024, in Hong Kong", "2024-03-13"},
		{"month day comma year", "Held on March 13, 2024 in Hong Kong", "2024-03-13"},
		{"abbreviated month", "Mar 13 deadline", "2025-03-13"},
		{"abbreviated month with dot", "Sept. 3 launch", "2025-09-03"},
		{"ordinal day", "the 13th March ceremony", "2025-03-13"},
		{"ordinal day of month", "the 2nd of May", "2025-05-02"},
		{"any case", "MARCH 13", "2025-03-13"},
		{"iso", "published 2024-12-31 online", "2024-12-31"},
		{"first date wins", "on 5 March, then 3月13日", "2025-03-05"},
		{"not a real date skipped", "February 30 and then March 2", "2025-03-02"},
		{"chinese not a real date", "2月30日", ""},
		{"year alone", "net-zero emissions by 2045.", ""},
		{"chinese year alone", "2024年的計劃", ""},
		{"year inside a ranking", "《QS 世界大學學科排名2024》", ""},
		{"month alone", "in March we", ""},
		{"money is not a day", "HK$30 million", ""},
		{"digits before a chinese month", "編號123月4日", ""},
		{"word containing a month", "Omar 13 and Mayor 5", ""},
		{"relative words", "today, 前日", ""},
		{"long s folds to s, as in the patterns", "launch on 3 ſept.", "2025-09-03"},
		{"month name after other letters", "xxMAYxx 1 and AUG 4", "2025-08-04"},
		{"iso date after a dash that is no date", "A-1 on 2024-12-31", "2024-12-31"},
		{"long text without a date", strings.Repeat("net-zero emissions by 2045, 30 labs. ", 50), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, ok := statedDay(tt.text, 2025)
			got := ""
			if ok {
				got = day.midnight(time.UTC).Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("statedDay(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestMonthNames(t *testing.T) {
	names := []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	for i, name := range names {
		want := time.Month(i + 1)
		for _, form := range []string{name, strings.ToUpper(name), name[:3]} {
			day, ok := statedDay("on 2 "+form+" 2024", 2025)
			if !ok || day != (civil{2024, want, 2}) {
				t.Errorf("%q: got %v %v, want 2024-%02d-02", form, day, ok, want)
			}
		}
	}
	if day, ok := statedDay("Sept 2", 2025); !ok || day.month != time.September {
		t.Errorf("Sept: got %v %v", day, ok)
	}
}

// published maps each item's title to its Published in RFC 3339, Hong Kong time.
func published(t *testing.T, items []feeds.Item) []string {
	t.Helper()
	hk := hongKong(t)
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Published.In(hk).Format(time.RFC3339)
	}
	return out
}

func checkDates(t *testing.T, items []feeds.Item, want []string) {
	t.Helper()
	if got := published(t, items); !slices.Equal(got, want) {
		t.Errorf("published:\n got %q\nwant %q", got, want)
	}
}

// sampleDates are DESIGN's dates for the sample listing, and so for
// sampleStories.
var sampleDates = testenv.Dates

// TestSampleDates dates both listings by DESIGN's rule on their first run.
func TestSampleDates(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	testenv.EachListing(t, func(t *testing.T, l testenv.Listing) {
		items, err := n.Items(Source{Name: "newsroom", Language: "en"}, now, listingStories(t, l), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkDates(t, items, testenv.Dates)
		for i, it := range items {
			if !it.Updated.Equal(it.Published) || !it.FirstSeen.Equal(now) || it.Held {
				t.Errorf("item %d: updated %v, first seen %v, held %v", i, it.Updated, it.FirstSeen, it.Held)
			}
			if it.Position != i || it.File != l.Name || it.Source != "newsroom" {
				t.Errorf("item %d: position %d, file %q, source %q", i, it.Position, it.File, it.Source)
			}
		}
	})
}

func TestListingWithoutYearLine(t *testing.T) {
	n := newTestNormalizer(t)
	// A year line missing: the year of now in the site zone, unless that
	// puts the day after now.
	stories := sampleStories(t)
	for i := range stories {
		stories[i].Year = 0
	}
	for _, tt := range []struct {
		now  time.Time
		want string
	}{
		{hkt(t, 2026, 4, 1, 0, 30, 0), "2026-03-13T00:00:00+08:00"},
		{hkt(t, 2026, 3, 13, 0, 0, 0), "2026-03-13T00:00:00+08:00"},
		{hkt(t, 2026, 1, 1, 0, 30, 0), "2025-03-13T00:00:00+08:00"},
	} {
		items, err := n.Items(Source{Name: "newsroom"}, tt.now, stories, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := items[1].Published.In(hongKong(t)).Format(time.RFC3339); got != tt.want {
			t.Errorf("now %v: story 2 without a year line: %s, want %s", tt.now, got, tt.want)
		}
	}
}

// story is a story of the sample's listing file with one body paragraph.
func story(pos int, title, body string) sources.Story {
	return sources.Story{File: sampleName, Position: pos, Title: title, Text: []string{body}, Year: 2025}
}

// relist sets positions 0..n-1 in order.
func relist(stories ...sources.Story) []sources.Story {
	for i := range stories {
		stories[i].Position = i
	}
	return stories
}

func TestLaterRuns(t *testing.T) {
	n := newTestNormalizer(t)
	src := Source{Name: "newsroom", Language: "en"}
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	sample := sampleStories(t)
	known, err := n.Items(src, first, sample, nil)
	if err != nil {
		t.Fatal(err)
	}
	later := hkt(t, 2025, 3, 15, 9, 30, 0)
	undated := story(0, "New story", "The university today opened a new lab.")

	tests := []struct {
		name    string
		stories []sources.Story
		want    []string
	}{
		{"second run changes nothing", sample, sampleDates},
		{"new undated story on top gets now", relist(append([]sources.Story{undated}, sample...)...),
			append([]string{"2025-03-15T09:30:00+08:00"}, sampleDates...)},
		{"two new undated stories on top: now, now-1s", relist(append([]sources.Story{undated, story(0, "Other", "Today, more.")}, sample...)...),
			append([]string{"2025-03-15T09:30:00+08:00", "2025-03-15T09:29:59+08:00"}, sampleDates...)},
		{"new dated story on top gets its day", relist(append([]sources.Story{story(0, "Dated", "3月14日,校長表示")}, sample...)...),
			append([]string{"2025-03-14T00:00:00+08:00"}, sampleDates...)},
		{"new story on top dated like the top one is bumped above it", relist(append([]sources.Story{story(0, "Same day", "On 13 March the team met.")}, sample...)...),
			append([]string{"2025-03-13T00:02:00+08:00"}, sampleDates...)},
		{"new dated block on top: rules 1-3, undated below takes its day", relist(append([]sources.Story{
			story(0, "Top", "News of 14 March."), story(0, "Under", "No date here.")}, sample...)...),
			append([]string{"2025-03-14T00:01:00+08:00", "2025-03-14T00:00:00+08:00"}, sampleDates...)},
		{"new undated story above a new dated one gets now", relist(append([]sources.Story{
			story(0, "Fresh", "No date."), story(0, "Dated", "News of 14 March.")}, sample...)...),
			append([]string{"2025-03-15T09:30:00+08:00", "2025-03-14T00:00:00+08:00"}, sampleDates...)},
		{"inserted story gets the midpoint", relist(append(append(slices.Clone(sample[:2]), story(0, "Between", "No date.")), sample[2:]...)...),
			slices.Concat(sampleDates[:2], []string{"2025-03-12T12:02:30+08:00"}, sampleDates[2:])},
		{"two inserted stories split the gap in thirds", relist(append(append(slices.Clone(sample[:2]), story(0, "B1", "x"), story(0, "B2", "y")), sample[2:]...)...),
			slices.Concat(sampleDates[:2], []string{"2025-03-12T16:01:40+08:00", "2025-03-12T08:03:20+08:00"}, sampleDates[2:])},
		{"inserted story ignores a stated day", relist(append(append(slices.Clone(sample[:2]), story(0, "Between", "3月1日")), sample[2:]...)...),
			slices.Concat(sampleDates[:2], []string{"2025-03-12T12:02:30+08:00"}, sampleDates[2:])},
		{"deleted story leaves the others unmoved", relist(append(slices.Clone(sample[:3]), sample[4:]...)...),
			append(slices.Clone(sampleDates[:3]), sampleDates[4:]...)},
		{"new undated story at the bottom goes a minute below", relist(append(slices.Clone(sample), story(0, "Old", "No date."), story(0, "Older", "None."))...),
			append(slices.Clone(sampleDates), "2025-03-11T23:59:00+08:00", "2025-03-11T23:58:00+08:00")},
		{"new dated story at the bottom keeps its day", relist(append(slices.Clone(sample), story(0, "Old", "3月10日"))...),
			append(slices.Clone(sampleDates), "2025-03-10T00:00:00+08:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(src, later, tt.stories, known)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, tt.want)
			for _, it := range items {
				for _, k := range known {
					if k.ID == it.ID && (!k.FirstSeen.Equal(it.FirstSeen) || k.Slug != it.Slug) {
						t.Errorf("%q: first seen %v slug %q, stored %v %q", it.Title, it.FirstSeen, it.Slug, k.FirstSeen, k.Slug)
					}
				}
			}
		})
	}

	t.Run("second run returns the stored items unchanged", func(t *testing.T) {
		items, err := n.Items(src, later, sample, known)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != len(known) {
			t.Fatalf("%d items, want %d", len(items), len(known))
		}
		for i := range items {
			if !itemsEqual(items[i], known[i]) {
				t.Errorf("item %d changed:\n got %+v\nwant %+v", i, items[i], known[i])
			}
		}
	})
}

func itemsEqual(a, b feeds.Item) bool {
	return a.ID == b.ID && a.Title == b.Title && a.Link == b.Link && a.Summary == b.Summary &&
		a.Content == b.Content && a.Language == b.Language && a.Slug == b.Slug && a.Held == b.Held &&
		a.Published.Equal(b.Published) && a.Updated.Equal(b.Updated) && a.FirstSeen.Equal(b.FirstSeen) &&
		a.File == b.File && a.Position == b.Position && slices.Equal(a.Categories, b.Categories)
}

func TestListingDates(t *testing.T) {
	hk := hongKong(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	tests := []struct {
		name    string
		stories []sources.Story
		want    []string
	}{
		{"no dated story: the day of now", relist(
			story(0, "A", "Today the lab opened."), story(0, "B", "Yesterday."), story(0, "C", "Last week.")),
			[]string{"2025-03-14T00:02:00+08:00", "2025-03-14T00:01:00+08:00", "2025-03-14T00:00:00+08:00"}},
		{"a year alone is not a day", relist(
			story(0, "Plan", "Net zero by 2045."), story(0, "Plan 2", "2024年的計劃")),
			[]string{"2025-03-14T00:01:00+08:00", "2025-03-14T00:00:00+08:00"}},
		{"english dates", relist(
			story(0, "A", "On March 13, the lab opened."), story(0, "B", "More news."),
			story(0, "C", "Held on 12 March 2025."), story(0, "D", "2025-03-10 meeting")),
			[]string{"2025-03-13T00:00:00+08:00", "2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00", "2025-03-10T00:00:00+08:00"}},
		{"title date before body date", relist(
			story(0, "Forum on 11 March", "It was held on 13 March.")),
			[]string{"2025-03-11T00:00:00+08:00"}},
		{"undated at the top takes the day below, at the bottom the day above", relist(
			story(0, "A", "x"), story(0, "B", "3月13日"), story(0, "C", "y")),
			[]string{"2025-03-13T00:02:00+08:00", "2025-03-13T00:01:00+08:00", "2025-03-13T00:00:00+08:00"}},
		{"explicit day-only date", relist(
			sources.Story{File: sampleName, Title: "A", Published: time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), DateOnly: true, Text: []string{"3月13日"}},
			story(0, "B", "x")),
			[]string{"2025-03-09T00:01:00+08:00", "2025-03-09T00:00:00+08:00"}},
		{"explicit time kept exactly and not counted", relist(
			story(0, "A", "x"),
			sources.Story{File: sampleName, Title: "B", Published: time.Date(2025, 3, 13, 15, 4, 5, 600, hk)},
			story(0, "C", "3月13日")),
			[]string{"2025-03-13T00:01:00+08:00", "2025-03-13T15:04:05+08:00", "2025-03-13T00:00:00+08:00"}},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(Source{Name: "s"}, now, tt.stories, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, tt.want)
		})
	}
}

func TestListingOrderKept(t *testing.T) {
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	later := hkt(t, 2025, 3, 15, 9, 30, 0)
	tests := []struct {
		name    string
		known   bool // the sample is stored at first
		stories []sources.Story
		want    []string
	}{
		{"a quoted past day pulls the stories below it down", false, relist(
			story(0, "A", "The lab opened on 13 March."),
			story(0, "B", "The prize, first awarded on 3 March 1998, went to HKUST."),
			story(0, "C", "3月12日,代表團到訪")),
			[]string{"2025-03-13T00:00:00+08:00", "1998-03-03T00:01:00+08:00", "1998-03-03T00:00:00+08:00"}},
		{"a later day below takes the day above", false, relist(
			story(0, "A", "3月12日"), story(0, "B", "3月13日"), story(0, "C", "x")),
			[]string{"2025-03-12T00:02:00+08:00", "2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00"}},
		{"an explicit day is kept, the order holds around it", false, relist(
			story(0, "A", "3月12日"),
			sources.Story{File: sampleName, Title: "B", Published: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC), DateOnly: true},
			story(0, "C", "x")),
			[]string{"2025-03-12T00:01:00+08:00", "2025-03-13T00:00:00+08:00", "2025-03-12T00:00:00+08:00"}},
		{"new block at the bottom", true, relist(append(sampleStories(t), story(0, "Old", "3月5日"), story(0, "Older", "3月8日"))...),
			append(slices.Clone(sampleDates), "2025-03-05T00:01:00+08:00", "2025-03-05T00:00:00+08:00")},
	}
	n := newTestNormalizer(t)
	src := Source{Name: "newsroom", Language: "en"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := first
			var known []feeds.Item
			if tt.known {
				var err error
				if known, err = n.Items(src, first, sampleStories(t), nil); err != nil {
					t.Fatal(err)
				}
				now = later
			}
			items, err := n.Items(src, now, tt.stories, known)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, tt.want)
		})
	}
}

func TestListingsDatedPerFile(t *testing.T) {
	n := newTestNormalizer(t)
	a := story(0, "A", "3月13日")
	b := story(0, "B", "x")
	b.File = "other.txt"
	c := story(1, "C", "3月13日")
	items, err := n.Items(Source{Name: "s"}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{a, b, c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDates(t, items, []string{"2025-03-13T00:01:00+08:00", "2025-03-14T00:00:00+08:00", "2025-03-13T00:00:00+08:00"})
}

func TestEmbargo(t *testing.T) {
	hk := hongKong(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	stories := []sources.Story{
		{Title: "Future exact", Published: time.Date(2025, 4, 1, 9, 0, 0, 0, hk)},
		{Title: "Future day", Published: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), DateOnly: true, Position: 1},
		{Title: "Now exactly", Published: now, Position: 2},
		{Title: "Past", Published: now.Add(-time.Hour), Position: 3},
	}
	n := newTestNormalizer(t)
	items, err := n.Items(Source{Name: "s"}, now, stories, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, true, false, false}
	for i, it := range items {
		if it.Held != want[i] {
			t.Errorf("%q: held %v, want %v", it.Title, it.Held, want[i])
		}
	}
	// Upstream items are never held.
	items, err = n.Items(Source{Name: "up", Feed: true}, now, stories[:1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if items[0].Held {
		t.Error("upstream item held")
	}
}

func TestUpstreamDates(t *testing.T) {
	hk := hongKong(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	tests := []struct {
		name               string
		story              sources.Story
		published, updated string
	}{
		{"explicit kept, truncated to seconds", sources.Story{Published: time.Date(2025, 3, 1, 8, 0, 0, 900, hk)},
			"2025-03-01T08:00:00+08:00", "2025-03-01T08:00:00+08:00"},
		{"within a day ahead kept", sources.Story{Published: now.Add(23 * time.Hour)},
			"2025-03-15T09:00:00+08:00", "2025-03-15T09:00:00+08:00"},
		{"more than a day ahead clamped to now", sources.Story{Published: now.Add(48 * time.Hour)},
			"2025-03-14T10:00:00+08:00", "2025-03-14T10:00:00+08:00"},
		{"no date: now", sources.Story{Position: 0},
			"2025-03-14T10:00:00+08:00", "2025-03-14T10:00:00+08:00"},
		{"no date: now minus a second per position", sources.Story{Position: 5},
			"2025-03-14T09:59:55+08:00", "2025-03-14T09:59:55+08:00"},
		{"explicit updated", sources.Story{Published: time.Date(2025, 3, 1, 8, 0, 0, 0, hk), Updated: time.Date(2025, 3, 2, 8, 0, 0, 0, hk)},
			"2025-03-01T08:00:00+08:00", "2025-03-02T08:00:00+08:00"},
		{"updated before published ignored", sources.Story{Published: time.Date(2025, 3, 1, 8, 0, 0, 0, hk), Updated: time.Date(2025, 2, 1, 8, 0, 0, 0, hk)},
			"2025-03-01T08:00:00+08:00", "2025-03-01T08:00:00+08:00"},
		{"day-only date: midnight in the source zone", sources.Story{Published: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), DateOnly: true},
			"2025-03-01T00:00:00+08:00", "2025-03-01T00:00:00+08:00"},
		// Dates from before feeds existed are placeholders or typos.
		{"1800: dated as undated", sources.Story{Published: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), Position: 2},
			"2025-03-14T09:59:58+08:00", "2025-03-14T09:59:58+08:00"},
		{"the Unix epoch: dated as undated", sources.Story{Published: time.Unix(0, 0)},
			"2025-03-14T10:00:00+08:00", "2025-03-14T10:00:00+08:00"},
		{"a day in 1989: dated as undated", sources.Story{Published: time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC), DateOnly: true},
			"2025-03-14T10:00:00+08:00", "2025-03-14T10:00:00+08:00"},
		{"1990 kept", sources.Story{Published: time.Date(1990, 1, 1, 8, 0, 0, 0, hk)},
			"1990-01-01T08:00:00+08:00", "1990-01-01T08:00:00+08:00"},
		{"an implausible updated dropped", sources.Story{Published: time.Date(2025, 3, 1, 8, 0, 0, 0, hk), Updated: time.Unix(0, 0)},
			"2025-03-01T08:00:00+08:00", "2025-03-01T08:00:00+08:00"},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.story
			st.Title = "Upstream"
			st.Link = "https://up.example.org/p"
			items, err := n.Items(Source{Name: "up", Feed: true}, now, []sources.Story{st}, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if got := it.Published.In(hk).Format(time.RFC3339); got != tt.published {
				t.Errorf("published %s, want %s", got, tt.published)
			}
			if got := it.Updated.In(hk).Format(time.RFC3339); got != tt.updated {
				t.Errorf("updated %s, want %s", got, tt.updated)
			}
		})
	}
	t.Run("known upstream item keeps its date", func(t *testing.T) {
		st := sources.Story{Title: "Upstream", ID: "https://up.example.org/p/1", Position: 3}
		known := []feeds.Item{{ID: st.ID, Published: hkt(t, 2025, 1, 1, 0, 0, 0), FirstSeen: hkt(t, 2025, 1, 1, 0, 0, 0)}}
		items, err := n.Items(Source{Name: "up", Feed: true}, now, []sources.Story{st}, known)
		if err != nil {
			t.Fatal(err)
		}
		if !items[0].Published.Equal(known[0].Published) || !items[0].FirstSeen.Equal(known[0].FirstSeen) {
			t.Errorf("published %v first seen %v, want the stored %v", items[0].Published, items[0].FirstSeen, known[0].Published)
		}
	})
}
