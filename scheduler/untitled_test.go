package scheduler

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// untitledRSS holds the untitled shapes real feeds publish (RSS 2.0 allows
// an item without a title when it has a description): no <title>, an empty
// one, white space, markup only; and two items with neither guid, link nor
// date, told apart by their text.
const untitledRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Wire</title><link>https://upstream.example.org/</link><description>Test wire</description><language>en</language>
<item><link>https://upstream.example.org/n/1</link><guid>https://upstream.example.org/n/1</guid><pubDate>Wed, 25 Nov 2026 01:00:00 +0000</pubDate><description>Sunrise over the harbour. More later.</description></item>
<item><title/><link>https://upstream.example.org/n/2</link><guid>https://upstream.example.org/n/2</guid><pubDate>Wed, 25 Nov 2026 00:50:00 +0000</pubDate><description>Lunch is served!</description></item>
<item><title>   </title><link>https://upstream.example.org/n/3</link><guid>https://upstream.example.org/n/3</guid><pubDate>Wed, 25 Nov 2026 00:40:00 +0000</pubDate><description>Is the library open?</description></item>
<item><title>&lt;img src=x&gt;</title><link>https://upstream.example.org/n/4</link><guid>https://upstream.example.org/n/4</guid><pubDate>Wed, 25 Nov 2026 00:30:00 +0000</pubDate><description>&lt;p&gt;&lt;img src="https://upstream.example.org/i/4.jpg"&gt;&lt;/p&gt;</description></item>
<item><description>Good morning</description></item>
<item><description>Good night</description></item>
<item><description>Good morning</description></item>
</channel></rss>
`

func TestUntitledUpstreamItemsReachTheMergedFeed(t *testing.T) {
	s := newSite(t)
	up := newUpstream(t, rssType, untitledRSS)
	jobs := s.feedJobs(feedSpec{name: "wire", url: up.url()})
	s.runWith(false, jobs...)

	// Atom requires a title: each entry carries its display title.
	want := map[string]string{
		"https://upstream.example.org/n/1": "Sunrise over the harbour.",
		"https://upstream.example.org/n/2": "Lunch is served!",
		"https://upstream.example.org/n/3": "Is the library open?",
		"https://upstream.example.org/n/4": "upstream.example.org/n/4",
		tagID("wire", "Good morning\n"):    "Good morning",
		tagID("wire", "Good night\n"):      "Good night",
	}
	if got := s.atomTitles("atom.xml"); !reflect.DeepEqual(got, want) {
		t.Errorf("atom.xml titles\n got %q\nwant %q", got, want)
	}

	// JSON Feed's title is optional: no item writes one.
	titles := s.jsonTitles("feed.json")
	if len(titles) != len(want) {
		t.Errorf("feed.json has %d items, want %d: %v", len(titles), len(want), titles)
	}
	for id, title := range titles {
		if _, ok := want[id]; !ok {
			t.Errorf("feed.json: unexpected item %s", id)
		}
		if title != nil {
			t.Errorf("feed.json: item %s has title %v, want none", id, *title)
		}
	}

	// The same feed on a later run keeps every id.
	s.now = s.now.Add(3600e9)
	s.runWith(true, jobs...)
	if got := s.atomTitles("atom.xml"); !reflect.DeepEqual(got, want) {
		t.Errorf("second run: atom.xml titles\n got %q\nwant %q", got, want)
	}
}

// atomTitles maps each entry id of an Atom file to its title.
func (s *site) atomTitles(rel string) map[string]string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	var f struct {
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &f); err != nil {
		s.t.Fatal(err)
	}
	out := make(map[string]string, len(f.Entries))
	for _, e := range f.Entries {
		out[e.ID] = e.Title
	}
	return out
}

// jsonTitles maps each item id of a JSON Feed file to its title, nil when
// the item has none.
func (s *site) jsonTitles(rel string) map[string]*string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	var f struct {
		Items []struct {
			ID    string  `json:"id"`
			Title *string `json:"title"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		s.t.Fatal(err)
	}
	out := make(map[string]*string, len(f.Items))
	for _, it := range f.Items {
		out[it.ID] = it.Title
	}
	return out
}
