package publish_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// Example publishes a SQLite store of two items, one in English with a page of its
// own and one in Traditional Chinese without, for two languages. The first
// Publish writes the merged feed and each language's feeds (in a folder
// named by the tag in lower case) in three formats, the index, the OPML
// list, the stylesheet and a permalink page for the item without a link;
// the second finds every file's bytes unchanged and writes nothing.
func Example() {
	dir, err := os.MkdirTemp("", "feedloom-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "data", "feedloom.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	published := time.Date(2025, 3, 13, 9, 30, 0, 0, time.UTC)
	items := []feeds.Item{
		{
			ID: "https://news.example.edu/2025/net-zero", Source: "newsroom",
			Title: "Net-zero plan unveiled", Link: "https://news.example.edu/2025/net-zero",
			Summary: "The university sets out how it will reach net zero.", Language: "en",
			Published: published, Updated: published,
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/open-day", Source: "newsroom",
			Title: "開放日", Slug: "open-day",
			Summary: "實驗室和演講廳向公眾開放。", Language: "zh-Hant",
			Published: published.Add(-time.Hour), Updated: published.Add(-time.Hour),
		},
	}
	if _, err := st.Apply(ctx, "newsroom", store.Batch{Items: items}); err != nil {
		log.Fatal(err)
	}
	p := publish.New(st, publish.Options{
		Dir:       filepath.Join(dir, "public"),
		BaseURL:   "https://feeds.example.edu/",
		Title:     "Campus News",
		Languages: []publish.Language{{Tag: "en"}, {Tag: "zh-Hant", Title: "校園新聞"}},
	}, nil)

	rep, err := p.Publish(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, path := range rep.Changed {
		fmt.Println(path)
	}
	rep, err = p.Publish(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("changed on the second publish:", len(rep.Changed))
	// Output:
	// archive/atom/latest.xml
	// archive/json/latest.json
	// archive/rss/latest.xml
	// atom.xml
	// embed/all.html
	// embed/en.html
	// embed/widget.js
	// embed/zh-hant.html
	// en/archive/atom/latest.xml
	// en/archive/json/latest.json
	// en/archive/rss/latest.xml
	// en/atom.xml
	// en/feed.html
	// en/feed.json
	// en/index.html
	// en/page/1.html
	// en/rss.xml
	// feed.html
	// feed.json
	// feed.xsl
	// feeds.opml
	// index.html
	// page/1.html
	// rss.xml
	// stories/open-day.html
	// zh-hant/archive/atom/latest.xml
	// zh-hant/archive/json/latest.json
	// zh-hant/archive/rss/latest.xml
	// zh-hant/atom.xml
	// zh-hant/feed.html
	// zh-hant/feed.json
	// zh-hant/index.html
	// zh-hant/page/1.html
	// zh-hant/rss.xml
	// changed on the second publish: 0
}
