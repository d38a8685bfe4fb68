package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/store"
)

// coordinator is the seam between chaining a refresh (fetch → normalize →
// store → publish: run.go for a pass, loop.go for Run) and coordinating it:
// which process refreshes a source and when, whose write counts, and who
// pings the hub. local is a process on its own; clustered is one node of
// several sharing a store (cluster.go).
type coordinator interface {
	// hold asks leave for a pass (RunOnce) to refresh source now, whatever
	// its schedule; false means another process is refreshing it.
	hold(ctx context.Context, source string) (lease, bool, error)
	// start begins coordinating the refreshes of Run's loop l until ctx is
	// done. The returned wait returns once all it started has ended; Run
	// calls it after the loop has stopped taking requests.
	start(ctx context.Context, l *loop) (wait func())
	// due asks for a refresh of e: a tick, Run's start (or e's addition) or
	// a trigger. The coordinator decides whether, when and where it runs;
	// the refresh itself is l.fetch then attempt.store.
	due(ctx context.Context, e *entry, r request)
	// pinger reports whether this process pings the hub after a publish
	// that changed a feed, and after how long.
	pinger(ctx context.Context) (delay time.Duration, ok bool)
	// node reports this process's part in the whole for /healthz.
	node(ctx context.Context) server.NodeHealth
}

// request is one reason to refresh a source in Run.
type request struct {
	since time.Time // the due time it serves: a tick's scheduled time, or the second after a trigger came
	at    time.Time // when it came
	start bool      // Run's start or the source's addition: only if due per the store
}

// lease is a coordinator's leave to refresh one source now. A write under
// it is fenced as holder (store.Batch.Holder; empty for a process on its
// own), each store attempt of Run is bounded by bound, and release lets it
// go. A write that lets go of the lease itself (store.Batch.Release) sets
// freed, so that release need not; freed is nil where there is no lease
// to let go of.
type lease struct {
	holder string
	bound  time.Duration
	end    func()
	freed  *atomic.Bool
}

// letGo marks, before a write that lets go of the lease, whether it counts
// as let go: from the moment the write may commit, so that a renewal
// finding the lease gone meanwhile is no loss to warn of; not after the
// write failed.
func (h lease) letGo(gone bool) {
	if h.freed != nil {
		h.freed.Store(gone)
	}
}

// writeLettingGo runs write, a write that lets go of the lease where there
// is one, counting the lease let go from before it (letGo).
func (h lease) writeLettingGo(write func() (store.Applied, error)) (store.Applied, error) {
	h.letGo(true)
	done, err := write()
	if err != nil {
		h.letGo(false)
	}
	return done, err
}

func (h lease) release() {
	if h.end != nil {
		h.end()
	}
}

// writeBound bounds each store attempt of a process on its own, so that a
// database that drops packets cannot hold a refresh (and the shutdown
// waiting for it) forever. A cluster node's bound is a third of its lease.
const writeBound = 40 * time.Second

// newCoordinator is the coordinator opts ask for: a node of a cluster when
// opts.Cluster is set, else a process on its own.
func newCoordinator(st store.Store, opts Options, log *slog.Logger) coordinator {
	one := &local{st: st, log: log, metrics: opts.Metrics, now: opts.Now}
	if opts.Cluster == nil {
		return one
	}
	return newClustered(one, *opts.Cluster, opts.Concurrency)
}

// local coordinates a process on its own: every source is its own to
// refresh, whenever asked, except that a source never runs twice at once (a
// request that finds it running is skipped and logged); at start only the
// sources due per the store run; the hub is pinged at once. The data-dir
// lock (Options.Lock) keeps a cron build out of its writes.
type local struct {
	st      store.Store
	log     *slog.Logger
	metrics *Metrics
	now     func() time.Time

	l         *loop
	refreshes sync.WaitGroup
}

func (c *local) hold(context.Context, string) (lease, bool, error) {
	return lease{bound: writeBound}, true, nil
}

func (c *local) start(_ context.Context, l *loop) func() {
	c.l = l
	return c.refreshes.Wait
}

func (c *local) due(ctx context.Context, e *entry, r request) {
	if r.start && !c.dueAtStart(ctx, e, r.at) {
		return
	}
	if !e.running.CompareAndSwap(false, true) {
		c.busy(e)
		return
	}
	c.refreshes.Go(func() {
		defer e.running.Store(false)
		c.refresh(ctx, e)
	})
}

// busy logs and counts a request that found its source still running.
func (c *local) busy(e *entry) {
	c.log.Warn("skipped: the previous run is still going", "source", e.name())
	c.metrics.fetched(e.name(), "busy", 0)
}

// dueAtStart reports whether e should run at start: never checked, or its
// next scheduled time since the last check has passed.
func (c *local) dueAtStart(ctx context.Context, e *entry, now time.Time) bool {
	st, err := c.st.State(ctx, e.name())
	if err != nil {
		return true // the refresh itself will report the store failure
	}
	return st.CheckedAt.IsZero() || !e.sched.Next(st.CheckedAt).After(now)
}

// refresh fetches e's source and stores what it gave, once.
func (c *local) refresh(ctx context.Context, e *entry) {
	a, ok := c.l.fetch(ctx, e, lease{bound: writeBound}, nil)
	if !ok {
		return
	}
	// A pass lock not had because Run is stopping is no failure.
	if _, err := a.store(ctx); err != nil && (ctx.Err() == nil || errors.Is(err, ErrStore)) {
		c.log.Error("refresh not stored", "source", e.name(), "err", err)
	}
}

func (c *local) pinger(context.Context) (time.Duration, bool) { return 0, true }

func (c *local) node(context.Context) server.NodeHealth { return server.NodeHealth{} }
