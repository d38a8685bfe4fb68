package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// publishLanguages are the feeds of the publish measurement: zh-Hant shows
// up to 10,000 items, the others 50.
var publishLanguages = []publish.Language{
	{Tag: "en", Title: "Bench News"},
	{Tag: "zh-Hant", Title: "基準新聞", MaxItems: 10_000},
	{Tag: "zh-Hans", Title: "基准新闻"},
}

const publishSources = 49 // upstream feed sources, beside the newsroom

// topics are the categories every tenth item carries in turn, which the
// syndication run's category channels select.
var topics = []string{"Research", "Campus", "Events", "People", "Science", "Engineering", "Business", "Arts", "Health", "Sport"}

// storeItems makes the items of the publish store: n items over three
// languages in turn, one a minute back from newestDate; the first pages of
// them are newsroom stories without a link (each gets a permalink page), the
// rest come from publishSources upstream feeds. Item k of source s is the
// same on every run.
func storeItems(n, pages int) map[string][]feeds.Item {
	out := map[string][]feeds.Item{}
	scripts := []script{english, traditional, simplified}
	langs := []string{"en", "zh-Hant", "zh-Hans"}
	all := make([]feeds.Item, n)
	var wg sync.WaitGroup
	workers := 4
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				r := rand.New(rand.NewPCG(seed+1, uint64(i)))
				s := scripts[i%3]
				pub := newestDate.Add(-time.Duration(i) * time.Minute)
				it := feeds.Item{
					Title:      title(r, s),
					Summary:    summary(r, s),
					Content:    content(r, s, "https://www.example.edu"),
					Authors:    []feeds.Person{{Name: phrase(r, s, 8)}},
					Categories: []string{phrase(r, s, 6), phrase(r, s, 6), topics[i%len(topics)]},
					Language:   langs[i%3],
					Published:  pub,
					Updated:    pub,
					FirstSeen:  pub,
				}
				if i < pages {
					it.ID = fmt.Sprintf("tag:feeds.example.edu,2025-01-01:newsroom/%016x", r.Uint64())
					it.Source = "newsroom"
					it.Slug = fmt.Sprintf("story-%d-%s", i, slugWord(r))
					it.File = fmt.Sprintf("story-%05d.md", i)
				} else {
					src := fmt.Sprintf("upstream-%02d", (i-pages)%publishSources+1)
					it.Source = src
					it.Link = fmt.Sprintf("https://%s.example/news/%d/%s", src, i, slugWord(r))
					it.ID = it.Link
					it.File = "https://" + src + ".example/feed.xml"
					it.Position = ((i - pages) / publishSources) % 20
					it.Origin = &feeds.Origin{Title: src, ID: "https://" + src + ".example/", Link: "https://" + src + ".example/"}
				}
				all[i] = it
			}
		})
	}
	wg.Wait()
	for _, it := range all {
		out[it.Source] = append(out[it.Source], it)
	}
	return out
}

// fillStore writes the publish store at path with store/sqlite's Apply, in
// batches of at most 5,000 items.
func fillStore(ctx context.Context, path string, n, pages int) error {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	bySource := storeItems(n, pages)
	names := []string{"newsroom"}
	for s := range publishSources {
		names = append(names, fmt.Sprintf("upstream-%02d", s+1))
	}
	for _, name := range names {
		items := bySource[name]
		for len(items) > 0 {
			batch := items[:min(len(items), 5000)]
			items = items[len(batch):]
			if _, err := st.Apply(ctx, name, store.Batch{Items: batch}); err != nil {
				return fmt.Errorf("fill store: %w", err)
			}
		}
	}
	return nil
}

// publishResult is what the publish child prints on stdout.
type publishResult struct {
	Publish time.Duration // the Publish call alone
	Changed int
	Feeds   map[string]int // items per feed file
}

