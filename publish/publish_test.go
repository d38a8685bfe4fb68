package publish

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeStore answers queries the way store.Store documents: released items
// only unless asked, RFC 4647 language filtering, newest first then id, or
// in the order stored. An item without a Seq is numbered by its place in
// items; without a Rev, it gets one from its content, so that a changed
// item has a new one.
type fakeStore struct{ items []feeds.Item }

func (s *fakeStore) Items(_ context.Context, q store.Query) ([]feeds.Item, error) {
	var out []feeds.Item
	var ids map[string]bool
	if q.IDs != nil {
		ids = make(map[string]bool, len(q.IDs))
		for _, id := range q.IDs {
			ids[id] = true
		}
	}
	for i, it := range s.items {
		if it.Seq == 0 {
			it.Seq = int64(i + 1)
		}
		if it.Rev == 0 {
			it.Rev = fakeRev(&it)
		}
		if q.NoContent {
			it.Content = ""
		}
		if q.Sparse {
			it = feeds.Item{ID: it.ID, Source: it.Source, Language: it.Language, Categories: it.Categories,
				Published: it.Published, Updated: it.Updated, FirstSeen: it.FirstSeen, Held: it.Held, Seq: it.Seq, Rev: it.Rev}
		}
		if (!it.Held || q.IncludeHeld) && feeds.MatchLang(it.Language, q.Language) &&
			(q.Source == "" || q.Source == it.Source) && (!q.Unlinked || it.Link == "") &&
			(q.IDs == nil || ids[it.ID]) &&
			(q.TranslationKeys == nil || it.TranslationKey != "" && slices.Contains(q.TranslationKeys, it.TranslationKey)) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b feeds.Item) int {
		if q.Stored {
			return cmp.Compare(a.Seq, b.Seq)
		}
		return cmp.Or(b.Published.Compare(a.Published), strings.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), cmp.Or(q.Limit, len(out)))], nil
}

// fakeRev stands for what it shows, as a store's rev does: a change of
// any of it gives another.
func fakeRev(it *feeds.Item) int64 {
	h := fnv.New64a()
	for _, s := range []string{it.ID, it.Source, it.Title, it.Link, it.Summary, it.Content, it.Language, it.Image,
		it.Slug, it.File, it.Precision, it.TranslationKey} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	for _, s := range it.Categories {
		io.WriteString(h, s)
		h.Write([]byte{1})
	}
	for _, a := range it.Authors {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x02", a.Name, a.Email, a.URL)
	}
	for _, e := range it.Enclosures {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x03", e.URL, e.Type, e.Length)
	}
	for _, t := range it.Translations {
		fmt.Fprintf(h, "%+v\x04", t)
	}
	if it.Origin != nil {
		fmt.Fprintf(h, "%+v\x05", *it.Origin)
	}
	fmt.Fprintf(h, "%d %d %t", it.Published.UnixNano(), it.Updated.UnixNano(), it.Held)
	return int64(h.Sum64() >> 1)
}

// Newest is the latest Published or Updated among released items, as the
// stores keep it: to the second, in UTC.
func (s *fakeStore) Newest(context.Context) (time.Time, error) {
	var t time.Time
	for _, it := range s.items {
		if it.Held {
			continue
		}
		for _, d := range []time.Time{it.Published, it.Updated} {
			if d.After(t) {
				t = d
			}
		}
	}
	if t.IsZero() {
		return t, nil
	}
	return t.Truncate(time.Second).UTC(), nil
}

var hkt = time.FixedZone("HKT", 8*3600)

func at(day, hour, minute int) time.Time { return time.Date(2025, 3, day, hour, minute, 0, 0, hkt) }

// testItems is a small store: English and Traditional Chinese items with and
// without links of their own, one Simplified Chinese item (no language feed
// of its own), one en-GB item (in the en feed), and one held item.
func testItems() []feeds.Item {
	newsroom := []feeds.Person{{Name: "Newsroom", Email: "news@example.edu"}}
	return []feeds.Item{
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/a", Source: "newsroom",
			Title: "Minister of Education Meets HKUST Delegation", Slug: "minister-of-education-meets-hkust-delegation",
			Summary: "The minister met the delegation.", Content: "<p>The minister met the delegation in Beijing.</p>",
			Authors: newsroom, Categories: []string{"News", "Education"}, Language: "en",
			Published: at(13, 0, 1), Updated: at(13, 0, 1),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/b", Source: "newsroom",
			Title: "教育部副部長率團訪問科大", Slug: "5d41402abc4b2a76",
			Summary: "教育部副部長吳岩率團訪問科大。", Content: "<p>教育部副部長吳岩3月13日率團訪問科大。</p>",
			Categories: []string{"新聞"}, Language: "zh-Hant",
			Published: at(13, 0, 0), Updated: at(13, 0, 0),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/c", Source: "newsroom",
			Title: `Researchers <script>alert("x")</script> & Friends Win Award`, Slug: "researchers-script-alert-x-script-friends-win-award",
			Summary: "A plain-text summary with <angle> brackets & an ampersand.", Language: "en",
			Authors:   []feeds.Person{{Name: "Ada <Lovelace>"}, {Name: "Grace Hopper"}},
			Published: at(12, 0, 5), Updated: at(12, 0, 5),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/d", Source: "newsroom",
			Title: "国家卫生健康委员会代表团到访", Slug: "7d793037a0760186",
			Content: "<p>国家卫生健康委员会代表团到访。</p>", Language: "zh-Hans",
			Published: at(12, 0, 4), Updated: at(12, 0, 4),
		},
		{
			ID: "https://www.example.edu/news/zh/2025/ai-centre", Source: "partner",
			Title: "科大成立人工智能中心", Link: "https://www.example.edu/news/zh/2025/ai-centre",
			Summary: "科大今日宣佈成立人工智能中心。", Language: "zh-Hant",
			Published: at(12, 0, 3), Updated: at(14, 10, 30),
		},
		{
			ID: "https://www.example.edu/news/2025/rowing", Source: "partner",
			Title: "Rowing Team Takes Silver", Link: "https://www.example.edu/news/2025/rowing",
			Summary: "The rowing team took silver.", Language: "en-GB",
			Published: at(12, 0, 2), Updated: at(12, 0, 2),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/h", Source: "newsroom",
			Title: "Library Extends Opening Hours", Slug: "library-extends-opening-hours",
			Summary: "The library opens until midnight during exams.", Language: "en",
			Published: at(11, 9, 30), Updated: at(11, 9, 30),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/embargoed", Source: "newsroom",
			Title: "Embargoed Announcement", Slug: "embargoed-announcement",
			Summary: "Not yet.", Language: "en", Held: true,
			Published: at(20, 9, 0), Updated: at(20, 9, 0),
		},
	}
}

