package scheduler

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources/files"
)

// progressLog records what a pass tells its Progress.
type progressLog struct {
	planned []int
	stored  []SourceReport
}

func (p *progressLog) Planned(n int)          { p.planned = append(p.planned, n) }
func (p *progressLog) Stored(sr SourceReport) { p.stored = append(p.stored, sr) }

// TestRunOnceProgress: a pass announces its sources, then reports each one
// in config order as it is stored, a failing one marked failed.
func TestRunOnceProgress(t *testing.T) {
	s := newSite(t)
	s.write("a.md", "---\ntitle: Robotics Team Wins\ndate: 2025-03-13T09:00:00+08:00\nlanguage: en\n---\nWon.\n")
	other := filepath.Join(s.dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "bad.md"), []byte("---\ntitle: [unclosed\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	det, err := normalize.NewDetector()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := publish.New(s.store, publish.Options{Dir: s.out, BaseURL: "https://feeds.example.edu/", Title: "News",
		Link: "https://www.example.edu/", Zone: hk, Languages: []publish.Language{{Tag: "en", Title: "News"}}, MaxItems: 50}, log)
	jobs := []Job{
		{Source: files.New("newsroom", s.stories, files.Options{Zone: hk}), Norm: normalize.Source{Name: "newsroom", Language: "en"}},
		{Source: files.New("other", other, files.Options{Zone: hk}), Norm: normalize.Source{Name: "other", Language: "en"}},
	}
	var p progressLog
	sched := New(s.store, pub, det, jobs, Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk},
		Now:       func() time.Time { return s.now },
		Progress:  &p,
	}, log)
	if _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.planned) != 1 || p.planned[0] != 2 {
		t.Errorf("planned %v, want [2]", p.planned)
	}
	if len(p.stored) != 2 || p.stored[0].Name != "newsroom" || p.stored[1].Name != "other" {
		t.Fatalf("stored %+v, want newsroom then other", p.stored)
	}
	if p.stored[0].Failed() || p.stored[0].Stories != 1 {
		t.Errorf("newsroom: %+v, want one story and no failure", p.stored[0])
	}
	if !p.stored[1].Failed() {
		t.Errorf("other: %+v, want it failed", p.stored[1])
	}
}
