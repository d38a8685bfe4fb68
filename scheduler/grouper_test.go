package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// heldStore is a groupApplier that records what it was asked to write
// and can hold a lone Apply until let go, so that batches queue meanwhile.
type heldStore struct {
	store.Store
	mu     sync.Mutex
	groups [][]string
	alone  []string
	hold   chan struct{} // closed to let the held Apply go
	held   string
	fail   string
}

func (h *heldStore) ApplyGroup(_ context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	var names []string
	for _, b := range group {
		names = append(names, b.Source)
	}
	h.mu.Lock()
	h.groups = append(h.groups, names)
	h.mu.Unlock()
	if slices.Contains(names, h.fail) {
		return nil, errors.New("disk full")
	}
	done := make([]store.Applied, len(group))
	for i := range group {
		done[i].Changed = i + 1
	}
	return done, nil
}

func (h *heldStore) Apply(_ context.Context, source string, _ store.Batch) (store.Applied, error) {
	h.mu.Lock()
	h.alone = append(h.alone, source)
	h.mu.Unlock()
	if source == h.held {
		<-h.hold
	}
	if source == h.fail {
		return store.Applied{}, errors.New("disk full")
	}
	return store.Applied{Changed: 100}, nil
}

// TestGrouper: the batches that come while one is written are written
// together next, each getting its own result; a list is written alone;
// a group the store refuses is written batch by batch, and only the
// failing batch fails.
func TestGrouper(t *testing.T) {
	ctx := context.Background()
	h := &heldStore{hold: make(chan struct{}), held: "first", fail: "bad"}
	g := newGrouper(h, h)
	type result struct {
		done store.Applied
		err  error
	}
	results := map[string]result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	submit := func(source string, b store.Batch) {
		wg.Go(func() {
			done, err := g.apply(ctx, source, b)
			mu.Lock()
			results[source] = result{done, err}
			mu.Unlock()
		})
	}
	st := store.Batch{State: &sources.State{ETag: `"x"`}}
	submit("first", st)
	eventually(t, "the first batch held", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.alone) == 1
	})
	for i := range 5 {
		submit(fmt.Sprintf("s%d", i), st)
	}
	submit("list", store.Batch{List: &store.List{}})
	eventually(t, "six batches queued", func() bool { return len(g.in) == 6 })
	close(h.hold)
	wg.Wait()
	if len(h.groups) != 1 || len(h.groups[0]) != 5 {
		t.Fatalf("groups %q, want the five batches queued meanwhile as one", h.groups)
	}
	for i, name := range h.groups[0] {
		if r := results[name]; r.err != nil || r.done.Changed != i+1 {
			t.Errorf("%s: %+v, want its own result from the group (Changed %d)", name, r, i+1)
		}
	}
	if !slices.Equal(h.alone, []string{"first", "list"}) {
		t.Errorf("written alone: %q, want first and list", h.alone)
	}

	// A refused group is written batch by batch.
	h.mu.Lock()
	h.groups, h.alone, h.held = nil, nil, "hold-again"
	h.hold = make(chan struct{})
	h.mu.Unlock()
	submit("hold-again", st)
	eventually(t, "a batch held", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.alone) == 1
	})
	for _, name := range []string{"ok1", "bad", "ok2"} {
		submit(name, st)
	}
	eventually(t, "three batches queued", func() bool { return len(g.in) == 3 })
	close(h.hold)
	wg.Wait()
	g.close()
	alone := slices.Clone(h.alone[1:])
	slices.Sort(alone)
	if len(h.groups) != 1 || len(h.groups[0]) != 3 || h.alone[0] != "hold-again" || !slices.Equal(alone, []string{"bad", "ok1", "ok2"}) {
		t.Errorf("groups %q, alone %q; want one refused group, then each alone", h.groups, h.alone)
	}
	if results["bad"].err == nil || results["ok1"].err != nil || results["ok2"].err != nil {
		t.Errorf("results %+v: want only bad to fail", results)
	}
}

// TestStoredItemsDated: what a claim read answers expiring's question as
// the store would: From included, Before not, a zero From unbounded.
func TestStoredItemsDated(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	si := &storedItems{published: []time.Time{day(3), day(10)}}
	for _, tt := range []struct {
		r    store.Dated
		want bool
	}{
		{store.Dated{From: day(1), Before: day(3)}, false},
		{store.Dated{From: day(1), Before: day(3).Add(time.Second)}, true},
		{store.Dated{From: day(3), Before: day(4)}, true},
		{store.Dated{From: day(3).Add(time.Second), Before: day(10)}, false},
		{store.Dated{Before: day(3).Add(time.Nanosecond)}, true},
		{store.Dated{Before: day(2)}, false},
	} {
		if got := si.dated(tt.r); got != tt.want {
			t.Errorf("dated [%s, %s) = %v, want %v", tt.r.From, tt.r.Before, got, tt.want)
		}
	}
}
