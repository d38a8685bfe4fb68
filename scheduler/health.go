package scheduler

import (
	"context"
	"time"

	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/sources"
)

// Sources reports each source's health for the server's /healthz and
// /status, in config order. URLs and errors are shown with their secrets
// (userinfo, query values) redacted: the pages are public. NextRun is the later of the schedule's next
// tick and the source's own backoff or cache window; zero outside Run.
func (s *Scheduler) Sources(ctx context.Context) ([]server.SourceHealth, error) {
	now := s.opts.Now()
	var entries []*entry
	if p := s.entries.Load(); p != nil {
		entries = *p
	}
	out := make([]server.SourceHealth, len(s.jobs))
	for i, job := range s.jobs {
		st, err := s.store.State(ctx, job.Source.Name())
		if err != nil {
			return nil, err
		}
		h := server.SourceHealth{
			Name:        job.Source.Name(),
			Kind:        "files",
			LastAttempt: st.CheckedAt,
			LastSuccess: st.LastSuccess,
			LastError:   sources.RedactText(st.LastError),
			Failures:    st.Failures,
		}
		if job.Norm.Feed {
			h.Kind, h.URL = "feed", sources.RedactURL(st.URL)
		}
		if i < len(entries) {
			from := st.CheckedAt
			if from.IsZero() {
				from = now
			}
			h.NextRun = entries[i].sched.Next(from)
			if st.NextDue.After(h.NextRun) {
				h.NextRun = nextTickAfter(entries[i], st.NextDue)
			}
		}
		out[i] = h
	}
	return out, nil
}

// nextTickAfter is the first scheduled tick at or after t.
func nextTickAfter(e *entry, t time.Time) time.Time {
	return e.sched.Next(t.Add(-time.Second))
}

// Node reports this node's part in a cluster for /healthz: its id, whether
// the database answers, and how many sources it holds leases on. Without
// a cluster it reports the id alone.
func (s *Scheduler) Node(ctx context.Context) server.NodeHealth {
	h := server.NodeHealth{ID: s.opts.Node}
	if s.opts.Cluster == nil {
		return h
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.opts.Cluster.Ping(ctx); err != nil {
		h.DatabaseError = err.Error()
		return h
	}
	n, err := s.opts.Cluster.Leases(ctx, s.opts.Node, s.opts.Now())
	if err != nil {
		h.DatabaseError = err.Error()
		return h
	}
	h.Leases = n
	return h
}
