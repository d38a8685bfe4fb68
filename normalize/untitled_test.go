package normalize

import (
	"errors"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func upID(key string) string { return "tag:" + testHost + "," + testFirstRun + ":up/" + hash16(key) }

// An upstream item without a title is kept untitled when it has content, a
// summary or a link (RSS 2.0 §"Elements of <item>": title or description;
// JSON Feed 1.1: title optional). Titles are what gofeed hands over:
// entities already decoded, so <title>&lt;img src=x&gt;</title> arrives as
// "<img src=x>", HTML by RSS convention, and holds no text.
func TestUpstreamItemWithoutTitleIsKept(t *testing.T) {
	const link = "https://up.example.org/n/1"
	for _, tc := range []struct {
		name, title string
	}{
		{"title absent", ""},
		{"empty title element", ""},
		{"white space title", " \t\n\u00a0 "},
		{"markup-only title", "<img src=x>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNormalizer(t)
			st := sources.Story{File: "https://up.example.org/feed", Title: tc.title, TitleHTML: true, SummaryHTML: true,
				Link: link, Content: "<p>Good morning. The sun is out.</p>"}
			items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			it := items[0]
			if it.Title != "" || it.ID != upID(link) || it.Summary != "Good morning. The sun is out." || it.Link != link {
				t.Errorf("got title %q id %q summary %q link %q", it.Title, it.ID, it.Summary, it.Link)
			}
			if got := feeds.DisplayTitle(it, hongKong(t)); got != "Good morning." {
				t.Errorf("display title %q", got)
			}
		})
	}
}

// With no guid and no link, an untitled item's id hashes its content text
// and the date the upstream states (none here): distinct posts stay
// distinct, a repeated post is one item, and every run gives the same ids.
func TestUntitledItemIDs(t *testing.T) {
	n := newTestNormalizer(t)
	src := Source{Name: "up", Language: "en", Feed: true}
	stories := []sources.Story{
		{Content: "<p>Good morning</p>", SummaryHTML: true},
		{Content: "<p>Good night</p>", SummaryHTML: true},
		{Content: "<p>Good morning</p>", SummaryHTML: true, Position: 2},
		{Summary: "Only a <b>summary</b>", SummaryHTML: true, Position: 3},
		{Content: "<p>Good morning</p>", Published: time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC), Position: 4},
		{Content: "<p>Good morning</p>", Published: time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC), Position: 5},
	}
	want := []string{
		upID("Good morning\n"),
		upID("Good night\n"),
		upID("Only a summary\n"),
		upID("Good morning\n2025-03-13T08:00:00Z"),
		upID("Good morning\n2025-03-14T08:00:00Z"),
	}
	for run, now := range []time.Time{hkt(t, 2025, 3, 14, 10, 0, 0), hkt(t, 2025, 3, 15, 10, 0, 0)} {
		items, err := n.Items(src, now, stories, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
			if it.Title != "" {
				t.Errorf("run %d: %s stored title %q", run, it.ID, it.Title)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("run %d: ids %q, want %q", run, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("run %d: item %d id %q, want %q", run, i, got[i], want[i])
			}
		}
	}
}

// A titled item keeps the id it always had: the title, not the text.
func TestTitledUpstreamIDUnchanged(t *testing.T) {
	n := newTestNormalizer(t)
	items, err := n.Items(Source{Name: "up", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0),
		[]sources.Story{{Title: "Hello", Content: "<p>Good morning</p>"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := upID("Hello\n"); items[0].ID != want || items[0].Title != "Hello" {
		t.Errorf("id %q title %q, want %q", items[0].ID, items[0].Title, want)
	}
}

// An untitled post whose content is only an image has no text: its display
// title is its link's host and path.
func TestUntitledImageOnlyItem(t *testing.T) {
	n := newTestNormalizer(t)
	st := sources.Story{Link: "https://up.example.org/photos/7", Content: `<p><img src="https://up.example.org/i/7.jpg" alt=""></p>`, SummaryHTML: true}
	items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.Title != "" || it.Summary != "" || it.Content == "" || it.ID != upID("https://up.example.org/photos/7") {
		t.Errorf("title %q summary %q content %q id %q", it.Title, it.Summary, it.Content, it.ID)
	}
	if got := feeds.DisplayTitle(it, hongKong(t)); got != "up.example.org/photos/7" {
		t.Errorf("display title %q", got)
	}
}

// An upstream item with nothing to show is skipped; a story file without a
// title is still an error at its line.
func TestUntitledSkipped(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	items, err := n.Items(Source{Name: "up", Feed: true}, now, []sources.Story{
		{File: "https://up.example.org/feed", Title: "Kept", Link: "https://up.example.org/1"},
		{File: "https://up.example.org/feed", Position: 1, Title: " "},
		{File: "https://up.example.org/feed", Position: 2, ID: "urn:up:3", Summary: " "},
	}, nil)
	// Each is named by its place in the document, and its id when it has
	// one, since a feed has no lines to point at.
	want := "https://up.example.org/feed: item 2: " + ErrEmpty.Error() + "\n" +
		`https://up.example.org/feed: item 3 (id "urn:up:3"): ` + ErrEmpty.Error()
	if !errors.Is(err, ErrEmpty) || err.Error() != want {
		t.Errorf("empty upstream items: %v, want ErrEmpty as\n%s", err, want)
	}
	if len(items) != 1 || items[0].Title != "Kept" {
		t.Errorf("items %+v, want the one that has a title", items)
	}
	_, err = n.Items(Source{Name: "s"}, now, []sources.Story{{File: "a.json", Line: 3, Text: []string{"A body."}}}, nil)
	if want := "a.json:3: normalize: story has no title"; err == nil || err.Error() != want || !errors.Is(err, ErrNoTitle) {
		t.Errorf("untitled story file: %v, want %q", err, want)
	}
}

// TestEnclosureOnlyItem: a podcast episode with nothing but its enclosure
// is kept, keyed by the enclosure's URL, so two such episodes stay two.
func TestEnclosureOnlyItem(t *testing.T) {
	n := newTestNormalizer(t)
	day := time.Date(2025, 5, 27, 5, 0, 0, 0, time.UTC)
	stories := []sources.Story{
		{File: "https://pod.example/feed", Published: day, Enclosures: []feeds.Enclosure{{URL: "https://pod.example/ep2.mp3", Type: "audio/mpeg", Length: 900}}},
		{File: "https://pod.example/feed", Position: 1, Published: day, Enclosures: []feeds.Enclosure{{URL: "https://pod.example/ep1.mp3", Type: "audio/mpeg"}}},
		{File: "https://pod.example/feed", Position: 2, Published: day, Enclosures: []feeds.Enclosure{{URL: "javascript:alert(1)"}}},
	}
	items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 6, 1, 10, 0, 0), stories, nil)
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("err = %v, want the unusable enclosure's item reported as ErrEmpty", err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	for i, want := range []string{"https://pod.example/ep2.mp3", "https://pod.example/ep1.mp3"} {
		if id := upID(want + "\n2025-05-27T05:00:00Z"); items[i].ID != id || items[i].Enclosures[0].URL != want {
			t.Errorf("item %d: id %q enclosure %+v; want id %q", i, items[i].ID, items[i].Enclosures, id)
		}
	}
}
