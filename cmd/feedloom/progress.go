package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/feedloom/feedloom/scheduler"
)

// isTerminal reports whether w is a terminal. Only then does build draw
// its progress line: cron, CI and pipes get the plain log lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// buildProgress is a build's progress on a terminal: one line, updated in
// place, with the sources done of those planned, the items they gave, the
// failures, the time taken and an estimate of the rest. Log lines written
// to it (the failures; build logs nothing else on a terminal while the
// line is up) are printed above the line, which is then drawn again.
type buildProgress struct {
	w    io.Writer
	tick time.Duration

	mu        sync.Mutex
	bar       *progressbar.ProgressBar // nil until a pass is planned
	ended     bool                     // the line is done with; writes go straight to w
	planned   int
	done      int
	items     int
	failed    int
	stopTimer chan struct{}
	timer     sync.WaitGroup
	endOnce   sync.Once
}

// newBuildProgress returns the progress line for a build logging to w,
// or nil when w is not a terminal.
func newBuildProgress(w io.Writer, terminal bool) *buildProgress {
	if !terminal {
		return nil
	}
	return &buildProgress{w: w, tick: time.Second, stopTimer: make(chan struct{})}
}

// Planned adds sources to the pass. The bar counts one step more than the
// sources, the publish that follows them, so it reaches its end when End
// says the build is done rather than before the publish.
func (p *buildProgress) Planned(sources int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.planned += sources
	if p.bar == nil {
		p.bar = progressbar.NewOptions(p.planned+1,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetWidth(20),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetDescription(p.describe()),
		)
		// Elapsed and the estimate move while a slow source keeps the
		// counts still.
		p.timer.Go(func() {
			t := time.NewTicker(p.tick)
			defer t.Stop()
			for {
				select {
				case <-p.stopTimer:
					return
				case <-t.C:
					p.mu.Lock()
					if !p.ended {
						p.bar.RenderBlank()
					}
					p.mu.Unlock()
				}
			}
		})
		p.bar.RenderBlank()
		return
	}
	p.bar.Describe(p.describe())
	p.bar.ChangeMax(p.planned + 1)
}

// Stored counts one source done.
func (p *buildProgress) Stored(sr scheduler.SourceReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.items += sr.Stories
	if sr.Failed() {
		p.failed++
	}
	if p.bar == nil || p.ended {
		return
	}
	p.bar.Describe(p.describe())
	p.bar.Add(1)
	// Add draws only when the percentage moves; the counts always do.
	p.bar.RenderBlank()
}

func (p *buildProgress) describe() string {
	return fmt.Sprintf("%d/%d sources, %d items, %d failed ", p.done, p.planned, p.items, p.failed)
}

// Write prints a log line above the progress line.
func (p *buildProgress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || p.ended {
		return p.w.Write(b)
	}
	// The bar holds the line and prints it when it next draws itself,
	// above itself.
	n, err := progressbar.Bprintf(p.bar, "%s", b)
	if err != nil {
		return n, err
	}
	return len(b), p.bar.RenderBlank()
}

// End leaves the line as the build's last word on the pass: full when
// every planned source was done (the publish ran), else where it stopped.
// What is logged after it goes on the next line.
func (p *buildProgress) End() {
	if p != nil {
		p.endOnce.Do(p.end)
	}
}

func (p *buildProgress) end() {
	close(p.stopTimer)
	p.timer.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || p.ended {
		return
	}
	if p.done == p.planned {
		p.bar.Finish()
	} else {
		p.bar.RenderBlank()
		p.bar.Exit()
	}
	io.WriteString(p.w, "\n")
	p.ended = true
}
