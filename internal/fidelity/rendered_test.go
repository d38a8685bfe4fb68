package fidelity

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedloom/feedloom/feeds"
)

// TestRenderedFormatsCarryNoScript: what feedloom reads from the corpus,
// written as RSS, Atom and JSON Feed and read back by a feed parser, holds
// no script-capable construct in any title, summary, content, author name
// or category: the writers put back nothing the normalizer took out. It
// needs no reference reader, so it runs everywhere.
func TestRenderedFormatsCarryNoScript(t *testing.T) {
	corpus, base := servedCorpus(t)
	ours := readFeedloom(t, corpus, base)

	writers := []struct {
		name  string
		write func(io.Writer, *feeds.Feed) error
	}{{"rss", feeds.WriteRSS}, {"atom", feeds.WriteAtom}, {"json", feeds.WriteJSON}}
	parser := gofeed.NewParser()
	read, found := 0, 0
	for _, c := range corpus {
		items := ours[c.name]
		if len(items) == 0 {
			continue
		}
		f := &feeds.Feed{
			Title: "Fidelity", Link: "https://www.example.test/", SelfURL: "https://feeds.example.test/" + c.name,
			Updated: now, Zone: time.UTC, Items: items,
		}
		for _, w := range writers {
			var buf bytes.Buffer
			if err := w.write(&buf, f); err != nil {
				t.Fatalf("%s as %s: %v", c.name, w.name, err)
			}
			back, err := parser.Parse(&buf)
			if err != nil {
				t.Fatalf("%s as %s does not parse back: %v", c.name, w.name, err)
			}
			if len(back.Items) != len(items) {
				t.Errorf("%s as %s: %d items read back, want %d", c.name, w.name, len(back.Items), len(items))
			}
			for i, it := range back.Items {
				read++
				for what, v := range renderedNames(it) {
					if n := scriptConstructs(v); n > 0 {
						found += n
						t.Errorf("%s as %s, item %d %s: %q", c.name, w.name, i, what, v)
					}
				}
			}
		}
	}
	if read < 2000 {
		t.Errorf("only %d items read back from the three formats; the corpus should give over 2,000", read)
	}
	t.Logf("%d items read back from RSS, Atom and JSON Feed; %d script-capable constructs", read, found)
}

// renderedNames are the fields of a parsed item a page may insert as HTML.
func renderedNames(it *gofeed.Item) map[string]string {
	out := map[string]string{"title": it.Title, "description": it.Description, "content": it.Content}
	for i, a := range it.Authors {
		if a != nil {
			out[fmt.Sprintf("author %d", i)] = a.Name
		}
	}
	for i, c := range it.Categories {
		out[fmt.Sprintf("category %d", i)] = c
	}
	return out
}
