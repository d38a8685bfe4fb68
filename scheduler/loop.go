package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/feedloom/feedloom/normalize"
)

// Run refreshes each source on its schedule and publishes after changes,
// until ctx is cancelled. At start it lifts due embargoes, publishes once
// (so the output matches the store) and runs every source that is due per
// the store. A source never runs twice at once: a tick that finds it still
// running is skipped and logged. A panic in a source is recovered and marks
// it failed. Refreshes that changed something trigger one publish after
// Options.Debounce of quiet. On cancellation Run stops scheduling, lets
// running refreshes see the cancelled context, lets an in-flight publish
// finish its writes, and returns nil.
func (s *Scheduler) Run(ctx context.Context) error {
	now := s.opts.Now().Truncate(time.Second)
	zone := zoneOr(s.opts.Normalize.Zone)
	first, err := s.store.FirstRun(ctx, now.In(zone).Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	nopts := s.opts.Normalize
	nopts.FirstRun = first
	norm := normalize.New(nopts, s.det)

	entries := make([]*entry, len(s.jobs))
	for i, job := range s.jobs {
		sched, err := ParseSchedule(job.Schedule)
		if err != nil {
			return fmt.Errorf("scheduler: source %q: %w", job.Source.Name(), err)
		}
		entries[i] = &entry{job: job, sched: jitter(sched, job.Source.Name(), s.opts.Jitter), gap: shortestGap(sched)}
	}
	s.entries.Store(&entries)

	kick := make(chan struct{}, 1)
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		s.publisher(ctx, kick)
	}()
	notify := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	release := func(now time.Time) (lifted bool) {
		n, err := s.release(ctx, now)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("lifting embargoes failed", "err", err)
		case n > 0:
			s.log.Info("embargo lifted", "items", n)
		}
		return n > 0
	}
	// Embargoes that ended while Run was stopped are lifted before the first
	// publish, not one ReleaseEvery later.
	release(now)
	notify() // the first publish brings the output in line with the store

	c := cron.New(cron.WithLocation(zone), cron.WithLogger(cron.DiscardLogger))
	var wg sync.WaitGroup
	var cl *clustered
	var sweeps <-chan time.Time
	if s.opts.Cluster != nil {
		// A node leases each source before refreshing it; every node
		// queues every source at start, and the leases sort out who
		// fetches what. The claims are not Run's: they end with ctx.
		cl = newClustered(s, norm, entries, notify)
		wg.Go(func() { cl.run(ctx) })
		wg.Go(func() { cl.listen(ctx) })
		for _, e := range entries {
			c.Schedule(e.sched, cron.FuncJob(func() { cl.tick(ctx, e) }))
			cl.due(e, claim{since: prevTick(e, now)})
			if d, ok := e.job.Source.(digester); ok {
				wg.Go(func() { cl.compareFolder(ctx, e, d) })
			}
		}
		t := time.NewTicker(s.opts.SweepEvery)
		defer t.Stop()
		sweeps = t.C
	} else {
		for _, e := range entries {
			c.Schedule(e.sched, cron.FuncJob(func() { s.tick(ctx, &wg, norm, e, notify) }))
			if s.due(ctx, e, now) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.tick(ctx, nil, norm, e, notify)
				}()
			}
		}
	}
	c.Start()

	releases := time.NewTicker(s.opts.ReleaseEvery)
	defer releases.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-releases.C:
			// The content version is the safety net under the cluster's
			// notifications: a node that missed one catches up here.
			if release(s.opts.Now()) || s.storeMoved(ctx) {
				notify()
			}
		case <-sweeps:
			cl.sweep(ctx)
		}
	}
	<-c.Stop().Done()
	wg.Wait()
	<-pubDone
	s.pings.Wait()
	return nil
}

// entry is one source's place in the loop.
type entry struct {
	job     Job
	sched   cron.Schedule
	gap     time.Duration // the shortest time between two ticks
	running atomic.Bool
}

// due reports whether a source should run at start: never checked, or its
// next scheduled time since the last check has passed.
func (s *Scheduler) due(ctx context.Context, e *entry, now time.Time) bool {
	st, err := s.store.State(ctx, e.job.Source.Name())
	if err != nil {
		return true // the refresh itself will report the store failure
	}
	return st.CheckedAt.IsZero() || !e.sched.Next(st.CheckedAt).After(now)
}

// tick is one scheduled refresh of one source.
func (s *Scheduler) tick(ctx context.Context, wg *sync.WaitGroup, norm *normalize.Normalizer, e *entry, notify func()) {
	if wg != nil {
		wg.Add(1)
		defer wg.Done()
	}
	name := e.job.Source.Name()
	if ctx.Err() != nil {
		return
	}
	if !e.running.CompareAndSwap(false, true) {
		s.log.Warn("skipped: the previous run is still going", "source", name)
		s.opts.Metrics.fetched(name, "busy", 0)
		return
	}
	defer e.running.Store(false)

	now := s.opts.Now().Truncate(time.Second)
	start := time.Now()
	f := s.fetch(ctx, norm, e.job, now)
	took := time.Since(start)
	if ctx.Err() != nil && f.report.Err != nil {
		return // shutting down: a cancelled fetch is not the source's failure
	}
	sr, err := s.storeLocked(ctx, e.job, f, now)
	if err != nil {
		// A pass lock not had because Run is stopping is no failure.
		if ctx.Err() == nil || errors.Is(err, ErrStore) {
			s.log.Error("refresh not stored", "source", name, "err", err)
		}
		return
	}
	s.opts.Metrics.fetched(name, sr.result(), took)
	if sr.Changed > 0 || sr.Removed > 0 {
		notify()
	}
}

