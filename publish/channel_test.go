package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// phrase and pattern are channel rules as config gives them.
type phrase string

func (p phrase) Matches(text string) bool {
	return strings.Contains(feeds.CategoryKey(text), feeds.CategoryKey(string(p)))
}
func (p phrase) String() string { return string(p) }

type pattern struct{ re *regexp.Regexp }

func (p pattern) Matches(text string) bool { return p.re.MatchString(text) }
func (p pattern) String() string           { return "/" + p.re.String() + "/" }

// channelStore holds 40 items, newest first by number: i is in
// language en (even) or zh-Hant (odd), from source "newsroom" (i%3 == 0)
// else "partner", in category "Research" (i%4 == 0) or "RESEARCH"
// (i%4 == 1, the same category) or "Events"; every fifth mentions a
// robot, every tenth an AI, every twentieth is an obituary.
func channelStore() *fakeStore {
	var items []feeds.Item
	for i := range 40 {
		it := feeds.Item{
			ID: fmt.Sprintf("tag:feeds.example.edu,2025-03-01:s/%02d", i), Link: fmt.Sprintf("https://www.example.edu/news/%02d", i),
			Title: fmt.Sprintf("Story %02d", i), Summary: fmt.Sprintf("Summary of story %02d, which goes on for a while.", i),
			Content: fmt.Sprintf("<p>Text of story %02d.</p>", i), Source: "partner", Language: "en",
			Authors: []feeds.Person{{Name: "Newsroom"}}, Published: at(28, 0, 0).Add(-time.Duration(i) * time.Hour), Updated: at(28, 0, 0).Add(-time.Duration(i) * time.Hour),
		}
		if i%2 == 1 {
			it.Language = "zh-Hant"
		}
		if i%3 == 0 {
			it.Source = "newsroom"
		}
		switch i % 4 {
		case 0:
			it.Categories = []string{"Research"}
		case 1:
			it.Categories = []string{"RESEARCH"}
		default:
			it.Categories = []string{"Events"}
		}
		if i%5 == 0 {
			it.Title += " robot"
		}
		if i%10 == 0 {
			it.Summary += " AI at work."
		}
		if i%20 == 0 {
			it.Title = "Obituary: " + it.Title
		}
		items = append(items, it)
	}
	return &fakeStore{items: items}
}

// ids reads the item ids of a JSON Feed in output.
func ids(t *testing.T, dir, rel string) []string {
	t.Helper()
	var f struct {
		Items []struct {
			ID          string `json:"id"`
			ContentHTML string `json:"content_html"`
			Summary     string `json:"summary"`
		} `json:"items"`
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, strings.TrimPrefix(it.ID, "tag:feeds.example.edu,2025-03-01:s/"))
	}
	return out
}

