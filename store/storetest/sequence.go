package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// testSequence: Seq numbers items in the order they were first stored,
// oldest first within one write, and never twice, not even after the
// newest is removed; a released item takes a new one; Rev moves on a
// change of what an item shows (and on release), not on a write that
// changes nothing or only the story hash; Stored orders by Seq;
// NoContent and Sparse leave fields out.
func testSequence(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	a, b, c := item("urn:a", day(5)), item("urn:b", day(1)), item("urn:c", day(9))
	a.Content = "<p>A</p>"
	c.Held = true
	mustUpsert(t, s, "newsroom", a, b)
	mustUpsert(t, s, "newsroom", c)

	type num struct {
		ID       string
		Seq, Rev int64
	}
	read := func(q store.Query) []num {
		t.Helper()
		items, err := s.Items(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []num
		for _, it := range items {
			out = append(out, num{it.ID, it.Seq, it.Rev})
		}
		return out
	}
	stored := store.Query{Stored: true, IncludeHeld: true}
	first := read(stored)
	// urn:a and urn:b came in one write, the newer first, as feeds list
	// them: the older takes the lower number.
	if len(first) != 3 || first[0].ID != "urn:b" || first[1].ID != "urn:a" || first[2].ID != "urn:c" {
		t.Fatalf("stored order %v, want urn:b, urn:a, urn:c", first)
	}
	if !(first[0].Seq < first[1].Seq && first[1].Seq < first[2].Seq) {
		t.Errorf("seq not rising in the order stored: %v", first)
	}
	for _, n := range first {
		if n.Seq <= 0 || n.Rev < n.Seq {
			t.Errorf("%s: seq %d rev %d, want seq > 0 and rev >= seq", n.ID, n.Seq, n.Rev)
		}
	}
	if got := read(store.Query{}); len(got) != 2 || got[0].ID != "urn:a" {
		t.Errorf("date order %v, want urn:a then urn:b (urn:c held)", got)
	}

	// The same items again, and only a new story hash: nothing moves.
	mustUpsert(t, s, "newsroom", a, b)
	if _, err := s.Apply(ctx, "newsroom", store.Batch{Items: []feeds.Item{b}, Hashes: map[string]string{"urn:b": "h"}}); err != nil {
		t.Fatal(err)
	}
	if got := read(stored); !reflect.DeepEqual(got, first) {
		t.Errorf("after writes that change nothing shown: %v, want %v", got, first)
	}

	// A change moves Rev past every number given so far, Seq stays.
	b2 := b
	b2.Title = "B2"
	mustUpsert(t, s, "newsroom", b2)
	got := read(stored)
	if got[0].Seq != first[0].Seq || got[0].Rev <= first[2].Rev {
		t.Errorf("changed urn:b: %v, want seq %d and rev above %d", got[0], first[0].Seq, first[2].Rev)
	}
	if got[1] != first[1] || got[2] != first[2] {
		t.Errorf("unchanged items moved: %v, want %v and %v", got, first[1], first[2])
	}
	changed := got[0].Rev

	// A released item reaches the feeds only now: it takes a new seq, above
	// every number given so far, and a new rev.
	if _, err := s.Release(ctx, day(10)); err != nil {
		t.Fatal(err)
	}
	got = read(stored)
	if got[2].ID != "urn:c" || got[2].Seq <= changed || got[2].Rev < got[2].Seq {
		t.Errorf("released urn:c: %v, want seq above %d", got[2], changed)
	}
	released := got[2].Seq

	// The newest removed, a new item still gets a number never given.
	if _, err := Remove(ctx, s, "newsroom", []string{"urn:c"}); err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, s, "newsroom", item("urn:d", day(2)))
	got = read(stored)
	if len(got) != 3 || got[2].ID != "urn:d" || got[2].Seq <= released {
		t.Errorf("after removing urn:c and adding urn:d: %v, want urn:d last with seq above %d", got, released)
	}

	rich := fullItem()
	mustUpsert(t, s, "newsroom", rich)
	sparse, err := s.Items(ctx, store.Query{IDs: []string{rich.ID}, Sparse: true, IncludeHeld: true})
	if err != nil || len(sparse) != 1 {
		t.Fatalf("Sparse read: %+v, %v", sparse, err)
	}
	want := feeds.Item{ID: rich.ID, Source: "newsroom", Language: rich.Language, Categories: rich.Categories,
		Published: rich.Published.UTC(), Updated: rich.Updated.UTC(), FirstSeen: rich.FirstSeen.UTC(), Held: rich.Held,
		Seq: sparse[0].Seq, Rev: sparse[0].Rev}
	if !reflect.DeepEqual(sparse[0], want) || sparse[0].Seq == 0 {
		t.Errorf("Sparse read\n got %#v\nwant %#v", sparse[0], want)
	}

	light, err := s.Items(ctx, store.Query{IDs: []string{"urn:a"}, NoContent: true})
	if err != nil || len(light) != 1 || light[0].Content != "" || light[0].Title != a.Title {
		t.Errorf("NoContent read: %+v, %v; want urn:a with its title and no content", light, err)
	}
	full := mustItems(t, s, store.Query{IDs: []string{"urn:a"}})
	if len(full) != 1 || full[0].Content != a.Content {
		t.Errorf("full read: %+v, want content %q", full, a.Content)
	}
}

// testValues: a value is stored once from absent, swapped only from the
// value it holds, and read back; keys are apart.
func testValues(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if v, ok, err := s.Value(ctx, "cuts"); err != nil || ok || v != "" {
		t.Fatalf("Value of a new store: %q, %v, %v; want none", v, ok, err)
	}
	steps := []struct {
		old, value string
		want       bool
		holds      string
	}{
		{"", "1", true, "1"},
		{"", "2", false, "1"},     // present: an insert does not replace it
		{"0", "2", false, "1"},    // another node moved it first
		{"1", "1,2", true, "1,2"}, // from what it holds
		{"1,2", "", true, ""},     // to empty
		{"", "3", false, ""},      // empty is present, not absent
		{"", "", false, ""},
	}
	for i, st := range steps {
		ok, err := s.SwapValue(ctx, "cuts", st.old, st.value)
		if err != nil || ok != st.want {
			t.Fatalf("step %d: SwapValue(%q → %q) = %v, %v; want %v", i, st.old, st.value, ok, err, st.want)
		}
		if v, found, err := s.Value(ctx, "cuts"); err != nil || !found || v != st.holds {
			t.Fatalf("step %d: Value = %q, %v, %v; want %q", i, v, found, err, st.holds)
		}
	}
	if _, ok, err := s.Value(ctx, "other"); err != nil || ok {
		t.Errorf("another key: found %v, %v", ok, err)
	}
	if _, ok, err := s.Value(ctx, "first_run"); err != nil || ok {
		t.Errorf("the store's own first_run key reached: %v, %v", ok, err)
	}
}

// CheckMigratedSequence checks a store migrated from before Seq with two
// items, urn:a first seen on 12 March 2025 and urn:b, stored after it, on
// 11 March: they are numbered by when they were first seen, and an item
// stored after the migration gets a number above both.
func CheckMigratedSequence(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := Upsert(ctx, s, "newsroom", []feeds.Item{item("urn:c", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))}); err != nil {
		t.Fatal(err)
	}
	items, err := s.Items(ctx, store.Query{Stored: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%s %d", it.ID, it.Seq))
	}
	if want := []string{"urn:b 1", "urn:a 2", "urn:c 3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("migrated sequence %q, want %q", got, want)
	}
}
