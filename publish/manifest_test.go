package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// manifestStore is a fakeStore that keeps manifests and a content version,
// as store.Store does, and counts item reads.
type manifestStore struct {
	*fakeStore
	version   int64
	mu        sync.Mutex
	manifests map[string]store.Manifest
	reads     atomic.Int64
	// manifestReads counts reads of manifests by key.
	manifestReads map[string]int
}

func newManifestStore(items []feeds.Item) *manifestStore {
	return &manifestStore{fakeStore: &fakeStore{items: items}, version: 1, manifests: map[string]store.Manifest{},
		manifestReads: map[string]int{}}
}

func (s *manifestStore) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	s.reads.Add(1)
	return s.fakeStore.Items(ctx, q)
}

func (s *manifestStore) Version(context.Context) (int64, error) { return s.version, nil }

func (s *manifestStore) Manifest(_ context.Context, key string) (store.Manifest, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.manifestReads[key]++
	m, ok := s.manifests[key]
	m.Files = slices.Clone(m.Files)
	return m, ok, nil
}

func (s *manifestStore) SaveManifest(_ context.Context, key string, m store.Manifest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.Files = slices.Clone(m.Files)
	s.manifests[key] = m
	return nil
}

// change replaces the items, as a refresh does: the version moves on.
func (s *manifestStore) change(items []feeds.Item) {
	s.items = items
	s.version++
}

func publishTo(t *testing.T, r ItemReader, opts Options) Report {
	t.Helper()
	rep, err := New(r, opts, nil).Publish(context.Background())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return rep
}

// fileInfo is what a reader of the folder sees of a file.
type fileInfo struct {
	data []byte
	mod  time.Time
}

func snapshot(t *testing.T, dir string) map[string]fileInfo {
	t.Helper()
	out := map[string]fileInfo{}
	for name, data := range readTree(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = fileInfo{data: data, mod: fi.ModTime()}
	}
	return out
}

func sameTree(t *testing.T, got, want map[string]fileInfo) {
	t.Helper()
	names := func(m map[string]fileInfo) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(names(got), names(want)) {
		t.Fatalf("files %q\nwant %q", names(got), names(want))
	}
	for name, w := range want {
		g := got[name]
		if !bytes.Equal(g.data, w.data) {
			t.Errorf("%s: content differs from a fresh publish", name)
		}
		if !g.mod.Equal(w.mod) {
			t.Errorf("%s: mtime %v, want %v", name, g.mod, w.mod)
		}
	}
}

// TestUnchangedStoreReadsNoItem: once a publish saved the folder's
// manifest, a publish of the same content version reads no item, writes
// nothing and reports the same feeds.
func TestUnchangedStoreReadsNoItem(t *testing.T) {
	dir := t.TempDir()
	st := newManifestStore(testItems())
	first := publishTo(t, st, testOptions(dir))
	before := snapshot(t, dir)
	reads := st.reads.Load()
	if reads == 0 {
		t.Fatal("the first publish read no item")
	}

	clear(st.manifestReads)
	rep := publishTo(t, st, testOptions(dir))
	if got := st.reads.Load() - reads; got != 0 {
		t.Errorf("second publish made %d item reads, want 0", got)
	}
	// The manifest of the archives and pages, as large as the store, is
	// not read either: their folders' stamps stand for them.
	if len(st.manifestReads) != 1 {
		t.Errorf("second publish read the manifests %v, want only the folder's", st.manifestReads)
	}
	if len(rep.Changed) != 0 {
		t.Errorf("Changed = %q, want nothing", rep.Changed)
	}
	sameStats := func(a, b FeedStat) bool { return a.Path == b.Path && a.Items == b.Items && a.Newest.Equal(b.Newest) }
	if !slices.EqualFunc(rep.Feeds, first.Feeds, sameStats) {
		t.Errorf("Feeds = %+v\nwant %+v", rep.Feeds, first.Feeds)
	}
	sameTree(t, snapshot(t, dir), before)
	assertNoDotfiles(t, dir)
}