func testOptions(dir string) Options {
	return Options{
		Dir:     dir,
		BaseURL: "https://feeds.example.edu/",
		Title:   "HKUST News",
		Link:    "https://www.example.edu/news",
		Author:  feeds.Person{Name: "Newsroom", Email: "news@example.edu"},
		Zone:    hkt,
		Languages: []Language{
			{Tag: "en", Title: "HKUST News"},
			{Tag: "zh-Hant", Title: "香港科技大學新聞"},
		},
		Generator: "feedloom test",
	}
}

func publish(t testing.TB, st *fakeStore, opts Options) Report {
	t.Helper()
	rep, err := New(st, opts, nil).Publish(context.Background())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return rep
}

// readTree returns every file under dir by slash-separated relative path.
func readTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// assertNoDotfiles fails when a temporary file (renameio names them
// ".<name><random>") or any other dotfile is left under dir.
func assertNoDotfiles(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir && strings.HasPrefix(d.Name(), ".") {
			t.Errorf("left behind: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var firstPublish = []string{
	"archive/atom/latest.xml",
	"archive/json/latest.json",
	"archive/rss/latest.xml",
	"atom.xml",
	"embed/all.html",
	"embed/en.html",
	"embed/widget.js",
	"embed/zh-hant.html",
	"en/archive/atom/latest.xml",
	"en/archive/json/latest.json",
	"en/archive/rss/latest.xml",
	"en/atom.xml",
	"en/feed.html",
	"en/feed.json",
	"en/index.html",
	"en/page/1.html",
	"en/rss.xml",
	"feed.html",
	"feed.json",
	"feed.xsl",
	"feeds.opml",
	"index.html",
	"page/1.html",
	"rss.xml",
	"stories/5d41402abc4b2a76.html",
	"stories/7d793037a0760186.html",
	"stories/library-extends-opening-hours.html",
	"stories/minister-of-education-meets-hkust-delegation.html",
	"stories/researchers-script-alert-x-script-friends-win-award.html",
	"zh-hant/archive/atom/latest.xml",
	"zh-hant/archive/json/latest.json",
	"zh-hant/archive/rss/latest.xml",
	"zh-hant/atom.xml",
	"zh-hant/feed.html",
	"zh-hant/feed.json",
	"zh-hant/index.html",
	"zh-hant/page/1.html",
	"zh-hant/rss.xml",
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	rep := publish(t, &fakeStore{items: testItems()}, testOptions(dir))
	if !slices.Equal(rep.Changed, firstPublish) {
		t.Errorf("Changed = %q\nwant %q", rep.Changed, firstPublish)
	}
	got := readTree(t, dir)
	if !slices.Equal(sortedKeys(got), firstPublish) {
		t.Errorf("files = %q\nwant %q", sortedKeys(got), firstPublish)
	}
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(golden, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	want := readTree(t, golden)
	if !slices.Equal(sortedKeys(want), sortedKeys(got)) {
		t.Errorf("golden files = %q, published %q", sortedKeys(want), sortedKeys(got))
	}
	for _, name := range sortedKeys(got) {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s differs from testdata/golden/%s (go test ./publish -update rewrites it):\n%s", name, name, got[name])
		}
	}
	assertNoDotfiles(t, dir)
}

func TestFeedStats(t *testing.T) {
	rep := publish(t, &fakeStore{items: testItems()}, testOptions(t.TempDir()))
	want := []FeedStat{
		{"rss.xml", 7, at(14, 10, 30)}, {"atom.xml", 7, at(14, 10, 30)}, {"feed.json", 7, at(14, 10, 30)},
		{"en/rss.xml", 4, at(13, 0, 1)}, {"en/atom.xml", 4, at(13, 0, 1)}, {"en/feed.json", 4, at(13, 0, 1)},
		{"zh-hant/rss.xml", 2, at(14, 10, 30)}, {"zh-hant/atom.xml", 2, at(14, 10, 30)}, {"zh-hant/feed.json", 2, at(14, 10, 30)},
	}
	if len(rep.Feeds) != len(want) {
		t.Fatalf("Feeds = %v, want %v", rep.Feeds, want)
	}
	for i := range want {
		g := rep.Feeds[i]
		if g.Path != want[i].Path || g.Items != want[i].Items || !g.Newest.Equal(want[i].Newest) {
			t.Errorf("Feeds[%d] = %+v, want %+v", i, g, want[i])
		}
	}
}

func TestSecondPublishChangesNothing(t *testing.T) {
	dir := t.TempDir()
	st := &fakeStore{items: testItems()}
	publish(t, st, testOptions(dir))

	// Every file's mtime is the newest item it shows, not the clock: the
	// same on every node and untouched by a second run.
	before := readTree(t, dir)
	mtimes := map[string]time.Time{}
	for name := range before {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		mtimes[name] = fi.ModTime()
	}
	var released []feeds.Item
	for _, it := range st.items {
		if !it.Held {
			released = append(released, it)
		}
	}
	newestAll := newest(released)
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json", "index.html", "feeds.opml", "feed.xsl"} {
		if !mtimes[name].Equal(newestAll) {
			t.Errorf("%s: mtime %v, want the newest item's time %v", name, mtimes[name], newestAll)
		}
	}

	rep := publish(t, st, testOptions(dir))
	if len(rep.Changed) != 0 {
		t.Errorf("second Publish changed %q, want nothing", rep.Changed)
	}
	after := readTree(t, dir)
	if !slices.Equal(sortedKeys(after), sortedKeys(before)) {
		t.Errorf("files after = %q, before %q", sortedKeys(after), sortedKeys(before))
	}
	for _, name := range sortedKeys(after) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(mtimes[name]) {
			t.Errorf("%s: mtime %v, want it untouched (%v)", name, fi.ModTime(), mtimes[name])
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", name, fi.Mode().Perm())
		}
	}
	assertNoDotfiles(t, dir)
}

