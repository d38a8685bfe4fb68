package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// statesDated asks StatesDated the ranges, each of its own source, and
// returns its answer.
func statesDated(t *testing.T, s *Store, ranges ...store.Dated) map[string]bool {
	t.Helper()
	names := make([]string, len(ranges))
	for i, r := range ranges {
		names[i] = r.Source
	}
	_, dated, err := s.StatesDated(context.Background(), names, func(i int, _ sources.State) (store.Dated, bool) {
		return ranges[i], true
	})
	if err != nil {
		t.Fatal(err)
	}
	return dated
}

// horizonOf is source's horizon row: "from..at", "from..none" (no item at
// or after from), or "unknown".
func horizonOf(t *testing.T, s *Store, source string) string {
	t.Helper()
	rows, err := s.states(context.Background(), []string{source})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := rows[source]
	switch {
	case !ok:
		t.Fatalf("no row for %s", source)
	case !r.horizonFrom.Valid:
		return "unknown"
	case !r.horizon.Valid:
		return fmt.Sprintf("%d..none", (r.horizonFrom.Int64-at(0, 0, 0).Unix())/3600)
	}
	return fmt.Sprintf("%d..%d", (r.horizonFrom.Int64-at(0, 0, 0).Unix())/3600, (r.horizon.Int64-at(0, 0, 0).Unix())/3600)
}

// TestHorizon: a write of a source's items under an age cutoff leaves the
// earliest item at or after the cutoff as its horizon, a write of its
// state alone keeps it, a write of items without a cutoff forgets it; and
// StatesDated answers every range as Dated does, from the horizon where it
// covers the range, without seeking an item.
func TestHorizon(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	state := &sources.State{ETag: `"w"`, LastSuccess: at(9, 0, 0)}
	apply := func(b store.Batch) {
		t.Helper()
		b.State = state
		if _, err := s.Apply(ctx, "w", b); err != nil {
			t.Fatal(err)
		}
	}
	hours := func(from, before int) store.Dated {
		return store.Dated{Source: "w", From: at(from, 0, 0), Before: at(before, 0, 0)}
	}
	check := func(step, horizon string, want map[store.Dated]bool) {
		t.Helper()
		if got := horizonOf(t, s, "w"); got != horizon {
			t.Errorf("%s: horizon %s, want %s", step, got, horizon)
		}
		for r, w := range want {
			if got := statesDated(t, s, r)["w"]; got != w {
				t.Errorf("%s: StatesDated [%d, %d) = %v, want %v", step, r.From.Hour(), r.Before.Hour(), got, w)
			}
			dated, err := s.Dated(ctx, []store.Dated{r})
			if err != nil {
				t.Fatal(err)
			}
			if dated["w"] != w {
				t.Errorf("%s: Dated [%d, %d) = %v, want %v", step, r.From.Hour(), r.Before.Hour(), dated["w"], w)
			}
		}
	}

	// A refresh keeps the old item at 2h, in the upstream's window, past
	// the cutoff at 5h: the horizon starts at the cutoff.
	apply(store.Batch{Items: []feeds.Item{groupItem("urn:w2", 2), groupItem("urn:w10", 10), groupItem("urn:w12", 12)},
		Retain: &store.Retain{Keep: []string{"urn:w2", "urn:w10", "urn:w12"}, Before: at(5, 0, 0)}})
	check("first refresh", "5..10", map[store.Dated]bool{
		hours(5, 10): false, hours(6, 9): false, // inside the horizon
		hours(6, 11): true,  // reaches urn:w10
		hours(1, 9):  true,  // starts before the horizon's cutoff: urn:w2
		hours(4, 9):  false, // the same, and nothing there
	})

	// A 304, a failure: the state alone.
	state = &sources.State{ETag: `"w"`, LastSuccess: at(10, 0, 0), LastError: "x"}
	apply(store.Batch{})
	check("state alone", "5..10", nil)

	// A refresh brings an earlier item and prunes urn:w2, out of the window.
	apply(store.Batch{Items: []feeds.Item{groupItem("urn:w7", 7), groupItem("urn:w10", 10)},
		Retain: &store.Retain{Keep: []string{"urn:w7", "urn:w10"}, Before: at(6, 0, 0)}})
	check("earlier item", "6..7", map[store.Dated]bool{hours(6, 7): false, hours(6, 8): true, hours(1, 7): false})

	// Every item pruned.
	apply(store.Batch{Retain: &store.Retain{Before: at(20, 0, 0)}})
	check("all pruned", "20..none", map[store.Dated]bool{hours(20, 23): false, hours(0, 23): false})

	// Items without a cutoff (no retention.max_age): nothing is known.
	apply(store.Batch{Items: []feeds.Item{groupItem("urn:w8", 8)}, Retain: &store.Retain{Keep: []string{"urn:w8"}}})
	check("no cutoff", "unknown", map[store.Dated]bool{hours(6, 9): true, hours(9, 10): false})

	// Answered from the horizon, not the items: an item stored behind the
	// store's back, inside a known horizon, is not seen by StatesDated,
	// which shows that it sought no item; Dated sees it.
	apply(store.Batch{Items: []feeds.Item{groupItem("urn:w8", 8)}, Retain: &store.Retain{Keep: []string{"urn:w8"}, Before: at(1, 0, 0)}})
	if _, err := s.db.ExecContext(ctx, `UPDATE items SET published = ? WHERE id = 'urn:w8'`, at(3, 0, 0).Unix()); err != nil {
		t.Fatal(err)
	}
	if got := statesDated(t, s, hours(2, 5))["w"]; got {
		t.Error("StatesDated sought the items of a range its horizon covers")
	}
	if dated, err := s.Dated(ctx, []store.Dated{hours(2, 5)}); err != nil || !dated["w"] {
		t.Errorf("Dated [2, 5) = %v, %v; want the item moved there", dated, err)
	}
}

