package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// benchItems makes n items of a listing, newest first, each with its own
// link and slug, half of them in English and half in Traditional Chinese:
// the SQLite store's benchmark data.
func benchItems(prefix string, n int) []feeds.Item {
	base := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC)
	items := make([]feeds.Item, n)
	for i := range items {
		items[i] = feeds.Item{
			ID:      fmt.Sprintf("tag:example.edu,2025-03-12:newsroom/%s-%d", prefix, i),
			Title:   "Minister of Education Meets HKUST Delegation",
			Link:    fmt.Sprintf("https://www.example.edu/news/%s-%d", prefix, i),
			Summary: "教育部長 met the delegation.",
			Content: "<p>教育部長 met the <b>delegation</b>.</p>",
			Authors: []feeds.Person{
				{Name: "Newsroom", Email: "news@example.edu", URL: "https://www.example.edu/"},
				{Name: "陳大文"},
			},
			Categories: []string{"News", "Press Release"},
			Language:   "zh-Hant",
			Image:      "https://www.example.edu/img/minister.jpg",
			Enclosures: []feeds.Enclosure{
				{URL: "https://www.example.edu/a.mp3", Type: "audio/mpeg", Length: 1234567},
			},
			Published: base.Add(-time.Duration(i) * time.Minute),
			File:      "listings/2025-03.txt",
			Position:  i,
			FirstSeen: time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC),
			Slug:      fmt.Sprintf("story-%s-%d", prefix, i),
		}
		items[i].Updated = items[i].Published
		if i%2 == 0 {
			items[i].Language = "en"
		}
	}
	return items
}

// BenchmarkUpsert stores a batch of 10,000 new items in one transaction.
func BenchmarkUpsert(b *testing.B) {
	s := openTemp(b)
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

// BenchmarkItems reads one feed's worth (50) from a store of 100,000 items.
func BenchmarkItems(b *testing.B) {
	s := openTemp(b)
	ctx := context.Background()
	for i := range 10 {
		if _, err := s.Upsert(ctx, "newsroom", benchItems(fmt.Sprint(i), 10_000)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE items`); err != nil {
		b.Fatal(err)
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
