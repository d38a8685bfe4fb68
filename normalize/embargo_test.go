package normalize

import (
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// checkHeld compares each item's Held with want.
func checkHeld(t *testing.T, items []feeds.Item, want []bool) {
	t.Helper()
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d", len(items), len(want))
	}
	for i, it := range items {
		if it.Held != want[i] {
			t.Errorf("%q: held %v, want %v", it.Title, it.Held, want[i])
		}
	}
}

// sampleWithoutYear is the sample listing as if it had no year line.
func sampleWithoutYear(t *testing.T) []sources.Story {
	stories := sampleStories(t)
	for i := range stories {
		stories[i].Year = 0
	}
	return stories
}

func TestTextDayNeverHolds(t *testing.T) {
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	later := hkt(t, 2025, 3, 15, 9, 30, 0)
	undated := func(title, body string) sources.Story {
		s := story(0, title, body)
		s.Year = 0
		return s
	}
	tests := []struct {
		name    string
		known   []sources.Story // stored at first, before the run; nil for a first sight
		stories []sources.Story
		now     time.Time
		want    []string
	}{
		{"listing: a later day in the text is not the story's day", nil, relist(
			story(0, "New", "No date."),
			story(0, "Competition", "Entries close on 20 December 2027."),
			story(0, "Visit", "3月12日,代表團到訪")),
			first,
			[]string{"2025-03-12T00:02:00+08:00", "2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00"}},
		{"story file without a date: a deadline in the text", nil, []sources.Story{
			{File: "call.md", Title: "Call for proposals", Text: []string{"Proposals are due by 15 January 2028."}}},
			first,
			[]string{"2025-03-14T00:00:00+08:00"}},
		{"a later day of the year line's year is not used either", nil, relist(
			story(0, "Admissions", "Applications open on 1 April."), story(0, "Visit", "3月12日")),
			first,
			[]string{"2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00"}},
		{"no year anywhere: a month-and-day after now is last year's", nil, []sources.Story{
			undated("Year-end concert", "The concert on 28 December drew 500 people.")},
			hkt(t, 2026, 1, 3, 10, 0, 0),
			[]string{"2025-12-28T00:00:00+08:00"}},
		{"no year anywhere: today is this year's", nil, []sources.Story{
			undated("Forum", "The forum on 3 January drew 500 people.")},
			hkt(t, 2026, 1, 3, 10, 0, 0),
			[]string{"2026-01-03T00:00:00+08:00"}},
		{"no year anywhere: 29 February of a common last year is no day", nil, []sources.Story{
			undated("Leap day", "Held on 29 February.")},
			hkt(t, 2028, 2, 10, 10, 0, 0),
			[]string{"2028-02-10T00:00:00+08:00"}},
		{"later run: new stories on top, one with a later day in its text", sampleStories(t),
			relist(append([]sources.Story{story(0, "Fresh", "No date."), story(0, "Competition", "Entries close on 20 December 2027.")}, sampleStories(t)...)...),
			later,
			append([]string{"2025-03-15T09:30:00+08:00", "2025-03-15T09:29:59+08:00"}, sampleDates...)},
		{"known listing: a month-and-day falls in the year it was first seen", sampleWithoutYear(t),
			relist(append(sampleWithoutYear(t), undated("Old", "On 10 March the lab opened."))...),
			hkt(t, 2026, 2, 1, 10, 0, 0),
			append(slices.Clone(sampleDates), "2025-03-10T00:00:00+08:00")},
	}
	n := newTestNormalizer(t)
	src := Source{Name: "newsroom", Language: "en"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var known []feeds.Item
			if tt.known != nil {
				var err error
				if known, err = n.Items(src, first, tt.known, nil); err != nil {
					t.Fatal(err)
				}
			}
			items, err := n.Items(src, tt.now, tt.stories, known)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, tt.want)
			checkHeld(t, items, make([]bool, len(items)))
		})
	}
}

