package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// BenchUpsert measures storing a batch of 10,000 new items, every field
// set, in one transaction. s must be empty.
func BenchUpsert(b *testing.B, s store.Store) {
	ctx := context.Background()
	round := 0
	for b.Loop() {
		b.StopTimer()
		items := benchItems(fmt.Sprint(round), 10_000)
		round++
		b.StartTimer()
		if _, err := Upsert(ctx, s, "newsroom", items); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchItems measures reading one feed's worth (50) from a store of 100,000
// items: the merged feed ("merged") and one language ("zh-Hant"); then
// what a publish reads beside the feeds: the 2,000 items without a link
// ("unlinked") and the newest time ("newest"). s must be empty. loaded,
// when not nil, runs once the items are stored, before the timing starts.
func BenchItems(b *testing.B, s store.Store, loaded func(context.Context) error) {
	ctx := context.Background()
	for i := range 10 {
		if _, err := Upsert(ctx, s, "newsroom", benchItems(fmt.Sprint(i), 10_000)); err != nil {
			b.Fatal(err)
		}
	}
	if loaded != nil {
		if err := loaded(ctx); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []struct {
		name string
		q    store.Query
		want int
	}{
		{"merged", store.Query{Limit: 50}, 50},
		{"zh-Hant", store.Query{Language: "zh-Hant", Limit: 50}, 50},
		{"unlinked", store.Query{Unlinked: true}, 2_000},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				items, err := s.Items(ctx, q.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) != q.want {
					b.Fatalf("%d items, want %d", len(items), q.want)
				}
			}
		})
	}
	want := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC) // the first item of every batch
	b.Run("newest", func(b *testing.B) {
		for b.Loop() {
			if t, err := s.Newest(ctx); err != nil || !t.Equal(want) {
				b.Fatalf("Newest = %v, %v; want %v", t, err, want)
			}
		}
	})
}

// benchItems makes n released items of a listing, newest first, each with
// every field set and its own id, link and slug, half of them in English
// and half in Traditional Chinese; one in 50 has no link, as a story file's
// item.
func benchItems(prefix string, n int) []feeds.Item {
	base := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC)
	items := make([]feeds.Item, n)
	for i := range items {
		it := fullItem()
		it.ID = fmt.Sprintf("tag:example.edu,2025-03-12:newsroom/%s-%d", prefix, i)
		it.Link = fmt.Sprintf("https://www.example.edu/news/%s-%d", prefix, i)
		it.Slug = fmt.Sprintf("story-%s-%d", prefix, i)
		it.Position = i
		it.Published = base.Add(-time.Duration(i) * time.Minute)
		it.Updated = it.Published
		it.Held = false
		if i%2 == 0 {
			it.Language = "en"
		}
		if i%50 == 0 {
			it.Link = ""
		}
		items[i] = it
	}
	return items
}
