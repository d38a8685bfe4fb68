package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// recorder counts the refreshes asked for, per source.
type recorder chan string

func (r recorder) trigger(source string) bool {
	r <- source
	return true
}

// next waits for the next refresh asked for; the deadline is far beyond
// any debounce here, so it fails only when none comes.
func (r recorder) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-r:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no refresh was asked for")
		return ""
	}
}

// none checks that no refresh is asked for within wait.
func (r recorder) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case s := <-r:
		t.Fatalf("unexpected refresh of %q", s)
	case <-time.After(wait):
	}
}

func start(t *testing.T, debounce time.Duration, folders ...Folder) recorder {
	t.Helper()
	rec := make(recorder, 100)
	w, err := New(folders, Options{Debounce: debounce, Trigger: rec.trigger})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return rec
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSaveAsksForOneRefresh: a save, and a burst of 500 files, each ask
// for one refresh of the folder's source only.
func TestSaveAsksForOneRefresh(t *testing.T) {
	news, events := t.TempDir(), t.TempDir()
	rec := start(t, time.Second, Folder{"news", news}, Folder{"events", events})

	write(t, filepath.Join(news, "a.md"), "---\ntitle: A\n---\nBody")
	if got := rec.next(t); got != "news" {
		t.Fatalf("refresh of %q, want news", got)
	}
	rec.none(t, 1500*time.Millisecond)

	for i := range 500 {
		write(t, filepath.Join(events, fmt.Sprintf("e%03d.md", i)), "---\ntitle: E\n---\nBody")
	}
	if got := rec.next(t); got != "events" {
		t.Fatalf("refresh of %q, want events", got)
	}
	rec.none(t, 1500*time.Millisecond)
}

// TestNewSubfolders: files in a subfolder made after the watch began, and
// in one made with its files already inside (a git checkout, a move), are
// seen.
func TestNewSubfolders(t *testing.T) {
	news := t.TempDir()
	rec := start(t, 100*time.Millisecond, Folder{"news", news})

	write(t, filepath.Join(news, "2025", "03", "a.md"), "x")
	rec.next(t)
	write(t, filepath.Join(news, "2025", "03", "b.md"), "x")
	rec.next(t)

	staged := filepath.Join(t.TempDir(), "2026")
	write(t, filepath.Join(staged, "deep", "c.md"), "x")
	if err := os.Rename(staged, filepath.Join(news, "2026")); err != nil {
		t.Fatal(err)
	}
	rec.next(t)
	write(t, filepath.Join(news, "2026", "deep", "d.md"), "x")
	rec.next(t)
}

// TestSwappedLink: a story folder released by swapping a symbolic link is
// refreshed on the swap, and its new tree is watched, the old one not.
func TestSwappedLink(t *testing.T) {
	base := t.TempDir()
	v1, v2 := filepath.Join(base, "v1"), filepath.Join(base, "v2")
	write(t, filepath.Join(v1, "a.md"), "x")
	write(t, filepath.Join(v2, "a.md"), "y")
	link := filepath.Join(base, "current")
	if err := os.Symlink(v1, link); err != nil {
		t.Fatal(err)
	}
	rec := start(t, 100*time.Millisecond, Folder{"news", link})

	write(t, filepath.Join(v1, "b.md"), "x")
	rec.next(t)

	// The release: a new link renamed over the old one, as deploy tools do.
	tmp := filepath.Join(base, "current.tmp")
	if err := os.Symlink(v2, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	rec.next(t)

	write(t, filepath.Join(v2, "c.md"), "y")
	rec.next(t)
	write(t, filepath.Join(v1, "c.md"), "x")
	rec.none(t, 500*time.Millisecond)

	// Something else beside the link is none of the folder's business.
	write(t, filepath.Join(base, "notes.txt"), "x")
	rec.none(t, 500*time.Millisecond)
}

// TestFolderMadeLater: a folder missing at the start is watched once it is
// made.
func TestFolderMadeLater(t *testing.T) {
	news := filepath.Join(t.TempDir(), "news")
	rec := start(t, 100*time.Millisecond, Folder{"news", news})
	if err := os.Mkdir(news, 0o755); err != nil {
		t.Fatal(err)
	}
	rec.next(t)
	write(t, filepath.Join(news, "a.md"), "x")
	rec.next(t)
}
