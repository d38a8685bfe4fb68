package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Job is one configured source and what normalize needs to know about it.
type Job struct {
	Source sources.Source
	Norm   normalize.Source
}

// Publisher writes the output from the store.
type Publisher interface {
	Publish(ctx context.Context) (publish.Report, error)
}

// Options configure a Scheduler. Normalize.FirstRun is filled from the store.
type Options struct {
	Normalize normalize.Options
	Now       func() time.Time // nil means time.Now
}

// Scheduler runs refresh-and-publish passes over its jobs.
type Scheduler struct {
	store store.Store
	pub   Publisher
	det   *normalize.Detector
	jobs  []Job
	opts  Options
	log   *slog.Logger
}

// New returns a Scheduler for jobs, in config order.
func New(st store.Store, pub Publisher, det *normalize.Detector, jobs []Job, opts Options, log *slog.Logger) *Scheduler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Scheduler{store: st, pub: pub, det: det, jobs: jobs, opts: opts, log: log}
}

// Report is what one pass did.
type Report struct {
	Sources   []SourceReport
	Released  int      // embargoed items that came due
	Published []string // output files that changed, relative to the output folder
}

// SourceReport is one source's part of a pass.
type SourceReport struct {
	Name     string
	Err      error   // the source failed as a whole; its stored items stay
	Problems []error // files or stories that were skipped
	Stories  int
	Changed  int
	Removed  int
}

// Failed reports whether any source or story file failed; the pass still
// published what it could.
func (r Report) Failed() bool {
	for _, s := range r.Sources {
		if s.Err != nil || len(s.Problems) > 0 {
			return true
		}
	}
	return false
}

// ErrStore marks a pass that stopped because the store failed.
var ErrStore = errors.New("scheduler: store failed")

// RunOnce refreshes every source once and publishes. Source and story-file
// failures are in the Report; a returned error means nothing was published
// (the store failed, or the output could not be written).
func (s *Scheduler) RunOnce(ctx context.Context) (Report, error) {
	var rep Report
	now := s.opts.Now().Truncate(time.Second)
	nopts := s.opts.Normalize
	day := now.In(zoneOr(nopts.Zone)).Format(time.DateOnly)
	first, err := s.store.FirstRun(ctx, day)
	if err != nil {
		return rep, fmt.Errorf("%w: %w", ErrStore, err)
	}
	nopts.FirstRun = first
	norm := normalize.New(nopts, s.det)

	if rep.Released, err = s.store.Release(ctx, now); err != nil {
		return rep, fmt.Errorf("%w: %w", ErrStore, err)
	}
	if rep.Released > 0 {
		s.log.Info("embargo lifted", "items", rep.Released)
	}
	for _, job := range s.jobs {
		sr, err := s.refresh(ctx, norm, job, now)
		rep.Sources = append(rep.Sources, sr)
		if err != nil {
			return rep, err
		}
	}
	pr, err := s.pub.Publish(ctx)
	if err != nil {
		return rep, err
	}
	rep.Published = pr.Changed
	return rep, nil
}

// refresh runs one source. Only a store failure is returned as an error:
// everything else is the source's own trouble, recorded in its report and
// state.
func (s *Scheduler) refresh(ctx context.Context, norm *normalize.Normalizer, job Job, now time.Time) (SourceReport, error) {
	name := job.Source.Name()
	sr := SourceReport{Name: name}
	log := s.log.With("source", name)
	prev, err := s.store.State(ctx, name)
	if err != nil {
		return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
	}
	res, ferr := job.Source.Fetch(ctx, prev)
	st := res.State
	st.CheckedAt = now
	if ferr != nil {
		sr.Err = fmt.Errorf("source %q: %w", name, ferr)
		st = prev
		st.CheckedAt = now
		st.LastError = ferr.Error()
		st.Failures++
		log.Warn("fetch failed", "err", ferr)
		if err := s.store.SaveState(ctx, name, st); err != nil {
			return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		}
		return sr, nil
	}
	sr.Problems = append(sr.Problems, res.Problems...)
	if !res.NotModified {
		known, err := s.store.Items(ctx, store.Query{Source: name, IncludeHeld: true})
		if err != nil {
			return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		}
		items, nerr := norm.Items(job.Norm, now, res.Stories, known)
		if nerr != nil {
			sr.Problems = append(sr.Problems, unjoin(nerr)...)
		}
		sr.Stories = len(items)
		if sr.Changed, err = s.store.Upsert(ctx, name, items); err != nil {
			return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		}
		if !job.Norm.Feed {
			gone := vanished(known, items, sr.Problems)
			if sr.Removed, err = s.store.Remove(ctx, name, gone); err != nil {
				return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
			}
		}
	}
	for _, p := range sr.Problems {
		log.Warn("skipped", "err", p)
	}
	st.LastSuccess = now
	st.Failures = 0
	st.LastError = ""
	if len(sr.Problems) > 0 {
		st.LastError = errors.Join(sr.Problems...).Error()
	}
	if err := s.store.SaveState(ctx, name, st); err != nil {
		return sr, fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
	}
	log.Info("refreshed", "stories", sr.Stories, "changed", sr.Changed, "removed", sr.Removed, "problems", len(sr.Problems))
	return sr, nil
}

// vanished lists stored items of a story folder that are no longer there: a
// story a file dropped, or a file that is gone. Items of a file that failed to
// read this time, or that holds a story normalize refused, are kept: a broken
// file loses nothing.
func vanished(known, current []feeds.Item, problems []error) []string {
	failed := make(map[string]bool)
	for _, p := range problems {
		if fe, ok := errors.AsType[*sources.FileError](p); ok {
			failed[fe.Path] = true
		}
	}
	present := make(map[string]bool, len(current))
	for _, it := range current {
		present[it.ID] = true
	}
	var gone []string
	for _, it := range known {
		if !present[it.ID] && !failed[it.File] {
			gone = append(gone, it.ID)
		}
	}
	return gone
}

// unjoin splits an errors.Join result back into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func zoneOr(z *time.Location) *time.Location {
	if z == nil {
		return time.UTC
	}
	return z
}
