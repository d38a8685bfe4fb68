package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/opml"
	"github.com/feedloom/feedloom/store/sqlite"
)

// BenchmarkListRefresh1000 is one refresh of a list of 1,000 feeds, read
// from a local file into a real SQLite store: the fetch, the parse and the
// names, the subscriptions written in one transaction and read back.
// "first" names every feed for the first time (a new store each time);
// "again" is a later refresh of a changed file, every name known.
func BenchmarkListRefresh1000(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "list.opml")
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0"?><opml version="2.0"><body>`)
	for i := range 1000 {
		if i%50 == 0 {
			fmt.Fprintf(&doc, `%s<outline text="Folder %d">`, map[bool]string{true: "</outline>"}[i > 0], i/50)
		}
		fmt.Fprintf(&doc, `<outline type="rss" text="Weblog %d of a Developer" xmlUrl="https://host%d.example/feed/%d.xml"/>`, i, i%97, i)
	}
	doc.WriteString(`</outline></body></opml>`)
	if err := os.WriteFile(path, []byte(doc.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	job := Job{
		Source: opml.New("planet", path, feed.New("planet", path, feed.Options{}), opml.Options{}),
		Norm:   normalize.Source{Name: "planet", Language: "en"},
		Feeds:  func(sources.Subscription) Job { return Job{} },
	}
	refresh := func(b *testing.B, s *Scheduler, now time.Time) {
		f := s.fetch(context.Background(), nil, job, now)
		if f.report.Err != nil {
			b.Fatal(f.report.Err)
		}
		if _, err := s.store1(context.Background(), job, f, now, lease{}); err != nil {
			b.Fatal(err)
		}
		if got := len(s.listed.of("planet")); got != 1000 {
			b.Fatalf("%d subscriptions", got)
		}
	}
	open := func(b *testing.B, name string) *Scheduler {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, name+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return New(st, nil, nil, []Job{job}, Options{Force: true}, log)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	n := 0 // stores opened: each "first" refresh has a new one
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			n++
			s := open(b, fmt.Sprintf("first-%d", n))
			b.StartTimer()
			refresh(b, s, now)
		}
	})
	b.Run("again", func(b *testing.B) {
		s := open(b, "again")
		refresh(b, s, now)
		for b.Loop() {
			// A list that changed (here, only a comment), so that it is
			// read and stored again rather than not modified.
			b.StopTimer()
			now = now.Add(time.Minute)
			if err := os.WriteFile(path, []byte(doc.String()+"<!-- "+now.String()+" -->"), 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			refresh(b, s, now)
		}
	})
}
