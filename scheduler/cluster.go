package scheduler

import (
	"container/heap"
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/feedloom/feedloom/normalize"
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
	Claim(ctx context.Context, node string, due []store.Due, now, until time.Time) ([]string, error)
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

// Defaults of a cluster node.
const (
	defaultLease     = 2 * time.Minute
	defaultPingDelay = 5 * time.Second
	// claimRetry is the pause after a claim that failed (the database is
	// away) before the due sources are tried again.
	claimRetry = time.Second
)

// clustered is the part of Run that a cluster node adds: the claims, the
// sweep for expired leases and the notifications.
type clustered struct {
	s      *Scheduler
	c      Cluster
	norm   *normalize.Normalizer
	notify func() // asks for a publish
	byName map[string]*entry
	rank   map[*entry]uint64 // this node's order of claiming: differs per node, so nodes rarely race for one source

	mu      sync.Mutex
	pending map[*entry]claim
	queue   byRank            // the pending entries not being claimed right now
	warned  map[*entry]string // the stored digest last warned about, per story folder

	wake    chan struct{}
	slots   chan struct{} // one per refresh running on this node
	running sync.WaitGroup
}

// claim is a source waiting to be claimed.
type claim struct {
	since  time.Time // the earliest due time it waits to serve: its place in the queue
	latest time.Time // the latest one, which the claim asks for (one fetch serves both)
	orphan string    // the node whose expired lease it takes over, if any
}

func newClustered(s *Scheduler, norm *normalize.Normalizer, entries []*entry, notify func()) *clustered {
	cl := &clustered{
		s: s, c: s.opts.Cluster, norm: norm, notify: notify,
		byName:  make(map[string]*entry, len(entries)),
		rank:    make(map[*entry]uint64, len(entries)),
		pending: map[*entry]claim{},
		warned:  map[*entry]string{},
		wake:    make(chan struct{}, 1),
		// Twice the fetch concurrency, so that while some refreshes store
		// their results others fetch: the fetcher's limiter still bounds
		// the requests.
		slots: make(chan struct{}, 2*s.opts.Concurrency),
	}
	for _, e := range entries {
		name := e.job.Source.Name()
		cl.byName[name] = e
		h := fnv.New64a()
		h.Write([]byte(s.opts.Node + "\x00" + name))
		cl.rank[e] = h.Sum64()
	}
	cl.queue.rank, cl.queue.pending = cl.rank, cl.pending
	return cl
}

// byRank is a heap of pending entries, the earliest due time first, so
// that none starves behind sources on shorter schedules; among equal due
// times in the node's own order.
type byRank struct {
	items   []*entry
	rank    map[*entry]uint64
	pending map[*entry]claim
}

func (q *byRank) Len() int { return len(q.items) }
func (q *byRank) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if sa, sb := q.pending[a].since, q.pending[b].since; !sa.Equal(sb) {
		return sa.Before(sb)
	}
	return q.rank[a] < q.rank[b]
}
func (q *byRank) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *byRank) Push(x any)    { q.items = append(q.items, x.(*entry)) }
func (q *byRank) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}

