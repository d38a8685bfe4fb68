package normalize

import (
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// pageSource is an HTML listing page as internal/wiring describes one.
var pageSource = Source{Name: "dept", Language: "en", Feed: true, Page: true}

func pageStory(pos int, title, link string) sources.Story {
	return sources.Story{File: "https://dept.example.edu/news", Position: pos, Title: title, Link: link}
}

func TestPageDates(t *testing.T) {
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	dated := func(s sources.Story, at time.Time, dateOnly bool) sources.Story {
		s.Published, s.DateOnly = at, dateOnly
		return s
	}
	withText := func(s sources.Story, text string) sources.Story {
		s.DateText = text
		return s
	}
	tests := []struct {
		name    string
		stories []sources.Story
		want    []string
	}{
		{"undated items follow the listing rule: the day of the nearest dated item below",
			[]sources.Story{
				pageStory(0, "Top", "/a"),
				dated(pageStory(1, "Dated", "/b"), hkt(t, 2025, 3, 12, 0, 0, 0), true),
				pageStory(2, "Below", "/c"),
			},
			[]string{"2025-03-12T00:02:00+08:00", "2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00"}},
		{"a day the item's own text states, where the title and summary say none",
			[]sources.Story{
				withText(pageStory(0, "Visit", "/a"), "Visit 3月13日 Posted by the office"),
				pageStory(1, "Other", "/b"),
			},
			[]string{"2025-03-13T00:01:00+08:00", "2025-03-13T00:00:00+08:00"}},
		{"no date anywhere: the day first seen",
			[]sources.Story{pageStory(0, "One", "/a"), pageStory(1, "Two", "/b")},
			[]string{"2025-03-14T00:01:00+08:00", "2025-03-14T00:00:00+08:00"}},
		{"an exact time is kept",
			[]sources.Story{dated(pageStory(0, "Exact", "/a"), hkt(t, 2025, 3, 13, 9, 30, 0), false)},
			[]string{"2025-03-13T09:30:00+08:00"}},
		{"a date more than a day ahead is clamped to now, not held",
			[]sources.Story{
				dated(pageStory(0, "Ahead", "/a"), hkt(t, 2025, 4, 1, 0, 0, 0), true),
				dated(pageStory(1, "Today", "/b"), hkt(t, 2025, 3, 14, 0, 0, 0), true),
			},
			[]string{"2025-03-14T10:00:00+08:00", "2025-03-14T00:00:00+08:00"}},
		{"a date less than a day ahead is kept, not held",
			[]sources.Story{dated(pageStory(0, "Soon", "/a"), hkt(t, 2025, 3, 14, 20, 0, 0), false)},
			[]string{"2025-03-14T20:00:00+08:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNormalizer(t)
			items, err := n.Items(pageSource, now, tc.stories, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(tc.want) {
				t.Fatalf("%d items, want %d", len(items), len(tc.want))
			}
			for i, it := range items {
				if got := it.Published.Format(time.RFC3339); got != tc.want[i] {
					t.Errorf("%q: published %s, want %s", it.Title, got, tc.want[i])
				}
				if it.Held {
					t.Errorf("%q is held: a page cannot embargo", it.Title)
				}
			}
		})
	}
}

// TestPageStoredDatesStay: a second look at a page keeps the stored dates and
// fits a new item above them, as a listing's.
func TestPageStoredDatesStay(t *testing.T) {
	n := newTestNormalizer(t)
	first := hkt(t, 2025, 3, 14, 10, 0, 0)
	items, err := n.Items(pageSource, first, []sources.Story{pageStory(0, "One", "/a"), pageStory(1, "Two", "/b")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	later := first.Add(3 * time.Hour)
	again, err := n.Items(pageSource, later, []sources.Story{
		pageStory(0, "New", "/c"), pageStory(1, "One", "/a"), pageStory(2, "Two", "/b"),
	}, items)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{later, items[0].Published, items[1].Published}
	for i, it := range again {
		if !it.Published.Equal(want[i]) {
			t.Errorf("%q: published %s, want %s", it.Title, it.Published, want[i])
		}
	}
}

// TestPageIDs: an item's id is the tag URI of the hash of its link
// normalized as for dedup, without its scheme; an item without a link is
// keyed by its title and date.
func TestPageIDs(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	prefix := "tag:" + testHost + "," + testFirstRun + ":dept/"
	noLink := pageStory(0, "No link", "")
	noLink.Published, noLink.DateOnly = hkt(t, 2025, 3, 13, 0, 0, 0), true
	tests := []struct {
		name  string
		story sources.Story
		want  string
	}{
		{"link", pageStory(0, "A", "https://dept.example.edu/news/a"), prefix + hash16("//dept.example.edu/news/a")},
		{"tracking parameters and fragment", pageStory(0, "A", "https://Dept.example.edu:443/news/a?utm_source=x#top"), prefix + hash16("//dept.example.edu/news/a")},
		{"the site moved from http to https", pageStory(0, "A", "http://dept.example.edu/news/a"), prefix + hash16("//dept.example.edu/news/a")},
		{"relative to the page", pageStory(0, "A", "/news/a"), prefix + hash16("//www.example.edu/news/a")},
		{"no link: title and date", noLink, prefix + hash16("No link\n2025-03-12T16:00:00Z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := n.Items(pageSource, now, []sources.Story{tc.story}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if items[0].ID != tc.want {
				t.Errorf("id %s, want %s", items[0].ID, tc.want)
			}
		})
	}
}
