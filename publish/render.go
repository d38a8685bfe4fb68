package publish

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// files lists every output file in the order they are written: the
// stylesheet and the story pages before the feeds that point at them, the
// merged feed after the language feeds, the index last. unlinked are the
// released items without a link of their own, newest first, and newestAll
// the newest time of every released item. pages holds the story page file
// names (slug + ".html") that must exist; files[:1+len(pages)] are the
// stylesheet and those pages. Nothing is rendered yet: each file is
// rendered as it is written, straight into place.
func (p *Publisher) files(unlinked []feeds.Item, newestAll time.Time, sets []feedSet) (files []file, pages []string) {
	files = []file{{path: stylesheetFile, mod: newestAll, cost: 1, write: writeBytes(stylesheet())}}

	for _, it := range storyItems(unlinked) {
		name := pageSlug(it) + ".html"
		pages = append(pages, name)
		files = append(files, file{path: storiesDir + "/" + name, mod: newest([]feeds.Item{it}), cost: 1,
			write: func(w io.Writer) error {
				data, err := p.renderStory(it)
				if err != nil {
					return err
				}
				_, err = w.Write(data)
				return err
			}})
	}

	origins := sourceUpdated(unlinked, sets)
	order := append(slices.Clone(sets[1:]), sets[0])
	for _, s := range order {
		for _, fm := range p.formats {
			feed := p.feed(s, sets, fm, newestAll)
			// origins is shared by every feed and only read.
			feed.SourceUpdated = origins
			if len(s.archive) > 0 {
				feed.PrevArchive = p.latestURL(&s, fm)
			}
			files = append(files, file{path: s.dir + fm.file, mod: feed.Updated, cost: len(s.items) + 1,
				write: func(w io.Writer) error {
					if err := fm.write(w, feed); err != nil {
						return fmt.Errorf("publish: render %s%s: %w", s.dir, fm.file, err)
					}
					return nil
				}})
		}
		// The folder's page for browsers, after the feeds it offers.
		mod := newest(s.items)
		if mod.IsZero() {
			mod = newestAll
		}
		files = append(files, file{path: s.dir + viewFile, mod: mod, cost: len(s.items) + 1,
			write: func(w io.Writer) error {
				data, err := p.renderView(s)
				if err == nil {
					_, err = w.Write(data)
				}
				return err
			}})
	}

	if p.hasJSON() {
		files = append(files, file{path: widgetFile, mod: newestAll, cost: 1, write: writeBytes([]byte(widgetJS))})
		for _, s := range sets {
			if s.embed == "" {
				continue
			}
			files = append(files, file{path: embedDir + "/" + s.embed, mod: newestAll, cost: 1, write: func(w io.Writer) error {
				data, err := p.renderEmbed(s)
				if err == nil {
					_, err = w.Write(data)
				}
				return err
			}})
		}
	}

	files = append(files,
		file{path: opmlFile, mod: newestAll, cost: indexHeadings * len(sets), write: func(w io.Writer) error {
			data, err := p.renderOPML(sets)
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
		file{path: indexFile, mod: newestAll, cost: indexHeadings * len(sets), write: func(w io.Writer) error {
			data, err := p.renderIndex(sets, nil)
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
	)
	// Each language's front page, after the root one.
	for i := range sets {
		if !sets[i].language {
			continue
		}
		home := &sets[i]
		files = append(files, file{path: home.dir + indexFile, mod: newestAll, cost: frontItems, write: func(w io.Writer) error {
			data, err := p.renderIndex(sets, home)
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}})
	}
	return files, pages
}

// writeBytes is a file's write that writes data.
func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}
