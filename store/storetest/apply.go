package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// testApplyOrder: removals come before the upserts, so a story whose id
// changed keeps its link and slug; the state is saved with the items.
func testApplyOrder(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const link = "https://www.example.edu/news/story"
	mustUpsert(t, s, "newsroom",
		withSlug(withLink(item("urn:old", at(1, 0, 0)), link), "story"),
		item("urn:other", at(2, 0, 0)))
	st := sources.State{URL: "https://www.example.edu/feed.xml", Failures: 1}
	done := mustApply(t, s, "newsroom", store.Batch{
		Remove: []string{"urn:old"},
		Items:  []feeds.Item{withSlug(withLink(item("urn:new", at(1, 0, 0)), link+"?utm_source=rss"), "story")},
		State:  &st,
	})
	if want := (store.Applied{Changed: 1, Removed: 1}); done != want {
		t.Errorf("applied %+v, want %+v", done, want)
	}
	got := map[string]string{}
	for _, it := range mustItems(t, s, store.Query{IncludeHeld: true}) {
		got[it.ID] = it.Link + " " + it.Slug
	}
	want := map[string]string{"urn:new": link + "?utm_source=rss story", "urn:other": " "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
	if saved, err := s.State(ctx, "newsroom"); err != nil || !reflect.DeepEqual(saved, st) {
		t.Errorf("state %#v, %v; want %#v", saved, err, st)
	}
	if done := mustApply(t, s, "newsroom", store.Batch{}); done != (store.Applied{}) {
		t.Errorf("empty batch applied %+v, want nothing", done)
	}
	if n := len(mustItems(t, s, store.Query{})); n != 2 {
		t.Errorf("after an empty batch: %d items, want 2", n)
	}
}

func testApplyRetain(t *testing.T, open Opener) {
	// newsroom: n1 (oldest) … n5, then n6 held; partner: p1, older than all.
	stored := func() ([]feeds.Item, []feeds.Item) {
		var news []feeds.Item
		for i, id := range []string{"n1", "n2", "n3", "n4", "n5"} {
			news = append(news, item(id, at(i+1, 0, 0)))
		}
		news = append(news, held(item("n6", at(6, 0, 0))))
		return news, []feeds.Item{item("p1", at(0, 30, 0))}
	}
	tests := []struct {
		name   string
		batch  store.Batch
		want   store.Applied
		remain []string // every item left, held ones included, newest first
	}{
		{
			name:   "no retention",
			batch:  store.Batch{},
			remain: []string{"n6", "n5", "n4", "n3", "n2", "n1", "p1"},
		},
		{
			name:   "zero retention prunes nothing",
			batch:  store.Batch{Retain: &store.Retain{}},
			remain: []string{"n6", "n5", "n4", "n3", "n2", "n1", "p1"},
		},
		{
			name:   "before: strictly older items go",
			batch:  store.Batch{Retain: &store.Retain{Before: at(3, 0, 0)}},
			want:   store.Applied{Pruned: 2},
			remain: []string{"n6", "n5", "n4", "n3", "p1"},
		},
		{
			name:   "before, within a second",
			batch:  store.Batch{Retain: &store.Retain{Before: at(3, 0, 0).Add(999_999_999)}},
			want:   store.Applied{Pruned: 2},
			remain: []string{"n6", "n5", "n4", "n3", "p1"},
		},
		{
			name:   "before keeps the window",
			batch:  store.Batch{Retain: &store.Retain{Before: at(3, 0, 0), Keep: []string{"n1", "p1", "unknown"}}},
			want:   store.Applied{Pruned: 1},
			remain: []string{"n6", "n5", "n4", "n3", "n1", "p1"},
		},
		{
			name:   "max items counts held items",
			batch:  store.Batch{Retain: &store.Retain{MaxItems: 3}},
			want:   store.Applied{Pruned: 3},
			remain: []string{"n6", "n5", "n4", "p1"},
		},
		{
			name:   "max items keeps the window",
			batch:  store.Batch{Retain: &store.Retain{MaxItems: 3, Keep: []string{"n1"}}},
			want:   store.Applied{Pruned: 2},
			remain: []string{"n6", "n5", "n4", "n1", "p1"},
		},
		{
			name:   "max items above the count",
			batch:  store.Batch{Retain: &store.Retain{MaxItems: 6}},
			remain: []string{"n6", "n5", "n4", "n3", "n2", "n1", "p1"},
		},
		{
			name:   "either limit prunes",
			batch:  store.Batch{Retain: &store.Retain{Before: at(1, 30, 0), MaxItems: 4}},
			want:   store.Applied{Pruned: 2},
			remain: []string{"n6", "n5", "n4", "n3", "p1"},
		},
		{
			name: "after the upserts of the batch",
			batch: store.Batch{Items: []feeds.Item{item("n7", at(7, 0, 0))}, Remove: []string{"n6"},
				Retain: &store.Retain{MaxItems: 3}},
			want:   store.Applied{Changed: 1, Removed: 1, Pruned: 3},
			remain: []string{"n7", "n5", "n4", "p1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			news, partner := stored()
			mustUpsert(t, s, "newsroom", news...)
			mustUpsert(t, s, "partner", partner...)
			if done := mustApply(t, s, "newsroom", tt.batch); done != tt.want {
				t.Errorf("applied %+v, want %+v", done, tt.want)
			}
			if got := ids(mustItems(t, s, store.Query{IncludeHeld: true})); !slices.Equal(got, tt.remain) {
				t.Errorf("items %q, want %q", got, tt.remain)
			}
		})
	}
}

// testFailedApplyWritesNothing: a batch that fails in its upserts leaves
// the removals, the retention and the state unwritten too.
func testFailedApplyWritesNothing(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	mustUpsert(t, s, "newsroom", item("urn:x", at(1, 0, 0)), item("urn:y", at(2, 0, 0)))
	before := sources.State{URL: "https://www.example.edu/feed.xml", ETag: `"1"`}
	if err := SaveState(ctx, s, "newsroom", before); err != nil {
		t.Fatal(err)
	}
	after := sources.State{URL: "https://www.example.edu/feed.xml", ETag: `"2"`}
	done, err := s.Apply(ctx, "newsroom", store.Batch{
		Remove: []string{"urn:x"},
		Items:  []feeds.Item{item("urn:z", at(3, 0, 0)), item("", at(4, 0, 0))},
		Retain: &store.Retain{MaxItems: 1},
		State:  &after,
	})
	if err == nil {
		t.Fatal("Apply with an item with no id succeeded")
	}
	if want := `: apply "newsroom": `; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want …%q…", err, want)
	}
	if done != (store.Applied{}) {
		t.Errorf("applied %+v on failure, want nothing", done)
	}
	if got, want := ids(mustItems(t, s, store.Query{IncludeHeld: true})), []string{"urn:y", "urn:x"}; !slices.Equal(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
	if got, err := s.State(ctx, "newsroom"); err != nil || !reflect.DeepEqual(got, before) {
		t.Errorf("state %#v, %v; want %#v", got, err, before)
	}
}
