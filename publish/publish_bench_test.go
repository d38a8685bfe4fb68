package publish

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// benchStore holds n items over three languages, one a minute, every other
// one without a link of its own (so n/2 story pages).
func benchStore(n int) *fakeStore {
	langs := []string{"en", "zh-Hant", "zh-Hans"}
	start := time.Date(2025, 3, 13, 12, 0, 0, 0, hkt)
	items := make([]feeds.Item, n)
	for i := range items {
		it := feeds.Item{
			ID:         fmt.Sprintf("tag:feeds.example.edu,2025-03-13:newsroom/%05d", i),
			Source:     "newsroom",
			Title:      fmt.Sprintf("Story number %d about the campus", i),
			Slug:       fmt.Sprintf("story-number-%d-about-the-campus", i),
			Summary:    "A short summary of the story, as partner sites embed it.",
			Content:    "<p>A paragraph of the story.</p><p>Another paragraph, with <a href=\"https://www.example.edu/\">a link</a>.</p>",
			Authors:    []feeds.Person{{Name: "Newsroom"}},
			Categories: []string{"News"},
			Language:   langs[i%len(langs)],
			Published:  start.Add(-time.Duration(i) * time.Minute),
		}
		it.Updated = it.Published
		if i%2 == 1 {
			it.Link = fmt.Sprintf("https://www.example.edu/news/%d", i)
		}
		items[i] = it
	}
	return &fakeStore{items: items}
}

// benchOptions write no archives and no numbered pages, as before they
// existed, so that the numbers compare with earlier ones; "archives" adds
// them.
func benchOptions(dir string) Options {
	opts := testOptions(dir)
	opts.Languages = append(opts.Languages, Language{Tag: "zh-Hans", Title: "香港科技大学新闻"})
	opts.ArchiveSize, opts.PageSize = -1, -1
	return opts
}

// BenchmarkPublish publishes 10,000 items over three languages with feeds
// of 50 items: 12 feed files, 5,000 story pages, the index, OPML and XSL.
// unchanged renders every file and compares it (a store without
// manifests); manifest checks the folder against the manifest instead.
func BenchmarkPublish(b *testing.B) {
	st := benchStore(10_000)
	b.Run("cold", func(b *testing.B) {
		root := b.TempDir()
		n := 0
		for b.Loop() {
			n++
			p := New(st, benchOptions(fmt.Sprintf("%s/%d", root, n)), nil)
			if _, err := p.Publish(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		p := New(st, benchOptions(b.TempDir()), nil)
		if _, err := p.Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			rep, err := p.Publish(context.Background())
			if err != nil || len(rep.Changed) != 0 {
				b.Fatalf("Publish = %v changed, %v", rep.Changed, err)
			}
		}
	})
	b.Run("manifest", func(b *testing.B) {
		st := newManifestStore(benchStore(10_000).items)
		p := New(st, benchOptions(b.TempDir()), nil)
		if _, err := p.Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			rep, err := p.Publish(context.Background())
			if err != nil || len(rep.Changed) != 0 {
				b.Fatalf("Publish = %v changed, %v", rep.Changed, err)
			}
		}
	}) // archives: with archives and numbered pages (10,000 items: 1,200
	// documents), one item's title changes before each publish, which
	// then renders the current documents and the archive documents and
	// pages that hold it, not the others.
	b.Run("archives", func(b *testing.B) {
		items := benchStore(10_000).items
		st := newManifestStore(items)
		opts := benchOptions(b.TempDir())
		opts.ArchiveSize, opts.PageSize = 0, 0
		if _, err := New(st, opts, nil).Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
		n := 0
		for b.Loop() {
			n++
			changed := slices.Clone(items)
			changed[5000].Title = fmt.Sprintf("Story number 5000, corrected %d times", n)
			st.change(changed)
			rep, err := New(st, opts, nil).Publish(context.Background())
			if err != nil || len(rep.Changed) == 0 {
				b.Fatalf("Publish = %v changed, %v", rep.Changed, err)
			}
		}
	})
}