// TestHorizonUnknownSources: a source never saved, and one whose state was
// saved without items, are asked of their items.
func TestHorizonUnknownSources(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.Apply(ctx, "bare", store.Batch{State: &sources.State{ETag: "b"}}); err != nil {
		t.Fatal(err)
	}
	if got := horizonOf(t, s, "bare"); got != "unknown" {
		t.Errorf("a state alone: horizon %s, want unknown", got)
	}
	r := store.Dated{Source: "bare", Before: at(9, 0, 0)}
	if got := statesDated(t, s, r, store.Dated{Source: "never", Before: at(9, 0, 0)}); len(got) != 0 {
		t.Errorf("StatesDated = %v, want none", got)
	}
}

// TestHorizonAgreesWithDated writes random refreshes of a few sources (new
// items, items moved in time, prunes by age and count, removals, states
// alone, writes without a cutoff, in groups) and, after each, asks every
// range of a grid: StatesDated must answer as Dated, which seeks the
// items, does.
func TestHorizonAgreesWithDated(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	rng := rand.New(rand.NewPCG(12, 2026))
	names := []string{"a", "b", "c"}
	stored := map[string][]string{} // ids a source has written, some since pruned
	var grid []store.Dated
	covered := 0 // questions a horizon answered
	for _, name := range names {
		for from := -1; from < 24; from += 2 {
			for before := from + 1; before <= 24; before += 3 {
				r := store.Dated{Source: name, From: at(max(from, 0), 0, 0), Before: at(before%24, 0, 0)}
				if from < 0 {
					r.From = time.Time{}
				}
				if before == 24 {
					r.Before = at(23, 59, 59).Add(time.Second)
				}
				grid = append(grid, r)
			}
		}
	}
	for step := range 200 {
		var group []store.SourceBatch
		for range 1 + rng.IntN(3) {
			name := names[rng.IntN(len(names))]
			b := store.Batch{State: &sources.State{ETag: fmt.Sprint(step)}}
			switch rng.IntN(5) {
			case 0: // a 304
			case 1: // items without a cutoff
				b.Items = []feeds.Item{groupItem(fmt.Sprintf("urn:%s-%d", name, rng.IntN(12)), rng.IntN(24))}
			case 2: // a removal
				if ids := stored[name]; len(ids) > 0 {
					b.Remove = []string{ids[rng.IntN(len(ids))]}
				}
			default: // a refresh under retention: some items new or moved, a window, a cutoff
				var keep []string
				for range rng.IntN(4) {
					it := groupItem(fmt.Sprintf("urn:%s-%d", name, rng.IntN(12)), rng.IntN(24))
					b.Items = append(b.Items, it)
					stored[name] = append(stored[name], it.ID)
				}
				for _, it := range b.Items {
					if rng.IntN(2) == 0 {
						keep = append(keep, it.ID)
					}
				}
				b.Retain = &store.Retain{Keep: keep, Before: at(rng.IntN(24), 0, 0), MaxItems: rng.IntN(4)}
			}
			group = append(group, store.SourceBatch{Source: name, Batch: b})
		}
		if _, err := s.ApplyGroup(ctx, group); err != nil {
			t.Fatal(err)
		}
		rows, err := s.states(ctx, names)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range grid {
			want, err := s.Dated(ctx, []store.Dated{r})
			if err != nil {
				t.Fatal(err)
			}
			if got := statesDated(t, s, r)[r.Source]; got != want[r.Source] {
				t.Fatalf("step %d: %s [%v, %v) with horizon %s: StatesDated %v, Dated %v",
					step, r.Source, r.From, r.Before, horizonOf(t, s, r.Source), got, want[r.Source])
			}
			if from, before := datedBounds(r); rows[r.Source].holdsNone(from, before) {
				covered++
			}
		}
	}
	// Else the walk never reached the horizon's answers.
	if covered < 1000 {
		t.Errorf("%d questions answered from a horizon, want many", covered)
	}
}
