package scheduler

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPublishSkippedWhenNothingChanged: with a mark, a pass over an
// unchanged store does not publish at all; a change, a new fingerprint, a
// missing output or Force publish again.
func TestPublishSkippedWhenNothingChanged(t *testing.T) {
	s := newSite(t)
	s.write("a.md", goodStory)
	mark := filepath.Join(t.TempDir(), "published")
	s.opts = func(o *Options) {
		o.Mark, o.Fingerprint, o.Output = mark, "fp-1", s.out
	}
	pubs := 0
	s.onPublish = func() { pubs++ }

	s.run()
	if pubs != 1 {
		t.Fatalf("first run published %d times, want 1", pubs)
	}
	s.now = s.now.Add(time.Hour)
	s.run()
	if pubs != 1 {
		t.Errorf("unchanged run published (%d)", pubs)
	}

	s.write("b.md", "---\ntitle: Second Story\ndate: 2025-03-12T09:00:00+08:00\n---\nBody.\n")
	s.run()
	if pubs != 2 || len(s.feed("feed.json")) != 2 {
		t.Errorf("a new story: %d publishes, %d items; want 2 and 2", pubs, len(s.feed("feed.json")))
	}

	s.opts = func(o *Options) { o.Mark, o.Fingerprint, o.Output = mark, "fp-2", s.out }
	s.run()
	if pubs != 3 {
		t.Errorf("a new fingerprint did not publish (%d)", pubs)
	}

	if err := os.Remove(filepath.Join(s.out, "index.html")); err != nil {
		t.Fatal(err)
	}
	s.run()
	if pubs != 4 {
		t.Errorf("a missing output did not publish (%d)", pubs)
	}
	if _, err := os.Stat(filepath.Join(s.out, "index.html")); err != nil {
		t.Errorf("index.html not restored: %v", err)
	}

	s.opts = func(o *Options) { o.Mark, o.Fingerprint, o.Output, o.Force = mark, "fp-2", s.out, true }
	s.run()
	if pubs != 5 {
		t.Errorf("Force did not publish (%d)", pubs)
	}
}
