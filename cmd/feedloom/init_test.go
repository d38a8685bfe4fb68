package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitBuildsAtOnce: a site made by init builds with exit 0 into feeds
// in both languages, and a second init into the same folder refuses,
// naming the file, and changes nothing.
func TestInitBuildsAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site") // created by init
	code, stdout, stderr := feedloom(t, "init", dir)
	if code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "feedloom build --config "+filepath.Join(dir, "config.yaml")) {
		t.Errorf("init does not say what to run next: %q", stdout)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil || !strings.Contains(string(readme), "config.yaml") {
		t.Errorf("README.md: %v %q", err, readme)
	}
	code, _, stderr = feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	for path, title := range map[string]string{
		"feed.json":         "Welcome to the newsroom",
		"en/feed.json":      "Welcome to the newsroom",
		"zh-hant/feed.json": "歡迎來到新聞室",
		"en/atom.xml":       "Welcome to the newsroom",
		"zh-hant/rss.xml":   "歡迎來到新聞室",
	} {
		b, err := os.ReadFile(filepath.Join(dir, "public", path))
		if err != nil {
			t.Errorf("missing output: %v", err)
			continue
		}
		if !strings.Contains(string(b), title) {
			t.Errorf("%s lacks %q", path, title)
		}
	}

	before := readTree(t, dir)
	code, stdout, stderr = feedloom(t, "init", dir)
	if code != exitUsage || !strings.Contains(stderr, filepath.Join(dir, "config.yaml")+" exists") {
		t.Errorf("second init: exit %d, stdout %q, stderr %q; want exit 2 naming config.yaml", code, stdout, stderr)
	}
	if after := readTree(t, dir); len(after) != len(before) {
		t.Errorf("second init changed the folder: %d files, had %d", len(after), len(before))
	}
}

// TestInitRefusesAnyExistingFile: one file of the site already there (a
// story) stops init before it writes anything.
func TestInitRefusesAnyExistingFile(t *testing.T) {
	dir := t.TempDir()
	story := filepath.Join(dir, "stories", "welcome.zh-hant.md")
	if err := os.MkdirAll(filepath.Dir(story), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, story, "mine")
	code, _, stderr := feedloom(t, "init", dir)
	if code != exitUsage || !strings.Contains(stderr, story) {
		t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, story)
	}
	if got := readTree(t, dir); len(got) != 1 || got["stories/welcome.zh-hant.md"] != "mine" {
		t.Errorf("init wrote beside an existing file: %v", got)
	}
	for _, args := range [][]string{{"init"}, {"init", "a", "b"}} {
		if code, _, _ := feedloom(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
