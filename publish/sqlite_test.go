package publish_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// countingStore counts the item reads of a store, which Publish makes from
// several goroutines.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (c *countingStore) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	c.reads.Add(1)
	return c.Store.Items(ctx, q)
}

// TestManifestInSQLite: with a real store, a publish of unchanged items
// reads none; a deleted feed is put back; and a store recreated at the same
// path, which holds no manifest, publishes its own items in full.
func TestManifestInSQLite(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dbPath := filepath.Join(root, "data", "feedloom.db")
	out := filepath.Join(root, "public")
	opts := publish.Options{
		Dir: out, BaseURL: "https://feeds.example.edu/", Title: "News",
		Languages: []publish.Language{{Tag: "en"}}, Generator: "feedloom test",
	}
	at := time.Date(2025, 3, 13, 9, 30, 0, 0, time.UTC)
	item := func(id, title string) feeds.Item {
		return feeds.Item{ID: "https://news.example.edu/" + id, Source: "newsroom", Title: title,
			Link: "https://news.example.edu/" + id, Language: "en", Published: at, Updated: at, FirstSeen: at}
	}
	open := func(items ...feeds.Item) *countingStore {
		st, err := sqlite.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if len(items) > 0 {
			if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: items}); err != nil {
				t.Fatal(err)
			}
		}
		return &countingStore{Store: st}
	}
	pub := func(st *countingStore) publish.Report {
		rep, err := publish.New(st, opts, nil).Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	st := open(item("a", "First story"))
	pub(st)
	st.reads.Store(0)
	if rep := pub(st); len(rep.Changed) != 0 || st.reads.Load() != 0 {
		t.Errorf("unchanged: Changed = %q, %d item reads; want nothing", rep.Changed, st.reads.Load())
	}
	if err := os.Remove(filepath.Join(out, "en", "atom.xml")); err != nil {
		t.Fatal(err)
	}
	if rep := pub(st); !slices.Equal(rep.Changed, []string{"en/atom.xml"}) {
		t.Errorf("after a deletion: Changed = %q, want en/atom.xml", rep.Changed)
	}

	// The store is made anew and reaches the same content version with
	// other items.
	st.Store.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	st = open(item("b", "Second story"))
	rep := pub(st)
	if !slices.Contains(rep.Changed, "en/atom.xml") || st.reads.Load() == 0 {
		t.Errorf("recreated store: Changed = %q, %d item reads; want the feeds rendered again", rep.Changed, st.reads.Load())
	}
	data, err := os.ReadFile(filepath.Join(out, "en", "atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("Second story")) || bytes.Contains(data, []byte("First story")) {
		t.Errorf("en/atom.xml after the store was recreated:\n%s", data)
	}
}
