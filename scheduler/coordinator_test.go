package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// memDB is the shared part of a cluster in memory, over a test's store:
// leases as store/postgres keeps them, writes fenced by them, notifications
// and a database that can go away. Each node sees it through a memNode.
type memDB struct {
	st   store.Store
	away atomic.Bool // every call fails with errAway, as an unreachable database does
	// onClaim, when set, runs at the start of the n-th Claim (from 1).
	onClaim func(n int)

	claims    atomic.Int32
	unclaims  atomic.Int32
	reads     atomic.Int32 // States read through a memStore
	itemReads atomic.Int32 // one source's story hashes or items read through a memStore
	mu        sync.Mutex
	leases    map[string]memLease // by source
	listeners []func()
}

type memLease struct {
	node  string
	until time.Time
}

var errAway = errors.New("memdb: the database is out of reach")

func newMemDB(st store.Store) *memDB { return &memDB{st: st, leases: map[string]memLease{}} }

// lease sets a source's lease, as if node had claimed it until until.
func (db *memDB) lease(source, node string, until time.Time) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.leases[source] = memLease{node, until}
}

func (db *memDB) holder(source string) string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.leases[source].node
}

// memNode is one node's view of a memDB: a Cluster, and the store it
// writes through (fenced, and announced to the other nodes).
type memNode struct {
	db   *memDB
	lead bool
}

func (n memNode) Claim(ctx context.Context, node string, due []store.Due, now, until time.Time) ([]store.Claimed, error) {
	if f := n.db.onClaim; f != nil {
		f(int(n.db.claims.Add(1)))
	}
	if n.db.away.Load() {
		return nil, errAway
	}
	n.db.mu.Lock()
	defer n.db.mu.Unlock()
	var got []store.Claimed
	for _, d := range due {
		st, err := n.db.st.State(ctx, d.Source)
		if err != nil {
			return nil, err
		}
		l, ok := n.db.leases[d.Source]
		switch {
		case ok && !l.until.Before(now), !d.Force && st.NextDue.After(now),
			!d.Since.IsZero() && !st.CheckedAt.IsZero() && !st.CheckedAt.Before(d.Since):
			continue
		}
		n.db.leases[d.Source] = memLease{node, until}
		hashes, err := n.db.st.StoryHashes(ctx, d.Source)
		if err != nil {
			return nil, err
		}
		items, err := n.db.st.Items(ctx, store.Query{Source: d.Source, IncludeHeld: true, Sparse: true})
		if err != nil {
			return nil, err
		}
		var dates []time.Time
		for _, it := range items {
			dates = append(dates, it.Published)
		}
		got = append(got, store.Claimed{Source: d.Source, Orphan: l.node, State: st, // a lease let go is deleted
			Hashes: hashes, Items: len(items), Published: dates})
	}
	return got, nil
}

func (n memNode) Unclaim(ctx context.Context, node, source string) error {
	n.db.unclaims.Add(1)
	if n.db.away.Load() {
		return errAway
	}
	n.db.mu.Lock()
	defer n.db.mu.Unlock()
	if n.db.leases[source].node == node {
		delete(n.db.leases, source)
	}
	return nil
}

func (n memNode) Renew(ctx context.Context, node, source string, until time.Time) (bool, error) {
	if n.db.away.Load() {
		return false, errAway
	}
	n.db.mu.Lock()
	defer n.db.mu.Unlock()
	if n.db.leases[source].node != node {
		return false, nil
	}
	n.db.leases[source] = memLease{node, until}
	return true, nil
}

func (n memNode) Unavailable(err error) bool { return errors.Is(err, errAway) }

func (n memNode) Orphans(ctx context.Context, now time.Time) ([]store.Orphan, error) {
	if n.db.away.Load() {
		return nil, errAway
	}
	n.db.mu.Lock()
	defer n.db.mu.Unlock()
	var out []store.Orphan
	for source, l := range n.db.leases {
		if l.until.Before(now) {
			st, err := n.db.st.State(ctx, source)
			if err != nil {
				return nil, err
			}
			out = append(out, store.Orphan{Source: source, Node: l.node, CheckedAt: st.CheckedAt})
		}
	}
	return out, nil
}