// TestRepairsDamagedOutput: a file deleted, truncated or edited by hand
// (even keeping its size and mtime), a page added by hand or a file
// touched is put back as a fresh publish writes it, though the store did
// not change.
func TestRepairsDamagedOutput(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   []string // Changed
	}{
		{"deleted feed", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "en", "rss.xml"))
		}, []string{"en/rss.xml"}},
		{"deleted story page", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "stories", "library-extends-opening-hours.html"))
		}, []string{"stories/library-extends-opening-hours.html"}},
		{"truncated feed", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, "zh-hant", "atom.xml"), 100); err != nil {
				t.Fatal(err)
			}
		}, []string{"zh-hant/atom.xml"}},
		{"truncated to nothing", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, "index.html"), 0); err != nil {
				t.Fatal(err)
			}
		}, []string{"index.html"}},
		{"edited by hand", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "feed.json")
			data := readFile(t, path)
			writeFile(t, path, append(data, []byte("\n")...))
		}, []string{"feed.json"}},
		{"edited in place, same size and mtime", func(t *testing.T, dir string) {
			// An editor that writes the file in place and sets the mtime
			// back: only the change time tells.
			path := filepath.Join(dir, "en", "feed.json")
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			data := readFile(t, path)
			i := bytes.Index(data, []byte("HKUST"))
			copy(data[i:], "HKUSX")
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(data, 0); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fileStamp(after) == fileStamp(fi) {
				// A file system whose change times are as coarse as its
				// clock tick: the limit unchanged documents.
				t.Skip("the change time did not move: an edit within the file system's clock tick")
			}
		}, []string{"en/feed.json"}},
		{"replaced by a copy of other bytes", func(t *testing.T, dir string) {
			// Another file's content under the name, same size, through a
			// rename as any atomic writer does.
			path := filepath.Join(dir, "rss.xml")
			data := bytes.ReplaceAll(readFile(t, path), []byte("HKUST"), []byte("XXXXX"))
			tmp := filepath.Join(dir, "copy")
			writeFile(t, tmp, data)
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}, []string{"rss.xml"}},
		{"page added by hand", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "stories", "old-story.html"), []byte("<p>gone</p>"))
		}, []string{"stories/old-story.html"}},
		{"touched", func(t *testing.T, dir string) {
			// Same bytes, another mtime: the mtime comes back, nothing is
			// written.
			later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(filepath.Join(dir, "zh-hant", "rss.xml"), later, later); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			st := newManifestStore(testItems())
			publishTo(t, st, testOptions(dir))
			want := snapshot(t, dir)

			tt.damage(t, dir)
			rep := publishTo(t, st, testOptions(dir))
			if !slices.Equal(rep.Changed, tt.want) {
				t.Errorf("Changed = %q, want %q", rep.Changed, tt.want)
			}
			sameTree(t, snapshot(t, dir), want)
			assertNoDotfiles(t, dir)

			// The repair saved a manifest that holds again.
			reads := st.reads.Load()
			if rep := publishTo(t, st, testOptions(dir)); len(rep.Changed) != 0 || st.reads.Load() != reads {
				t.Errorf("after the repair: Changed = %q, %d item reads; want nothing", rep.Changed, st.reads.Load()-reads)
			}
		})
	}
}

// TestChangedStoreRepublishes: a new content version renders again.
func TestChangedStoreRepublishes(t *testing.T) {
	dir := t.TempDir()
	st := newManifestStore(testItems())
	publishTo(t, st, testOptions(dir))

	items := testItems()
	items[0].Title = "A Corrected Title"
	st.change(items)
	rep := publishTo(t, st, testOptions(dir))
	if len(rep.Changed) == 0 {
		t.Fatal("a changed store changed no file")
	}
	fresh := t.TempDir()
	publish(t, &fakeStore{items: items}, testOptions(fresh))
	sameTree(t, snapshot(t, dir), snapshot(t, fresh))
}

