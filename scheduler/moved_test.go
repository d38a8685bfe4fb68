package scheduler

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store/storetest"
)

// TestRunPublishesOtherWriters: items another process stores (a cron
// build, another node on a shared database) reach Run's output on its next
// check, though none of Run's own refreshes changed anything.
func TestRunPublishesOtherWriters(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := loopOptions(nil)
	opts.ReleaseEvery = 100 * time.Millisecond
	sch := New(s.store, s.loopPublish(log, ""), nil, nil, opts, log)
	startRun(t, sch)

	eventually(t, "the startup publish", func() bool { return s.exists("feed.json") })
	at := time.Date(2025, 3, 13, 9, 0, 0, 0, hk)
	it := feeds.Item{ID: "tag:feeds.example.edu,2025-03-13:other/a", Title: "Written Elsewhere", Language: "en",
		Link: "https://www.example.edu/a", Published: at, Updated: at, FirstSeen: at}
	if _, err := storetest.Upsert(context.Background(), s.store, "other", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the other writer's item in feed.json", func() bool { return strings.Contains(titlesOf(s.feedIfAny("feed.json")), "Written Elsewhere") })
}

// feedIfAny is feed, or nil while the file does not exist yet.
func (s *site) feedIfAny(rel string) []jsonItem {
	if !s.exists(rel) {
		return nil
	}
	return s.feed(rel)
}

func (s *site) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(s.out, rel))
	return err == nil
}