// storeLocked stores one fetched source under the pass lock.
// Each attempt is bounded, so that a database that drops packets cannot
// hold a refresh (and the shutdown waiting for it) forever.
func (s *Scheduler) storeLocked(ctx context.Context, job Job, f fetched, now time.Time) (SourceReport, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return f.report, err
	}
	defer unlock()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.Lease/3)
	defer cancel()
	return s.store1(sctx, job, f, now)
}

// publisher publishes once per burst of kicks, after Debounce of quiet. A
// publish that has started finishes even when ctx is cancelled, so files are
// never left half-replaced.
func (s *Scheduler) publisher(ctx context.Context, kick <-chan struct{}) {
	// A steady trickle of changes, each within Debounce of the last, must
	// not postpone publishing forever: a burst waits at most this long.
	maxWait := 10 * s.opts.Debounce
	var timer *time.Timer
	var fire <-chan time.Time
	var burst time.Time
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case <-kick:
			if fire == nil {
				burst = time.Now()
			}
			wait := min(s.opts.Debounce, max(0, maxWait-time.Since(burst)))
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			fire = timer.C
		case <-fire:
			fire = nil
			s.publishLocked(ctx)
		}
	}
}

func (s *Scheduler) publishLocked(ctx context.Context) {
	unlock, err := s.lock(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("publish skipped", "err", err)
		}
		return
	}
	v, verr := s.store.Version(ctx)
	pr, err := s.publish(context.WithoutCancel(ctx))
	if err == nil && verr == nil {
		s.published.Store(v)
	}
	unlock()
	if err != nil {
		s.log.Error("publish failed", "err", err)
		return
	}
	// The hub is told outside the lock and only while running: a hub that
	// does not answer must hold up neither the store's writers, a waiting
	// build, nor the shutdown.
	s.announce(ctx, pr.Changed, false)
}

// storeMoved reports whether the store's content changed since the last
// publish without this node's refreshes noticing it: another process (a
// cron build, another node on a shared database) wrote it.
func (s *Scheduler) storeMoved(ctx context.Context) bool {
	v, err := s.store.Version(ctx)
	return err == nil && v != s.published.Load()
}

// release lifts the embargoes due at now, under the pass lock like every
// store write of Run.
func (s *Scheduler) release(ctx context.Context, now time.Time) (int, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	return s.store.Release(ctx, now)
}

// lock takes the pass lock when one is configured.
func (s *Scheduler) lock(ctx context.Context) (func(), error) {
	if s.opts.Lock == nil {
		return func() {}, nil
	}
	return s.opts.Lock(ctx)
}

// ParseSchedule parses a 5-field cron spec, a descriptor (@hourly) or
// @every, with an optional CRON_TZ= prefix. robfig/cron panics on some
// malformed specs (a bare CRON_TZ=UTC); that is returned as an error.
// @every ticks on whole multiples of its interval since the zero time,
// not relative to the start: every node, and every restart, ticks at the
// same instants, which is what lets a cluster fetch a source once per tick.
func ParseSchedule(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("schedule %q: %v", spec, r)
		}
	}()
	if spec == "" {
		return nil, errors.New("empty schedule")
	}
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return aligned{every.Delay}, nil
	}
	return sched, nil
}

// aligned is an @every schedule on the epoch's grid.
type aligned struct{ every time.Duration }

func (a aligned) Next(t time.Time) time.Time {
	// Truncate works on absolute time, so the grid does not depend on the
	// zone t is in.
	return t.Truncate(a.every).Add(a.every).In(t.Location())
}

// jitter shifts a schedule by a stable per-source offset, up to frac of its
// interval, so many sources on the same spec do not fire in the same second.
// The offset is a hash of the name: the same on every run and node.
func jitter(sched cron.Schedule, name string, frac float64) cron.Schedule {
	if frac <= 0 {
		return sched
	}
	span := time.Duration(float64(shortestGap(sched)) * frac)
	if span < time.Second {
		return sched
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	offset := time.Duration(h.Sum64() % uint64(span/time.Second) * uint64(time.Second))
	return shifted{sched, offset}
}

// shortestGap is the shortest time between two of a schedule's first ticks
// after a fixed instant, so the offset does not depend on when Run started.
// Irregular specs (0 8 * * 1-5, 0 8,9 * * *) have several gaps; taking the
// shortest keeps the shift from reordering ticks.
func shortestGap(sched cron.Schedule) time.Duration {
	var gap time.Duration
	a := sched.Next(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	for range 16 {
		b := sched.Next(a)
		if !b.After(a) {
			break // no further tick within cron's search limit
		}
		if d := b.Sub(a); gap == 0 || d < gap {
			gap = d
		}
		a = b
	}
	return gap
}

// shifted is a schedule delayed by a fixed offset.
type shifted struct {
	cron.Schedule
	offset time.Duration
}

func (s shifted) Next(t time.Time) time.Time {
	return s.Schedule.Next(t.Add(-s.offset)).Add(s.offset)
}
