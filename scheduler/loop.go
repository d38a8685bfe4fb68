package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/store"
)

// Run refreshes each source on its schedule and publishes after changes,
// until ctx is cancelled. At start it lifts due embargoes, publishes once
// (so the output matches the store) and asks for a refresh of every
// source, which runs if it is due per the store. Every refresh — a tick,
// the start, a Trigger, an Add — is asked of the same coordinator, which
// decides whether and where it runs: a source never runs twice at once (a
// request that finds it still running is skipped and logged). A panic in
// a source is recovered and marks it failed. Refreshes that changed
// something trigger one publish after Options.Debounce of quiet. On
// cancellation Run stops scheduling, lets running refreshes see the
// cancelled context, lets an in-flight publish finish its writes, and
// returns nil.
func (s *Scheduler) Run(ctx context.Context) error {
	now := s.opts.Now().Truncate(time.Second)
	norm, err := s.normalizer(ctx, now)
	if err != nil {
		return err
	}
	if err := s.listed.load(ctx, s.store); err != nil {
		return err
	}
	l, err := s.newLoop(ctx, norm)
	if err != nil {
		return err
	}
	var publisher sync.WaitGroup
	publisher.Go(l.publisher)
	// Embargoes that ended while Run was stopped are lifted before the first
	// publish, not one ReleaseEvery later.
	l.release(now)
	l.notify() // the first publish brings the output in line with the store

	wait := s.coord.start(ctx, l)
	l.begin(now)
	s.loop.Store(l) // open to Trigger, Add and Retire
	l.watch()
	l.stop()
	wait()
	publisher.Wait()
	s.pings.Wait()
	return nil
}

// loop is one Run: its sources on their schedules, the normalizer they
// share and the publisher's kick.
type loop struct {
	s    *Scheduler
	ctx  context.Context // Run's: every refresh and publish lives under it
	norm *normalize.Normalizer
	cron *cron.Cron
	kick chan struct{}
	// now asks for a publish without the debounce: the refresh an event
	// triggered was debounced by whoever watched for it, and its reader
	// waits.
	now chan struct{}

	published atomic.Int64 // store version of the last publish

	mu       sync.Mutex
	entries  []*entry       // in config order, then as added
	closed   bool           // Run is stopping: requests are refused
	requests sync.WaitGroup // requests being handed to the coordinator
}

// entry is one source's place in the loop.
type entry struct {
	job     Job
	sched   cron.Schedule
	gap     time.Duration // the shortest time between two ticks
	id      cron.EntryID
	running atomic.Bool
	retired atomic.Bool
	// triggered: an event asked for the refresh under way or next, whose
	// change is published at once.
	triggered atomic.Bool
}

func (e *entry) name() string { return e.job.Source.Name() }

func (s *Scheduler) newLoop(ctx context.Context, norm *normalize.Normalizer) (*loop, error) {
	zone := zoneOr(s.opts.Normalize.Zone)
	l := &loop{s: s, ctx: ctx, norm: norm, kick: make(chan struct{}, 1), now: make(chan struct{}, 1),
		cron: cron.New(cron.WithLocation(zone), cron.WithLogger(cron.DiscardLogger))}
	// A schedule's gap takes tens of microseconds to find (a yearly one,
	// sixteen of cron's searches); sources mostly share a few schedules.
	gaps := map[string]time.Duration{}
	for _, job := range s.expand(s.jobs) {
		e, err := s.newEntry(job, gaps)
		if err != nil {
			return nil, err
		}
		l.schedule(e)
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// newEntry makes job's entry; gaps, when not nil, keeps each schedule's
// shortest gap by its spec, for the next entries.
func (s *Scheduler) newEntry(job Job, gaps map[string]time.Duration) (*entry, error) {
	sched, err := ParseSchedule(job.Schedule)
	if err != nil {
		return nil, fmt.Errorf("scheduler: source %q: %w", job.Source.Name(), err)
	}
	gap, ok := gaps[job.Schedule]
	if !ok {
		gap = shortestGap(sched)
		if gaps != nil {
			gaps[job.Schedule] = gap
		}
	}
	return &entry{job: job, sched: jitter(sched, gap, job.Source.Name(), s.opts.Jitter), gap: gap}, nil
}

// begin asks for every source's start refresh and starts the clock.
func (l *loop) begin(now time.Time) {
	for _, e := range l.snapshot() {
		l.request(e, request{since: prevTick(e, now), at: now, start: true})
	}
	l.cron.Start()
}

// schedule has e's ticks ask for its refresh; l.mu is held, or l is not
// shared yet.
func (l *loop) schedule(e *entry) {
	e.id = l.cron.Schedule(e.sched, cron.FuncJob(func() {
		now := l.s.opts.Now()
		l.request(e, request{since: prevTick(e, now), at: now})
	}))
}

// request hands r to the coordinator unless Run is stopping or e was
// retired; it reports whether it did.
func (l *loop) request(e *entry, r request) bool {
	l.mu.Lock()
	if l.closed || e.retired.Load() || l.ctx.Err() != nil {
		l.mu.Unlock()
		return false
	}
	l.requests.Add(1)
	l.mu.Unlock()
	defer l.requests.Done()
	l.s.coord.due(l.ctx, e, r)
	return true
}

// watch lifts embargoes that came due every ReleaseEvery, and asks for a
// publish when it did or when the store changed behind this process's
// back (a cron build; another node, should its notification be lost),
// until Run's context is done.
func (l *loop) watch() {
	lists := slices.ContainsFunc(l.s.jobs, func(j Job) bool { return j.Feeds != nil })
	every(l.ctx, l.s.opts.ReleaseEvery, func() bool {
		if l.release(l.s.opts.Now()) || l.storeMoved() {
			l.notify()
		}
		if lists {
			l.syncLists(true)
		}
		return true
	})
}

// stop ends the ticks and refuses further requests, once the ones under
// way have reached the coordinator.
func (l *loop) stop() {
	<-l.cron.Stop().Done()
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.requests.Wait()
}

// snapshot is the loop's sources now, in order.
func (l *loop) snapshot() []*entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

// entry is the source named name, or nil.
func (l *loop) entry(name string) *entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.name() == name {
			return e
		}
	}
	return nil
}