func TestChangeOneItem(t *testing.T) {
	tests := []struct {
		name   string
		change func(items []feeds.Item)
		want   []string
	}{
		{
			// h is old: in the en and merged feeds, not among the
			// directory's headlines, but on the front pages, which show
			// summaries.
			name:   "summary of an item with a story page",
			change: func(items []feeds.Item) { items[6].Summary = "The library now opens until 2 a.m." },
			want: []string{
				"archive/atom/latest.xml", "archive/json/latest.json", "archive/rss/latest.xml",
				"atom.xml", "en/archive/atom/latest.xml", "en/archive/json/latest.json", "en/archive/rss/latest.xml",
				"en/atom.xml", "en/feed.html", "en/feed.json", "en/index.html", "en/page/1.html", "en/rss.xml", "feed.html", "feed.json",
				"index.html", "page/1.html", "rss.xml", "stories/library-extends-opening-hours.html",
			},
		},
		{
			name:   "title of a linked zh-Hant item",
			change: func(items []feeds.Item) { items[4].Title = "科大成立新的人工智能中心" },
			want: []string{
				"archive/atom/latest.xml", "archive/json/latest.json", "archive/rss/latest.xml",
				"atom.xml", "feed.html", "feed.json", "index.html", "page/1.html", "rss.xml",
				"zh-hant/archive/atom/latest.xml", "zh-hant/archive/json/latest.json", "zh-hant/archive/rss/latest.xml",
				"zh-hant/atom.xml", "zh-hant/feed.html", "zh-hant/feed.json", "zh-hant/index.html", "zh-hant/page/1.html", "zh-hant/rss.xml",
			},
		},
		{
			name: "content of the zh-Hans item, which has no language feed",
			change: func(items []feeds.Item) {
				items[3].Content = "<p>国家卫生健康委员会代表团今日到访。</p>"
			},
			// feed.html shows no content
			want: []string{"archive/atom/latest.xml", "archive/json/latest.json", "archive/rss/latest.xml",
				"atom.xml", "feed.json", "rss.xml", "stories/7d793037a0760186.html"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			items := testItems()
			publish(t, &fakeStore{items: items}, testOptions(dir))
			tt.change(items)
			rep := publish(t, &fakeStore{items: items}, testOptions(dir))
			if !slices.Equal(rep.Changed, tt.want) {
				t.Errorf("Changed = %q\nwant %q", rep.Changed, tt.want)
			}
		})
	}
}

// recorder is a feed format that keeps the feeds it is given, so tests can
// check what publish hands the writers, which run side by side.
type recorder struct {
	mu    sync.Mutex
	feeds map[string]*feeds.Feed
}

func (r *recorder) format(file string) format {
	name, _, _ := strings.Cut(file, ".")
	return format{file: file, archive: name, ext: path.Ext(file), mime: "application/x-test", name: file, write: func(w io.Writer, f *feeds.Feed) error {
		// Archive documents have tests of their own.
		if !f.Archived && !f.Complete {
			r.mu.Lock()
			r.feeds[f.SelfURL] = f
			r.mu.Unlock()
		}
		_, err := io.WriteString(w, f.SelfURL)
		return err
	}}
}

func recordPublish(t *testing.T, items []feeds.Item, opts Options) map[string]*feeds.Feed {
	t.Helper()
	rec := &recorder{feeds: make(map[string]*feeds.Feed)}
	p := New(&fakeStore{items: items}, opts, nil)
	p.formats = []format{rec.format("test.xml")}
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return rec.feeds
}

