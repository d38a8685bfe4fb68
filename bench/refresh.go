package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/feedloom/feedloom/store"
)

// run is one measured child process: a feedloom build or the baseline.
type run struct {
	N       int
	Label   string // cold, warm, baseline, …
	Latency time.Duration
	M       measure
	Answers counts // as the upstreams counted them
	Items   int    // upstream items the run covered
}

func (r run) itemsPerSec() float64 { return float64(r.Items) / r.M.Wall.Seconds() }
func (r run) reqPerSec() float64   { return float64(r.Answers.requests()) / r.M.Wall.Seconds() }

// siteConfig is the head every benchmark config shares: the site called
// title and the data folder.
func siteConfig(title string) string {
	return `site:
  title: ` + title + `
  link: https://www.example.edu/news
  base_url: https://feeds.example.edu/
  timezone: Asia/Hong_Kong
  author: {name: Newsroom, email: news@example.edu}
data_dir: data
`
}

// refreshConfig is the config of the builds against the upstreams up to
// its sources (which follow it), with more output settings (lines indented
// by two spaces).
func refreshConfig(output string) string {
	return siteConfig("Bench News") + `lock_timeout: 30s
output:
  dir: public
  max_items: 50
` + output + `languages:
  - {tag: en, title: Bench News}
  - {tag: zh-Hant, title: 基準新聞}
  - {tag: zh-Hans, title: 基准新闻}
retention: {max_age: 90d, max_items: 500}
fetch: {concurrency: 16, per_host: 2, max_body: 10MiB, timeout: 30s, allow_private: true}
sources:
`
}

// writeConfig writes a feedloom config for the first n upstreams into dir.
func writeConfig(dir string, up *upstreams, n int) (string, error) {
	var b strings.Builder
	// Archives and numbered pages off, as the publish-alone rows and the
	// baselines write none: with them (issue 13's defaults) a third of a
	// cold build's CPU went to rendering archive documents.
	b.WriteString(refreshConfig(noArchives))
	for i := range n {
		f := up.feeds[i]
		fmt.Fprintf(&b, "  - {name: %s, kind: feed, url: %q, schedule: \"@hourly\", language: %s}\n", f.name, up.url(i), f.language())
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("write config: %w", err)
	}
	return path, nil
}

var filesChanged = regexp.MustCompile(`files_changed=(\d+)`)

// build runs `feedloom build --force` in dir and checks its exit code.
func (h *harness) build(ctx context.Context, dir, label string, n int, latency time.Duration) (run, error) {
	h.up.setLatency(latency)
	h.up.reset()
	m, err := runChild(ctx, dir, h.feedloom, "build", "--config", "config.yaml", "--force")
	r := run{N: n, Label: label, Latency: latency, M: m, Answers: h.up.reset(), Items: n * itemsPerFeed}
	if err != nil {
		return r, err
	}
	if m.Exit != 0 {
		h.fail("N=%d %s: feedloom build exited %d:\n%s", n, label, m.Exit, tail(m.Stderr, 15))
	}
	return r, nil
}

// changedFiles is how many files the build said it changed.
func changedFiles(stderr []byte) int {
	m := filesChanged.FindAllSubmatch(stderr, -1)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	return n
}

