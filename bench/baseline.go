package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gorilla "github.com/gorilla/feeds"
	"github.com/mmcdole/gofeed"
)

// baselineResult is what the baseline child prints on stdout.
type baselineResult struct {
	Feeds, Failed, Items int
	FirstError           string
}

// baseline is what a quick script does: fetch every feed in turn with
// gofeed's ParseURL (no conditional GET, no concurrency, the HTTP charset
// ignored), keep every item, and write the merged feed and one per language
// (50 newest each) with gorilla/feeds' ToRss, ToAtom and ToJSON. It reads
// the URLs, one a line, from urlFile.
func baseline(urlFile, out string) error {
	urls, err := readLines(urlFile)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var res baselineResult
	var all []entry
	fp := gofeed.NewParser()
	for _, u := range urls {
		res.Feeds++
		feed, err := fp.ParseURL(u)
		if err != nil {
			res.Failed++
			if res.FirstError == "" {
				res.FirstError = fmt.Sprintf("%s: %v", u, err)
			}
			continue
		}
		all = appendEntries(all, feed)
	}
	res.Items = len(all)
	if err := writeMerged(out, all, "", "en", "zh-hant", "zh-hans"); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// readLines reads a file's lines.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return lines, nil
}

// entry is one parsed item of a baseline program, with its feed's language.
type entry struct {
	lang string
	item *gofeed.Item
}

// appendEntries adds feed's items, each with the language its feed declares
// (en when it declares none).
func appendEntries(all []entry, feed *gofeed.Feed) []entry {
	lang := "en"
	switch l := strings.ToLower(feed.Language); {
	case strings.HasPrefix(l, "zh-cn"):
		lang = "zh-hans"
	case strings.HasPrefix(l, "zh"):
		lang = "zh-hant"
	}
	for _, it := range feed.Items {
		all = append(all, entry{lang, it})
	}
	return all
}

// writeMerged writes, for each of langs ("" for all), the 50 newest of
// all in RSS, Atom and JSON Feed with gorilla/feeds, under out/<lang>.
func writeMerged(out string, all []entry, langs ...string) error {
	date := func(it *gofeed.Item) time.Time {
		if it.PublishedParsed != nil {
			return *it.PublishedParsed
		}
		return time.Time{}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return date(b.item).Compare(date(a.item)) })

	for _, lang := range langs {
		feed := &gorilla.Feed{
			Title:       "Bench News " + lang,
			Link:        &gorilla.Link{Href: "https://www.example.edu/news"},
			Description: "Bench News",
			Author:      &gorilla.Author{Name: "Newsroom", Email: "news@example.edu"},
		}
		for _, e := range all {
			if lang != "" && e.lang != lang {
				continue
			}
			if len(feed.Items) == 50 {
				break
			}
			it := e.item
			gi := &gorilla.Item{
				Title:       it.Title,
				Link:        &gorilla.Link{Href: it.Link},
				Description: it.Description,
				Content:     it.Content,
				Id:          cmp.Or(it.GUID, it.Link),
				Created:     date(it),
			}
			if it.UpdatedParsed != nil {
				gi.Updated = *it.UpdatedParsed
			}
			if len(it.Authors) > 0 {
				gi.Author = &gorilla.Author{Name: it.Authors[0].Name}
			}
			feed.Items = append(feed.Items, gi)
			if gi.Created.After(feed.Created) {
				feed.Created = gi.Created
			}
		}
		dir := filepath.Join(out, lang)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, w := range []struct {
			name string
			to   func() (string, error)
		}{{"rss.xml", feed.ToRss}, {"atom.xml", feed.ToAtom}, {"feed.json", feed.ToJSON}} {
			name := w.name
			s, err := w.to()
			if err != nil {
				return fmt.Errorf("%s%s: %w", lang, name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// urlList makes the work folder <name>-<n> of a baseline program and
// writes there urls.txt, the first n upstreams' URLs.
func (h *harness) urlList(name string, n int) (string, error) {
	dir := filepath.Join(h.work, fmt.Sprintf("%s-%d", name, n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var urls strings.Builder
	for i := range n {
		urls.WriteString(h.up.url(i) + "\n")
	}
	return dir, os.WriteFile(filepath.Join(dir, "urls.txt"), []byte(urls.String()), 0o644)
}

// runBaseline runs the baseline as a child on the first n upstreams.
func (h *harness) runBaseline(ctx context.Context, n int) error {
	dir, err := h.urlList("baseline", n)
	if err != nil {
		return err
	}
	h.logf("N=%d: baseline (sequential gofeed ParseURL + gorilla/feeds), %s latency", n, h.opts.latency)
	h.up.setLatency(h.opts.latency)
	h.up.reset()
	var res baselineResult
	m, ok, err := h.runChildJSON(ctx, dir, fmt.Sprintf("N=%d baseline", n), &res, "baseline", "-urls", "urls.txt", "-dir", "out")
	r := run{N: n, Label: "baseline", Latency: h.opts.latency, M: m, Answers: h.up.reset(), Items: n * itemsPerFeed}
	if err != nil || !ok {
		return err
	}
	h.baseline[n] = res
	h.runs = append(h.runs, r)
	return nil
}
