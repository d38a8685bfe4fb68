package publish_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
)

// hourItem is item n, dated n hours after a base day, so date order = n order.
func hourItem(n int, lang string) feeds.Item {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	id := fmt.Sprintf("https://news.example.edu/%02d", n)
	return feeds.Item{ID: id, Source: "newsroom", Title: fmt.Sprintf("Story %d", n), Link: id, Language: lang,
		Published: at, Updated: at, FirstSeen: at}
}

func smallArchiveOptions(out string) publish.Options {
	return publish.Options{
		Dir: out, BaseURL: archiveBase, Title: "News", Generator: "feedloom test", ArchiveSize: 3, PageSize: 3,
		MaxItems:  3,
		Languages: []publish.Language{{Tag: "en"}, {Tag: "zh-Hant"}},
	}
}

// TestMergedArchiveDeclaresItsOwnLanguage: an archive document of the
// merged feed declares the language its own items share, not the current
// document's, so two folders of one store hold the same bytes.
func TestMergedArchiveDeclaresItsOwnLanguage(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	for n := 1; n <= 6; n++ {
		lang := "zh-Hant"
		if n > 3 {
			lang = "en"
		}
		if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{hourItem(n, lang)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := publish.New(st, smallArchiveOptions(out), nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(out, "archive/rss/1.xml"))
	d := readDoc(t, out, "archive/rss/1.xml")
	if strings.Contains(string(data), "<language>en</language>") {
		t.Errorf("merged archive/rss/1.xml (only zh-Hant items %q) declares <language>en</language>:\n%s", d.ids, data)
	}
	// A fresh folder after a mixed-language item arrives: doc 1 is not
	// rewritten in the old folder, but a new node writes it differently.
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{hourItem(7, "zh-Hant")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.New(st, smallArchiveOptions(out), nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(root, "public2")
	o2 := smallArchiveOptions(out2)
	o2.Node = "other"
	if _, err := publish.New(st, o2, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(out, "archive/rss/1.xml"))
	b, _ := os.ReadFile(filepath.Join(out2, "archive/rss/1.xml"))
	if string(a) != string(b) {
		t.Errorf("same store, two folders: archive/rss/1.xml differs:\n%s\n----\n%s", a, b)
	}
}

// TestReleasedItemJoinsLatest: an embargoed item stored before others and
// released after they filled a document joins latest (and the newest
// page), not the full document its storing would have put it in.
func TestReleasedItemJoinsLatest(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	h := hourItem(9, "en")
	h.Held = true
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{h}}); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 4; n++ {
		applyOne(t, st, hourItem(n, "en"))
	}
	pub := func() []string { return changedBy(t, st, smallArchiveOptions(out)) }
	pub()
	if _, err := st.Release(ctx, h.Published.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	changed := pub()
	one := readDoc(t, out, "en/archive/rss/1.xml").ids
	t.Logf("changed: %q", changed)
	if len(one) > 3 {
		t.Errorf("full document en/archive/rss/1.xml holds %d items (archive_size 3): %q", len(one), one)
	}
	if slices.Contains(changed, "en/archive/rss/1.xml") {
		t.Errorf("full document 1 rewritten by a release of an item it did not hold")
	}
	if slices.Contains(changed, "en/page/1.html") {
		p1, _ := os.ReadFile(filepath.Join(out, "en/page/1.html"))
		t.Errorf("page/1.html (the oldest) rewritten by the release; it now shows the newest story:\n%s", grepLines(string(p1), "Story"))
	}
}

func grepLines(s, w string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, w) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

// TestEmptyDocumentNotRewritten: a full document emptied by retention
// keeps its bytes when items arrive elsewhere.
func TestEmptyDocumentNotRewritten(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	for n := 1; n <= 4; n++ {
		applyOne(t, st, hourItem(n, "en"))
	}
	pub := func() []string { return changedBy(t, st, smallArchiveOptions(out)) }
	pub()
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Remove: ids(1, 2, 3)}); err != nil {
		t.Fatal(err)
	}
	pub()
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{hourItem(5, "en")}}); err != nil {
		t.Fatal(err)
	}
	changed := pub()
	if slices.Contains(changed, "en/archive/rss/1.xml") {
		t.Errorf("empty full document 1 rewritten by a new item elsewhere: %q", changed)
	}
	// Dated by the item stored next after it (4), not the epoch.
	b, err := os.ReadFile(filepath.Join(out, "en", "archive", "atom", "1.xml"))
	if err != nil || !strings.Contains(string(b), "<updated>2025-03-01T04:00:00Z</updated>") {
		t.Errorf("empty en/archive/atom/1.xml not dated by item 4 (%v):\n%s", err, b)
	}
}

// TestPagesOffRemovesPages: with page_size off, the numbered pages go.
func TestPagesOffRemovesPages(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	for n := 1; n <= 7; n++ {
		applyOne(t, st, hourItem(n, "en"))
	}
	if _, err := publish.New(st, smallArchiveOptions(out), nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	o := smallArchiveOptions(out)
	o.PageSize = -1
	if _, err := publish.New(st, o, nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "en/page/1.html")); err == nil {
		t.Errorf("en/page/1.html still there after page_size turned off")
	}
}

// applyOne stores it in a write of its own.
func applyOne(t *testing.T, st store.Store, it feeds.Item) {
	t.Helper()
	if _, err := st.Apply(context.Background(), it.Source, store.Batch{Items: []feeds.Item{it}}); err != nil {
		t.Fatal(err)
	}
}

// changedBy publishes st with opts and returns what the publish changed.
func changedBy(t *testing.T, st publish.ItemReader, opts publish.Options) []string {
	t.Helper()
	rep, err := publish.New(st, opts, nil).Publish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep.Changed
}
