package publish_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

type listStore struct {
	*sqlite.Store
	subs []sources.Subscription
}

func (l *listStore) Subscriptions(context.Context) ([]sources.Subscription, error) {
	return l.subs, nil
}

// TestListGrowthKeepsChannelCuts: a channel that names a list source is
// cut by the list's name, not by the feeds it holds now, so a feed
// joining the list keeps the channel's documents as they were.
func TestListGrowthKeepsChannelCuts(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "public")
	st := &listStore{Store: openSQLite(t, root), subs: []sources.Subscription{{List: "planet", Name: "feed-a"}}}
	for n := 1; n <= 7; n++ {
		it := hourItem(n, "en")
		it.Source = "feed-a"
		if _, err := st.Apply(ctx, "feed-a", store.Batch{Items: []feeds.Item{it}}); err != nil {
			t.Fatal(err)
		}
	}
	o := smallArchiveOptions(out)
	o.Channels = []publish.Channel{{Name: "planet", Title: "Planet", Sources: []string{"planet"}}}
	pub := func() []string {
		rep, err := publish.New(st, o, nil).Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Changed
	}
	pub()
	// Retention takes item 1: doc 1 keeps its number, holds 2 and 3.
	if _, err := st.Apply(ctx, "feed-a", store.Batch{Remove: ids(1)}); err != nil {
		t.Fatal(err)
	}
	pub()
	before := readDoc(t, out, "channels/planet/archive/rss/1.xml").ids
	slices.Sort(before)
	// The list gains feed-b (no item yet); some other item arrives.
	st.subs = append(st.subs, sources.Subscription{List: "planet", Name: "feed-b"})
	other := hourItem(20, "en")
	other.Source = "newsroom"
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{other}}); err != nil {
		t.Fatal(err)
	}
	pub()
	after := readDoc(t, out, "channels/planet/archive/rss/1.xml").ids
	slices.Sort(after)
	if !slices.Equal(before, after) {
		t.Errorf("channels/planet/archive/rss/1.xml changed membership %q -> %q when the list gained a feed", before, after)
	}
}
