package publish_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
)

// TestFirstFetchNumberedOldestFirst: one write of a feed's items, newest
// first as feeds list them, is numbered oldest first, so archive 1 holds
// the oldest stories.
func TestFirstFetchNumberedOldestFirst(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := openSQLite(t, root)
	var batch []feeds.Item
	for n := 7; n >= 1; n-- { // newest first, as every feed lists them
		batch = append(batch, hourItem(n, "en"))
	}
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: batch}); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.New(st, smallArchiveOptions(out), nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	one := readDoc(t, out, "en/archive/rss/1.xml").ids
	want := ids(3, 2, 1)
	if len(one) != 3 || one[0] != want[0] || one[2] != want[2] {
		t.Errorf("archive 1 (the oldest) holds %q, want the oldest stories %q", one, want)
	}
}
