package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

const archiveBase = "https://feeds.example.edu/"

// archiveDoc is what a test reads of one feed document, in any format:
// its item ids in document order, its archive links by relation, and
// whether it is marked as an archive.
type archiveDoc struct {
	ids      []string
	links    map[string]string
	archived bool
}

// readDoc reads the document at path (relative to out) by its format.
func readDoc(t *testing.T, out, path string) archiveDoc {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	type link struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	}
	doc := archiveDoc{links: map[string]string{}}
	addLinks := func(links []link) {
		for _, l := range links {
			if l.Rel != "self" && l.Rel != "alternate" && l.Rel != "hub" {
				doc.links[l.Rel] = strings.TrimPrefix(l.Href, archiveBase)
			}
		}
	}
	switch {
	case strings.HasSuffix(path, ".json"):
		var f struct {
			NextURL string `json:"next_url"`
			Items   []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, it := range f.Items {
			doc.ids = append(doc.ids, it.ID)
		}
		if f.NextURL != "" {
			doc.links["next_url"] = strings.TrimPrefix(f.NextURL, archiveBase)
		}
	case bytes.Contains(data, []byte("<rss")):
		var f struct {
			Channel struct {
				Links   []link    `xml:"http://www.w3.org/2005/Atom link"`
				Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
				Items   []struct {
					GUID string `xml:"guid"`
				} `xml:"item"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, it := range f.Channel.Items {
			doc.ids = append(doc.ids, it.GUID)
		}
		addLinks(f.Channel.Links)
		doc.archived = f.Channel.Archive != nil
	default:
		var f struct {
			Links   []link    `xml:"http://www.w3.org/2005/Atom link"`
			Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
			Entries []struct {
				ID string `xml:"id"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, e := range f.Entries {
			doc.ids = append(doc.ids, e.ID)
		}
		addLinks(f.Links)
		doc.archived = f.Archive != nil
	}
	return doc
}

// walk follows a feed's chain from its current document (prev-archive,
// or next_url in JSON Feed) to the oldest archive document, and returns
// every id it saw and the documents it visited.
func walk(t *testing.T, out, current string) (ids, visited []string) {
	t.Helper()
	rel := "prev-archive"
	if strings.HasSuffix(current, ".json") {
		rel = "next_url"
	}
	for path := current; path != ""; {
		if slices.Contains(visited, path) {
			t.Fatalf("%s: the chain loops at %s", current, path)
		}
		visited = append(visited, path)
		d := readDoc(t, out, path)
		if path != current {
			ids = append(ids, d.ids...)
		}
		path = d.links[rel]
	}
	return ids, visited
}

// archiveItem is item n of the archive tests: stored in the order of n,
// dated so that date order is not that order.
func archiveItem(n int, lang string, categories ...string) feeds.Item {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration((n*7)%11) * 24 * time.Hour)
	id := fmt.Sprintf("https://news.example.edu/%02d", n)
	return feeds.Item{ID: id, Source: "newsroom", Title: fmt.Sprintf("Story %d", n), Link: id, Language: lang,
		Categories: categories, Published: at, Updated: at, FirstSeen: at}
}

func ids(ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("https://news.example.edu/%02d", n))
	}
	return out
}

// idReads records the ids of every read of items by id: the documents a
// publish renders.
type idReads struct {
	store.Store
	mu  sync.Mutex
	ids []string
}

func (r *idReads) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	if q.IDs != nil {
		r.mu.Lock()
		r.ids = append(r.ids, q.IDs...)
		r.mu.Unlock()
	}
	return r.Store.Items(ctx, q)
}

func (r *idReads) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.ids
	r.ids = nil
	slices.Sort(out)
	return out
}

