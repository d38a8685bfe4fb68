package scheduler

import (
	"container/heap"
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Cluster is a store that several nodes share (store/postgres). With one,
// a node fetches a source only after leasing it, so that each source is
// fetched once per due time by the whole cluster; it hears the other
// nodes' changes, and one node alone pings the WebSub hub.
type Cluster interface {
	// Claim leases the due sources that no live lease holds and that were
	// not checked since their due time; it returns the names it leased.
	Claim(ctx context.Context, node string, due []store.Due, now, until time.Time) ([]store.Claimed, error)
	// Unclaim ends node's lease on source.
	Unclaim(ctx context.Context, node, source string) error
	// Renew moves node's lease on source to until; false when another
	// node holds it now.
	Renew(ctx context.Context, node, source string, until time.Time) (bool, error)
	// Unavailable reports whether a store error means the database was
	// out of reach (worth retrying), not that it refused the write.
	Unavailable(err error) bool
	// Orphans lists the leases that ran out without being let go.
	Orphans(ctx context.Context, now time.Time) ([]store.Orphan, error)
	// Leases counts node's live leases.
	Leases(ctx context.Context, node string, now time.Time) (int, error)
	// Listen calls changed on every change of the items, by any node,
	// until ctx is done, and once each time it starts listening.
	Listen(ctx context.Context, changed func(), onError func(error)) error
	// Lead reports whether this node is the one that pings the hub.
	Lead(ctx context.Context) (bool, error)
	// Ping checks the database answers.
	Ping(ctx context.Context) error
}

// ClusterOptions make a Scheduler one node of several sharing Store: it
// refreshes a source only after leasing it, as Node, for Lease (0 means
// 2m); Run looks for leases that ran out every SweepEvery (0 means a
// quarter of Lease, from 1s to 30s) and publishes when another node
// changed the store; only the leader pings the hub, PingDelay (0 means 5s)
// after its publish.
type ClusterOptions struct {
	Store      Cluster
	Node       string
	Lease      time.Duration
	SweepEvery time.Duration
	PingDelay  time.Duration
}

// Defaults of a cluster node.
const (
	defaultLease     = 2 * time.Minute
	defaultPingDelay = 5 * time.Second
	// claimRetry is the pause after a claim that failed (the database is
	// away) before the due sources are tried again.
	claimRetry = time.Second
)

// clustered coordinates one node of a cluster: it claims the sources due
// to be refreshed as it has room for them, renews and lets go of its
// leases, retries a write the database was too far away to take, takes
// over sources whose lease ran out, publishes on the other nodes'
// changes, and pings the hub only as the leader. What a process on its own
// does (no source twice at once in it, the store, the log) it does too.
type clustered struct {
	*local
	c    Cluster
	opts ClusterOptions

	mu      sync.Mutex
	pending map[*entry]claim
	queue   byRank            // the pending entries not being claimed right now
	warned  map[*entry]string // the stored digest last warned about, per story folder

	wake  chan struct{}
	slots chan struct{} // one per refresh running on this node
}

// claim is a source waiting to be claimed.
type claim struct {
	since  time.Time // the earliest due time it waits to serve: its place in the queue
	latest time.Time // the latest one, which the claim asks for (one fetch serves both)
	orphan string    // the node whose expired lease it takes over, if any
	rank   uint64    // this node's order of claiming: differs per node, so nodes rarely race for one source
	ahead  *ahead    // what the claim that won it read of it
}

func newClustered(one *local, opts ClusterOptions, concurrency int) *clustered {
	if opts.Lease <= 0 {
		opts.Lease = defaultLease
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = min(max(opts.Lease/4, time.Second), 30*time.Second)
	}
	if opts.PingDelay <= 0 {
		opts.PingDelay = defaultPingDelay
	}
	return &clustered{
		local: one, c: opts.Store, opts: opts,
		wake: make(chan struct{}, 1),
		// Twice the fetch concurrency, so that while some refreshes store
		// their results others fetch: the fetcher's limiter still bounds
		// the requests.
		slots: make(chan struct{}, 2*concurrency),
	}
}

// hold leases source for a build: whatever its schedule, but never one
// that a node is refreshing. Politeness is fetch's to judge.
func (cl *clustered) hold(ctx context.Context, source string) (lease, bool, error) {
	now := cl.now()
	got, err := cl.c.Claim(ctx, cl.opts.Node, []store.Due{{Source: source, Force: true}}, now, now.Add(cl.opts.Lease))
	if err != nil || len(got) != 1 {
		return lease{}, false, err
	}
	return cl.leased(ctx, source), true, nil
}

// leased is this node's lease on a source it claimed: renewed while the
// refresh runs, let go at its end.
func (cl *clustered) leased(ctx context.Context, source string) lease {
	freed := new(atomic.Bool)
	stop := cl.keepLease(ctx, source, freed)
	return lease{holder: cl.opts.Node, bound: cl.opts.Lease / 3, freed: freed, end: func() {
		stop()
		if !freed.Load() {
			cl.unclaim(ctx, source)
		}
	}}
}

// start claims and refreshes what l's sources are due for, looks for
// leases that ran out every SweepEvery and publishes on the other nodes'
// changes, until ctx is done.
func (cl *clustered) start(ctx context.Context, l *loop) func() {
	cl.l = l
	cl.pending, cl.warned = map[*entry]claim{}, map[*entry]string{}
	cl.queue = byRank{pending: cl.pending}
	var g *grouper
	if ga, ok := cl.st.(groupApplier); ok {
		g = newGrouper(cl.st, ga)
		l.s.group.Store(g)
	}
	var bg sync.WaitGroup
	bg.Go(func() { cl.claims(ctx) })
	bg.Go(func() { cl.listen(ctx) })
	bg.Go(func() { cl.sweeps(ctx) })
	return func() {
		bg.Wait()
		cl.refreshes.Wait()
		if g != nil {
			l.s.group.Store(nil)
			g.close()
		}
	}
}

// due queues e for the due time r serves. Every node queues every source
// at start, and the leases sort out who fetches what; a story folder is
// also compared with what the store holds.
func (cl *clustered) due(ctx context.Context, e *entry, r request) {
	if d, ok := e.job.Source.(digester); ok && r.start {
		cl.refreshes.Go(func() { cl.compareFolder(ctx, e, d) })
	}
	if e.running.Load() {
		cl.busy(e)
		return
	}
	cl.enqueue(e, claim{since: r.since})
}

// enqueue queues e for the due time c.since. A source already pending
// keeps its place and is claimed for the latest due time it was given: a
// refresh then serves them all, and a node that refreshed it in between
// does not make this node drop the later one.
func (cl *clustered) enqueue(e *entry, c claim) {
	cl.mu.Lock()
	old, ok := cl.pending[e]
	if !ok {
		h := fnv.New64a()
		h.Write([]byte(cl.opts.Node + "\x00" + e.name()))
		c.latest, c.rank = c.since, h.Sum64()
		cl.pending[e] = c
		heap.Push(&cl.queue, e)
	} else {
		if c.since.After(old.latest) {
			old.latest = c.since
		}
		if old.orphan == "" {
			old.orphan = c.orphan
		}
		cl.pending[e] = old
	}
	cl.mu.Unlock()
	cl.poke()
}

func (cl *clustered) poke() {
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}

// byRank is a heap of pending entries, the earliest due time first, so
// that none starves behind sources on shorter schedules; among equal due
// times in the node's own order.
type byRank struct {
	items   []*entry
	pending map[*entry]claim
}

func (q *byRank) Len() int { return len(q.items) }
func (q *byRank) Less(i, j int) bool {
	a, b := q.pending[q.items[i]], q.pending[q.items[j]]
	if !a.since.Equal(b.since) {
		return a.since.Before(b.since)
	}
	return a.rank < b.rank
}
func (q *byRank) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *byRank) Push(x any)    { q.items = append(q.items, x.(*entry)) }
func (q *byRank) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}