func TestEmbargoLeavesNeighboursAlone(t *testing.T) {
	hk := hongKong(t)
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	embargoed := sources.Story{File: sampleName, Title: "Embargoed", Published: time.Date(2025, 4, 1, 9, 0, 0, 0, hk)}
	embargoedDay := func(title string) sources.Story {
		return sources.Story{File: sampleName, Title: title, Published: time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC), DateOnly: true}
	}
	tests := []struct {
		name    string
		known   bool // the sample is stored at first
		stories []sources.Story
		want    []string
		held    []bool
	}{
		{"first sight: an undated story above takes the day below", false,
			relist(story(0, "Fresh", "No date."), embargoed, story(0, "Visit", "3月12日")),
			[]string{"2025-03-12T00:01:00+08:00", "2025-04-01T09:00:00+08:00", "2025-03-12T00:00:00+08:00"},
			[]bool{false, true, false}},
		{"first sight: embargoed days count among themselves", false,
			relist(embargoedDay("Embargoed A"), story(0, "Visit", "3月12日"), embargoedDay("Embargoed B"), story(0, "Other", "x")),
			[]string{"2025-04-02T00:01:00+08:00", "2025-03-12T00:01:00+08:00", "2025-04-02T00:00:00+08:00", "2025-03-12T00:00:00+08:00"},
			[]bool{true, false, true, false}},
		{"later run: an undated story above an embargoed one gets now", true,
			relist(append([]sources.Story{story(0, "Fresh", "No date."), embargoed}, sampleStories(t)...)...),
			append([]string{"2025-03-15T09:30:00+08:00", "2025-04-01T09:00:00+08:00"}, sampleDates...),
			append([]bool{false, true}, make([]bool, len(sampleDates))...)},
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
				now = hkt(t, 2025, 3, 15, 9, 30, 0)
			}
			items, err := n.Items(src, now, tt.stories, known)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, tt.want)
			checkHeld(t, items, tt.held)
		})
	}
}

func TestHeldItemFollowsItsDate(t *testing.T) {
	hk := hongKong(t)
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	now := hkt(t, 2025, 3, 20, 10, 0, 0)
	launch := func(published time.Time, dateOnly bool) sources.Story {
		return sources.Story{File: "launch.md", Line: 1, Title: "Launch", Text: []string{"Soon."}, Published: published, DateOnly: dateOnly}
	}
	stored := launch(time.Date(2025, 4, 1, 9, 0, 0, 0, hk), false)
	tests := []struct {
		name     string
		stored   sources.Story
		released bool // the stored item was released before the run
		story    sources.Story
		want     string
		held     bool
	}{
		{"postponed", stored, false, launch(time.Date(2025, 4, 8, 9, 0, 0, 0, hk), false), "2025-04-08T09:00:00+08:00", true},
		{"advanced, still ahead", stored, false, launch(time.Date(2025, 3, 25, 9, 0, 0, 0, hk), false), "2025-03-25T09:00:00+08:00", true},
		{"advanced into the past: released", stored, false, launch(time.Date(2025, 3, 18, 9, 0, 0, 0, hk), false), "2025-03-18T09:00:00+08:00", false},
		{"now a day-only date", stored, false, launch(time.Date(2025, 3, 27, 0, 0, 0, 0, time.UTC), true), "2025-03-27T00:00:00+08:00", true},
		{"date removed: the stored one holds", stored, false, launch(time.Time{}, false), "2025-04-01T09:00:00+08:00", true},
		{"unchanged", stored, false, stored, "2025-04-01T09:00:00+08:00", true},
		{"released: the date is frozen", launch(time.Date(2025, 3, 15, 9, 0, 0, 0, hk), false), true,
			launch(time.Date(2025, 3, 30, 9, 0, 0, 0, hk), false), "2025-03-15T09:00:00+08:00", false},
	}
	n := newTestNormalizer(t)
	src := Source{Name: "newsroom", Language: "en"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known, err := n.Items(src, first, []sources.Story{tt.stored}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !known[0].Held {
				t.Fatalf("stored item not held at first")
			}
			if tt.released {
				known[0].Held = false // what the store's Release did
			}
			items, err := n.Items(src, now, []sources.Story{tt.story}, known)
			if err != nil {
				t.Fatal(err)
			}
			checkDates(t, items, []string{tt.want})
			checkHeld(t, items, []bool{tt.held})
			if !items[0].FirstSeen.Equal(first) {
				t.Errorf("first seen %v, want %v", items[0].FirstSeen, first)
			}
		})
	}
}