func (n memNode) Leases(ctx context.Context, node string, now time.Time) (int, error) {
	n.db.mu.Lock()
	defer n.db.mu.Unlock()
	k := 0
	for _, l := range n.db.leases {
		if l.node == node && !l.until.Before(now) {
			k++
		}
	}
	return k, nil
}

func (n memNode) Listen(ctx context.Context, changed func(), onError func(error)) error {
	n.db.mu.Lock()
	n.db.listeners = append(n.db.listeners, changed)
	n.db.mu.Unlock()
	changed()
	<-ctx.Done()
	return nil
}

func (n memNode) Lead(context.Context) (bool, error) { return n.lead, nil }
func (n memNode) Ping(context.Context) error         { return nil }

// memStore is the test's store as a node of the memDB writes to it.
type memStore struct {
	store.Store
	db *memDB
	// refuse, when set, is the error the database answers a write of
	// items with: a value it cannot hold.
	refuse error
}

func (s memStore) StoryHashes(ctx context.Context, source string) (map[string]string, error) {
	s.db.itemReads.Add(1)
	return s.Store.StoryHashes(ctx, source)
}

func (s memStore) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	if q.Source != "" {
		s.db.itemReads.Add(1)
	}
	return s.Store.Items(ctx, q)
}

func (s memStore) State(ctx context.Context, source string) (sources.State, error) {
	s.db.reads.Add(1)
	if s.db.away.Load() {
		return sources.State{}, errAway
	}
	return s.Store.State(ctx, source)
}

func (s memStore) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	if s.db.away.Load() {
		return store.Applied{}, errAway
	}
	if s.refuse != nil && len(b.Items) > 0 {
		return store.Applied{}, s.refuse
	}
	if b.Holder != "" && s.db.holder(source) != b.Holder {
		return store.Applied{}, store.ErrLeaseLost
	}
	done, err := s.Store.Apply(ctx, source, b)
	if err == nil && b.Release && b.Holder != "" {
		s.db.mu.Lock()
		if s.db.leases[source].node == b.Holder {
			delete(s.db.leases, source)
		}
		s.db.mu.Unlock()
	}
	if err == nil && done.Changed+done.Removed+done.Pruned > 0 {
		s.db.mu.Lock()
		for _, f := range s.db.listeners {
			f()
		}
		s.db.mu.Unlock()
	}
	return done, err
}

// memCluster is a test's cluster in memory: a site's store shared by the
// nodes it makes.
type memCluster struct {
	s  *site
	db *memDB
}

func newMemCluster(t *testing.T) *memCluster {
	s := newSite(t)
	return &memCluster{s: s, db: newMemDB(s.store)}
}

// node is a scheduler for node id of the cluster, with its own log and
// metrics; the site's output folder is its.
func (c *memCluster) node(id string, jobs []Job, opts Options, st memStore) (*Scheduler, *loopLog, *metrics.Set) {
	log := new(loopLog)
	set := metrics.NewSet()
	cl := ClusterOptions{}
	if opts.Cluster != nil {
		cl = *opts.Cluster
	}
	cl.Store, cl.Node = memNode{db: c.db, lead: cl.Node == "lead"}, id
	opts.Cluster, opts.Metrics = &cl, NewMetrics(set)
	st.Store, st.db = c.s.store, c.db
	return New(st, c.s.loopPublish(log.logger(), opts.Hub), nil, jobs, opts, log.logger()), log, set
}

// counter reads a counter of set, summed over its labels.
func counter(t *testing.T, set *metrics.Set, name string) float64 {
	t.Helper()
	var sum float64
	for series, v := range samples(t, set) {
		if series == name || strings.HasPrefix(series, name+"{") {
			sum += v
		}
	}
	return sum
}

