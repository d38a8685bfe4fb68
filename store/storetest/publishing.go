package storetest

// What publishing reads: the unlinked items, the newest time and the
// content version.

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// testItemsUnlinked: Unlinked selects the items without a link of their
// own, with every other filter, in the usual order.
func testItemsUnlinked(t *testing.T, open Opener) {
	s := open(t)
	zh := func(it feeds.Item) feeds.Item {
		it.Language = "zh-Hant"
		return it
	}
	mustUpsert(t, s, "newsroom",
		item("urn:story-a", at(3, 0, 0)),
		withLink(item("urn:linked", at(4, 0, 0)), "https://www.example.edu/news/linked"),
		zh(item("urn:story-b", at(2, 0, 0))),
		held(item("urn:story-held", at(5, 0, 0))),
		item("urn:story-c", at(3, 0, 0)),
	)
	mustUpsert(t, s, "partner",
		withLink(item("urn:partner-linked", at(6, 0, 0)), "https://partner.example/news/1"),
		item("urn:partner-story", at(1, 0, 0)),
	)
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"released", store.Query{Unlinked: true}, []string{"urn:story-a", "urn:story-c", "urn:story-b", "urn:partner-story"}},
		{"held too", store.Query{Unlinked: true, IncludeHeld: true},
			[]string{"urn:story-held", "urn:story-a", "urn:story-c", "urn:story-b", "urn:partner-story"}},
		{"limit", store.Query{Unlinked: true, Limit: 2}, []string{"urn:story-a", "urn:story-c"}},
		{"language", store.Query{Unlinked: true, Language: "zh"}, []string{"urn:story-b"}},
		{"source", store.Query{Unlinked: true, Source: "partner"}, []string{"urn:partner-story"}},
		{"source with held", store.Query{Unlinked: true, Source: "newsroom", IncludeHeld: true},
			[]string{"urn:story-held", "urn:story-a", "urn:story-c", "urn:story-b"}},
		{"linked items only in the others", store.Query{Source: "partner"}, []string{"urn:partner-linked", "urn:partner-story"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustItems(t, s, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("%+v: %q, want %q", tt.q, got, tt.want)
			}
		})
	}

	// An item that gains a link leaves the selection; one that loses it
	// joins.
	mustUpsert(t, s, "newsroom",
		withLink(item("urn:story-a", at(3, 0, 0)), "https://www.example.edu/news/a"),
		item("urn:linked", at(4, 0, 0)),
	)
	want := []string{"urn:linked", "urn:story-c", "urn:story-b", "urn:partner-story"}
	if got := ids(mustItems(t, s, store.Query{Unlinked: true})); !slices.Equal(got, want) {
		t.Errorf("after the links changed: %q, want %q", got, want)
	}
}

// testNewest: the latest Published or Updated among released items, in
// UTC, whichever item holds it.
func testNewest(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	newest := func(name string, want time.Time) {
		t.Helper()
		got, err := s.Newest(ctx)
		if err != nil {
			t.Fatalf("%s: Newest: %v", name, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: Newest = %v, want %v in UTC", name, got, want)
		}
	}
	newest("empty store", time.Time{})

	hk := time.FixedZone("HKT", 8*3600)
	edited := item("urn:edited", at(1, 0, 0))
	edited.Updated = at(10, 30, 15).In(hk).Add(700 * time.Millisecond) // stored to the second
	mustUpsert(t, s, "newsroom",
		item("urn:latest-published", at(8, 0, 0)),
		edited,
		held(item("urn:held", at(11, 0, 0))),
	)
	newest("an old item updated last", at(10, 30, 15))

	mustUpsert(t, s, "partner", item("urn:partner", at(10, 45, 0)))
	newest("a later published item", at(10, 45, 0))

	if _, err := s.Release(ctx, at(11, 0, 0)); err != nil {
		t.Fatal(err)
	}
	newest("after release", at(11, 0, 0))

	if _, err := Remove(ctx, s, "newsroom", []string{"urn:held"}); err != nil {
		t.Fatal(err)
	}
	newest("after removal", at(10, 45, 0))
}

// testVersion: every committed write that changes items raises the content
// version by one; writes that change no item, and failed ones, leave it.
func testVersion(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	a := feeds.Item{ID: "urn:a", Title: "A", Published: day(1)}
	b := feeds.Item{ID: "urn:b", Title: "B", Published: day(2), Held: true}
	steps := []struct {
		name  string
		write func() error
		want  int64
	}{
		{"new items", func() error { _, err := Upsert(ctx, s, "n", []feeds.Item{a, b}); return err }, 1},
		{"the same items", func() error { _, err := Upsert(ctx, s, "n", []feeds.Item{a, b}); return err }, 1},
		{"an item of another source", func() error { _, err := Upsert(ctx, s, "p", []feeds.Item{a}); return err }, 1},
		{"a changed item", func() error {
			c := a
			c.Title = "A2"
			_, err := Upsert(ctx, s, "n", []feeds.Item{c})
			return err
		}, 2},
		{"state only", func() error { return SaveState(ctx, s, "n", sources.State{Failures: 1}) }, 2},
		{"apply of state only", func() error {
			_, err := s.Apply(ctx, "n", store.Batch{State: &sources.State{Failures: 2}})
			return err
		}, 2},
		{"first run", func() error { _, err := s.FirstRun(ctx, "2025-03-01"); return err }, 2},
		{"release of nothing", func() error { _, err := s.Release(ctx, day(1)); return err }, 2},
		{"release", func() error { _, err := s.Release(ctx, day(3)); return err }, 3},
		{"removal of nothing", func() error { _, err := Remove(ctx, s, "n", []string{"urn:x"}); return err }, 3},
		{"failed apply", func() error {
			_, err := s.Apply(ctx, "n", store.Batch{Remove: []string{"urn:a"}, Items: []feeds.Item{{}}})
			if err == nil {
				return errors.New("apply of an item with no id succeeded")
			}
			return nil
		}, 3},
		{"pruning of nothing", func() error {
			_, err := s.Apply(ctx, "n", store.Batch{Retain: &store.Retain{MaxItems: 2}})
			return err
		}, 3},
		{"pruning", func() error {
			_, err := s.Apply(ctx, "n", store.Batch{Retain: &store.Retain{MaxItems: 1}})
			return err
		}, 4},
		{"removal", func() error { _, err := Remove(ctx, s, "n", []string{"urn:b"}); return err }, 5},
		{"apply of several changes", func() error {
			_, err := s.Apply(ctx, "n", store.Batch{
				Remove: []string{"urn:a"},
				Items:  []feeds.Item{b, {ID: "urn:c", Title: "C", Published: day(3)}},
				State:  &sources.State{Failures: 3},
			})
			return err
		}, 6},
	}
	if v, err := s.Version(ctx); err != nil || v != 0 {
		t.Fatalf("new store: Version = %d, %v; want 0", v, err)
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if v, err := s.Version(ctx); err != nil || v != st.want {
			t.Errorf("after %s: Version = %d, %v; want %d", st.name, v, err, st.want)
		}
	}
}