// TestRecreatedStore: the manifest lives in the store, so a store made
// anew (whose content version may reach the old one's) has none, and its
// first publish renders everything.
func TestRecreatedStore(t *testing.T) {
	dir := t.TempDir()
	publishTo(t, newManifestStore(testItems()), testOptions(dir))

	items := testItems()[:3]
	publishTo(t, newManifestStore(items), testOptions(dir)) // version 1 again
	fresh := t.TempDir()
	publish(t, &fakeStore{items: items}, testOptions(fresh))
	sameTree(t, snapshot(t, dir), snapshot(t, fresh))
}

// TestManifestPerNodeAndFolder: the nodes of a cluster share the store,
// each with its own folder; one node's manifest says nothing of another's
// folder, nor of another folder of the same node.
func TestManifestPerNodeAndFolder(t *testing.T) {
	st := newManifestStore(testItems())
	root := t.TempDir()
	a := testOptions(filepath.Join(root, "a"))
	a.Node = "web-1"
	publishTo(t, st, a)
	want := snapshot(t, a.Dir)

	for _, o := range []struct{ node, dir string }{
		{"web-2", filepath.Join(root, "a")}, // the same path on another machine: empty there
		{"web-1", filepath.Join(root, "b")},
	} {
		opts := testOptions(o.dir)
		opts.Node = o.node
		if o.node == "web-2" {
			// Another machine's folder at the same path: here, the same
			// folder emptied.
			if err := os.RemoveAll(o.dir); err != nil {
				t.Fatal(err)
			}
		}
		rep := publishTo(t, st, opts)
		if len(rep.Changed) != len(want) {
			t.Errorf("node %s, folder %s: %d files written, want all %d", o.node, o.dir, len(rep.Changed), len(want))
		}
		sameTree(t, snapshot(t, o.dir), want)
	}
	// Each folder's, and beside it its documents'.
	if len(st.manifests) != 6 {
		t.Errorf("%d manifests kept, want 6: %v", len(st.manifests), slices.Sorted(maps.Keys(st.manifests)))
	}
}

// TestOptionsAndFormatInFingerprint: a folder written with other options,
// or by a binary whose output format differs, is rendered again although
// its manifest matches the files on disk.
func TestOptionsAndFormatInFingerprint(t *testing.T) {
	t.Run("options", func(t *testing.T) {
		dir := t.TempDir()
		st := newManifestStore(testItems())
		publishTo(t, st, testOptions(dir))
		opts := testOptions(dir)
		opts.Title = "HKUST Newsroom"
		rep := publishTo(t, st, opts)
		if !slices.Contains(rep.Changed, "rss.xml") {
			t.Errorf("Changed = %q, want the merged feed among them", rep.Changed)
		}
		fresh := t.TempDir()
		opts.Dir = fresh
		publish(t, &fakeStore{items: testItems()}, opts)
		sameTree(t, snapshot(t, dir), snapshot(t, fresh))
	})

	t.Run("format version", func(t *testing.T) {
		// An older binary wrote other bytes into en/rss.xml and a manifest
		// that describes them faithfully, under its own format version.
		dir := t.TempDir()
		st := newManifestStore(testItems())
		opts := testOptions(dir)
		publishTo(t, st, opts)
		want := snapshot(t, dir)
		path := filepath.Join(dir, "en", "rss.xml")
		writeFile(t, path, []byte("<rss>an older writer's output</rss>\n"))
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		key := manifestKey("", dir)
		m := st.manifests[key]
		for i, f := range m.Files {
			if f.Path == "en/rss.xml" {
				sum := sha256.Sum256(readFile(t, path))
				m.Files[i].Size, m.Files[i].Hash, m.Files[i].Stamp = fi.Size(), fmt.Sprintf("%x", sum), fileStamp(fi)
			}
		}
		p := New(st, opts, nil)
		m.Fingerprint = fingerprint(FormatVersion-1, p.opts, p.formats)
		st.manifests[key] = m

		rep, err := p.Publish(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rep.Changed, []string{"en/rss.xml"}) {
			t.Errorf("Changed = %q, want en/rss.xml", rep.Changed)
		}
		sameTree(t, snapshot(t, dir), want)
	})

	if fingerprint(1, testOptions("a"), defaultFormats()) == fingerprint(2, testOptions("a"), defaultFormats()) {
		t.Error("the fingerprint does not cover the format version")
	}
	marked := testOptions("a")
	marked.TranslationOnly = map[string][]string{"newsroom": {"(Chinese Version Only)"}}
	if fingerprint(1, testOptions("a"), defaultFormats()) == fingerprint(1, marked, defaultFormats()) {
		t.Error("the fingerprint does not cover the translation-only markers")
	}
	if fingerprint(1, testOptions("a"), defaultFormats()) != fingerprint(1, testOptions("b"), defaultFormats()) {
		t.Error("the fingerprint covers Dir, which the key holds")
	}
}