// samples reads what set writes for a scrape: each series, as written
// (name and labels), with its value.
func samples(t *testing.T, set *metrics.Set) map[string]float64 {
	t.Helper()
	var b bytes.Buffer
	set.WritePrometheus(&b)
	m := map[string]float64{}
	for line := range strings.Lines(b.String()) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// A label value may hold a space; the value never does.
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("metrics: no value in %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics: %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m
}

// gated returns a fetch that waits for release (or the end of its
// context) before it answers with stories, and closes started as it
// begins the first time.
func gated(started, release chan struct{}, titles ...string) func(context.Context, int) (sources.Result, error) {
	stories := loopStories(titles...)
	once := sync.OnceFunc(func() { close(started) })
	return func(ctx context.Context, n int) (sources.Result, error) {
		once()
		select {
		case <-release:
		case <-ctx.Done():
			return sources.Result{}, ctx.Err()
		}
		return stories(ctx, n)
	}
}

// TestFakeClusterFencing: a node whose lease another node took over while
// it fetched writes nothing, drops the refresh and does not retry it.
func TestFakeClusterFencing(t *testing.T) {
	t.Parallel()
	c := newMemCluster(t)
	started, release := make(chan struct{}), make(chan struct{})
	src := &loopSource{name: "wire", fetch: gated(started, release, "Wire Story")}
	sch, log, set := c.node("n1", []Job{loopJob(src, "@hourly")}, loopOptions(nil), memStore{})
	stop := startRun(t, sch)
	<-started
	c.db.lease("wire", "n2", time.Now().Add(time.Hour)) // n1's lease ran out and n2 took it
	close(release)
	eventually(t, "the dropped refresh", func() bool {
		return log.count(`msg="refresh dropped: another node took the source over"`, "source=wire") == 1
	})
	stop()
	if st := c.s.loopState("wire"); !st.CheckedAt.IsZero() {
		t.Errorf("state after a fenced write: %+v, want none stored", st)
	}
	if n := log.count("retrying"); n != 0 || src.calls.Load() != 1 || counter(t, set, "feedloom_fetches_total") != 0 {
		t.Errorf("%d retries logged, %d fetches, %v counted; want the refresh dropped:\n%s",
			n, src.calls.Load(), counter(t, set, "feedloom_fetches_total"), log.String())
	}
	if h := c.db.holder("wire"); h != "n2" {
		t.Errorf("lease held by %q after the dropped refresh, want n2's left alone", h)
	}
}

// TestFakeClusterTakeoverByTick: a source whose lease ran out and that a
// tick (here a trigger) claims before any sweep saw it is counted and
// logged as taken over all the same: the claim says whose lease it was.
func TestFakeClusterTakeoverByTick(t *testing.T) {
	t.Parallel()
	c := newMemCluster(t)
	c.db.lease("wire", "dead", time.Now().Add(-time.Minute))
	src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
	opts := loopOptions(nil)
	opts.Cluster = &ClusterOptions{SweepEvery: time.Hour} // no sweep within the test
	sch, log, set := c.node("n1", []Job{loopJob(src, "@hourly")}, opts, memStore{})
	stop := startRun(t, sch)
	eventually(t, "the start's refresh", func() bool { return !c.s.loopState("wire").CheckedAt.IsZero() })
	stop()
	if got := counter(t, set, "feedloom_lease_expiries_total"); got != 1 {
		t.Errorf("%v lease expiries counted, want 1", got)
	}
	if n := log.count(`msg="took over a source whose lease ran out"`, "source=wire", "node=dead"); n != 1 {
		t.Errorf("%d takeovers logged, want 1:\n%s", n, log.String())
	}
}

// TestFakeClusterTakeover: a source whose lease ran out while its node
// held it is taken over at the next sweep, counted and logged, and its
// due time served.
func TestFakeClusterTakeover(t *testing.T) {
	t.Parallel()
	c := newMemCluster(t)
	start := time.Now().Truncate(time.Second)
	var clock atomic.Int64
	clock.Store(start.UnixNano())
	c.db.lease("wire", "dead", start.Add(time.Minute))
	src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
	opts := loopOptions(nil)
	opts.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	opts.Cluster = &ClusterOptions{SweepEvery: 50 * time.Millisecond}
	sch, log, set := c.node("n1", []Job{loopJob(src, "@hourly")}, opts, memStore{})
	stop := startRun(t, sch)
	eventually(t, "the start's claim, refused", func() bool { return counter(t, set, "feedloom_claims_total") == 1 })
	if src.calls.Load() != 0 {
		t.Fatalf("fetched a source another node holds")
	}
	clock.Store(start.Add(2 * time.Minute).UnixNano()) // the dead node's lease runs out
	eventually(t, "the takeover's refresh", func() bool { return !c.s.loopState("wire").CheckedAt.IsZero() })
	stop()
	if got := counter(t, set, "feedloom_lease_expiries_total"); got != 1 {
		t.Errorf("%v lease expiries counted, want 1", got)
	}
	if n := log.count(`msg="took over a source whose lease ran out"`, "source=wire", "node=dead"); n != 1 {
		t.Errorf("%d takeovers logged, want 1:\n%s", n, log.String())
	}
	if h := c.db.holder("wire"); h != "" {
		t.Errorf("lease held by %q after the refresh, want it let go", h)
	}
	if n := c.db.unclaims.Load(); n != 0 {
		t.Errorf("%d unclaims after the refresh, want none: its write lets go of the lease", n)
	}
	if n := c.db.reads.Load(); n != 0 {
		t.Errorf("the refresh read the state %d times, want none: its claim read it", n)
	}
	if n := c.db.itemReads.Load(); n != 0 {
		t.Errorf("the refresh read the source's items %d times, want none: its claim found none", n)
	}
}

// TestFakeClusterTickDuringClaim: a source refused by a claim during which
// a tick came stays queued for that tick's due time, and is claimed again
// once free; without a tick, a refused source waits for its next one.
func TestFakeClusterTickDuringClaim(t *testing.T) {
	t.Parallel()
	c := newMemCluster(t)
	arrived, resume := make(chan struct{}), make(chan struct{})
	c.db.lease("wire", "n2", time.Now().Add(time.Hour))
	c.db.onClaim = func(n int) {
		switch n {
		case 1: // the start's claim: n2 still holds the source
			close(arrived)
			<-resume
		case 2: // the claim again for the tick: n2 let go meanwhile
			c.db.mu.Lock()
			delete(c.db.leases, "wire")
			c.db.mu.Unlock()
		}
	}
	src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
	sch, log, set := c.node("n1", []Job{loopJob(src, "@hourly")}, loopOptions(nil), memStore{})
	stop := startRun(t, sch)
	<-arrived
	trigger(t, sch, "wire") // a tick, through the same path, during the claim
	close(resume)
	eventually(t, "the refresh for the tick", func() bool { return src.calls.Load() == 1 })
	stop()
	if got := counter(t, set, "feedloom_claims_total"); got != 2 {
		t.Errorf("%v claims counted, want the refused one and the one for the tick:\n%s", got, log.String())
	}
	if st := c.s.loopState("wire"); st.CheckedAt.IsZero() {
		t.Errorf("nothing stored for the tick's refresh")
	}
}

// TestFakeClusterOutage: a fetch that finished while the database was out
// of reach is stored once it is back, and is no failure of the source; a
// write the database refuses is the source's failure, with its backoff.
func TestFakeClusterOutage(t *testing.T) {
	t.Parallel()
	t.Run("away, then back", func(t *testing.T) {
		t.Parallel()
		c := newMemCluster(t)
		started, release := make(chan struct{}), make(chan struct{})
		src := &loopSource{name: "wire", fetch: gated(started, release, "Wire Story")}
		sch, log, set := c.node("n1", []Job{loopJob(src, "@hourly")}, loopOptions(nil), memStore{})
		stop := startRun(t, sch)
		<-started
		c.db.away.Store(true)
		close(release)
		eventually(t, "a retry while the database is away", func() bool {
			return log.count(`msg="refresh not stored yet; retrying"`, "source=wire") >= 1
		})
		c.db.away.Store(false)
		eventually(t, "the refresh stored", func() bool { return counter(t, set, "feedloom_fetches_total") == 1 })
		eventually(t, "the story published", func() bool { return titlesOf(c.s.feedIfAny("feed.json")) == "Wire Story" })
		stop()
		st := c.s.loopState("wire")
		if st.Failures != 0 || st.LastSuccess.IsZero() || src.calls.Load() != 1 {
			t.Errorf("state %+v after %d fetches, want one success", st, src.calls.Load())
		}
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		c := newMemCluster(t)
		src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
		refusal := fmt.Errorf("value too long for type character varying(2048)")
		sch, log, _ := c.node("n1", []Job{loopJob(src, "@hourly")}, loopOptions(nil), memStore{refuse: refusal})
		stop := startRun(t, sch)
		eventually(t, "the failure recorded", func() bool { return c.s.loopState("wire").Failures == 1 })
		stop()
		st := c.s.loopState("wire")
		if !st.NextDue.After(st.CheckedAt) || src.calls.Load() != 1 || log.count("retrying") != 0 {
			t.Errorf("state %+v after %d fetches, want one failure backing off and no retry:\n%s", st, src.calls.Load(), log.String())
		}
		if n := log.count(`msg="refresh not stored"`, "source=wire", "varying(2048)"); n != 1 {
			t.Errorf("%d refusals logged, want 1:\n%s", n, log.String())
		}
	})
}

// recorder is a coordinator that notes every request before passing it
// on, so that a test sees the path a refresh took.
type recorder struct {
	coordinator
	mu   sync.Mutex
	seen []request
}

func (r *recorder) due(ctx context.Context, e *entry, q request) {
	r.mu.Lock()
	r.seen = append(r.seen, q)
	r.mu.Unlock()
	r.coordinator.due(ctx, e, q)
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.seen...)
}