// take removes from the queue up to n pending sources that are not
// running, in this node's order; they stay pending until claimed, or go
// back with requeue. A retired source leaves the queue for good.
func (cl *clustered) take(n int) []*entry {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	var ready, busy []*entry
	for len(ready) < n && cl.queue.Len() > 0 {
		e := heap.Pop(&cl.queue).(*entry)
		switch {
		case e.retired.Load():
			delete(cl.pending, e)
		case e.running.Load():
			busy = append(busy, e)
		default:
			ready = append(ready, e)
		}
	}
	for _, e := range busy {
		heap.Push(&cl.queue, e)
	}
	return ready
}

// requeue puts back sources that take returned and no claim settled.
func (cl *clustered) requeue(batch []*entry) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, e := range batch {
		heap.Push(&cl.queue, e)
	}
}

// claims claims queued sources as this node has room for them, and
// refreshes what it claimed, until ctx is done. Claiming only what it can
// start at once leaves the rest to the other nodes, so the work spreads
// over the cluster; claiming once a few slots are free (claimMin), not
// each, makes a claim serve several refreshes.
func (cl *clustered) claims(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-cl.wake:
		}
		for ctx.Err() == nil {
			free := cap(cl.slots) - len(cl.slots)
			if free < cl.claimMin() && len(cl.slots) > 0 {
				break // a refresh that ends pokes: claim when a few are free
			}
			batch := cl.take(free)
			if len(batch) == 0 {
				break
			}
			if !cl.claim(ctx, batch) {
				sleep(ctx, claimRetry)
				cl.poke()
				break
			}
		}
	}
}