// formatDigests records, for the current FormatVersion, a digest of what
// TestFormatVersion's publish writes. (2: item images as media:thumbnail
// and Atom enclosure links; 3: images on story pages; 4: the headlines
// widget and embed pages; 5: feed.html in every feed folder; 6: pages in
// their language's words and dates; 7: front pages; 8: dates at the
// precision the story stated; 9: the directory's newest date too; 10:
// archives, and their prev-archive link in every feed; 11: translations
// linked in feeds and pages; 12: & and < in RSS and Atom plain text as
// hexadecimal references.)
var formatDigests = map[int]string{
	12: "ead90c13bd7e611eed72d33481a6d9dac62660b20421bc76141d537426e2fb29",
}

// TestFormatVersion fails when the bytes publish writes change without a
// new FormatVersion: an upgraded binary must not take a folder an older
// one wrote for current.
func TestFormatVersion(t *testing.T) {
	dir := t.TempDir()
	// Beside the shared test items, one with what they lack: an image and
	// enclosures, which the writers render too.
	items := append(testItems(), feeds.Item{
		ID: "tag:feeds.example.edu,2025-03-13:newsroom/podcast", Source: "newsroom",
		Title: "Campus Podcast", Slug: "campus-podcast", Link: "https://www.example.edu/news/podcast",
		Summary: "An episode.", Language: "en", Image: "https://www.example.edu/images/podcast.jpg",
		Enclosures: []feeds.Enclosure{{URL: "https://www.example.edu/files/ep1.mp3", Type: "audio/mpeg", Length: 1234}},
		Published:  at(11, 0, 0), Updated: at(11, 0, 0),
	}, feeds.Item{
		ID: "tag:feeds.example.edu,2025-03-13:newsroom/photo", Source: "newsroom",
		Title: "Photo of the Day", Slug: "photo-of-the-day", Summary: "The harbour at dawn.",
		Content: "<p>The harbour at dawn.</p>", Language: "en", Image: "https://www.example.edu/images/dawn.jpg",
		Published: at(10, 0, 0), Updated: at(10, 0, 0), Precision: feeds.PrecisionDay,
	}, feeds.Item{
		ID: "tag:feeds.example.edu,2025-03-13:newsroom/only", Source: "newsroom",
		Title: "Minister Meets Delegation (Chinese Version Only)", Slug: "minister-meets-delegation-chinese-version-only",
		Summary: "部長會見代表團。", Language: "zh-Hant", Published: at(9, 0, 0), Updated: at(9, 0, 0),
	})
	// And a story in two languages, and one in Chinese only.
	items = append(items, openDay()...)
	opts := testOptions(dir)
	opts.TranslationOnly = map[string][]string{"newsroom": {"(Chinese Version Only)"}}
	publish(t, &fakeStore{items: items}, opts)
	tree := readTree(t, dir)
	h := sha256.New()
	for _, name := range sortedKeys(tree) {
		fmt.Fprintf(h, "%s %d\n", name, len(tree[name]))
		h.Write(tree[name])
	}
	got := fmt.Sprintf("%x", h.Sum(nil))
	if want := formatDigests[FormatVersion]; got != want {
		t.Errorf("the output of the test store is %s, FormatVersion %d recorded %q: when the change is meant, bump FormatVersion to %d and record the new digest in formatDigests",
			got, FormatVersion, want, FormatVersion+1)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
