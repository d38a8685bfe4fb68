package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// ReadOnly checks a backend's read-only opening against a store a writer
// filled: openRO opens the same database read-only. The reader sees the
// recorded first-run date and the items, records no date of its own, and
// every write fails, leaving the writer's content version where it was.
func ReadOnly(t *testing.T, w store.Store, openRO func() (store.Store, error)) {
	ctx := context.Background()
	at := time.Date(2025, 3, 13, 9, 0, 0, 0, time.UTC)
	item := feeds.Item{ID: "tag:feeds.example.edu,2025-03-01:wire/1", Source: "wire", Title: "One",
		Link: "https://wire.example/1", Language: "en", Published: at, Updated: at, FirstSeen: at}
	if _, err := w.FirstRun(ctx, "2025-03-01"); err != nil {
		t.Fatal(err)
	}
	if _, err := Upsert(ctx, w, "wire", []feeds.Item{item}); err != nil {
		t.Fatal(err)
	}
	before, err := w.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}

	r, err := openRO()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.FirstRun(ctx, "2026-12-05"); err != nil || got != "2025-03-01" {
		t.Errorf("read-only FirstRun = %q, %v; want the recorded 2025-03-01", got, err)
	}
	items, err := r.Items(ctx, store.Query{Source: "wire", IncludeHeld: true})
	if err != nil || len(items) != 1 || items[0].ID != item.ID {
		t.Errorf("read-only Items = %+v, %v; want the stored item", items, err)
	}
	if _, err := Upsert(ctx, r, "wire", []feeds.Item{{ID: "tag:feeds.example.edu,2025-03-01:wire/2", Source: "wire", Title: "Two",
		Language: "en", Published: at, Updated: at, FirstSeen: at}}); err == nil {
		t.Error("a write through the read-only store succeeded")
	}
	if _, err := r.Release(ctx, at); err == nil {
		t.Error("Release through the read-only store succeeded")
	}
	if after, err := w.Version(ctx); err != nil || after != before {
		t.Errorf("content version %d → %d (%v): the read-only store wrote", before, after, err)
	}
}