// refresh measures feedloom on the first n upstreams: a cold build into an
// empty data folder, then warm builds (every answer a 304) with and without
// latency, each checked for what it must have done.
func (h *harness) refresh(ctx context.Context, n int) error {
	dir := filepath.Join(h.work, fmt.Sprintf("refresh-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := writeConfig(dir, h.up, n); err != nil {
		return err
	}
	out := filepath.Join(dir, "public")

	h.logf("N=%d: cold build, %s latency", n, h.opts.latency)
	cold, err := h.build(ctx, dir, "cold", n, h.opts.latency)
	if err != nil {
		return err
	}
	h.runs = append(h.runs, cold)
	if cold.Answers.OK != int64(n) {
		h.fail("N=%d cold: upstreams answered %d × 200, want %d", n, cold.Answers.OK, n)
	}
	if err := h.checkStore(ctx, filepath.Join(dir, "data", "feedloom.db"), n); err != nil {
		return err
	}
	h.checkOutput(out, n)

	for _, lat := range []time.Duration{h.opts.latency, 0} {
		label := "warm"
		if lat == 0 && h.opts.latency != 0 {
			label = "warm, no latency"
		}
		before, err := snapshot(out)
		if err != nil {
			return err
		}
		h.logf("N=%d: %s build", n, label)
		warm, err := h.build(ctx, dir, label, n, lat)
		if err != nil {
			return err
		}
		h.runs = append(h.runs, warm)
		if warm.Answers.NotModified != int64(n) || warm.Answers.requests() != int64(n) {
			h.fail("N=%d %s: upstreams answered %d × 304 of %d requests, want %d × 304", n, label, warm.Answers.NotModified, warm.Answers.requests(), n)
		}
		after, err := snapshot(out)
		if err != nil {
			return err
		}
		if d := diff(before, after); d != 0 || changedFiles(warm.M.Stderr) != 0 {
			h.fail("N=%d %s: %d files under the output folder changed (build said files_changed=%d), want none", n, label, d, changedFiles(warm.M.Stderr))
		}
		if lat == h.opts.latency && h.opts.latency == 0 {
			break // the no-latency warm run is this one
		}
	}

	// Every upstream answers 200 with one of its items changed.
	h.rev++
	h.up.revise(n, h.rev)
	h.logf("N=%d: one item changed in every feed", n)
	one, err := h.build(ctx, dir, labelOneChanged, n, 0)
	if err != nil {
		return err
	}
	h.runs = append(h.runs, one)
	if one.Answers.OK != int64(n) {
		h.fail("N=%d %s: upstreams answered %d × 200, want %d", n, labelOneChanged, one.Answers.OK, n)
	}
	h.up.revise(n, 0) // the next N starts from the first revision
	return nil
}

// labelOneChanged labels the build after every upstream changed one item.
const labelOneChanged = "one item of 20 changed, no latency"

// checkStore fails the run unless every upstream's 20 items are stored
// under its source.
func (h *harness) checkStore(ctx context.Context, path string, n int) error {
	st, done, err := openStore(ctx, path) // as it is: a before run's binary must still open it
	if err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	defer done()
	missing := 0
	for i := range n {
		items, err := st.Items(ctx, store.Query{Source: h.up.feeds[i].name, IncludeHeld: true})
		if err != nil {
			return fmt.Errorf("check store: %w", err)
		}
		if len(items) != itemsPerFeed {
			if missing < 5 {
				h.fail("N=%d: source %s has %d items in the store, want %d", n, h.up.feeds[i].name, len(items), itemsPerFeed)
			}
			missing++
		}
	}
	if missing >= 5 {
		h.fail("N=%d: %d sources in all lack items in the store", n, missing)
	}
	return nil
}

// feedFiles are the feed files every build must write.
var feedFiles = []string{
	"rss.xml", "atom.xml", "feed.json",
	"en/rss.xml", "en/atom.xml", "en/feed.json",
	"zh-hant/rss.xml", "zh-hant/atom.xml", "zh-hant/feed.json",
	"zh-hans/rss.xml", "zh-hans/atom.xml", "zh-hans/feed.json",
}

// checkOutput fails the run unless every feed file exists and every JSON
// feed holds items; when n is at most the merged feed's 50, the merged feed
// must show the newest item of every upstream (generated dates put those
// first).
func (h *harness) checkOutput(out string, n int) {
	for _, f := range feedFiles {
		path := filepath.Join(out, filepath.FromSlash(f))
		b, err := os.ReadFile(path)
		if err != nil {
			h.fail("N=%d: output %s: %v", n, f, err)
			continue
		}
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		var doc struct {
			Items []struct {
				URL string `json:"url"`
			} `json:"items"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			h.fail("N=%d: output %s: %v", n, f, err)
			continue
		}
		want := min(50, n*itemsPerFeed)
		if f == "feed.json" && len(doc.Items) != want {
			h.fail("N=%d: output %s has %d items, want %d", n, f, len(doc.Items), want)
		}
		if len(doc.Items) == 0 && n >= 4 {
			h.fail("N=%d: output %s has no items", n, f)
		}
		if f != "feed.json" || n > 50 {
			continue
		}
		var urls strings.Builder
		for _, it := range doc.Items {
			urls.WriteString(it.URL + "\n")
		}
		for i := range n {
			if !strings.Contains(urls.String(), fmt.Sprintf("upstream-%04d.example/news/0/", i+1)) {
				h.fail("N=%d: the merged feed lacks the newest item of %s", n, h.up.feeds[i].name)
			}
		}
	}
}

// fileStamp is what a write would change: size, mtime and inode (an atomic
// rename brings a new inode even with the same bytes and mtime).
type fileStamp struct {
	size  int64
	mtime int64
	ino   uint64
}

func snapshot(dir string) (map[string]fileStamp, error) {
	out := map[string]fileStamp{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), ino: inode(fi)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	return out, nil
}

// diff counts files added, removed or rewritten between two snapshots.
func diff(a, b map[string]fileStamp) int {
	n := 0
	for p, s := range a {
		if t, ok := b[p]; !ok || t != s {
			n++
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			n++
		}
	}
	return n
}
