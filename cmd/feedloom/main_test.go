package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

const testConfig = `site:
  title: Test News
  link: https://www.example.edu/news
  base_url: https://feeds.example.edu/
  timezone: Asia/Hong_Kong
  author: {name: Newsroom, email: news@example.edu}
lock_timeout: 200ms
languages:
  - tag: en
    title: Test News
  - tag: zh-Hant
    title: 測試新聞
sources:
  - name: newsroom
    kind: files
    path: stories
`

const goodStory = `---
title: Robotics Team Wins Final
date: 2025-03-13T09:00:00+08:00
language: en
---
The team won.
`

// project is a config folder with a stories folder beside it.
func project(t *testing.T, stories map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(testConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "stories"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range stories {
		writeFile(t, filepath.Join(dir, "stories", name), text)
	}
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func feedloom(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func storedItems(t *testing.T, dir string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "feedloom.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.Items(context.Background(), store.Query{IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	return len(items)
}

func TestBuildPublishes(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"rss.xml", "atom.xml", "feed.json", "en/rss.xml", "en/atom.xml", "en/feed.json",
		"zh-hant/rss.xml", "zh-hant/atom.xml", "zh-hant/feed.json", "index.html", "feeds.opml", "feed.xsl",
		"stories/robotics-team-wins-final.html"} {
		if _, err := os.Stat(filepath.Join(dir, "public", f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "public", "en", "feed.json"))
	if !strings.Contains(string(b), `"title": "Robotics Team Wins Final"`) {
		t.Errorf("en/feed.json lacks the story:\n%s", b)
	}
}

func TestBuildReportsABadFileAndPublishesTheRest(t *testing.T) {
	dir := project(t, map[string]string{
		"a.md":   goodStory,
		"bad.md": "---\ntitle: [unclosed\n---\nbody\n",
	})
	code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitPartial {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "bad.md:2") {
		t.Errorf("stderr does not name bad.md and its line:\n%s", stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "public", "feed.json"))
	if !strings.Contains(string(b), "Robotics Team Wins Final") {
		t.Errorf("the good story was not published")
	}
}

func TestBuildConfigErrorIsExit2(t *testing.T) {
	dir := project(t, nil)
	writeFile(t, filepath.Join(dir, "config.yaml"), testConfig+"colour: blue\n")
	code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, "config.yaml:17:1") || !strings.Contains(stderr, "colour") {
		t.Errorf("error does not name the file, line and key:\n%s", stderr)
	}
	if code, _, _ := feedloom(t, "check", "--config", filepath.Join(dir, "config.yaml")); code != exitUsage {
		t.Errorf("check: exit %d, want 2", code)
	}
}

func TestCheck(t *testing.T) {
	dir := project(t, nil)
	code, stdout, stderr := feedloom(t, "check", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitOK || !strings.Contains(stdout, "ok (2 languages, 1 sources)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestUnwritableOutputIsExit3AndLosesNothing(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	cfg := filepath.Join(dir, "config.yaml")
	if code, _, stderr := feedloom(t, "build", "--config", cfg); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	before := readTree(t, filepath.Join(dir, "public"))
	items := storedItems(t, dir)

	// A new story arrives, but one output folder is blocked by a file (this
	// fails for root too, unlike a chmod).
	writeFile(t, filepath.Join(dir, "stories", "b.md"), strings.Replace(goodStory, "Robotics Team Wins Final", "Library Opens Late", 1))
	zh := filepath.Join(dir, "public", "zh-hant")
	if err := os.RemoveAll(zh); err != nil {
		t.Fatal(err)
	}
	writeFile(t, zh, "not a folder")
	for name := range before {
		if strings.HasPrefix(name, "zh-hant/") {
			delete(before, name)
		}
	}
	before["zh-hant"] = "not a folder"

	code, _, stderr := feedloom(t, "build", "--config", cfg)
	if code != exitFailed {
		t.Fatalf("exit %d, want 3\n%s", code, stderr)
	}
	after := readTree(t, filepath.Join(dir, "public"))
	for name, text := range before {
		if after[name] != text {
			t.Errorf("%s changed", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("output has %d files, had %d", len(after), len(before))
	}
	if n := storedItems(t, dir); n != items {
		t.Errorf("store holds %d items, held %d before the failed build", n, items)
	}
}

func TestLockHeldIsExit3(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	lock, err := scheduler.AcquireLock(context.Background(), filepath.Join(dir, "data"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	start := time.Now()
	code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitFailed {
		t.Fatalf("exit %d, want 3\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "holds the lock") {
		t.Errorf("stderr does not explain the lock:\n%s", stderr)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Errorf("build gave up before lock_timeout")
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
		t.Errorf("build wrote output without the lock")
	}
}

func TestNewerSchemaIsExit2(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	cfg := filepath.Join(dir, "config.yaml")
	if code, _, stderr := feedloom(t, "build", "--config", cfg); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	bumpSchema(t, filepath.Join(dir, "data", "feedloom.db"))
	code, _, stderr := feedloom(t, "build", "--config", cfg)
	if code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "newer") {
		t.Errorf("stderr does not say the schema is newer:\n%s", stderr)
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, exitOK, "feedloom 0.1.0-dev (commit "},
		{[]string{"--version"}, exitOK, "feedloom 0.1.0-dev (commit "},
		{[]string{"help"}, exitOK, ""},
		{nil, exitUsage, ""},
		{[]string{"frobnicate"}, exitUsage, ""},
		{[]string{"build", "--help"}, exitOK, ""},
		{[]string{"build", "--nope"}, exitUsage, ""},
		{[]string{"build", "extra"}, exitUsage, ""},
		{[]string{"build", "--config", "/does/not/exist.yaml"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, _ := feedloom(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if !strings.HasPrefix(stdout, tt.out) {
				t.Errorf("stdout %q, want it to start %q", stdout, tt.out)
			}
		})
	}
}

// readTree maps every file under dir (slash paths) to its content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		// A running node's temporary file may be renamed away between the
		// listing and the read: it was never part of the output.
		if errors.Is(err, fs.ErrNotExist) && p != dir {
			return nil
		}
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// bumpSchema marks the store as written by a future feedloom.
func bumpSchema(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
}

// TestCheckDataDirWritable: check fails (exit 2, naming data_dir) when the
// store's folder cannot be written, and passes for one build will create.
func TestCheckDataDirWritable(t *testing.T) {
	dir := project(t, nil)
	cfg := filepath.Join(dir, "config.yaml")
	// A file where data_dir's parent should be: nothing can be created
	// there, even by root.
	writeFile(t, filepath.Join(dir, "blocked"), "a file, not a folder")
	writeFile(t, cfg, testConfig+"data_dir: blocked/data\n")
	code, stdout, stderr := feedloom(t, "check", "--config", cfg)
	if code != exitUsage || !strings.Contains(stderr, "data_dir "+filepath.Join(dir, "blocked", "data")) || !strings.Contains(stderr, "is not a folder") {
		t.Errorf("data_dir under a file: exit %d, stdout %q, stderr %q; want exit 2 naming data_dir", code, stdout, stderr)
	}
	writeFile(t, cfg, testConfig+"data_dir: state/feedloom\n")
	if code, stdout, stderr := feedloom(t, "check", "--config", cfg); code != exitOK {
		t.Errorf("data_dir not yet created: exit %d, stdout %q, stderr %q; want 0", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("check created the data_dir's parent: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".feedloom-check-*")); len(leftovers) != 0 {
		t.Errorf("check left %q behind", leftovers)
	}
}
