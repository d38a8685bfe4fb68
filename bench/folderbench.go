package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// folderFiles is how many JSON files the story folder's stories are spread
// over: a newsroom's archive, one file per month or desk.
const folderFiles = 20

// folderRuns is how many times each repeated measurement runs; the table
// shows the median.
const folderRuns = 3

// folderRun is one measured child of the story-folder benchmark.
type folderRun struct {
	Label   string
	M       measure
	Written int   // files added, removed or rewritten under the output folder
	Read    int   // story files the build said it read; -1 when it did not say
	Version int64 // the store's content version after the run
	Bumped  bool  // the content version moved during the run
}

// folderStory is one story of a generated JSON file, as written.
type folderStory struct {
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Language string   `json:"language"`
	Link     string   `json:"link,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Tags     []string `json:"categories,omitempty"`
	Content  string   `json:"content"`
}

// writeFolder writes n stories over folderFiles JSON files under dir,
// deterministically: every fourth story in Chinese, each with the link of
// its page on the site (so no permalink pages: the output is the feeds),
// ~600 characters of HTML each, dates one hour apart going back from
// 2025-06-30, newest first in each file.
func writeFolder(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	per := (n + folderFiles - 1) / folderFiles
	base := time.Date(2025, time.June, 30, 12, 0, 0, 0, time.UTC)
	for f := range folderFiles {
		var stories []folderStory
		for j := range per {
			i := f*per + j
			if i >= n {
				break
			}
			r := rand.New(rand.NewPCG(uint64(i), 77))
			sc, lang := english, "en"
			if i%4 == 3 {
				sc, lang = traditional, "zh-Hant"
			}
			st := folderStory{
				Title:    fmt.Sprintf("%s %d", sentence(r, sc, 60), i),
				Date:     base.Add(-time.Duration(i) * time.Hour).Format(time.RFC3339),
				Language: lang,
				Link:     fmt.Sprintf("https://www.example.edu/news/%d", i),
				Summary:  sentence(r, sc, 120),
				Tags:     []string{"News"},
				Content:  "<p>" + sentence(r, sc, 300) + "</p><p>" + sentence(r, sc, 300) + "</p>",
			}
			stories = append(stories, st)
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(stories); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("desk-%02d.json", f)), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// folderConfig is a config with one files source reading the folder
// stories next to it.
func folderConfig() string {
	return siteConfig("Folder Bench") + `lock_timeout: 30s
output:
  dir: public
  max_items: 50
languages:
  - {tag: en, title: Folder Bench}
  - {tag: zh-Hant, title: 資料夾基準}
sources:
  - {name: newsroom, kind: files, path: stories, schedule: "@every 10m"}
`
}

var filesRead = regexp.MustCompile(`files_read=(\d+)`)

// readFiles is how many story files the build said it read, -1 when it
// said nothing of it (a feedloom before per-file fingerprints).
func readFiles(stderr []byte) int {
	m := filesRead.FindAllSubmatch(stderr, -1)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	return n
}

// storeVersion reads the content version of the store at path.
func storeVersion(ctx context.Context, path string) (int64, error) {
	st, done, err := openStore(ctx, path)
	if err != nil {
		return 0, err
	}
	defer done()
	return st.Version(ctx)
}

// openStore opens the store at path to read it without changing it: as
// it is, or, when an older feedloom (a before run's) wrote it, a copy
// brought up to date.
func openStore(ctx context.Context, path string) (*sqlite.Store, func(), error) {
	st, err := sqlite.OpenReadOnly(ctx, path)
	if err == nil {
		return st, func() { st.Close() }, nil
	}
	if !errors.Is(err, store.ErrNoStore) {
		return nil, nil, err
	}
	b, rerr := os.ReadFile(path)
	if rerr != nil {
		return nil, nil, err
	}
	dir, derr := os.MkdirTemp("", "bench-store-")
	if derr != nil {
		return nil, nil, derr
	}
	cp := filepath.Join(dir, "feedloom.db")
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if st, err = sqlite.Open(ctx, cp); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }, nil
}

// folderBench measures `feedloom build` over a folder of h.opts.folderStories
// stories in folderFiles JSON files beside `feedloom check` of the same
// config: cold, with nothing changed (folderRuns times), after touching
// every file (new mtimes, same bytes), and after one story of one file
// changed. Each run is checked for what it must have done.
func (h *harness) folderBench(ctx context.Context) error {
	dir := filepath.Join(h.work, "folder")
	stories := filepath.Join(dir, "stories")
	h.logf("folder: writing %d stories in %d files", h.opts.folderStories, folderFiles)
	if err := writeFolder(stories, h.opts.folderStories); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(folderConfig()), 0o644); err != nil {
		return err
	}
	out, db := filepath.Join(dir, "public"), filepath.Join(dir, "data", "feedloom.db")

	var checks []folderRun
	for range folderRuns {
		m, err := runChild(ctx, dir, h.feedloom, "check", "--config", "config.yaml")
		if err != nil {
			return err
		}
		if m.Exit != 0 {
			h.fail("folder: feedloom check exited %d:\n%s", m.Exit, tail(m.Stderr, 15))
		}
		checks = append(checks, folderRun{Label: "`feedloom check`", M: m, Read: -1})
	}
	h.folder = append(h.folder, median(checks))

	build := func(label string) (folderRun, error) {
		before, _ := snapshot(out)
		v0, _ := storeVersion(ctx, db)
		h.logf("folder: %s", label)
		m, err := runChild(ctx, dir, h.feedloom, "build", "--config", "config.yaml")
		if err != nil {
			return folderRun{}, err
		}
		if m.Exit != 0 {
			h.fail("folder %s: feedloom build exited %d:\n%s", label, m.Exit, tail(m.Stderr, 15))
		}
		after, err := snapshot(out)
		if err != nil {
			return folderRun{}, err
		}
		v1, err := storeVersion(ctx, db)
		if err != nil {
			return folderRun{}, err
		}
		return folderRun{Label: label, M: m, Written: diff(before, after), Read: readFiles(m.Stderr), Version: v1, Bumped: v1 != v0}, nil
	}

	cold, err := build("cold build")
	if err != nil {
		return err
	}
	h.folder = append(h.folder, cold)

	var same []folderRun
	for range folderRuns {
		r, err := build("no change")
		if err != nil {
			return err
		}
		same = append(same, r)
	}
	nc := median(same)
	h.folder = append(h.folder, nc)
	for _, r := range same {
		if r.Written != 0 || r.Bumped {
			h.fail("folder no change: %d files written, content version moved: %v; want none", r.Written, r.Bumped)
		}
	}

	// Every file touched: new modification times, the same bytes.
	later := time.Now().Add(time.Minute)
	names, err := filepath.Glob(filepath.Join(stories, "*.json"))
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.Chtimes(name, later, later); err != nil {
			return err
		}
	}
	touched, err := build("every file touched, none changed")
	if err != nil {
		return err
	}
	h.folder = append(h.folder, touched)
	if touched.Written != 0 || touched.Bumped {
		h.fail("folder touched: %d files written, content version moved: %v; want none", touched.Written, touched.Bumped)
	}

	// One story of one file rewritten.
	one := names[len(names)/2]
	b, err := os.ReadFile(one)
	if err != nil {
		return err
	}
	b = bytes.Replace(b, []byte(`"summary": "`), []byte(`"summary": "Updated: `), 1)
	if err := os.WriteFile(one, b, 0o644); err != nil {
		return err
	}
	changed, err := build("one story of one file changed")
	if err != nil {
		return err
	}
	h.folder = append(h.folder, changed)
	if !changed.Bumped {
		h.fail("folder one change: the content version did not move")
	}
	if changed.Read > 1 {
		h.fail("folder one change: %d files read, want 1", changed.Read)
	}
	return nil
}

// median is the run with the median wall time.
func median(runs []folderRun) folderRun {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b folderRun) int { return int(a.M.Wall - b.M.Wall) })
	return s[len(s)/2]
}

// folderTable renders the story-folder section.
func (h *harness) folderTable(b *strings.Builder) {
	if len(h.folder) == 0 {
		return
	}
	fmt.Fprintf(b, "## A story folder (`feedloom build`, no --force)\n\n")
	fmt.Fprintf(b, "%s stories (~600 characters of HTML each, a quarter in Chinese, each with its link, so the output is the feeds alone) in %d JSON files; one files source, feeds of 50. Median of %d runs where repeated.\n\n",
		thousands(int64(h.opts.folderStories)), folderFiles, folderRuns)
	b.WriteString("| run | wall | CPU | peak RSS | files read | output files written | content version moved | target |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	check := h.folder[0].M.Wall
	full := h.opts.folderStories == 100_000
	for _, r := range h.folder {
		var cells []string
		switch r.Label {
		case "no change":
			ratio := r.M.Wall.Seconds() / check.Seconds()
			cell := fmt.Sprintf("%.1f× check", ratio)
			if full {
				cell += ", ≤ 5×: " + verdict(ratio <= 5)
				cells = append(cells, cell, "RSS ≤ 250 MiB: "+verdict(r.M.MaxRSS <= 250<<20))
			} else {
				cells = append(cells, cell)
			}
			cells = append(cells, "zero writes: "+verdict(r.Written == 0 && !r.Bumped))
		case "every file touched, none changed":
			cells = append(cells, "zero writes: "+verdict(r.Written == 0 && !r.Bumped))
		case "one story of one file changed":
			cells = append(cells, "one file read: "+verdict(r.Read == 1))
		}
		read, moved := "–", "–"
		if r.Read >= 0 {
			read = strconv.Itoa(r.Read)
		}
		if r.Label != "`feedloom check`" {
			moved = map[bool]string{true: "yes", false: "no"}[r.Bumped]
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Label, dur(r.M.Wall), dur(r.M.CPU()), mib(r.M.MaxRSS), read, thousands(int64(r.Written)), moved, strings.Join(cells, "; "))
	}
	b.WriteString("\n")
}