func itemLinks(f *feeds.Feed) []string {
	var links []string
	for _, it := range f.Items {
		links = append(links, it.Link)
	}
	return links
}

func TestFeedFields(t *testing.T) {
	opts := testOptions(t.TempDir())
	opts.Languages = append(opts.Languages, Language{Tag: "fr"})
	opts.Hub = "https://hub.example.org/"
	got := recordPublish(t, testItems(), opts)

	const base = "https://feeds.example.edu/"
	merged, en, fr := got[base+"test.xml"], got[base+"en/test.xml"], got[base+"fr/test.xml"]
	if merged == nil || en == nil || fr == nil || got[base+"zh-hant/test.xml"] == nil || len(got) != 4 {
		t.Fatalf("feeds written: %v", slices.Sorted(maps.Keys(got)))
	}

	t.Run("merged", func(t *testing.T) {
		if merged.Title != "HKUST News" || merged.ID != base+"test.xml" || merged.Language != "" ||
			merged.Link != "https://www.example.edu/news" || merged.Stylesheet != "feed.xsl" ||
			merged.Hub != "https://hub.example.org/" || merged.Generator != "feedloom test" || merged.Zone != hkt {
			t.Errorf("merged feed = %+v", merged)
		}
		if !merged.Updated.Equal(at(14, 10, 30)) {
			t.Errorf("Updated = %v, want the zh-Hant item's update", merged.Updated)
		}
		if len(merged.Authors) != 1 || merged.Authors[0] != opts.Author {
			t.Errorf("Authors = %v", merged.Authors)
		}
		want := []feeds.Alternate{
			{Href: base + "en/test.xml", Language: "en", Type: "application/x-test", Title: "HKUST News"},
			{Href: base + "zh-hant/test.xml", Language: "zh-Hant", Type: "application/x-test", Title: "香港科技大學新聞"},
			{Href: base + "fr/test.xml", Language: "fr", Type: "application/x-test", Title: "HKUST News"},
		}
		if !slices.Equal(merged.Alternates, want) {
			t.Errorf("Alternates = %+v\nwant %+v", merged.Alternates, want)
		}
	})
	t.Run("slug links filled", func(t *testing.T) {
		want := []string{
			base + "stories/minister-of-education-meets-hkust-delegation.html",
			base + "stories/5d41402abc4b2a76.html",
			base + "stories/researchers-script-alert-x-script-friends-win-award.html",
			base + "stories/7d793037a0760186.html",
			"https://www.example.edu/news/zh/2025/ai-centre",
			"https://www.example.edu/news/2025/rowing",
			base + "stories/library-extends-opening-hours.html",
		}
		if got := itemLinks(merged); !slices.Equal(got, want) {
			t.Errorf("links = %q\nwant %q", got, want)
		}
	})
	t.Run("language", func(t *testing.T) {
		if en.Title != "HKUST News" || en.Language != "en" || en.Stylesheet != "../feed.xsl" || !en.Updated.Equal(at(13, 0, 1)) {
			t.Errorf("en feed = %+v", en)
		}
		var hreflangs []string
		for _, a := range en.Alternates {
			hreflangs = append(hreflangs, a.Language+" "+a.Href)
		}
		if want := []string{"zh-Hant " + base + "zh-hant/test.xml", "fr " + base + "fr/test.xml"}; !slices.Equal(hreflangs, want) {
			t.Errorf("en alternates = %q, want %q", hreflangs, want)
		}
	})
	t.Run("empty feed is dated by the newest item of the store", func(t *testing.T) {
		if len(fr.Items) != 0 || fr.Title != "HKUST News" || !fr.Updated.Equal(at(14, 10, 30)) {
			t.Errorf("fr feed: %d items, title %q, updated %v", len(fr.Items), fr.Title, fr.Updated)
		}
	})
	t.Run("empty store", func(t *testing.T) {
		empty := recordPublish(t, nil, testOptions(t.TempDir()))
		for url, f := range empty {
			if !f.Updated.IsZero() || len(f.Items) != 0 {
				t.Errorf("%s: updated %v, %d items; want zero, none", url, f.Updated, len(f.Items))
			}
		}
	})
	t.Run("no author name", func(t *testing.T) {
		o := testOptions(t.TempDir())
		o.Author = feeds.Person{Email: "news@example.edu"}
		if f := recordPublish(t, testItems(), o)[base+"test.xml"]; len(f.Authors) != 0 {
			t.Errorf("Authors = %v, want none", f.Authors)
		}
	})
}

func TestMaxItems(t *testing.T) {
	tests := []struct {
		name                       string
		merged, en, zh             int
		wantMerged, wantEn, wantZh int
	}{
		{name: "defaults", wantMerged: 7, wantEn: 4, wantZh: 2},
		{name: "merged limit", merged: 3, wantMerged: 3, wantEn: 3, wantZh: 2},
		{name: "language limits override the merged one", merged: 3, en: 1, zh: 5, wantMerged: 3, wantEn: 1, wantZh: 2},
		{name: "language limit alone", en: 2, wantMerged: 7, wantEn: 2, wantZh: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t.TempDir())
			opts.MaxItems = tt.merged
			opts.Languages[0].MaxItems = tt.en
			opts.Languages[1].MaxItems = tt.zh
			got := recordPublish(t, testItems(), opts)
			const base = "https://feeds.example.edu/"
			m, en, zh := got[base+"test.xml"], got[base+"en/test.xml"], got[base+"zh-hant/test.xml"]
			if len(m.Items) != tt.wantMerged || len(en.Items) != tt.wantEn || len(zh.Items) != tt.wantZh {
				t.Errorf("items: merged %d, en %d, zh-Hant %d; want %d, %d, %d",
					len(m.Items), len(en.Items), len(zh.Items), tt.wantMerged, tt.wantEn, tt.wantZh)
			}
			// The newest are kept, in the store's order.
			all := testItems()[:7]
			for i, it := range m.Items {
				if it.ID != all[i].ID {
					t.Errorf("merged item %d = %s, want %s", i, it.ID, all[i].ID)
				}
			}
			if len(en.Items) > 0 && en.Items[0].ID != all[0].ID {
				t.Errorf("en first item = %s, want %s", en.Items[0].ID, all[0].ID)
			}
		})
	}
}