// attempt is one refresh of a source in Run: fetched and normalized,
// waiting to be stored under its lease.
type attempt struct {
	l     *loop
	e     *entry
	lease lease
	f     fetched
	now   time.Time
	took  time.Duration
}

// fetch fetches and normalizes e's source for a refresh under h, from
// what was read of it ahead when pre is not nil. It returns false when Run
// is stopping and cut the fetch short: a cancelled fetch is not the
// source's failure.
func (l *loop) fetch(ctx context.Context, e *entry, h lease, pre *ahead) (*attempt, bool) {
	a := &attempt{l: l, e: e, lease: h, now: l.s.opts.Now().Truncate(time.Second)}
	start := time.Now()
	a.f = l.s.fetchFrom(ctx, l.norm, e.job, a.now, pre)
	a.took = time.Since(start)
	return a, ctx.Err() == nil || a.f.report.Err == nil
}

// store writes the attempt under the pass lock, the try bounded by the
// lease; once it is stored it is counted, and a change asks for a publish.
// A store that failed to read what the refresh needed fails it here.
func (a *attempt) store(ctx context.Context) (SourceReport, error) {
	s := a.l.s
	if a.f.err != nil {
		return a.f.report, a.f.err
	}
	unlock, err := s.writeLock(ctx)
	if err != nil {
		return a.f.report, err
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.lease.bound)
	sr, err := s.store1(sctx, a.e.job, a.f, a.now, a.lease)
	cancel()
	unlock()
	if err != nil {
		return sr, err
	}
	s.opts.Metrics.fetched(sr.Name, sr.result(), a.took)
	if a.e.job.Feeds != nil {
		a.l.syncLists(false)
	}
	triggered := a.e.triggered.Swap(false)
	switch {
	case sr.Changed == 0 && sr.Removed == 0:
	case triggered:
		a.l.notifyNow()
	default:
		a.l.notify()
	}
	return sr, nil
}

// reread normalizes the fetch again against the stored items, after a
// store that could not read them.
func (a *attempt) reread(ctx context.Context) {
	a.l.s.prepare(ctx, a.l.norm, a.e.job, a.now, &a.f)
}

// notify asks for a publish.
func (l *loop) notify() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// notifyNow asks for a publish without waiting for quiet.
func (l *loop) notifyNow() {
	select {
	case l.now <- struct{}{}:
	default:
	}
}

// publisher publishes once per burst of kicks, after Debounce of quiet. A
// publish that has started finishes even when ctx is cancelled, so files are
// never left half-replaced.
func (l *loop) publisher() {
	ctx := l.ctx
	debounce := l.s.opts.Debounce
	// A steady trickle of changes, each within Debounce of the last, must
	// not postpone publishing forever: a burst waits at most this long.
	maxWait := 10 * debounce
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
		case <-l.kick:
			if fire == nil {
				burst = time.Now()
			}
			wait := min(debounce, max(0, maxWait-time.Since(burst)))
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			fire = timer.C
		case <-fire:
			fire = nil
			l.publish(ctx)
		case <-l.now:
			if timer != nil {
				timer.Stop()
			}
			fire = nil
			l.publish(ctx)
		}
	}
}

