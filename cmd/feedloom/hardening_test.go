package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSymlinkedStoryFolder: a story folder that is a symlink to the current
// release (the usual deploy layout) is read through the link; switching
// the link publishes the new release, and nothing is unpublished on the way.
func TestSymlinkedStoryFolder(t *testing.T) {
	dir := project(t, nil)
	if err := os.RemoveAll(filepath.Join(dir, "stories")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"41", "42"} {
		if err := os.MkdirAll(filepath.Join(dir, "releases", rel), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "releases", "41", "a.md"), goodStory)
	writeFile(t, filepath.Join(dir, "releases", "42", "a.md"), goodStory)
	writeFile(t, filepath.Join(dir, "releases", "42", "b.md"), strings.Replace(goodStory, "Robotics Team Wins Final", "Library Opens Late", 1))
	if err := os.Symlink(filepath.Join("releases", "41"), filepath.Join(dir, "stories")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if code, _, stderr := feedloom(t, "build", "--config", cfg); code != exitOK {
		t.Fatalf("build through the link: exit %d\n%s", code, stderr)
	}
	if n := storedItems(t, dir); n != 1 {
		t.Fatalf("%d items stored through the link, want 1", n)
	}
	// Deploy release 42: swap the link.
	next := filepath.Join(dir, "stories.new")
	if err := os.Symlink(filepath.Join("releases", "42"), next); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, filepath.Join(dir, "stories")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := feedloom(t, "build", "--config", cfg); code != exitOK {
		t.Fatalf("build after the switch: exit %d\n%s", code, stderr)
	}
	feed := readTree(t, filepath.Join(dir, "public"))["en/rss.xml"]
	for _, title := range []string{"Robotics Team Wins Final", "Library Opens Late"} {
		if !strings.Contains(feed, title) {
			t.Errorf("en/rss.xml lacks %q after the switch", title)
		}
	}
}

// TestOutputHoldingDataIsRefused: an output folder that would serve the
// store (output.dir equal to or above data_dir) stops check and build with
// exit 2 before anything is written.
func TestOutputHoldingDataIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, extra, want string }{
		{"output.dir is data_dir", "data_dir: site\noutput: {dir: site}\n", "output.dir"},
		{"output.dir holds data_dir", "data_dir: site/data\noutput: {dir: site}\n", "output.dir"},
		{"output.dir is the root", "output: {dir: /}\n", "output.dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := project(t, map[string]string{"a.md": goodStory})
			cfg := filepath.Join(dir, "config.yaml")
			writeFile(t, cfg, testConfig+tc.extra)
			for _, cmd := range []string{"check", "build"} {
				code, _, stderr := feedloom(t, cmd, "--config", cfg)
				if code != exitUsage || !strings.Contains(stderr, tc.want) {
					t.Errorf("%s: exit %d, want 2 naming %s\n%s", cmd, code, tc.want, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "site")); !os.IsNotExist(err) {
				t.Errorf("the refused config still wrote %s", filepath.Join(dir, "site"))
			}
		})
	}
}