// TestArchives: with a real store, every feed's items are cut into
// archive documents in the order they were first stored, three to a
// document; the chain from each current document visits every item once
// in every format; a removal rewrites only the document that held the
// item, keeping numbers; new items fill latest into a new numbered
// document; an update rewrites only its document; and the documents a
// publish does not change are not even read.
func TestArchives(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	reads := &idReads{Store: st}
	opts := publish.Options{
		Dir: out, BaseURL: archiveBase, Title: "News", Generator: "feedloom test", ArchiveSize: 3, PageSize: 3,
		Languages: []publish.Language{{Tag: "en"}, {Tag: "zh-Hant"}},
		Channels:  []publish.Channel{{Name: "research", Title: "Research", Categories: []string{"research"}}},
	}
	apply := func(b store.Batch) {
		t.Helper()
		if _, err := st.Apply(ctx, "newsroom", b); err != nil {
			t.Fatal(err)
		}
	}
	pub := func() []string {
		t.Helper()
		rep, err := publish.New(reads, opts, nil).Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Changed
	}
	// Stored one by one: 1–8 English (2, 5 and 7 Research), 9–10
	// Traditional Chinese (9 Research).
	for n := 1; n <= 10; n++ {
		lang := "en"
		if n >= 9 {
			lang = "zh-Hant"
		}
		var cats []string
		if n == 2 || n == 5 || n == 7 || n == 9 {
			cats = []string{"Research"}
		}
		apply(store.Batch{Items: []feeds.Item{archiveItem(n, lang, cats...)}})
	}
	pub()

	wantDocs := func(step string, want map[string][]string) {
		t.Helper()
		for path, wantIDs := range want {
			got := readDoc(t, out, path).ids
			slices.Sort(got)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("%s: %s holds %q, want %q", step, path, got, wantIDs)
			}
		}
	}
	wantDocs("first publish", map[string][]string{
		"archive/rss/1.xml":                          ids(1, 2, 3),
		"archive/rss/2.xml":                          ids(4, 5, 6),
		"archive/rss/3.xml":                          ids(7, 8, 9),
		"archive/rss/latest.xml":                     ids(10),
		"en/archive/atom/1.xml":                      ids(1, 2, 3),
		"en/archive/atom/2.xml":                      ids(4, 5, 6),
		"en/archive/json/latest.json":                ids(7, 8),
		"zh-hant/archive/rss/latest.xml":             ids(9, 10),
		"channels/research/archive/rss/1.xml":        ids(2, 5, 7),
		"channels/research/archive/json/latest.json": ids(9),
	})
	// Within a document, newest first, as in the current one: 3 (11
	// March), 1 (8 March), 2 (4 March).
	for _, path := range []string{"en/archive/rss/1.xml", "en/archive/atom/1.xml", "en/archive/json/1.json"} {
		if got := readDoc(t, out, path).ids; !slices.Equal(got, ids(3, 1, 2)) {
			t.Errorf("%s in order %q, want %q", path, got, ids(3, 1, 2))
		}
	}
	for _, gone := range []string{"archive/rss/4.xml", "en/archive/rss/3.xml", "zh-hant/archive/rss/1.xml"} {
		if _, err := os.Stat(filepath.Join(out, gone)); !os.IsNotExist(err) {
			t.Errorf("%s exists: %v", gone, err)
		}
	}

	// Links: current → latest → n → … → 1, every document an archive but
	// the current one.
	cur := readDoc(t, out, "en/atom.xml")
	if cur.archived || !maps(cur.links, map[string]string{"prev-archive": "en/archive/atom/latest.xml"}) {
		t.Errorf("en/atom.xml: archived %v, links %v", cur.archived, cur.links)
	}
	for path, want := range map[string]map[string]string{
		"en/archive/atom/latest.xml": {"current": "en/atom.xml", "prev-archive": "en/archive/atom/2.xml"},
		"en/archive/atom/2.xml":      {"current": "en/atom.xml", "prev-archive": "en/archive/atom/1.xml", "next-archive": "en/archive/atom/latest.xml"},
		"en/archive/atom/1.xml":      {"current": "en/atom.xml", "next-archive": "en/archive/atom/2.xml"},
		"archive/rss/2.xml":          {"current": "rss.xml", "prev-archive": "archive/rss/1.xml", "next-archive": "archive/rss/3.xml"},
		"archive/json/3.json":        {"next_url": "archive/json/2.json"},
	} {
		d := readDoc(t, out, path)
		if !maps(d.links, want) || !d.archived && !strings.HasSuffix(path, ".json") {
			t.Errorf("%s: links %v archived %v, want %v and archived", path, d.links, d.archived, want)
		}
	}

	// Walking each chain sees every item of the feed exactly once.
	walkAll := func(step string, want map[string][]string) {
		t.Helper()
		for folder, wantIDs := range want {
			for _, file := range []string{"rss.xml", "atom.xml", "feed.json"} {
				got, _ := walk(t, out, folder+file)
				slices.Sort(got)
				if !slices.Equal(got, wantIDs) {
					t.Errorf("%s: walking from %s%s saw %q, want each of %q once", step, folder, file, got, wantIDs)
				}
			}
		}
	}
	walkAll("first publish", map[string][]string{
		"":                   ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
		"en/":                ids(1, 2, 3, 4, 5, 6, 7, 8),
		"zh-hant/":           ids(9, 10),
		"channels/research/": ids(2, 5, 7, 9),
	})
	if changed := pub(); len(changed) != 0 {
		t.Errorf("unchanged store: Changed = %q", changed)
	}

	// Retention takes item 2: the documents that held it are rewritten
	// under their numbers; the others keep their bytes and are not read.
	reads.take()
	apply(store.Batch{Remove: ids(2)})
	changed := pub()
	wantDocs("after removing 2", map[string][]string{
		"archive/rss/1.xml":                   ids(1, 3),
		"archive/rss/2.xml":                   ids(4, 5, 6),
		"en/archive/atom/1.xml":               ids(1, 3),
		"channels/research/archive/rss/1.xml": ids(5, 7),
	})
	for _, path := range []string{"archive/rss/1.xml", "en/archive/json/1.json", "channels/research/archive/atom/1.xml"} {
		if !slices.Contains(changed, path) {
			t.Errorf("after removing 2: %s not rewritten; Changed = %q", path, changed)
		}
	}
	for _, path := range changed {
		if strings.Contains(path, "archive/") && !strings.Contains(path, "/1.") {
			t.Errorf("after removing 2: %s rewritten", path)
		}
	}
	// By id are read the documents that held it (1 and 3; 5 and 7 in
	// the channel's) and the channel's current items (5, 7, 9); not 4, 6,
	// 8 and 10, which are only in documents that did not hold it.
	got := reads.take()
	for _, id := range ids(1, 3, 5, 7) {
		if !slices.Contains(got, id) {
			t.Errorf("after removing 2: %s not read by id, though its documents changed; read %q", id, got)
		}
	}
	for _, id := range ids(4, 6, 8, 10) {
		if slices.Contains(got, id) {
			t.Errorf("after removing 2: %s read by id, though its documents did not change; read %q", id, got)
		}
	}

	// Items 11 and 12 (English) fill en's latest into 3; the merged
	// feed's latest (10) takes 11 and 12 and fills too.
	apply(store.Batch{Items: []feeds.Item{archiveItem(11, "en"), archiveItem(12, "en")}})
	changed = pub()
	wantDocs("after adding 11 and 12", map[string][]string{
		"en/archive/rss/3.xml":      ids(7, 8, 11),
		"en/archive/rss/latest.xml": ids(12),
		"archive/rss/4.xml":         ids(10, 11, 12),
		"archive/rss/latest.xml":    nil,
		"en/archive/rss/2.xml":      ids(4, 5, 6),
	})
	for _, path := range []string{"en/archive/rss/1.xml", "archive/rss/1.xml", "archive/rss/2.xml", "zh-hant/archive/rss/latest.xml"} {
		if slices.Contains(changed, path) {
			t.Errorf("after adding 11 and 12: %s rewritten", path)
		}
	}
	// The newest full document names its new neighbour.
	if d := readDoc(t, out, "en/archive/rss/2.xml"); d.links["next-archive"] != "en/archive/rss/3.xml" {
		t.Errorf("en/archive/rss/2.xml next-archive %q, want en/archive/rss/3.xml", d.links["next-archive"])
	}
	walkAll("after adding 11 and 12", map[string][]string{
		"":    ids(1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
		"en/": ids(1, 3, 4, 5, 6, 7, 8, 11, 12),
	})

	// An update of 4 rewrites the documents that hold it, nothing older.
	updated := archiveItem(4, "en")
	updated.Title = "Story 4, corrected"
	apply(store.Batch{Items: []feeds.Item{updated}})
	changed = pub()
	for _, path := range []string{"archive/rss/2.xml", "en/archive/atom/2.xml"} {
		if !slices.Contains(changed, path) {
			t.Errorf("after updating 4: %s not rewritten; Changed = %q", path, changed)
		}
	}
	for _, path := range []string{"archive/rss/1.xml", "archive/rss/3.xml", "en/archive/rss/3.xml"} {
		if slices.Contains(changed, path) {
			t.Errorf("after updating 4: %s rewritten", path)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "en/archive/atom/2.xml")); err != nil || !bytes.Contains(b, []byte("Story 4, corrected")) {
		t.Errorf("en/archive/atom/2.xml does not show the update: %v", err)
	}

	// A numbered document deleted by hand is put back by a publish of the
	// unchanged store, which notices by its folder; one edited in place
	// is put back by the next publish of a changed store, which checks
	// every document it does not render.
	good, err := os.ReadFile(filepath.Join(out, "en/archive/rss/1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "en/archive/rss/1.xml")); err != nil {
		t.Fatal(err)
	}
	if changed := pub(); !slices.Equal(changed, []string{"en/archive/rss/1.xml"}) {
		t.Errorf("after deleting en/archive/rss/1.xml: Changed = %q", changed)
	}
	edited := bytes.Replace(good, []byte("Story 1"), []byte("Story X"), 1)
	if err := os.WriteFile(filepath.Join(out, "en/archive/rss/1.xml"), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	apply(store.Batch{Items: []feeds.Item{archiveItem(13, "zh-Hant")}})
	if changed := pub(); !slices.Contains(changed, "en/archive/rss/1.xml") {
		t.Errorf("after editing en/archive/rss/1.xml and a change: Changed = %q, want it put back", changed)
	}
	if b, err := os.ReadFile(filepath.Join(out, "en/archive/rss/1.xml")); err != nil || !bytes.Equal(b, good) {
		t.Errorf("en/archive/rss/1.xml not put back (%v)", err)
	}

	// A second node with its own folder numbers the same way, from the
	// cuts in the store, and writes the same archives.
	other := filepath.Join(root, "other")
	o := opts
	o.Dir, o.Node = other, "node-2"
	if _, err := publish.New(st, o, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"archive/rss/1.xml", "archive/atom/4.xml", "en/archive/json/3.json", "channels/research/archive/rss/1.xml"} {
		a, _ := os.ReadFile(filepath.Join(out, path))
		b, err := os.ReadFile(filepath.Join(other, path))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the nodes (%v)", path, err)
		}
	}

	// Another archive size cuts anew and removes the documents that no
	// longer exist.
	opts.ArchiveSize = 5
	changed = pub()
	wantDocs("archive size 5", map[string][]string{
		"en/archive/rss/1.xml":      ids(1, 3, 4, 5, 6),
		"en/archive/rss/latest.xml": ids(7, 8, 11, 12),
	})
	for _, gone := range []string{"en/archive/rss/2.xml", "en/archive/atom/3.xml", "archive/json/4.json"} {
		if _, err := os.Stat(filepath.Join(out, gone)); !os.IsNotExist(err) {
			t.Errorf("archive size 5: %s still there (%v)", gone, err)
		}
		if !slices.Contains(changed, gone) {
			t.Errorf("archive size 5: removal of %s not reported", gone)
		}
	}
}

// maps reports whether got holds exactly want.
func maps(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// pageLinks reads a numbered page (or a front page) at path: the story
// links of its articles in order, and its newer and older links.
func pageLinks(t *testing.T, out, path string) (stories []string, newer, older string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range storyLink.FindAllStringSubmatch(string(data), -1) {
		stories = append(stories, m[1])
	}
	if m := newerLink.FindStringSubmatch(string(data)); m != nil {
		newer = m[1]
	}
	if m := olderLink.FindStringSubmatch(string(data)); m != nil {
		older = m[1] + m[2]
	}
	return stories, newer, older
}

var (
	storyLink = regexp.MustCompile(`<h[23]><a href="https://news\.example\.edu/(\d+)"`)
	newerLink = regexp.MustCompile(`<a href="([^"]+)" rel="prev">`)
	olderLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">|<p class="older"><a href="([^"]+)">`)
)

// TestPages: the front pages' stories are cut into numbered pages in the
// order they were first stored, oldest first, newest first within a page;
// each page links its neighbours, the newest the front page, and the
// front page the newest; a new story rewrites only the front pages and
// the newest numbered page; a page of Chinese stories speaks Chinese.
func TestPages(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	opts := publish.Options{
		Dir: out, BaseURL: archiveBase, Title: "News", Generator: "feedloom test", PageSize: 2,
		Languages: []publish.Language{{Tag: "en"}, {Tag: "zh-Hant", Title: "新聞"}},
	}
	pub := func() []string {
		t.Helper()
		rep, err := publish.New(st, opts, nil).Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Changed
	}
	for n := 1; n <= 5; n++ {
		lang := "en"
		if n == 4 {
			lang = "zh-Hant"
		}
		if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{archiveItem(n, lang)}}); err != nil {
			t.Fatal(err)
		}
	}
	pub()
	// Dates (day n*7 mod 11): 1 → 7, 2 → 3, 3 → 10, 4 → 6, 5 → 2.
	num := func(ns ...int) []string {
		var out []string
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%02d", n))
		}
		return out
	}
	for _, tc := range []struct {
		path         string
		stories      []string
		newer, older string
	}{
		{"page/1.html", num(1, 2), "2.html", ""},
		{"page/2.html", num(3, 4), "3.html", "1.html"},
		{"page/3.html", num(5), "../index.html", "2.html"},
		{"en/page/1.html", num(1, 2), "2.html", ""},
		{"en/page/2.html", num(3, 5), "../index.html", "1.html"},
		{"zh-hant/page/1.html", num(4), "../index.html", ""},
	} {
		stories, newer, older := pageLinks(t, out, tc.path)
		if !slices.Equal(stories, tc.stories) || newer != tc.newer || older != tc.older {
			t.Errorf("%s: stories %q newer %q older %q; want %q, %q, %q", tc.path, stories, newer, older, tc.stories, tc.newer, tc.older)
		}
	}
	for path, want := range map[string]string{"index.html": "page/3.html", "en/index.html": "page/2.html", "zh-hant/index.html": "page/1.html"} {
		if _, _, older := pageLinks(t, out, path); older != want {
			t.Errorf("%s links older stories at %q, want %q", path, older, want)
		}
	}
	zh, err := os.ReadFile(filepath.Join(out, "zh-hant", "page", "1.html"))
	if err != nil || !bytes.Contains(zh, []byte(`<html lang="zh-Hant">`)) || !bytes.Contains(zh, []byte("<h1>第 1 頁</h1>")) ||
		!bytes.Contains(zh, []byte("較新的新聞")) {
		t.Errorf("zh-hant/page/1.html is not in Traditional Chinese (%v):\n%s", err, zh)
	}

	// Story 6 (English, dated 10 March) fills the merged feed's page 3
	// under its number, and starts en's page 3, so en's page 2 now links
	// it: only they and the front pages change among the pages.
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{archiveItem(6, "en")}}); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for _, path := range pub() {
		if strings.HasSuffix(path, ".html") && !strings.HasPrefix(path, "stories/") && !strings.HasSuffix(path, "feed.html") &&
			!strings.HasPrefix(path, "embed/") {
			pages = append(pages, path)
		}
	}
	if want := []string{"en/index.html", "en/page/2.html", "en/page/3.html", "index.html", "page/3.html"}; !slices.Equal(pages, want) {
		t.Errorf("after story 6, pages changed %q, want %q", pages, want)
	}
	if stories, newer, _ := pageLinks(t, out, "page/3.html"); !slices.Equal(stories, num(6, 5)) || newer != "../index.html" {
		t.Errorf("page/3.html: %q newer %q; want 06, 05 and the front page", stories, newer)
	}
	if _, newer, _ := pageLinks(t, out, "en/page/2.html"); newer != "3.html" {
		t.Errorf("en/page/2.html links newer %q, want 3.html", newer)
	}
}

// TestArchivesAndPagesOff: negative sizes write neither, and the current
// documents link no archive.
func TestArchivesAndPagesOff(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{archiveItem(1, "en"), archiveItem(2, "en")}}); err != nil {
		t.Fatal(err)
	}
	opts := publish.Options{Dir: out, BaseURL: archiveBase, Title: "News", ArchiveSize: -1, PageSize: -1,
		Languages: []publish.Language{{Tag: "en"}}}
	rep, err := publish.New(st, opts, nil).Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range rep.Changed {
		if strings.Contains(path, "archive/") || strings.Contains(path, "page/") {
			t.Errorf("wrote %s with archives and pages off", path)
		}
	}
	if d := readDoc(t, out, "en/atom.xml"); len(d.links) != 0 || len(d.ids) != 2 {
		t.Errorf("en/atom.xml: links %v, %d items; want no archive link and 2 items", d.links, len(d.ids))
	}
	if index, err := os.ReadFile(filepath.Join(out, "index.html")); err != nil || bytes.Contains(index, []byte(`class="older"`)) {
		t.Errorf("index.html links older stories with pages off (%v)", err)
	}
}

// TestChannelChoiceWithoutArchives: a channel selects the same items,
// in the same order, whether it chooses them from the stored order read
// for archives or, with archives and pages off, from windows of the store.
func TestChannelChoiceWithoutArchives(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	st := openSQLite(t, root)
	for n := 1; n <= 40; n++ {
		var cats []string
		if n%3 == 0 {
			cats = []string{"Research"}
		}
		if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{archiveItem(n, "en", cats...)}}); err != nil {
			t.Fatal(err)
		}
	}
	channels := []publish.Channel{
		{Name: "research", Categories: []string{"research"}, MaxItems: 5},
		{Name: "words", Include: []publish.Rule{word("Story 1")}, MaxItems: 4},
	}
	var got [2][]string
	for i, size := range []int{0, -1} {
		out := filepath.Join(root, fmt.Sprint("public", i))
		opts := publish.Options{Dir: out, BaseURL: archiveBase, Title: "News", ArchiveSize: size, PageSize: size,
			Languages: []publish.Language{{Tag: "en"}}, Channels: channels}
		if _, err := publish.New(st, opts, nil).Publish(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range channels {
			got[i] = append(got[i], readDoc(t, out, "channels/"+c.Name+"/atom.xml").ids...)
			got[i] = append(got[i], "|")
		}
	}
	if !slices.Equal(got[0], got[1]) || len(got[0]) != 5+4+2 {
		t.Errorf("with archives %q\nwithout %q", got[0], got[1])
	}
}

// word is a channel rule that matches text containing w.
type word string

func (w word) Matches(text string) bool { return strings.Contains(text, string(w)) }
func (w word) String() string           { return string(w) }

// TestCategorySlugsStored: category folders are named once and kept in
// the store: a clash takes -2 in the order first seen, and the names hold
// when the list is reordered, grows or shrinks, and on another node.
func TestCategorySlugsStored(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	st := openSQLite(t, root)
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{archiveItem(1, "en", "Research!", "Research", "研究")}}); err != nil {
		t.Fatal(err)
	}
	folders := func(out string, categories ...string) []string {
		t.Helper()
		opts := publish.Options{Dir: out, BaseURL: archiveBase, Title: "News", Languages: []publish.Language{{Tag: "en"}},
			Categories: categories}
		if _, err := publish.New(st, opts, nil).Publish(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(filepath.Join(out, "en", "categories"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	out := filepath.Join(root, "public")
	if got, want := folders(out, "Research!", "Research"), []string{"research", "research-2"}; !slices.Equal(got, want) {
		t.Errorf("first: %q, want %q", got, want)
	}
	// Reordered, with a new category: the old keep their folders.
	if got, want := folders(out, "Research", "研究", "Research!"), []string{"4ff0f1dd", "research", "research-2"}; !slices.Equal(got, want) {
		t.Errorf("reordered: %q, want %q", got, want)
	}
	if d := readDoc(t, out, "en/categories/research-2/atom.xml"); len(d.ids) != 1 {
		t.Errorf("en/categories/research-2 holds %q, want the item", d.ids)
	}
	b, err := os.ReadFile(filepath.Join(out, "en", "categories", "research", "atom.xml"))
	if err != nil || !bytes.Contains(b, []byte("— Research!</title>")) {
		t.Errorf("en/categories/research is not Research!'s (%v)", err)
	}
	// Another node, with only Research listed, still gives it research-2.
	if got, want := folders(filepath.Join(root, "other"), "Research"), []string{"research-2"}; !slices.Equal(got, want) {
		t.Errorf("another node: %q, want %q", got, want)
	}
}

// openSQLite opens a store in root, closed when the test ends.
func openSQLite(t *testing.T, root string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(root, "feedloom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
