package opml

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// planetOPML is a list of n feeds in folders of 50, titled as planets'
// lists are (several words, some accents, some without ASCII).
func planetOPML(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<opml version="2.0"><head><title>Planet</title></head><body>` + "\n")
	for i := range n {
		if i%50 == 0 {
			if i > 0 {
				b.WriteString("</outline>\n")
			}
			fmt.Fprintf(&b, "<outline text=\"Folder %d\">\n", i/50)
		}
		title := fmt.Sprintf("Weblog número %d of a Developer &amp; Friends", i)
		if i%10 == 0 {
			title = fmt.Sprintf("技術部落格 %d", i)
		}
		fmt.Fprintf(&b, "  <outline type=\"rss\" text=\"%s\" xmlUrl=\"https://host%d.example/feed/%d.xml\" htmlUrl=\"https://host%d.example/\"/>\n",
			title, i%97, i, i%97)
	}
	b.WriteString("</outline>\n</body></opml>\n")
	return []byte(b.String())
}

// BenchmarkRead1000 parses an OPML of 1,000 feeds and names them.
func BenchmarkRead1000(b *testing.B) {
	body := planetOPML(1000)
	s := New("planet", "https://planet.example/list.opml", feed.New("planet", "https://planet.example/list.opml", feed.Options{}), Options{})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		listed, err := s.read(body, "text/x-opml", "https://planet.example/list.opml")
		if err != nil || len(listed) != 1000 {
			b.Fatalf("%d listed, %v", len(listed), err)
		}
	}
}

// BenchmarkFetchLocal1000 reads the same list from a local file, as a
// refresh does: the file, its hash (the ETag), the charset and the parse.
func BenchmarkFetchLocal1000(b *testing.B) {
	path := b.TempDir() + "/list.opml"
	if err := os.WriteFile(path, planetOPML(1000), 0o644); err != nil {
		b.Fatal(err)
	}
	s := New("planet", path, feed.New("planet", path, feed.Options{}), Options{})
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Fetch(context.Background(), sources.State{})
		if err != nil || len(res.Listed) != 1000 {
			b.Fatalf("%d listed, %v", len(res.Listed), err)
		}
	}
}
