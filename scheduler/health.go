package scheduler

import (
	"context"
	"sync"
	"time"

	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/sources"
)

// Sources reports each source's health for the server's /healthz and
// /status, in config order, with how many items of its last refresh this
// process normalized had a feed-level language their script contradicted. URLs and errors are shown with their secrets
// (userinfo, query values) redacted: the pages are public. NextRun is the
// later of the schedule's next tick and the source's own backoff or cache
// window; zero outside Run.
func (s *Scheduler) Sources(ctx context.Context) ([]server.SourceHealth, error) {
	now := s.opts.Now()
	jobs, entries := s.jobs, []*entry(nil)
	if l := s.loop.Load(); l != nil {
		entries = l.snapshot()
		jobs = make([]Job, len(entries))
		for i, e := range entries {
			jobs[i] = e.job
		}
	}
	out := make([]server.SourceHealth, len(jobs))
	for i, job := range jobs {
		st, err := s.store.State(ctx, job.Source.Name())
		if err != nil {
			return nil, err
		}
		h := server.SourceHealth{
			Name:         job.Source.Name(),
			Kind:         "files",
			LastAttempt:  st.CheckedAt,
			LastSuccess:  st.LastSuccess,
			LastError:    sources.RedactText(st.LastError),
			Failures:     st.Failures,
			Contradicted: s.contradicted.get(job.Source.Name()),
		}
		switch {
		case job.Feeds != nil:
			h.Kind, h.URL = "opml", sources.RedactURL(st.URL)
		case job.Norm.Page:
			h.Kind, h.URL = "page", sources.RedactURL(st.URL)
		case job.Norm.Feed:
			h.Kind, h.URL, h.List = "feed", sources.RedactURL(st.URL), job.List
		}
		if i < len(entries) {
			h.NextRun = nextRun(entries[i], st, now)
		}
		out[i] = h
	}
	return underLists(out), nil
}

// underLists moves each list's feeds, which Run adds after the configured
// sources, to just after their list, keeping every other order.
func underLists(hs []server.SourceHealth) []server.SourceHealth {
	listed := map[string][]server.SourceHealth{}
	for _, h := range hs {
		if h.List != "" {
			listed[h.List] = append(listed[h.List], h)
		}
	}
	out := make([]server.SourceHealth, 0, len(hs))
	for _, h := range hs {
		if h.List == "" {
			out = append(out, h)
			out = append(out, listed[h.Name]...)
		}
	}
	return out
}

// nextRun is the later of e's next tick since its last check (or now) and
// the first tick after its own backoff or cache window.
func nextRun(e *entry, st sources.State, now time.Time) time.Time {
	from := st.CheckedAt
	if from.IsZero() {
		from = now
	}
	next := e.sched.Next(from)
	if st.NextDue.After(next) {
		next = nextTickAfter(e, st.NextDue)
	}
	return next
}

// Node reports this process's part in a cluster for /healthz: its id,
// whether the database answers, and how many sources it holds leases on.
// A process on its own reports nothing.
func (s *Scheduler) Node(ctx context.Context) server.NodeHealth {
	return s.coord.node(ctx)
}

// counts is a number per source, safe for concurrent use; the zero value
// is ready. It lives in this process only: in a cluster, each node counts
// the refreshes it did.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

// set records source's number. A zero is kept as no entry: most sources'
// numbers are zero, and a map of 100,000 zeros was 6 MB of a cold build's
// heap.
func (c *counts) set(source string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n == 0 {
		delete(c.n, source)
		return
	}
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[source] = n
}

func (c *counts) get(source string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[source]
}