// due queues e for the due time c.since. A source already pending keeps
// its place and is claimed for the latest due time it was given: a
// refresh then serves them all, and a node that refreshed it in between
// does not make this node drop the later one.
func (cl *clustered) due(e *entry, c claim) {
	cl.mu.Lock()
	old, ok := cl.pending[e]
	if !ok {
		c.latest = c.since
		cl.pending[e] = c
		cl.push(e)
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

// tick is a scheduled tick of e: it queues e for the due time it serves.
func (cl *clustered) tick(ctx context.Context, e *entry) {
	if ctx.Err() != nil {
		return
	}
	if e.running.Load() {
		cl.s.log.Warn("skipped: the previous run is still going", "source", e.job.Source.Name())
		cl.s.opts.Metrics.fetched(e.job.Source.Name(), "busy", 0)
		return
	}
	cl.due(e, claim{since: prevTick(e, cl.s.opts.Now())})
}

// take removes from the queue up to n pending sources that are not
// running, in this node's order; they stay pending until claimed, or go
// back with requeue.
func (cl *clustered) take(n int) []*entry {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	var ready, busy []*entry
	for len(ready) < n && cl.queue.Len() > 0 {
		e := heap.Pop(&cl.queue).(*entry)
		if e.running.Load() {
			busy = append(busy, e)
			continue
		}
		ready = append(ready, e)
	}
	for _, e := range busy {
		cl.push(e)
	}
	return ready
}

// push queues a pending entry; cl.mu is held.
func (cl *clustered) push(e *entry) {
	heap.Push(&cl.queue, e)
}

// requeue puts back sources that take returned and no claim settled.
func (cl *clustered) requeue(batch []*entry) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, e := range batch {
		cl.push(e)
	}
}

// run claims queued sources as this node has room for them, and refreshes
// what it claimed, until ctx is done; then it waits for the refreshes.
// Claiming only what it can start at once leaves the rest to the other
// nodes, so the work spreads over the cluster.
func (cl *clustered) run(ctx context.Context) {
	defer cl.running.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-cl.wake:
		}
		for ctx.Err() == nil {
			free := cap(cl.slots) - len(cl.slots)
			batch := cl.take(free)
			if len(batch) == 0 {
				break
			}
			if !cl.claim(ctx, batch) {
				t := time.NewTimer(claimRetry)
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
				cl.poke()
				break
			}
		}
	}
}

// claim leases batch and starts the refreshes of what it got. It returns
// false when the claim failed, leaving batch queued.
func (cl *clustered) claim(ctx context.Context, batch []*entry) bool {
	s := cl.s
	now := s.opts.Now().Truncate(time.Second)
	cl.mu.Lock()
	due := make([]store.Due, len(batch))
	claims := make([]claim, len(batch))
	for i, e := range batch {
		claims[i] = cl.pending[e]
		due[i] = store.Due{Source: e.job.Source.Name(), Since: claims[i].latest}
	}
	cl.mu.Unlock()
	got, err := cl.c.Claim(ctx, s.opts.Node, due, now, now.Add(s.opts.Lease))
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("cannot claim sources", "sources", len(batch), "err", err)
		}
		cl.requeue(batch)
		return false
	}
	claimed := make(map[string]bool, len(got))
	for _, name := range got {
		claimed[name] = true
	}
	cl.mu.Lock()
	for i, e := range batch {
		if claimed[e.job.Source.Name()] || cl.pending[e].latest.Equal(claims[i].latest) {
			// Claimed: the refresh starts after every tick seen so far, so
			// it serves them all.
			delete(cl.pending, e)
		} else {
			// Refused, but a tick came during the claim: its due time is
			// still to serve.
			cl.push(e)
		}
	}
	cl.mu.Unlock()
	for i, e := range batch {
		name := e.job.Source.Name()
		if !claimed[name] {
			s.opts.Metrics.claimed("taken")
			if d, ok := e.job.Source.(digester); ok {
				cl.running.Go(func() { cl.compareFolder(ctx, e, d) })
			}
			continue
		}
		s.opts.Metrics.claimed("claimed")
		if claims[i].orphan != "" {
			s.opts.Metrics.leaseExpired()
			s.log.Warn("took over a source whose lease ran out", "source", name, "node", claims[i].orphan)
		}
		e.running.Store(true)
		cl.slots <- struct{}{}
		cl.running.Go(func() {
			defer func() {
				e.running.Store(false)
				<-cl.slots
				cl.poke()
			}()
			cl.refresh(ctx, e, claims[i].latest)
		})
	}
	return true
}

