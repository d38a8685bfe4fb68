package main

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/scheduler"
)

// TestBuildLogWithoutTerminal: a build whose output is no terminal (cron,
// CI, a pipe) logs the plain slog lines it always has, one per source and
// the outcome, with nothing drawn.
func TestBuildLogWithoutTerminal(t *testing.T) {
	if newBuildProgress(&bytes.Buffer{}, false) != nil {
		t.Fatal("a progress line without a terminal")
	}
	dir := project(t, map[string]string{"a.md": goodStory, "bad.md": "---\ntitle: [unclosed\n---\nbody\n"})
	code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml"))
	if code != exitPartial {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("terminal control characters in the log:\n%q", stderr)
	}
	line := regexp.MustCompile(`^time=\S+ level=(INFO|WARN|ERROR) msg=`)
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("not a log line: %q", l)
		}
	}
	for _, want := range []string{"level=WARN msg=skipped source=newsroom", "level=INFO msg=refreshed source=newsroom", `msg="build finished" sources=1 failed=1`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("log lacks %q:\n%s", want, stderr)
		}
	}
}

// TestProgressOnTerminal: on a terminal the line is drawn again as each
// source is done, a failure logged meanwhile is a line of its own above
// it, and the last drawing is the whole pass.
func TestProgressOnTerminal(t *testing.T) {
	var out bytes.Buffer
	p := newBuildProgress(&out, true)
	log := slog.New(slog.NewTextHandler(p, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p.Planned(1) // a list source
	p.Stored(scheduler.SourceReport{Name: "planet", Stories: 2})
	p.Planned(2) // the rest, once the list is read
	log.Warn("fetch failed", "source", "partner", "err", "status 500")
	p.Stored(scheduler.SourceReport{Name: "partner", Err: errors.New("status 500")})
	p.Stored(scheduler.SourceReport{Name: "newsroom", Stories: 5})
	p.End()
	p.End() // a deferred End after the build's own is harmless
	log.Info("not shown")
	log.Warn("after the line")

	raw := out.String()
	for _, want := range []string{"1/1 sources, 2 items, 0 failed", "1/3 sources, 2 items, 0 failed", "2/3 sources, 2 items, 1 failed"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the line never read %q:\n%q", want, raw)
		}
	}
	screen := terminalScreen(raw)
	if len(screen) != 3 {
		t.Fatalf("screen has %d lines, want the failure, the line and the later log line:\n%s", len(screen), strings.Join(screen, "\n"))
	}
	if !strings.Contains(screen[0], `level=WARN msg="fetch failed" source=partner err="status 500"`) {
		t.Errorf("first line %q, want the failure", screen[0])
	}
	if !strings.HasPrefix(screen[1], "3/3 sources, 7 items, 1 failed") || !strings.Contains(screen[1], "100%") {
		t.Errorf("last drawing %q, want the whole pass", screen[1])
	}
	if !strings.Contains(screen[2], "after the line") {
		t.Errorf("third line %q, want what was logged after the line", screen[2])
	}
}

// TestProgressElapses: while no source finishes, the line is still drawn
// again, so the time taken moves.
func TestProgressElapses(t *testing.T) {
	var out syncBuffer
	p := newBuildProgress(&out, true)
	p.tick = 10 * time.Millisecond
	p.Planned(1)
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(out.String(), "0/1 sources") < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p.End()
	if n := strings.Count(out.String(), "0/1 sources"); n < 3 {
		t.Errorf("drawn %d times while waiting, want it redrawn", n)
	}
	if s := terminalScreen(out.String()); len(s) != 1 || !strings.HasPrefix(s[0], "0/1 sources") || strings.Contains(s[0], "100%") {
		t.Errorf("a pass that stopped early ends as %q, want it where it stopped", s)
	}
}

// terminalScreen is what a terminal shows after out: each carriage return
// goes back to the start of the line, where the next characters overwrite
// what was there.
func terminalScreen(out string) []string {
	var screen []string
	for _, line := range strings.Split(out, "\n") {
		var cells []rune
		col := 0
		for _, r := range line {
			if r == '\r' {
				col = 0
				continue
			}
			if col < len(cells) {
				cells[col] = r
			} else {
				cells = append(cells, r)
			}
			col++
		}
		if s := strings.TrimRight(string(cells), " "); s != "" {
			screen = append(screen, s)
		}
	}
	return screen
}
