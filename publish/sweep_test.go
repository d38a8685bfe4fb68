package publish

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestPublishRemovesLeftoverTemps: temporary files a killed publish left
// behind (renameio's "." + name + digits) are removed by the next
// publisher once they are an hour old; a younger one may be another
// process's write in progress, and other dotfiles are the operator's.
func TestPublishRemovesLeftoverTemps(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	old := now.Add(-2 * time.Hour)
	young := now.Add(-10 * time.Minute)
	files := map[string]time.Time{
		"stories/.story-115.html8812345678901234567": old,
		".rss.xml42":                  old,
		"en/.feed.json7":              old,
		".feeds.opml99":               old,
		".feed.xsl3":                  old,
		"zh-hant/.atom.xml5550":       young, // a write in progress elsewhere
		".htaccess":                   old,   // the operator's
		".well-known/security.txt":    old,
		"stories/.notes.html":         old, // no random suffix
		"stories/.draft.md123":        old, // not a name feedloom writes
		".well-known/.index.html1234": old,
	}
	for name, mod := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions(dir)
	opts.Now = func() time.Time { return now }
	p := New(&fakeStore{items: testItems()}, opts, nil)
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	var left []string
	for name := range files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
			left = append(left, name)
		}
	}
	slices.Sort(left)
	want := []string{".htaccess", ".well-known/security.txt", "stories/.draft.md123", "stories/.notes.html", "zh-hant/.atom.xml5550"}
	if !slices.Equal(left, want) {
		t.Errorf("left after publish:\n got %q\nwant %q", left, want)
	}

	// Only the first publish of a publisher sweeps: within one process a
	// failed write removes its own temporary file.
	stale := filepath.Join(dir, ".rss.xml77")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("second publish of the same publisher swept again: %v", err)
	}
}

// TestSweepThroughSymlinkedOutput: an output folder that is a symlink (to
// the web server's folder) is swept all the same.
func TestSweepThroughSymlinkedOutput(t *testing.T) {
	base := t.TempDir()
	www := filepath.Join(base, "www")
	if err := os.MkdirAll(filepath.Join(www, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "public")
	if err := os.Symlink("www", dir); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	old := now.Add(-2 * time.Hour)
	for _, name := range []string{".rss.xml12345", "en/.atom.xml999"} {
		p := filepath.Join(www, filepath.FromSlash(name))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions(dir)
	opts.Now = func() time.Time { return now }
	p := New(&fakeStore{}, opts, nil)
	removed, err := p.sweepTemps(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".rss.xml12345", "en/.atom.xml999"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
}

// TestSweepSkipsQuietFolders: a folder the caller vouches for is not
// looked into; the others are swept as ever.
func TestSweepSkipsQuietFolders(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	old := now.Add(-2 * time.Hour)
	names := []string{"archive/rss/.1.xml123", "en/archive/rss/.2.xml456", "en/page/.3.html789"}
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	p := New(&fakeStore{}, testOptions(dir), nil)
	removed, err := p.sweepTemps(now, map[string]bool{"en/archive/rss": true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"archive/rss/.1.xml123", "en/page/.3.html789"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "en", "archive", "rss", ".2.xml456")); err != nil {
		t.Errorf("the skipped folder's file: %v", err)
	}
}
