package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// BenchmarkUpsert stores a batch of 10,000 new items in one transaction.
func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, openTemp(b)) }

// BenchmarkItems reads one feed's worth (50) from a store of 100,000 items.
func BenchmarkItems(b *testing.B) { storetest.BenchItems(b, openTemp(b), nil) }

// BenchmarkApplyGroupCold writes what a cold pass writes: groups of 32
// sources never seen, each with 20 new items of ~4.5 KB of content, into a
// store that grows with every group.
func BenchmarkApplyGroupCold(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	content := strings.Repeat("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. </p>", 70)
	base := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC)
	const nSources, nItems = 32, 20
	next := 0
	for b.Loop() {
		b.StopTimer()
		group := make([]store.SourceBatch, nSources)
		for g := range group {
			src := fmt.Sprintf("feed-%06d", next)
			next++
			batch := store.Batch{Items: make([]feeds.Item, nItems), State: &sources.State{URL: "https://up.example.org/" + src}}
			for i := range batch.Items {
				published := base.Add(-time.Duration(i) * time.Hour)
				batch.Items[i] = feeds.Item{ID: fmt.Sprintf("urn:%s:%d", src, i), Title: "A title for " + src,
					Link: fmt.Sprintf("https://up.example.org/%s/%d", src, i), Summary: "A summary of the story.",
					Content: content + src, Published: published, Updated: published, Language: "en"}
			}
			group[g] = store.SourceBatch{Source: src, Batch: batch}
		}
		b.StartTimer()
		if _, err := s.ApplyGroup(ctx, group); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nSources*nItems)/1e3, "µs/item")
}