// TestChannels: each channel publishes exactly the newest items its
// languages, sources, categories and rules select, in feed order, up to
// its max_items, trimmed to its content mode, under its own folder; the
// ids are the items' own.
func TestChannels(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.Channels = []Channel{
		{Name: "research", Title: "Research", Languages: []string{"en"}, Categories: []string{"research"}, MaxItems: 3},
		{Name: "robots", Title: "Robots", Sources: []string{"newsroom"}, Include: []Rule{phrase("ROBOT"), pattern{regexp.MustCompile(`\bAI\b`)}},
			Exclude: []Rule{phrase("obituary")}, Content: "summary"},
		{Name: "headlines", Title: "Headlines", Languages: []string{"zh-Hant"}, Content: "headlines", MaxItems: 2},
		{Name: "nothing", Title: "Nothing", Categories: []string{"Sports"}},
	}
	var logs bytes.Buffer
	if _, err := New(channelStore(), opts, slog.New(slog.NewTextHandler(&logs, nil))).Publish(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		feed string
		want []string
	}{
		// en (even) and Research or RESEARCH (i%4 is 0 or 1): 0, 4, 8, ...
		{"channels/research/feed.json", []string{"00", "04", "08"}},
		// newsroom (i%3 == 0) with a robot (i%5 == 0) or an AI (i%10 == 0),
		// not an obituary (i%20 == 0): 15 and 30, never 0.
		{"channels/robots/feed.json", []string{"15", "30"}},
		{"channels/headlines/feed.json", []string{"01", "03"}},
		{"channels/nothing/feed.json", nil},
	} {
		if got := ids(t, dir, tc.feed); !slices.Equal(got, tc.want) {
			t.Errorf("%s: items %q, want %q", tc.feed, got, tc.want)
		}
	}
	// JSON Feed needs a body: an item without content shows its summary
	// as text.
	robots := must(os.ReadFile(filepath.Join(dir, "channels/robots/feed.json")))
	if bytes.Contains(robots, []byte("content_html")) || !bytes.Contains(robots, []byte(`"content_text": "Summary of story 15`)) ||
		!bytes.Contains(robots, []byte(`"tags"`)) {
		t.Errorf("a summary channel carries content, or lacks its summary or categories:\n%s", robots)
	}
	head := must(os.ReadFile(filepath.Join(dir, "channels/headlines/feed.json")))
	if bytes.Contains(head, []byte("content_html")) || bytes.Count(head, []byte(`"authors"`)) != 1 || bytes.Contains(head, []byte(`"tags"`)) {
		t.Errorf("a headlines channel carries more than headlines (the feed's own authors aside):\n%s", head)
	}
	for _, f := range []string{"channels/nothing/rss.xml", "channels/nothing/atom.xml", "embed/research.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(logs.String(), `msg="channel selects no item; its feeds are empty" feed=channels/nothing/`) {
		t.Errorf("the empty channel is not logged:\n%s", logs.String())
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	opml, _ := os.ReadFile(filepath.Join(dir, "feeds.opml"))
	for _, f := range []string{"channels/research/rss.xml", "channels/robots/feed.json", "channels/robots/atom.xml"} {
		if url := "https://feeds.example.edu/" + f; !bytes.Contains(index, []byte(`href="`+url+`"`)) {
			t.Errorf("%s is not listed in index.html", url)
		}
	}
	for _, f := range []string{"channels/research/rss.xml", "channels/robots/rss.xml"} {
		if url := "https://feeds.example.edu/" + f; !bytes.Contains(opml, []byte(url)) {
			t.Errorf("%s is not listed in feeds.opml", url)
		}
	}
	if bytes.Contains(must(os.ReadFile(filepath.Join(dir, "channels/research/atom.xml"))), []byte(`hreflang=`)) {
		t.Errorf("a channel lists the language feeds as its alternates")
	}
}

// TestCategoryChannels: output.categories give a feed per category and
// language, named by a stable slug; a slug two categories share takes -2.
func TestCategoryChannels(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.Categories = []string{"Research", "Events", "研究", "re-search"}
	publish(t, channelStore(), opts)
	for _, tc := range []struct {
		feed string
		want []string
	}{
		{"en/categories/research/feed.json", []string{"00", "04", "08", "12", "16", "20", "24", "28", "32", "36"}},
		{"zh-hant/categories/research/feed.json", []string{"01", "05", "09", "13", "17", "21", "25", "29", "33", "37"}},
		{"en/categories/events/feed.json", []string{"02", "06", "10", "14", "18", "22", "26", "30", "34", "38"}},
		{"en/categories/" + feeds.CategorySlug("研究") + "/feed.json", nil},
		{"en/categories/re-search/feed.json", nil},
	} {
		if got := ids(t, dir, tc.feed); !slices.Equal(got, tc.want) {
			t.Errorf("%s: items %q, want %q", tc.feed, got, tc.want)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(feeds.CategorySlug("研究")) {
		t.Errorf("slug of a name without ASCII words: %q", feeds.CategorySlug("研究"))
	}
	// "re-search" and "Research" differ as categories but not as slugs.
	opts.Categories = []string{"re search", "Re-Search"}
	dir2 := t.TempDir()
	opts.Dir = dir2
	publish(t, channelStore(), opts)
	for _, f := range []string{"en/categories/re-search/rss.xml", "en/categories/re-search-2/rss.xml"} {
		if _, err := os.Stat(filepath.Join(dir2, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestCutText(t *testing.T) {
	long := strings.Repeat("word ", 60) // 300 characters
	got := cutText(long, headlineSummary)
	if n := len([]rune(got)); n > headlineSummary || !strings.HasSuffix(got, "word…") {
		t.Errorf("cutText: %d characters, %q", n, got[len(got)-20:])
	}
	if got := cutText("短句", headlineSummary); got != "短句" {
		t.Errorf("a short text was cut: %q", got)
	}
	han := strings.Repeat("研", 250)
	if got := cutText(han, headlineSummary); len([]rune(got)) != headlineSummary || !strings.HasSuffix(got, "研…") {
		t.Errorf("a text without spaces: %d characters", len([]rune(got)))
	}
}

// listStore is a fakeStore that knows the feeds of a list source.
type listStore struct {
	*fakeStore
	subs []sources.Subscription
}

func (l listStore) Subscriptions(context.Context) ([]sources.Subscription, error) { return l.subs, nil }

// TestChannelOfList: a channel naming a list source (OPML) selects the
// items of every feed the list has named, retired ones too.
func TestChannelOfList(t *testing.T) {
	st := channelStore()
	for i := range st.items {
		switch i % 3 {
		case 1:
			st.items[i].Source = "planet-alpha"
		case 2:
			st.items[i].Source = "planet-beta"
		}
	}
	ls := listStore{st, []sources.Subscription{
		{List: "planet", Name: "planet-alpha"},
		{List: "planet", Name: "planet-beta", Retired: at(20, 0, 0)},
		{List: "other", Name: "other-x"},
	}}
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.Channels = []Channel{{Name: "planet", Title: "Planet", Sources: []string{"planet"}, MaxItems: 4}}
	if _, err := New(ls, opts, nil).Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(t, dir, "channels/planet/feed.json"), []string{"01", "02", "04", "05"}; !slices.Equal(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
}