// publish writes the output under the pass lock, then tells the hub.
func (l *loop) publish(ctx context.Context) {
	s := l.s
	unlock, err := s.lock(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("publish skipped", "err", err)
		}
		return
	}
	v, verr := s.store.Version(ctx)
	pr, err := s.publish(store.WithPurpose(context.WithoutCancel(ctx), store.PurposePublish))
	if err == nil && verr == nil {
		l.published.Store(v)
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
// publish without this process's refreshes noticing it: another process
// (a cron build, another node on a shared database) wrote it.
func (l *loop) storeMoved() bool {
	v, err := l.s.store.Version(l.ctx)
	return err == nil && v != l.published.Load()
}

// release lifts the embargoes due at now, under the pass lock like every
// store write of Run, and reports whether it lifted any.
func (l *loop) release(now time.Time) bool {
	s := l.s
	n, err := s.releaseLocked(l.ctx, now)
	switch {
	case err != nil && l.ctx.Err() == nil:
		s.log.Error("lifting embargoes failed", "err", err)
	case n > 0:
		s.log.Info("embargo lifted", "items", n)
	}
	return n > 0
}

func (s *Scheduler) releaseLocked(ctx context.Context, now time.Time) (int, error) {
	unlock, err := s.writeLock(ctx)
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

// writeLock takes the pass lock for a store write of Run, unless the
// store is a cluster's: its database takes every node's writers side by
// side, a build's on this machine included, so a node's own need not
// queue behind each other or behind its publish.
func (s *Scheduler) writeLock(ctx context.Context) (func(), error) {
	if s.opts.Cluster != nil {
		return func() {}, nil
	}
	return s.lock(ctx)
}

// Trigger asks Run for a refresh of the named source now, for an event
// such as a change in a watched folder, and for its change to be published
// as soon as it is stored (the event's watcher waited for quiet already). It takes the path a tick takes,
// through the same coordinator and its rules (never twice at once; in a
// cluster, once per due time by the whole cluster). Its due time is the
// second after the event: stored check times are whole seconds, and a
// refresh checked earlier in the event's second may have read the source
// before it changed. It reports false when Run is not running or has no
// such source.
func (s *Scheduler) Trigger(name string) bool {
	l := s.loop.Load()
	if l == nil {
		return false
	}
	e := l.entry(name)
	if e == nil {
		return false
	}
	now := s.opts.Now()
	e.triggered.Store(true)
	return l.request(e, request{since: now.Truncate(time.Second).Add(time.Second), at: now})
}

// Add puts a source on Run's schedule while Run runs, after the others: it
// is refreshed at once if due per the store (as at Run's start), then on
// its schedule. RunOnce keeps to the configured jobs and the feeds their
// lists name.
func (s *Scheduler) Add(job Job) error {
	l := s.loop.Load()
	if l == nil {
		return errors.New("scheduler: add: Run is not running")
	}
	return l.add(job)
}

// add is Add on l.
func (l *loop) add(job Job) error {
	s := l.s
	e, err := s.newEntry(job, nil)
	if err != nil {
		return err
	}
	l.mu.Lock()
	if l.closed || slices.ContainsFunc(l.entries, func(o *entry) bool { return o.name() == e.name() }) {
		l.mu.Unlock()
		return fmt.Errorf("scheduler: add: source %q is already scheduled, or Run is stopping", e.name())
	}
	l.entries = append(l.entries, e)
	l.schedule(e)
	l.mu.Unlock()
	now := s.opts.Now().Truncate(time.Second)
	l.request(e, request{since: prevTick(e, now), at: now, start: true})
	return nil
}

// Retire takes the named source off Run's schedule: no tick, trigger or
// queued request refreshes it after this; a refresh already running
// finishes. Its stored items and state stay. It reports whether Run had
// the source.
func (s *Scheduler) Retire(name string) bool {
	l := s.loop.Load()
	if l == nil {
		return false
	}
	return l.retire(name)
}

// retire is Retire on l.
func (l *loop) retire(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.entries, func(e *entry) bool { return e.name() == name })
	if i < 0 {
		return false
	}
	e := l.entries[i]
	e.retired.Store(true)
	l.cron.Remove(e.id)
	l.entries = slices.Delete(l.entries, i, i+1)
	return true
}