// TestTriggeredChangePublishesAtOnce: the change a triggered refresh
// stores is published without the publish debounce (the event's watcher
// waited for quiet already), while a tick's waits for it.
func TestTriggeredChangePublishesAtOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	src := &loopSource{name: "wire", fetch: func(ctx context.Context, n int) (sources.Result, error) {
		if n == 1 {
			return loopStories("Wire Story")(ctx, n)
		}
		return loopStories("Retitled Story")(ctx, n)
	}}
	opts := loopOptions(NewMetrics(set))
	opts.Debounce = time.Hour // a publish that waits for quiet would not come within the test
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil, []Job{loopJob(src, "@hourly")}, opts, log.logger())
	stop := startRun(t, sch)
	defer stop()
	eventually(t, "the start's refresh", func() bool { return fetches(t, set, "wire", "ok") == 1 })
	if f := s.feedIfAny("feed.json"); f != nil {
		t.Fatalf("published before the debounce: %v", titlesOf(f))
	}
	trigger(t, sch, "wire")
	eventually(t, "the trigger's change published", func() bool {
		return titlesOf(s.feedIfAny("feed.json")) == "Retitled Story"
	})
}

// TestTriggerTakesTheTickPath: a refresh triggered by an event reaches the
// coordinator as a tick does, and is fetched, stored, counted and
// published the same way; the coordinator's rules hold for it (a source
// never runs twice at once).
func TestTriggerTakesTheTickPath(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	started, release := make(chan struct{}), make(chan struct{})
	src := &loopSource{name: "wire", fetch: func(ctx context.Context, n int) (sources.Result, error) {
		switch n {
		case 1, 2: // the start's refresh and the tick's
			return loopStories("Wire Story")(ctx, n)
		case 3: // the trigger's: the story was retitled
			return loopStories("Retitled Story")(ctx, n)
		}
		close(started)
		<-release
		return loopStories("Retitled Story")(ctx, n)
	}}
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil, []Job{loopJob(src, "@hourly")}, loopOptions(NewMetrics(set)), log.logger())
	rec := &recorder{coordinator: sch.coord}
	sch.coord = rec
	if sch.Trigger("wire") {
		t.Error("Trigger before Run accepted")
	}
	stop := startRun(t, sch)
	eventually(t, "the start's refresh", func() bool { return fetches(t, set, "wire", "ok") == 1 })

	l := sch.loop.Load()
	l.cron.Entry(l.entry("wire").id).Job.Run() // what the clock runs at a tick
	eventually(t, "the tick's refresh", func() bool { return fetches(t, set, "wire", "ok") == 2 })
	trigger(t, sch, "wire")
	eventually(t, "the trigger's refresh", func() bool { return fetches(t, set, "wire", "ok") == 3 })
	eventually(t, "the trigger's change published", func() bool {
		return titlesOf(s.feedIfAny("feed.json")) == "Retitled Story"
	})
	if sch.Trigger("nowhere") {
		t.Error("Trigger of an unknown source accepted")
	}
	trigger(t, sch, "wire")
	<-started
	sch.Trigger("wire") // while the last one runs
	close(release)
	eventually(t, "the last refresh", func() bool { return fetches(t, set, "wire", "ok") == 4 })
	stop()
	if sch.Trigger("wire") {
		t.Error("Trigger after Run accepted")
	}

	reqs := rec.requests()
	if len(reqs) != 5 || !reqs[0].start {
		t.Fatalf("requests %+v, want the start's, a tick's and three triggers'", reqs)
	}
	for _, r := range reqs[1:] {
		if r.start || r.since.IsZero() || r.since.After(r.at.Add(time.Second)) {
			t.Errorf("request %+v, want a tick's or a trigger's, for a due time by the second after it came", r)
		}
	}
	if n := fetches(t, set, "wire", "busy"); n != 1 || src.calls.Load() != 4 {
		t.Errorf("%d busy, %d fetches; want the trigger during a refresh skipped", n, src.calls.Load())
	}
	if n := log.count(`msg=refreshed`, "source=wire"); n != 4 {
		t.Errorf("%d refreshes logged, want the start's, the tick's and two triggers':\n%s", n, log.String())
	}
}

