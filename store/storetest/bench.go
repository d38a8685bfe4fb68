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
		if _, err := s.Upsert(ctx, "newsroom", items); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchItems measures reading one feed's worth (50) from a store of 100,000
// items: the merged feed ("merged") and one language ("zh-Hant"). s must be
// empty. loaded, when not nil, runs once the items are stored, before the
// timing starts.
func BenchItems(b *testing.B, s store.Store, loaded func(context.Context) error) {
	ctx := context.Background()
	for i := range 10 {
		if _, err := s.Upsert(ctx, "newsroom", benchItems(fmt.Sprint(i), 10_000)); err != nil {
			b.Fatal(err)
		}
	}
	if loaded != nil {
		if err := loaded(ctx); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []store.Query{
		{Limit: 50},
		{Language: "zh-Hant", Limit: 50},
	} {
		name := "merged"
		if q.Language != "" {
			name = q.Language
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				items, err := s.Items(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) != 50 {
					b.Fatalf("%d items, want 50", len(items))
				}
			}
		})
	}
}

// benchItems makes n released items of a listing, newest first, each with
// every field set and its own id, link and slug, half of them in English
// and half in Traditional Chinese.
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
		items[i] = it
	}
	return items
}
