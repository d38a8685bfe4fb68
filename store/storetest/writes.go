package storetest

import (
	"context"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// The shorthands below lay out a store for a test. Each is one Apply of a
// Batch that sets one field, so what they store is what a refresh would.

// Upsert stores items as source's and returns how many it inserted or
// changed.
func Upsert(ctx context.Context, s store.Store, source string, items []feeds.Item) (int, error) {
	done, err := s.Apply(ctx, source, store.Batch{Items: items})
	return done.Changed, err
}

// Remove deletes source's items with the given ids and returns how many it
// deleted; ids of other sources, and unknown ones, are ignored.
func Remove(ctx context.Context, s store.Store, source string, ids []string) (int, error) {
	done, err := s.Apply(ctx, source, store.Batch{Remove: ids})
	return done.Removed, err
}

// SaveState replaces source's fetch state with st.
func SaveState(ctx context.Context, s store.Store, source string, st sources.State) error {
	_, err := s.Apply(ctx, source, store.Batch{State: &st})
	return err
}

// StoredBySource is every item of s, held ones included, by source in
// store order, each as show makes it: what two stores, or one before and
// after a write, are compared by.
func StoredBySource(t testing.TB, s store.Store, show func(feeds.Item) string) map[string][]string {
	t.Helper()
	items, err := s.Items(context.Background(), store.Query{IncludeHeld: true, Stored: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range items {
		out[it.Source] = append(out[it.Source], show(it))
	}
	return out
}