// refresh fetches, stores and lets go of a claimed source, renewing its
// lease meanwhile. A store that fails because the database is away is
// retried for up to one lease, so that a database restart loses no fetch.
func (cl *clustered) refresh(ctx context.Context, e *entry, since time.Time) {
	s := cl.s
	name := e.job.Source.Name()
	stopLease := s.keepLease(ctx, name)
	defer func() {
		stopLease()
		s.unclaim(ctx, name)
	}()
	now := s.opts.Now().Truncate(time.Second)
	start := time.Now()
	f := s.fetch(ctx, cl.norm, e.job, now)
	f.holder = s.opts.Node
	took := time.Since(start)
	if ctx.Err() != nil && f.report.Err != nil {
		return // shutting down: a cancelled fetch is not the source's failure
	}
	// The store is retried for as long as the lease would have lasted
	// without renewal: long enough for a database restart.
	giveUp := time.Now().Add(s.opts.Lease)
	wait := 250 * time.Millisecond
	for {
		var sr SourceReport
		err := f.err
		if err == nil {
			sr, err = s.storeLocked(ctx, e.job, f, now)
		}
		if err == nil {
			s.opts.Metrics.fetched(name, sr.result(), took)
			if sr.Changed > 0 || sr.Removed > 0 {
				cl.notify()
			}
			if errors.Is(sr.Err, sources.ErrNotNow) {
				cl.retry(ctx, e, since)
			}
			return
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, store.ErrLeaseLost):
			s.log.Warn("refresh dropped: another node took the source over", "source", name)
			return
		case f.err == nil && errors.Is(err, ErrStore) && !cl.c.Unavailable(err):
			// The database refused what the source gave (a value it cannot
			// hold): the source's failure, with its backoff, not a reason
			// to fetch it again at once.
			s.log.Error("refresh not stored", "source", name, "err", err)
			cl.fail(ctx, e, f, now, err)
			return
		case f.err != nil && !f.fetched, !errors.Is(err, ErrStore), time.Now().Add(wait).After(giveUp):
			// Nothing fetched worth waiting for (the state could not be
			// read), the pass lock not had, or waited long enough: once the
			// lease is let go (or runs out), the due time is served again.
			s.log.Error("refresh not stored", "source", name, "err", err)
			cl.retry(ctx, e, since)
			return
		}
		s.log.Warn("refresh not stored yet; retrying", "source", name, "err", err, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
		if f.err != nil {
			s.prepare(ctx, cl.norm, e.job, now, &f)
		}
	}
}

// fail records a refresh the database refused as the source's failure,
// so that it backs off like any failing source.
func (cl *clustered) fail(ctx context.Context, e *entry, f fetched, now time.Time, err error) {
	st := f.prev
	st.Fail(now, err)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cl.s.opts.Lease/3)
	defer cancel()
	if _, serr := cl.s.store.Apply(sctx, e.job.Source.Name(),
		store.Batch{State: &st, Holder: cl.s.opts.Node}); serr != nil {
		cl.s.log.Error("failure not recorded", "source", e.job.Source.Name(), "err", serr)
	}
}

// retry queues e again for its due time since: a refresh that stored
// nothing, because the database or the cluster's slots were out of reach,
// is not the source's failure and is tried again. It first lets go of the
// lease (letting go at the end of the refresh likely failed too, and this
// node's own live lease would refuse its claim), trying every claimRetry
// for up to a lease; a lease left behind runs out by itself.
func (cl *clustered) retry(ctx context.Context, e *entry, since time.Time) {
	s := cl.s
	cl.running.Go(func() {
		end := time.Now().Add(s.opts.Lease)
		t := time.NewTicker(claimRetry)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if e.running.Load() {
				return // claimed again meanwhile: that refresh serves it
			}
			uctx, cancel := context.WithTimeout(ctx, claimRetry)
			err := cl.c.Unclaim(uctx, s.opts.Node, e.job.Source.Name())
			cancel()
			if err == nil || time.Now().After(end) {
				cl.due(e, claim{since: since})
				return
			}
		}
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
	name := e.job.Source.Name()
	st, err := cl.s.store.State(ctx, name)
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
		cl.s.log.Warn("story folder differs from what the store holds: deploy the same folder to every node",
			"source", name, "local", local, "stored", st.ETag, "checked_at", st.CheckedAt)
	}
}