func TestOrphanStoryPages(t *testing.T) {
	dir := t.TempDir()
	items := testItems()
	publish(t, &fakeStore{items: items}, testOptions(dir))

	keep := map[string]string{
		"stories/notes.txt":        "not a page",
		"stories/old/page.html":    "<p>in a subfolder</p>",
		"stories/.hidden.html":     "<p>a dotfile is not ours</p>",
		"elsewhere/orphan.html":    "<p>outside stories/</p>",
		"stories/readme.html.orig": "backup",
	}
	for name, body := range keep {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "stories", "gone.html"), []byte("<p>old</p>"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Item a goes away; item h gets a link of its own, so its page goes too.
	items = slices.Delete(items, 0, 1)
	items[5].Link = "https://www.example.edu/news/library-hours"
	rep := publish(t, &fakeStore{items: items}, testOptions(dir))

	for _, gone := range []string{"stories/gone.html", "stories/library-extends-opening-hours.html", "stories/minister-of-education-meets-hkust-delegation.html"} {
		if !slices.Contains(rep.Changed, gone) {
			t.Errorf("Changed = %q, want it to list %s", rep.Changed, gone)
		}
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still exists (%v)", gone, err)
		}
	}
	for name, body := range keep {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(b) != body {
			t.Errorf("%s = %q, %v; want it untouched", name, b, err)
		}
	}
	for _, stay := range []string{"stories/5d41402abc4b2a76.html", "stories/7d793037a0760186.html", "stories/researchers-script-alert-x-script-friends-win-award.html"} {
		if _, err := os.Stat(filepath.Join(dir, stay)); err != nil {
			t.Errorf("%s: %v", stay, err)
		}
	}
}

func TestUnwritableOutput(t *testing.T) {
	type setup func(t *testing.T, dir string) string // returns the Dir to publish to
	type test struct {
		name    string
		setup   setup
		newLink string // the new item's link; empty to give it a story page
		wantErr string // what the error starts with, after the temp dir
	}
	tests := []test{
		{
			// Check stops it before any write, even for root.
			name:    "output path is a regular file",
			wantErr: "publish: output folder DIR/public: not a folder",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "public")
				if err := os.WriteFile(p, []byte("not a folder"), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			},
		},
		{
			name:    "stories folder blocked by a file",
			wantErr: "publish: output folder DIR/stories: not a folder",
			setup: func(t *testing.T, dir string) string {
				if err := os.WriteFile(filepath.Join(dir, "stories"), []byte("in the way"), 0o644); err != nil {
					t.Fatal(err)
				}
				return dir
			},
		},
		{
			name:    "language folder blocked by a file",
			newLink: "https://www.example.edu/news/new-story",
			wantErr: "publish: output folder DIR/zh-hant: not a folder",
			setup: func(t *testing.T, dir string) string {
				if err := os.RemoveAll(filepath.Join(dir, "zh-hant")); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "zh-hant"), []byte("in the way"), 0o644); err != nil {
					t.Fatal(err)
				}
				return dir
			},
		},
		{
			// A folder where a feed file should be: the old bytes cannot be
			// read and the rename cannot replace it, even for root.
			name:    "feed path is a folder",
			newLink: "https://www.example.edu/news/new-story",
			wantErr: "publish: write DIR/en/rss.xml: read DIR/en/rss.xml: is a directory",
			setup: func(t *testing.T, dir string) string {
				if err := os.Remove(filepath.Join(dir, "en", "rss.xml")); err != nil {
					t.Fatal(err)
				}
				if err := os.Mkdir(filepath.Join(dir, "en", "rss.xml"), 0o755); err != nil {
					t.Fatal(err)
				}
				return dir
			},
		},
	}
	if os.Geteuid() != 0 {
		// Permissions stop only non-root users.
		tests = append(tests, test{
			name:    "read-only folders",
			wantErr: "publish: output folder DIR: not writable: permission denied",
			setup: func(t *testing.T, dir string) string {
				chmodDirs(t, dir, 0o555)
				t.Cleanup(func() { chmodDirs(t, dir, 0o755) })
				return dir
			},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			items := testItems()
			// The old output holds no story pages, so "stories" is free to block.
			for i := range items {
				if items[i].Link == "" {
					items[i].Link = "https://www.example.edu/news/" + items[i].Slug
				}
			}
			publish(t, &fakeStore{items: items}, testOptions(dir))
			out := tt.setup(t, dir)
			before := readTree(t, dir)

			// A new English item changes the en and merged feeds, the index
			// and, without a link, writes a story page first.
			items = append(items, feeds.Item{
				ID: "tag:feeds.example.edu,2025-03-13:newsroom/new", Title: "New Story", Slug: "new-story", Link: tt.newLink,
				Language: "en", Summary: "New.", Published: at(15, 0, 0), Updated: at(15, 0, 0),
			})
			opts := testOptions(out)
			rep, err := New(&fakeStore{items: items}, opts, nil).Publish(context.Background())
			if want := strings.ReplaceAll(tt.wantErr, "DIR", dir); err == nil || err.Error() != want {
				t.Fatalf("Publish = %v\nwant %s", err, want)
			}
			// Archive documents and numbered pages are written before
			// the feeds and front pages that link to them, so they may
			// hold the new item; nothing else may change.
			archived := func(name string) bool {
				return strings.HasPrefix(name, "archive/") || strings.Contains(name, "/archive/") ||
					strings.HasPrefix(name, "page/") || strings.Contains(name, "/page/")
			}
			if slices.ContainsFunc(rep.Changed, func(name string) bool { return !archived(name) }) {
				t.Errorf("Changed = %q, want archive documents and numbered pages only", rep.Changed)
			}
			after := readTree(t, dir)
			if !slices.Equal(sortedKeys(after), sortedKeys(before)) {
				t.Errorf("files after = %q\nbefore %q", sortedKeys(after), sortedKeys(before))
			}
			for _, name := range sortedKeys(before) {
				if !archived(name) && !bytes.Equal(after[name], before[name]) {
					t.Errorf("%s changed", name)
				}
			}
			assertNoDotfiles(t, dir)
		})
	}
}