// TestAddRetire: a source added while Run runs is refreshed at once, as at
// Run's start, and then like any other, on a process of its own and on a
// cluster node; a retired one is refreshed no more, and its items stay.
func TestAddRetire(t *testing.T) {
	t.Parallel()
	for _, cluster := range []bool{false, true} {
		t.Run(fmt.Sprintf("cluster %v", cluster), func(t *testing.T) {
			t.Parallel()
			c := newMemCluster(t)
			a := &loopSource{name: "alpha", fetch: loopStories("Alpha Story")}
			b := &loopSource{name: "beta", fetch: loopStories("Beta Story")}
			set := metrics.NewSet()
			log := new(loopLog)
			sch := New(c.s.store, c.s.loopPublish(log.logger(), ""), nil, []Job{loopJob(a, "@hourly")}, loopOptions(NewMetrics(set)), log.logger())
			if cluster {
				sch, _, set = c.node("n1", []Job{loopJob(a, "@hourly")}, loopOptions(nil), memStore{})
			}
			if err := sch.Add(loopJob(b, "@hourly")); err == nil {
				t.Error("Add before Run accepted")
			}
			stop := startRun(t, sch)
			eventually(t, "alpha's start", func() bool { return fetches(t, set, "alpha", "ok") == 1 })
			if err := sch.Add(loopJob(b, "@hourly")); err != nil {
				t.Fatal(err)
			}
			if err := sch.Add(loopJob(b, "@hourly")); err == nil {
				t.Error("a second source named beta accepted")
			}
			if err := sch.Add(loopJob(&loopSource{name: "gamma"}, "61 * * * *")); err == nil {
				t.Error("a bad schedule accepted")
			}
			eventually(t, "beta's first refresh", func() bool { return fetches(t, set, "beta", "ok") == 1 })
			if got := names(t, sch); got != "alpha beta" {
				t.Errorf("sources %q, want alpha then beta", got)
			}
			if !sch.Retire("beta") || sch.Retire("beta") {
				t.Error("Retire(beta) did not report beta once")
			}
			if sch.Trigger("beta") {
				t.Error("Trigger of a retired source accepted")
			}
			if !sch.Trigger("alpha") {
				t.Error("Trigger of alpha refused")
			}
			eventually(t, "alpha's triggered refresh", func() bool { return fetches(t, set, "alpha", "ok") == 2 })
			eventually(t, "both stories published", func() bool { return len(c.s.feedIfAny("feed.json")) == 2 })
			stop()
			if got := names(t, sch); got != "alpha" {
				t.Errorf("sources %q after Retire, want alpha", got)
			}
			if b.calls.Load() != 1 {
				t.Errorf("beta fetched %d times, want once before it was retired", b.calls.Load())
			}
		})
	}
}

// names lists the sources the health pages show, in order.
func names(t *testing.T, sch *Scheduler) string {
	t.Helper()
	hs, err := sch.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
		if h.NextRun.IsZero() {
			t.Errorf("%s: no next run while Run has it", h.Name)
		}
	}
	return strings.Join(out, " ")
}

// trigger triggers a refresh of name, waiting for Run to take triggers: it
// opens to them once it has started its sources, which a test can see
// happen (a claim, a fetch) a moment before.
func trigger(t *testing.T, sch *Scheduler, name string) {
	t.Helper()
	waitFor(t, 5*time.Second, "Run to take a trigger of "+name, func() bool { return sch.Trigger(name) })
}