// claimMin is the fewest free slots worth a claim while refreshes run: a
// claim is a round trip whatever its size, and a quarter of the slots
// free still leaves the fetcher as many refreshes as it fetches at once.
func (cl *clustered) claimMin() int { return max(1, cap(cl.slots)/4) }

// claim leases batch and starts the refreshes of what it got. It returns
// false when the claim failed, leaving batch queued.
func (cl *clustered) claim(ctx context.Context, batch []*entry) bool {
	now := cl.now().Truncate(time.Second)
	cl.mu.Lock()
	due := make([]store.Due, len(batch))
	claims := make([]claim, len(batch))
	for i, e := range batch {
		claims[i] = cl.pending[e]
		due[i] = store.Due{Source: e.name(), Since: claims[i].latest}
	}
	cl.mu.Unlock()
	got, err := cl.c.Claim(ctx, cl.opts.Node, due, now, now.Add(cl.opts.Lease))
	if err != nil {
		if ctx.Err() == nil {
			cl.log.Error("cannot claim sources", "sources", len(batch), "err", err)
		}
		cl.requeue(batch)
		return false
	}
	won := make(map[string]store.Claimed, len(got))
	for _, c := range got {
		won[c.Source] = c
	}
	cl.settle(batch, claims, won)
	for i, e := range batch {
		c, ok := won[e.name()]
		if !ok {
			cl.taken(ctx, e)
			continue
		}
		// The store knows whose lease ran out, whichever way the claim
		// came (a sweep, or the next tick before a sweep saw it).
		if c.Orphan != "" {
			claims[i].orphan = c.Orphan
		}
		claims[i].ahead = &ahead{state: c.State,
			items: &storedItems{hashes: c.Hashes, n: c.Items, published: c.Published}}
		cl.begin(ctx, e, claims[i])
	}
	return true
}

// settle takes the claimed sources of batch off the queue, and the
// refused ones too unless a tick came during the claim.
func (cl *clustered) settle(batch []*entry, claims []claim, won map[string]store.Claimed) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for i, e := range batch {
		if _, claimed := won[e.name()]; claimed || cl.pending[e].latest.Equal(claims[i].latest) {
			// Claimed: the refresh starts after every tick seen so far, so
			// it serves them all.
			delete(cl.pending, e)
		} else {
			// Refused, but a tick came during the claim: its due time is
			// still to serve.
			heap.Push(&cl.queue, e)
		}
	}
}

// taken counts a source another node holds or already refreshed; a story
// folder is compared with what that node stored.
func (cl *clustered) taken(ctx context.Context, e *entry) {
	cl.metrics.claimed("taken")
	if d, ok := e.job.Source.(digester); ok {
		cl.refreshes.Go(func() { cl.compareFolder(ctx, e, d) })
	}
}

// begin starts the refresh of a source this node claimed, in one of its
// slots.
func (cl *clustered) begin(ctx context.Context, e *entry, c claim) {
	cl.metrics.claimed("claimed")
	if c.orphan != "" {
		cl.metrics.leaseExpired()
		cl.log.Warn("took over a source whose lease ran out", "source", e.name(), "node", c.orphan)
	}
	e.running.Store(true)
	cl.slots <- struct{}{}
	cl.refreshes.Go(func() {
		defer func() {
			e.running.Store(false)
			<-cl.slots
			cl.poke()
		}()
		cl.refresh(ctx, e, c)
	})
}