// sweep queues the sources whose lease ran out while they were due: their
// node died or lost the database mid-refresh.
func (cl *clustered) sweep(ctx context.Context) {
	now := cl.s.opts.Now()
	orphans, err := cl.c.Orphans(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			cl.s.log.Warn("cannot look for expired leases", "err", err)
		}
		return
	}
	for _, o := range orphans {
		e, ok := cl.byName[o.Source]
		if !ok || e.running.Load() {
			continue
		}
		if !o.CheckedAt.IsZero() && e.sched.Next(o.CheckedAt).After(now) {
			continue // checked for its last due time: the next tick claims it
		}
		cl.due(e, claim{since: prevTick(e, now), orphan: o.Node})
	}
}

// listen wakes the publisher on every change another node commits.
func (cl *clustered) listen(ctx context.Context) {
	cl.c.Listen(ctx, func() {
		cl.s.opts.Metrics.notified()
		cl.notify()
	}, func(err error) {
		cl.s.log.Warn("store notifications lost; reconnecting", "err", err)
	})
}

// prevTick is e's latest scheduled time at or before now: the due time a
// tick that fires at now serves, the same on every node whatever the
// delay in firing. A schedule with no tick before now gives now.
func prevTick(e *entry, now time.Time) time.Time {
	return latestTick(e.sched, e.gap, now)
}

func latestTick(sched cron.Schedule, gap time.Duration, now time.Time) time.Time {
	if gap <= 0 {
		return now.Truncate(time.Second)
	}
	// Step back by the shortest gap until a tick lies between there and
	// now, then walk forward to the last one at or before now.
	from := now.Add(-gap)
	for range 64 {
		if !sched.Next(from).After(now) {
			break
		}
		from = from.Add(-gap)
	}
	p := sched.Next(from)
	if p.After(now) {
		return now.Truncate(time.Second)
	}
	for {
		n := sched.Next(p)
		if n.After(now) || !n.After(p) {
			return p
		}
		p = n
	}
}

// claimOnce leases one source for a build: whatever its schedule, but
// never one that a node is refreshing. Politeness is fetch's to judge.
func (s *Scheduler) claimOnce(ctx context.Context, name string) (bool, error) {
	now := s.opts.Now()
	got, err := s.opts.Cluster.Claim(ctx, s.opts.Node, []store.Due{{Source: name, Force: true}}, now, now.Add(s.opts.Lease))
	return len(got) == 1, err
}

// keepLease renews this node's lease on name every third of the lease
// until the returned stop is called: waiting for a per-host slot, the
// data-dir lock or a slow store must not let the lease run out under a
// refresh that is still going.
func (s *Scheduler) keepLease(ctx context.Context, name string) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(ctx, s.opts.Lease/3)
			held, err := s.opts.Cluster.Renew(rctx, s.opts.Node, name, s.opts.Now().Add(s.opts.Lease))
			rcancel()
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("lease not renewed", "source", name, "err", err)
			case err == nil && !held:
				s.log.Warn("lease lost to another node", "source", name)
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// announce pings the hub about changed feeds. In a cluster only the
// leader does, and only after PingDelay, so that the other nodes have
// published what the hub will fetch.
func (s *Scheduler) announce(ctx context.Context, changed []string, wait bool) {
	if s.opts.Hub == "" || !slices.ContainsFunc(changed, isFeedPath) {
		return
	}
	if s.opts.Cluster == nil {
		s.pingHub(ctx, changed)
		return
	}
	lead, err := s.opts.Cluster.Lead(ctx)
	if err != nil {
		s.log.Warn("websub ping skipped: cannot tell which node leads", "err", err)
		return
	}
	if !lead {
		return
	}
	ping := func() {
		t := time.NewTimer(s.opts.PingDelay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.pingHub(ctx, changed)
	}
	if wait {
		ping()
		return
	}
	s.pings.Go(ping)
}