// syndicationChannels are the syndication run's ten channels: by
// category, language, source, words and content mode, as partners ask.
func syndicationChannels() []publish.Channel {
	var out []publish.Channel
	for i := range 10 {
		c := publish.Channel{Name: fmt.Sprintf("partner-%d", i+1), Title: fmt.Sprintf("Partner %d", i+1),
			Categories: []string{topics[i]}}
		switch i % 4 {
		case 1:
			c.Languages = []string{"en"}
			c.Content = "headlines"
		case 2:
			c.Sources = []string{fmt.Sprintf("upstream-%02d", i+1), "newsroom"}
			c.Content = "summary"
		case 3:
			c.Languages = []string{"zh-Hant"}
		}
		out = append(out, c)
	}
	return out
}

// publishChild publishes the store at db into out once, timing the
// Publish call. Without syndication it writes the feeds and pages alone;
// with it, also ten channels, ten category channels per language, archives
// and numbered pages.
func publishChild(db, out string, syndication bool) error {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		return err
	}
	opts := publish.Options{
		Dir:         out,
		BaseURL:     "https://feeds.example.edu/",
		Title:       "Bench News",
		Link:        "https://www.example.edu/news",
		Author:      feeds.Person{Name: "Newsroom", Email: "news@example.edu"},
		Zone:        hk,
		Languages:   publishLanguages,
		MaxItems:    50,
		Generator:   "feedloom bench",
		ArchiveSize: -1,
		PageSize:    -1,
	}
	if syndication {
		opts.ArchiveSize, opts.PageSize = 0, 0 // the defaults: 50 and 20
		opts.Channels = syndicationChannels()
		opts.Categories = topics
	}
	p := publish.New(st, opts, nil)
	start := time.Now()
	rep, err := p.Publish(ctx)
	took := time.Since(start)
	if err != nil {
		return err
	}
	res := publishResult{Publish: took, Changed: len(rep.Changed), Feeds: map[string]int{}}
	for _, f := range rep.Feeds {
		res.Feeds[f.Path] = f.Items
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// publishRun is one measured publish child.
type publishRun struct {
	Label   string
	M       measure
	Res     publishResult
	Written int // files added, removed or rewritten under the output folder
	// Repaired says, for the repair run, that every damaged file holds its
	// cold bytes and mtime again.
	Repaired bool
	// Syndication runs: the files in the folder after it, the files written
	// by kind, and for the no-change run the plain no-change publish.
	Files int
	Kinds map[string]int
	Plain time.Duration
}

// noChangeRuns is how many times the no-change publish runs; the table
// shows the median, as one run on a busy machine can wait for the CPU.
const noChangeRuns = 3

// noChange runs a no-change publish noChangeRuns times and returns the
// median run, failing the harness on any run that wrote a file.
func (h *harness) noChange(what string, run func() (publishRun, error)) (publishRun, error) {
	var runs []publishRun
	for range noChangeRuns {
		pr, err := run()
		if err != nil {
			return publishRun{}, err
		}
		if pr.Written != 0 || pr.Res.Changed != 0 {
			h.fail("%s, no change: %d files written under the output folder, report says %d changed; want 0", what, pr.Written, pr.Res.Changed)
		}
		runs = append(runs, pr)
	}
	slices.SortFunc(runs, func(a, b publishRun) int { return cmp.Compare(a.Res.Publish, b.Res.Publish) })
	median := runs[len(runs)/2]
	median.Label = fmt.Sprintf("no change (median of %d)", noChangeRuns)
	return median, nil
}

// publishAlone measures publishing a store of h.opts.publishItems items:
// into an empty folder, then again with nothing changed (noChangeRuns
// times), then once more after damaging three files by hand (one deleted,
// one truncated, one edited in place keeping its size and mtime), which
// the publish must put back.
func (h *harness) publishAlone(ctx context.Context) error {
	dir := filepath.Join(h.work, "publish")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	db := filepath.Join(dir, "feedloom.db")
	h.logf("publish: filling a store of %d items (%d permalink pages)", h.opts.publishItems, h.opts.publishPages)
	start := time.Now()
	if err := fillStore(ctx, db, h.opts.publishItems, h.opts.publishPages); err != nil {
		return err
	}
	h.fillTook = time.Since(start)
	out := filepath.Join(dir, "public")
	run := func(label string, damage func() error) (publishRun, bool, error) {
		before, err := snapshot(out)
		if err != nil && label != "cold" {
			return publishRun{}, false, err
		}
		if damage != nil {
			if err := damage(); err != nil {
				return publishRun{}, false, err
			}
		}
		h.logf("publish: %s", label)
		var res publishResult
		m, ok, err := h.runChildJSON(ctx, dir, "publish "+label, &res, "publish", "-db", db, "-dir", out)
		if err != nil || !ok {
			return publishRun{}, false, err
		}
		after, err := snapshot(out)
		if err != nil {
			return publishRun{}, false, err
		}
		pr := publishRun{Label: label, M: m, Res: res, Written: diff(before, after)}
		if want := min(10_000, h.opts.publishItems/3); res.Feeds["zh-hant/feed.json"] != want {
			h.fail("publish %s: zh-hant/feed.json has %d items, want %d", label, res.Feeds["zh-hant/feed.json"], want)
		}
		return pr, true, nil
	}

	cold, ok, err := run("cold", nil)
	if err != nil || !ok {
		return err
	}
	h.publish = append(h.publish, cold)
	written, err := snapshot(out)
	if err != nil {
		return err
	}

	median, err := h.noChange("publish", func() (publishRun, error) {
		pr, ok, err := run("no change", nil)
		if err == nil && !ok {
			err = errors.New("publish no change failed")
		}
		return pr, err
	})
	if err != nil {
		return err
	}
	h.publish = append(h.publish, median)

	damaged := []string{filepath.Join(out, "zh-hant", "feed.json"), filepath.Join(out, "en", "rss.xml"), ""}
	page, err := firstPage(filepath.Join(out, "stories"))
	if err != nil {
		return err
	}
	damaged[2] = page
	sums := map[string][sha256.Size]byte{}
	for _, p := range damaged {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sums[p] = sha256.Sum256(b)
	}
	repair, ok, err := run("repair: 1 file deleted, 1 truncated, 1 edited in place", func() error {
		if err := os.Remove(damaged[0]); err != nil {
			return err
		}
		fi, err := os.Stat(damaged[1])
		if err != nil {
			return err
		}
		if err := os.Truncate(damaged[1], fi.Size()/2); err != nil {
			return err
		}
		return editInPlace(page)
	})
	if err != nil || !ok {
		return err
	}
	after, err := snapshot(out)
	if err != nil {
		return err
	}
	repair.Repaired = true
	for _, p := range damaged {
		w, a := written[p], after[p]
		b, err := os.ReadFile(p)
		if err != nil || sha256.Sum256(b) != sums[p] || w.mtime != a.mtime {
			repair.Repaired = false
			h.fail("publish repair: %s does not hold its cold bytes and mtime again (%v)", p, err)
		}
	}
	if repair.Res.Changed != len(damaged) {
		h.fail("publish repair: report says %d changed, want %d", repair.Res.Changed, len(damaged))
	}
	h.publish = append(h.publish, repair)
	return h.publishSyndication(ctx, dir, db, median)
}

// publishSyndication measures the same store published with ten channels,
// ten category channels per language, archives and numbered pages, into a
// folder of its own: cold (and how many files that makes), with nothing
// changed (against plain, the no-change publish without them), and after
// 20 new items, counting the files written by kind.
func (h *harness) publishSyndication(ctx context.Context, dir, db string, plain publishRun) error {
	out := filepath.Join(dir, "public-syndication")
	run := func(label string) (publishRun, error) {
		before, err := snapshot(out)
		if err != nil && label != "cold" {
			return publishRun{}, err
		}
		h.logf("publish with syndication: %s", label)
		var res publishResult
		m, ok, err := h.runChildJSON(ctx, dir, "publish "+label, &res, "publish", "-db", db, "-dir", out, "-syndication")
		if err != nil || !ok {
			return publishRun{}, cmp.Or(err, fmt.Errorf("publish with syndication: %s failed", label))
		}
		after, err := snapshot(out)
		if err != nil {
			return publishRun{}, err
		}
		pr := publishRun{Label: label, M: m, Res: res, Written: diff(before, after), Files: len(after), Kinds: kinds(before, after, out)}
		return pr, nil
	}
	cold, err := run("cold")
	if err != nil {
		return err
	}
	h.syndication = append(h.syndication, cold)
	median, err := h.noChange("publish with syndication", func() (publishRun, error) { return run("no change") })
	if err != nil {
		return err
	}
	median.Plain = plain.Res.Publish
	h.syndication = append(h.syndication, median)

	if err := addItems(ctx, db, 20); err != nil {
		return err
	}
	added, err := run("20 new items")
	if err != nil {
		return err
	}
	if n := added.Kinds["numbered archive"] + added.Kinds["numbered page"]; n > 0 {
		h.logf("publish with syndication: 20 new items rewrote %d numbered documents (a document filled, so its predecessor links it)", n)
	}
	h.syndication = append(h.syndication, added)
	return nil
}

// addItems stores n new upstream items, newer than every other, as a
// refresh that found them would.
func addItems(ctx context.Context, db string, n int) error {
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	var items []feeds.Item
	for i := range n {
		pub := newestDate.Add(time.Duration(i+1) * time.Minute)
		link := fmt.Sprintf("https://upstream-01.example/news/new-%d", i)
		items = append(items, feeds.Item{ID: link, Link: link, Source: "upstream-01", Title: fmt.Sprintf("New story %d", i),
			Summary: "A new story.", Language: []string{"en", "zh-Hant", "zh-Hans"}[i%3], Categories: []string{topics[i%len(topics)]},
			Published: pub, Updated: pub, FirstSeen: pub, File: "https://upstream-01.example/feed.xml", Position: i,
			Origin: &feeds.Origin{Title: "upstream-01", ID: "https://upstream-01.example/", Link: "https://upstream-01.example/"}})
	}
	_, err = st.Apply(ctx, "upstream-01", store.Batch{Items: items})
	return err
}

// kinds counts the files that differ between two snapshots of out by
// what they are: current feed documents, latest and numbered archive
// documents, numbered pages, story pages and the rest.
func kinds(before, after map[string]fileStamp, out string) map[string]int {
	counts := map[string]int{}
	count := func(path string) {
		rel, _ := filepath.Rel(out, path)
		rel = filepath.ToSlash(rel)
		base := filepath.Base(rel)
		switch {
		case strings.Contains(rel, "archive/") && strings.HasPrefix(base, "latest."):
			counts["latest archive"]++
		case strings.Contains(rel, "archive/"):
			counts["numbered archive"]++
		case strings.Contains(rel, "page/"):
			counts["numbered page"]++
		case strings.HasPrefix(rel, "stories/"):
			counts["story page"]++
		case base == "rss.xml" || base == "atom.xml" || base == "feed.json":
			counts["current feed"]++
		default:
			counts["other page"]++
		}
	}
	for p, a := range after {
		if b, ok := before[p]; !ok || b != a {
			count(p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			count(p)
		}
	}
	return counts
}

// firstPage is the first story page in dir.
func firstPage(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return "", fmt.Errorf("find a story page: %w (%d pages)", err, len(entries))
	}
	return filepath.Join(dir, entries[0].Name()), nil
}

// editInPlace changes one byte of the file at path where it is written,
// keeping its size and mtime, as an editor that saves in place and
// restores the time would.
func editInPlace(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, 20); err != nil {
		f.Close()
		return err
	}
	b[0] ^= 0x20 // a letter changes case
	_, err = f.WriteAt(b, 20)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Chtimes(path, fi.ModTime(), fi.ModTime())
}