// refresh fetches, stores and lets go of a claimed source, renewing its
// lease meanwhile, from the state its claim read. A store that fails
// because the database is away is retried for as long as the lease would
// have lasted without renewal: long enough for a database restart, so
// that it loses no fetch.
func (cl *clustered) refresh(ctx context.Context, e *entry, c claim) {
	since := c.latest
	h := cl.leased(ctx, e.name())
	defer h.release()
	a, ok := cl.l.fetch(ctx, e, h, c.ahead)
	if !ok {
		return
	}
	giveUp := time.Now().Add(cl.opts.Lease)
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		sr, err := a.store(ctx)
		if err == nil {
			if errors.Is(sr.Err, sources.ErrNotNow) {
				cl.retry(ctx, e, since)
			}
			return
		}
		if !cl.again(ctx, a, err, since, time.Now().Add(wait).After(giveUp)) {
			return
		}
		cl.log.Warn("refresh not stored yet; retrying", "source", e.name(), "err", err, "wait", wait)
		if !sleep(ctx, wait) {
			return
		}
		if a.f.err != nil {
			a.reread(ctx)
		}
	}
}

// again reports whether a refresh whose store failed with err is worth
// storing again; when not, it has settled what follows. late means the
// next try would come after the lease would have run out.
func (cl *clustered) again(ctx context.Context, a *attempt, err error, since time.Time, late bool) bool {
	name := a.e.name()
	switch {
	case ctx.Err() != nil:
		return false
	case errors.Is(err, store.ErrLeaseLost):
		cl.log.Warn("refresh dropped: another node took the source over", "source", name)
		return false
	case a.f.err == nil && errors.Is(err, ErrStore) && !cl.c.Unavailable(err):
		// The database refused what the source gave (a value it cannot
		// hold): the source's failure, with its backoff, not a reason to
		// fetch it again at once.
		cl.log.Error("refresh not stored", "source", name, "err", err)
		cl.fail(ctx, a, err)
		return false
	case a.f.err != nil && !a.f.fetched, !errors.Is(err, ErrStore), late:
		// Nothing fetched worth waiting for (the state could not be read),
		// the pass lock not had, or waited long enough: once the lease is
		// let go (or runs out), the due time is served again.
		cl.log.Error("refresh not stored", "source", name, "err", err)
		cl.retry(ctx, a.e, since)
		return false
	}
	return true
}

// fail records a refresh the database refused as the source's failure,
// so that it backs off like any failing source.
func (cl *clustered) fail(ctx context.Context, a *attempt, err error) {
	st := a.f.prev
	st.Fail(a.now, err)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.lease.bound)
	defer cancel()
	b := store.Batch{State: &st, Holder: a.lease.holder, Release: a.lease.freed != nil}
	if _, serr := a.lease.writeLettingGo(func() (store.Applied, error) { return cl.st.Apply(sctx, a.e.name(), b) }); serr != nil {
		cl.log.Error("failure not recorded", "source", a.e.name(), "err", serr)
	}
}

// retry queues e again for its due time since: a refresh that stored
// nothing, because the database or the cluster's slots were out of reach,
// is not the source's failure and is tried again. It first lets go of the
// lease (letting go at the end of the refresh likely failed too, and this
// node's own live lease would refuse its claim), trying every claimRetry
// for up to a lease; a lease left behind runs out by itself.
func (cl *clustered) retry(ctx context.Context, e *entry, since time.Time) {
	end := time.Now().Add(cl.opts.Lease)
	cl.refreshes.Go(func() {
		every(ctx, claimRetry, func() bool {
			if e.running.Load() {
				return false // claimed again meanwhile: that refresh serves it
			}
			uctx, cancel := context.WithTimeout(ctx, claimRetry)
			err := cl.c.Unclaim(uctx, cl.opts.Node, e.name())
			cancel()
			if err == nil || time.Now().After(end) {
				cl.enqueue(e, claim{since: since})
				return false
			}
			return true
		})
	})
}

// digester is a story folder that can sum what it holds (files.Source).
type digester interface {
	Digest(ctx context.Context) (string, error)
}