func chmodDirs(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, mode)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHTMLEscaping(t *testing.T) {
	dir := t.TempDir()
	publish(t, &fakeStore{items: testItems()}, testOptions(dir))
	const escaped = `Researchers &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Friends Win Award`
	tests := []struct {
		file string
		want []string
	}{
		{file: "index.html", want: []string{
			`<li><a href="https://feeds.example.edu/stories/researchers-script-alert-x-script-friends-win-award.html" lang="en">` + escaped + `</a>`,
		}},
		{file: "stories/researchers-script-alert-x-script-friends-win-award.html", want: []string{
			"<title>" + escaped + "</title>",
			"<h1>" + escaped + "</h1>",
			`<time datetime="2025-03-12T00:05:00+08:00">12 March 2025, 00:05 HKT</time> · Ada &lt;Lovelace&gt;, Grace Hopper</p>`,
			"<p>A plain-text summary with &lt;angle&gt; brackets &amp; an ampersand.</p>",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			page := string(b)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("missing %s\nin:\n%s", w, page)
				}
			}
			if strings.Contains(page, "<script") || strings.Contains(page, "<Lovelace") {
				t.Errorf("unescaped markup in:\n%s", page)
			}
		})
	}
}

func TestPageSlug(t *testing.T) {
	tests := []struct {
		name string
		item feeds.Item
		want string
	}{
		{"stored slug", feeds.Item{ID: "tag:x,2025-01-01:s/a", Slug: "hello-world-2"}, "hello-world-2"},
		{"no slug: hash of the id", feeds.Item{ID: "tag:x,2025-01-01:s/a"}, "047b067f2151ce40"},
		{"path separator", feeds.Item{ID: "tag:x,2025-01-01:s/a", Slug: "../index"}, "047b067f2151ce40"},
		{"dotfile", feeds.Item{ID: "tag:x,2025-01-01:s/a", Slug: ".hidden"}, "047b067f2151ce40"},
		{"non-ASCII", feeds.Item{ID: "tag:x,2025-01-01:s/a", Slug: "新聞"}, "047b067f2151ce40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pageSlug(tt.item); got != tt.want {
				t.Errorf("pageSlug = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLogsOneLinePerPublish: a publish logs one line, counting the files
// of the folder the same way whether it rendered them or found them as its
// manifest recorded them (which counts the archive documents and numbered
// pages by their folders).
func TestLogsOneLinePerPublish(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    ItemReader
	}{
		{"rendered", &fakeStore{items: testItems()}},
		{"manifest", newManifestStore(testItems())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			}))
			dir := t.TempDir()
			opts := testOptions(dir)
			opts.ArchiveSize, opts.PageSize = 2, 2 // several documents in each folder
			for range 2 {
				if _, err := New(tt.r, opts, log).Publish(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if n := len(readTree(t, dir)); n != 60 {
				t.Errorf("%d files in the folder, want 60", n)
			}
			want := "level=INFO msg=published dir=" + dir + " files=60 changed=60\n" +
				"level=INFO msg=published dir=" + dir + " files=60 changed=0\n"
			if buf.String() != want {
				t.Errorf("log:\n%s\nwant:\n%s", buf.String(), want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, root string) string // returns Dir
		wantErr string                                 // "" for none; ROOT is the temp folder
	}{
		{
			name:  "nothing exists yet",
			setup: func(t *testing.T, root string) string { return filepath.Join(root, "a", "public") },
		},
		{
			name: "earlier output",
			setup: func(t *testing.T, root string) string {
				publish(t, &fakeStore{items: testItems()}, testOptions(root))
				return root
			},
		},
		{
			name: "a file above the output folder",
			setup: func(t *testing.T, root string) string {
				if err := os.WriteFile(filepath.Join(root, "site"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(root, "site", "public")
			},
			wantErr: "publish: output folder ROOT/site/public: above it, ROOT/site: not a folder",
		},
		{
			name: "a file in a language folder's place",
			setup: func(t *testing.T, root string) string {
				if err := os.WriteFile(filepath.Join(root, "en"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return root
			},
			wantErr: "publish: output folder ROOT/en: not a folder",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := tt.setup(t, root)
			before := readTree(t, root)
			err := New(&fakeStore{}, testOptions(dir), nil).Check()
			want := strings.ReplaceAll(tt.wantErr, "ROOT", root)
			if (err == nil) != (want == "") || err != nil && err.Error() != want {
				t.Errorf("Check = %v, want %q", err, want)
			}
			if tt.wantErr != "" && !errors.Is(err, errNotFolder) {
				t.Errorf("Check = %v, want errNotFolder", err)
			}
			if after := readTree(t, root); !maps.EqualFunc(after, before, bytes.Equal) {
				t.Errorf("Check wrote: files %q, before %q", sortedKeys(after), sortedKeys(before))
			}
			if _, err := os.Stat(filepath.Join(root, "a")); tt.name == "nothing exists yet" && !os.IsNotExist(err) {
				t.Errorf("Check created folders: %v", err)
			}
		})
	}
}

// failingStore fails the reads its fields name, and answers the others as
// fakeStore does.
type failingStore struct {
	fakeStore
	items  func(store.Query) bool // the Items queries that fail
	newest bool
}

var errRead = errors.New("database is locked")

func (s *failingStore) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	if s.items != nil && s.items(q) {
		return nil, errRead
	}
	return s.fakeStore.Items(ctx, q)
}

func (s *failingStore) Newest(ctx context.Context) (time.Time, error) {
	if s.newest {
		return time.Time{}, errRead
	}
	return s.fakeStore.Newest(ctx)
}

// TestReadErrors: a failed read stops Publish before any write, with an
// error that names what it read.
func TestReadErrors(t *testing.T) {
	tests := []struct {
		name    string
		st      *failingStore
		wantErr string
	}{
		{"items without a link", &failingStore{items: func(q store.Query) bool { return q.Unlinked }},
			"publish: read items without a link: database is locked"},
		{"newest time", &failingStore{newest: true},
			"publish: read the newest time: database is locked"},
		{"a language's items", &failingStore{items: func(q store.Query) bool { return q.Language == "zh-Hant" }},
			`publish: read items of feed "zh-Hant": database is locked`},
		{"the stored order", &failingStore{items: func(q store.Query) bool { return q.Stored }},
			"publish: read the stored order: database is locked"},
		{"every read: the first in order", &failingStore{items: func(store.Query) bool { return true }, newest: true},
			"publish: read the stored order: database is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.st.fakeStore.items = testItems()
			rep, err := New(tt.st, testOptions(dir), nil).Publish(context.Background())
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, errRead) {
				t.Fatalf("Publish = %v, want %s", err, tt.wantErr)
			}
			if len(rep.Changed) != 0 {
				t.Errorf("Changed = %q, want nothing", rep.Changed)
			}
			if files := readTree(t, dir); len(files) != 0 {
				t.Errorf("wrote %q, want nothing", sortedKeys(files))
			}
		})
	}
}

// TestArchivedReadError: the items of archive documents are read after
// the story pages are written, a batch at a time; a failed read stops
// Publish before any archive document or feed is written.
func TestArchivedReadError(t *testing.T) {
	dir := t.TempDir()
	st := &failingStore{items: func(q store.Query) bool { return q.IDs != nil }}
	st.fakeStore.items = testItems()
	rep, err := New(st, testOptions(dir), nil).Publish(context.Background())
	if want := "publish: read archived items: database is locked"; err == nil || err.Error() != want || !errors.Is(err, errRead) {
		t.Fatalf("Publish = %v, want %s", err, want)
	}
	for _, name := range sortedKeys(readTree(t, dir)) {
		if name != stylesheetFile && !strings.HasPrefix(name, storiesDir+"/") {
			t.Errorf("wrote %s before the failed read", name)
		}
	}
	if len(rep.Changed) == 0 {
		t.Error("Changed is empty, but the story pages were written")
	}
}

// TestNewestOfTheStore: an empty feed, and the files that show no item,
// are dated by the newest time of the whole store, even when the item that
// holds it is in no feed (an old story updated last).
func TestNewestOfTheStore(t *testing.T) {
	dir := t.TempDir()
	st := &fakeStore{items: []feeds.Item{
		{
			ID: "https://www.example.edu/news/a", Source: "partner", Title: "A", Link: "https://www.example.edu/news/a",
			Language: "en", Published: at(13, 10, 0), Updated: at(13, 10, 0),
		},
		{
			ID: "https://www.example.edu/news/b", Source: "partner", Title: "B", Link: "https://www.example.edu/news/b",
			Language: "en", Published: at(12, 10, 0), Updated: at(15, 9, 0),
		},
	}}
	opts := testOptions(dir)
	opts.MaxItems = 1
	opts.Languages[0].MaxItems = 1
	publish(t, st, opts)

	files := readTree(t, dir)
	if want := "<updated>2025-03-15T09:00:00+08:00</updated>"; !bytes.Contains(files["zh-hant/atom.xml"], []byte(want)) {
		t.Errorf("zh-hant/atom.xml does not hold %s:\n%s", want, files["zh-hant/atom.xml"])
	}
	if want := "<updated>2025-03-13T10:00:00+08:00</updated>"; !bytes.Contains(files["en/atom.xml"], []byte(want)) {
		t.Errorf("en/atom.xml does not hold %s:\n%s", want, files["en/atom.xml"])
	}
	for name, want := range map[string]time.Time{
		"feed.xsl": at(15, 9, 0), "index.html": at(15, 9, 0), "feeds.opml": at(15, 9, 0),
		"zh-hant/atom.xml": at(15, 9, 0), "en/atom.xml": at(13, 10, 0),
	} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(want) {
			t.Errorf("%s: mtime %v, want %v", name, fi.ModTime(), want)
		}
	}
}

// TestMergedFeedLanguage: the merged feed declares a language only when all
// its items share one (issue 11); items always carry their own.
func TestMergedFeedLanguage(t *testing.T) {
	en := func(key string, day int) feeds.Item {
		return feeds.Item{ID: "tag:feeds.example.edu,2025-03-13:newsroom/" + key, Source: "newsroom",
			Title: "Story " + key, Link: "https://www.example.edu/news/" + key, Language: "en",
			Published: at(day, 9, 0), Updated: at(day, 9, 0)}
	}
	zh := en("zh", 12)
	zh.Language = "zh-Hant"
	tests := []struct {
		name  string
		items []feeds.Item
		lang  string              // the merged feed's language; "" for none
		want  map[string][]string // file: substrings it must hold
		not   map[string][]string // file: substrings it must not hold
	}{
		{"en and zh-Hant: no feed language", []feeds.Item{en("a", 13), zh}, "", map[string][]string{
			"rss.xml":   {"<dc:language>en</dc:language>", "<dc:language>zh-Hant</dc:language>"},
			"atom.xml":  {`<feed xmlns="http://www.w3.org/2005/Atom">`, `<entry xml:lang="en">`, `<entry xml:lang="zh-Hant">`},
			"feed.json": {"\"description\": \"HKUST News\",\n  \"authors\"", `"language": "en"`, `"language": "zh-Hant"`},
		}, map[string][]string{
			"rss.xml":  {"<language>"},
			"atom.xml": {`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang=`},
		}},
		{"all en: declares en", []feeds.Item{en("a", 13), en("b", 12)}, "en", map[string][]string{
			"rss.xml":   {"<language>en</language>", "<dc:language>en</dc:language>"},
			"atom.xml":  {`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">`, `<entry xml:lang="en">`},
			"feed.json": {"\"description\": \"HKUST News\",\n  \"language\": \"en\",\n  \"authors\""},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			publish(t, &fakeStore{items: tt.items}, testOptions(dir))
			for file, subs := range tt.want {
				b, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				for _, sub := range subs {
					if !strings.Contains(string(b), sub) {
						t.Errorf("%s lacks %q:\n%s", file, sub, b)
					}
				}
				if file == "feed.json" {
					var doc struct {
						Language *string `json:"language"`
						Items    []struct {
							Language string `json:"language"`
						} `json:"items"`
					}
					if err := json.Unmarshal(b, &doc); err != nil {
						t.Fatal(err)
					}
					for i, it := range doc.Items {
						if it.Language != tt.items[i].Language {
							t.Errorf("feed.json item %d language = %q, want %q", i, it.Language, tt.items[i].Language)
						}
					}
					if got := doc.Language; tt.lang == "" && got != nil || tt.lang != "" && (got == nil || *got != tt.lang) {
						t.Errorf("feed.json language = %v, want %q", got, tt.lang)
					}
				}
			}
			for file, subs := range tt.not {
				b, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					t.Fatal(err)
				}
				for _, sub := range subs {
					if strings.Contains(string(b), sub) {
						t.Errorf("%s holds %q:\n%s", file, sub, b)
					}
				}
			}
		})
	}
}

// TestAtomSourceUpdated: an Atom <source>'s updated is the newest updated of
// that upstream's items that Publish reads, in every feed that shows it, not
// only of the items in that feed.
func TestAtomSourceUpdated(t *testing.T) {
	partner := &feeds.Origin{Title: "Partner News", ID: "https://partner.example.org/feed.xml", Link: "https://partner.example.org/"}
	item := func(key, lang string, published, updated time.Time) feeds.Item {
		return feeds.Item{ID: "https://partner.example.org/" + key, Source: "partner", Title: "Story " + key,
			Link: "https://partner.example.org/" + key, Language: lang, Published: published, Updated: updated, Origin: partner}
	}
	items := []feeds.Item{
		item("new", "en", at(13, 9, 0), at(13, 9, 0)),
		// Published earlier, so cut from the merged feed of one item, but
		// updated last: it sets the source's updated everywhere.
		item("revised", "en", at(12, 9, 0), at(14, 8, 15)),
		item("zh", "zh-Hant", at(11, 9, 0), at(11, 9, 0)),
	}
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.MaxItems = 1
	opts.Languages[0].MaxItems = 10 // en reads "revised"
	opts.Languages[1].MaxItems = 10
	publish(t, &fakeStore{items: items}, opts)
	const want = `      <link href="https://partner.example.org/" rel="alternate"></link>
      <updated>2025-03-14T08:15:00+08:00</updated>
    </source>`
	for _, file := range []string{"atom.xml", "en/atom.xml", "zh-hant/atom.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "<source>"); n == 0 || n != strings.Count(string(b), want) {
			t.Errorf("%s: %d sources, not all with updated 2025-03-14T08:15:00+08:00:\n%s", file, n, b)
		}
	}
}
