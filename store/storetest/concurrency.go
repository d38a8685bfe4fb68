package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// testConcurrentWriters has several goroutines write to one store at once:
// every write must wait for the others instead of failing.
func testConcurrentWriters(t *testing.T, open Opener) {
	s := open(t)
	const writers, batches = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches*3)
	for w := range writers {
		wg.Go(func() {
			ctx := context.Background()
			source := fmt.Sprintf("source-%d", w)
			for b := range batches {
				id := fmt.Sprintf("tag:example.edu,2025-03-12:%s/%d", source, b)
				it := held(item(id, at(1, 0, b)))
				if _, err := Upsert(ctx, s, source, []feeds.Item{it}); err != nil {
					errs <- err
				}
				if err := SaveState(ctx, s, source, sources.State{Failures: b}); err != nil {
					errs <- err
				}
				if _, err := s.Release(ctx, at(1, 0, b)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(mustItems(t, s, store.Query{})); got != writers*batches {
		t.Errorf("%d released items, want %d", got, writers*batches)
	}
	st, err := s.State(context.Background(), "source-3")
	if err != nil {
		t.Fatal(err)
	}
	if st.Failures != batches-1 {
		t.Errorf("source-3 failures %d, want %d", st.Failures, batches-1)
	}
}

// testConcurrentSlugs has several sources store items with one slug at
// once: each gets its own number, none fails on the uniqueness of slugs.
func testConcurrentSlugs(t *testing.T, open Opener) {
	s := open(t)
	const writers, perBatch = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			var items []feeds.Item
			for i := range perBatch {
				id := fmt.Sprintf("urn:%d-%d", w, i)
				items = append(items, withSlug(item(id, at(1, 0, i)), "same"))
			}
			if _, err := Upsert(context.Background(), s, fmt.Sprintf("source-%d", w), items); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got []string
	for _, slug := range slugs(t, s) {
		got = append(got, slug)
	}
	slices.Sort(got)
	want := []string{"same"}
	for n := 2; n <= writers*perBatch; n++ {
		want = append(want, fmt.Sprintf("same-%d", n))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("slugs %q, want %q", got, want)
	}
}