// compareFolder warns when this node's copy of e's story folder, d,
// differs from the one another node last read into the store: every node
// must be deployed the same folders, or each refresh would undo the other's.
func (cl *clustered) compareFolder(ctx context.Context, e *entry, d digester) {
	name := e.name()
	st, err := cl.st.State(ctx, name)
	if err != nil || st.ETag == "" {
		return
	}
	local, err := d.Digest(ctx)
	if err != nil || local == st.ETag {
		return
	}
	cl.mu.Lock()
	seen := cl.warned[e] == st.ETag
	cl.warned[e] = st.ETag
	cl.mu.Unlock()
	if !seen {
		cl.log.Warn("story folder differs from what the store holds: deploy the same folder to every node",
			"source", name, "local", local, "stored", st.ETag, "checked_at", st.CheckedAt)
	}
}

// sweeps looks for leases that ran out every SweepEvery until ctx is done.
func (cl *clustered) sweeps(ctx context.Context) {
	every(ctx, cl.opts.SweepEvery, func() bool {
		cl.sweep(ctx)
		return true
	})
}

// sweep queues the sources whose lease ran out while they were due: their
// node died or lost the database mid-refresh.
func (cl *clustered) sweep(ctx context.Context) {
	now := cl.now()
	orphans, err := cl.c.Orphans(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			cl.log.Warn("cannot look for expired leases", "err", err)
		}
		return
	}
	for _, o := range orphans {
		e := cl.l.entry(o.Source)
		if e == nil || e.running.Load() {
			continue
		}
		if !o.CheckedAt.IsZero() && e.sched.Next(o.CheckedAt).After(now) {
			continue // checked for its last due time: the next tick claims it
		}
		cl.enqueue(e, claim{since: prevTick(e, now), orphan: o.Node})
	}
}

// listen asks for a publish on every change another node commits.
func (cl *clustered) listen(ctx context.Context) {
	cl.c.Listen(ctx, func() {
		cl.metrics.notified()
		cl.l.notify()
	}, func(err error) {
		cl.log.Warn("store notifications lost; reconnecting", "err", err)
	})
}

// keepLease renews this node's lease on name every third of the lease
// until the returned stop is called: waiting for a per-host slot, the
// data-dir lock or a slow store must not let the lease run out under a
// refresh that is still going.
func (cl *clustered) keepLease(ctx context.Context, name string, freed *atomic.Bool) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		every(ctx, cl.opts.Lease/3, func() bool {
			rctx, rcancel := context.WithTimeout(ctx, cl.opts.Lease/3)
			held, err := cl.c.Renew(rctx, cl.opts.Node, name, cl.now().Add(cl.opts.Lease))
			rcancel()
			switch {
			case err != nil && ctx.Err() == nil:
				cl.log.Warn("lease not renewed", "source", name, "err", err)
			case err == nil && !held:
				if !freed.Load() { // else the refresh's write let go of it
					cl.log.Warn("lease lost to another node", "source", name)
				}
				return false
			}
			return true
		})
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// unclaim lets go of a source's lease; one left behind runs out by itself.
func (cl *clustered) unclaim(ctx context.Context, name string) {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := cl.c.Unclaim(uctx, cl.opts.Node, name); err != nil {
		cl.log.Warn("lease not let go; it runs out by itself", "source", name, "err", err)
	}
}

// pinger: only the leader pings, and only after PingDelay, so that the
// other nodes have published what the hub will fetch.
func (cl *clustered) pinger(ctx context.Context) (time.Duration, bool) {
	lead, err := cl.c.Lead(ctx)
	if err != nil {
		cl.log.Warn("websub ping skipped: cannot tell which node leads", "err", err)
		return 0, false
	}
	return cl.opts.PingDelay, lead
}

// node reports this node's id, whether the database answers, and how many
// sources it holds leases on.
func (cl *clustered) node(ctx context.Context) server.NodeHealth {
	h := server.NodeHealth{ID: cl.opts.Node}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := cl.c.Ping(ctx); err != nil {
		h.DatabaseError = err.Error()
		return h
	}
	n, err := cl.c.Leases(ctx, cl.opts.Node, cl.now())
	if err != nil {
		h.DatabaseError = err.Error()
		return h
	}
	h.Leases = n
	return h
}
