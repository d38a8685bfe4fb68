package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store/sqlite"
)

// site is a feedloom site in a temporary folder: stories, store and output.
type site struct {
	t       *testing.T
	dir     string
	stories string
	out     string
	now     time.Time
	store   *sqlite.Store
}

var hk = mustZone("Asia/Hong_Kong")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

func newSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{t: t, dir: dir, stories: filepath.Join(dir, "stories"), out: filepath.Join(dir, "public"),
		now: time.Date(2026, 11, 25, 10, 0, 0, 0, hk)}
	if err := os.MkdirAll(s.stories, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "feedloom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s.store = st
	return s
}

func (s *site) write(name, text string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.stories, name), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// run does one pass at the site's clock.
func (s *site) run() Report {
	s.t.Helper()
	det, err := normalize.NewDetector()
	if err != nil {
		s.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := publish.New(s.store, publish.Options{
		Dir: s.out, BaseURL: "https://feeds.example.edu/", Title: "HKUST News",
		Link: "https://www.example.edu/news", Zone: hk,
		Languages: []publish.Language{{Tag: "en", Title: "HKUST News", MaxItems: 50}, {Tag: "zh-Hant", Title: "香港科技大學新聞", MaxItems: 50}},
		MaxItems:  50,
	}, log)
	jobs := []Job{{
		Source: files.New("newsroom", s.stories, files.Options{Zone: hk}),
		Norm:   normalize.Source{Name: "newsroom", Language: "en"},
	}}
	sched := New(s.store, pub, det, jobs, Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news"},
		Now:       func() time.Time { return s.now },
	}, log)
	rep, err := sched.RunOnce(context.Background())
	if err != nil {
		s.t.Fatalf("RunOnce: %v", err)
	}
	return rep
}

type jsonItem struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Language  string `json:"language"`
	Published string `json:"date_published"`
	URL       string `json:"url"`
}

func (s *site) feed(rel string) []jsonItem {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	var f struct {
		Language string     `json:"language"`
		Items    []jsonItem `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		s.t.Fatalf("%s: %v", rel, err)
	}
	return f.Items
}

// TestSampleListing publishes each news listing and checks DESIGN's
// expectations item by item: order, language, date and id.
func TestSampleListing(t *testing.T) {
	t.Parallel()
	testenv.EachListing(t, testListing)
}

func testListing(t *testing.T, l testenv.Listing) {
	s := newSite(t)
	s.write(l.Name, string(l.Raw(t)))
	rep := s.run()
	if rep.Failed() {
		t.Fatalf("first run failed: %+v", rep.Sources)
	}

	type row struct{ title, lang, date string }
	var want []row
	for i, title := range l.Titles {
		want = append(want, row{title, testenv.Languages[i], testenv.Dates[i]})
	}
	merged := s.feed("feed.json")
	if len(merged) != len(want) {
		t.Fatalf("merged feed has %d items, want %d", len(merged), len(want))
	}
	for i, w := range want {
		got := merged[i]
		if got.Title != w.title || got.Language != w.lang || got.Published != w.date {
			t.Errorf("item %d = %q %s %s\nwant   %q %s %s", i+1, got.Title, got.Language, got.Published, w.title, w.lang, w.date)
		}
		sum := sha256.Sum256([]byte(w.title))
		if id := "tag:feeds.example.edu,2026-11-25:newsroom/" + hex.EncodeToString(sum[:8]); got.ID != id {
			t.Errorf("item %d id = %q, want %q", i+1, got.ID, id)
		}
		if !strings.HasPrefix(got.URL, "https://feeds.example.edu/stories/") {
			t.Errorf("item %d url = %q, want a permalink page", i+1, got.URL)
		}
	}
	for _, f := range []struct {
		path, lang string
		idx        []int
	}{
		{"en/feed.json", "en", []int{0, 3, 6, 7}},
		{"zh-hant/feed.json", "zh-Hant", []int{1, 2, 4, 5}},
	} {
		items := s.feed(f.path)
		if len(items) != len(f.idx) {
			t.Fatalf("%s has %d items, want %d", f.path, len(items), len(f.idx))
		}
		for i, j := range f.idx {
			if items[i].ID != merged[j].ID || items[i].Language != f.lang {
				t.Errorf("%s item %d = %q (%s), want %q", f.path, i+1, items[i].Title, items[i].Language, merged[j].Title)
			}
		}
	}

	// A second build, a day later: nothing is written, no id or date moves.
	stamp := mtimes(t, s.out)
	s.now = s.now.Add(24 * time.Hour)
	rep = s.run()
	if len(rep.Published) != 0 {
		t.Errorf("second run rewrote %v", rep.Published)
	}
	if again := mtimes(t, s.out); !equalMaps(stamp, again) {
		t.Errorf("second run touched the output folder")
	}
	for i, it := range s.feed("feed.json") {
		if it != merged[i] {
			t.Errorf("second run: item %d = %+v, was %+v", i+1, it, merged[i])
		}
	}
}

func mtimes(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		m[p] = fi.ModTime().String() + " " + fi.Mode().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
