package scheduler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/postgres"
	"github.com/feedloom/feedloom/store/storetest"
)

// clusterNode is one node of a test cluster: its own output folder and
// log, the shared database.
type clusterNode struct {
	id  string
	st  *postgres.Store
	out string
	log loopLog
	set *metrics.Set
}

func newClusterNode(t *testing.T, dsn, id string) *clusterNode {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &clusterNode{id: id, st: st, out: filepath.Join(t.TempDir(), "public"), set: metrics.NewSet()}
}

func (n *clusterNode) scheduler(jobs []Job, opts Options) *Scheduler {
	return n.schedulerOver(n.st, jobs, opts)
}

// schedulerOver is scheduler, writing through st.
func (n *clusterNode) schedulerOver(st store.Store, jobs []Job, opts Options) *Scheduler {
	var c ClusterOptions
	if opts.Cluster != nil {
		c = *opts.Cluster
	}
	if c.Store == nil {
		c.Store = n.st
	}
	c.Node = n.id
	opts.Cluster = &c
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(n.set)
	}
	pub := publish.New(n.st, publish.Options{
		Dir: n.out, BaseURL: "https://feeds.example.edu/", Title: "HKUST News",
		Link: "https://www.example.edu/news", Zone: hk, Hub: opts.Hub,
		Languages: []publish.Language{{Tag: "en", Title: "HKUST News"}},
	}, n.log.logger())
	return New(st, pub, nil, jobs, opts, n.log.logger())
}

// counter reads a counter (summed over its labels) from the node's registry.
func (n *clusterNode) counter(t *testing.T, name string) float64 {
	t.Helper()
	return counter(t, n.set, name)
}

func storedItem(title string) feeds.Item {
	at := time.Date(2025, 3, 13, 9, 0, 0, 0, hk)
	return feeds.Item{
		ID: "tag:feeds.example.edu,2026-11-25:wire/" + strings.ToLower(title), Title: title,
		Link: "https://www.example.edu/news/" + strings.ToLower(title), Language: "en",
		Published: at, Updated: at, FirstSeen: at, File: "wire.md",
	}
}

// TestClusterBuildSkipsHeldSource: a build leases every source it fetches
// and lets go after storing it; a source a node holds is left to that
// node, reported, and not counted as a failure.
func TestClusterBuildSkipsHeldSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testenv.PostgresDB(t)
	n := newClusterNode(t, dsn, "cron-build")
	now := time.Now()
	if got, err := n.st.Claim(ctx, "web-1", []store.Due{{Source: "held"}}, now, now.Add(time.Hour)); err != nil || len(got) != 1 {
		t.Fatalf("web-1 claim = %+v, %v", got, err)
	}
	held := &loopSource{name: "held", fetch: loopStories("Held Story")}
	free := &loopSource{name: "free", fetch: loopStories("Free Story")}
	sch := n.scheduler([]Job{loopJob(held, "@hourly"), loopJob(free, "@hourly")}, loopOptions(nil))
	rep, err := sch.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Errorf("a held source failed the build: %+v", rep.Sources)
	}
	if len(rep.Sources) != 2 || !rep.Sources[0].Held || rep.Sources[1].Held || rep.Sources[1].Changed != 1 {
		t.Errorf("sources = %+v, want held skipped and free stored", rep.Sources)
	}
	if held.calls.Load() != 0 || free.calls.Load() != 1 {
		t.Errorf("fetched held %d times and free %d times, want 0 and 1", held.calls.Load(), free.calls.Load())
	}
	if k := n.log.count(`msg="skipped: another node is refreshing it"`, "source=held"); k != 1 {
		t.Errorf("%d skip lines for held, want 1:\n%s", k, n.log.String())
	}
	for node, want := range map[string]int{"cron-build": 0, "web-1": 1} {
		if got, err := n.st.Leases(ctx, node, now); err != nil || got != want {
			t.Errorf("Leases(%s) after the build = %d, %v; want %d", node, got, err, want)
		}
	}
}

// TestClusterNotifications: a node that refreshes nothing itself publishes
// what another node stored, woken by the store's notification, not by the
// content-version check (which here waits an hour).
func TestClusterNotifications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testenv.PostgresDB(t)
	writer, reader := newClusterNode(t, dsn, "n1"), newClusterNode(t, dsn, "n2")
	opts := loopOptions(nil)
	opts.ReleaseEvery = time.Hour
	stop := startRun(t, reader.scheduler(nil, opts))
	published := func() bool {
		b, err := os.ReadFile(filepath.Join(reader.out, "feed.json"))
		return err == nil && strings.Contains(string(b), "Wire Story")
	}
	// Once listening, the reader catches up once (counted as a
	// notification); only then is the story stored.
	eventually(t, "the reader's first publish, listening", func() bool {
		_, err := os.Stat(filepath.Join(reader.out, "feed.json"))
		return err == nil && reader.counter(t, "feedloom_notifications_total") == 1
	})
	if published() {
		t.Fatal("the story is published before it is stored")
	}
	if _, err := storetest.Upsert(ctx, writer.st, "wire", []feeds.Item{storedItem("Wire Story")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reader to publish the writer's story", published)
	stop()
	if got := reader.counter(t, "feedloom_notifications_total"); got != 2 {
		t.Errorf("notifications counted %v, want 2: the catch-up and the insert", got)
	}
}

// TestClusterLeaderPings: of two nodes that publish the same change, only
// the leader pings the hub, once per feed, and only after both have
// published it.
func TestClusterLeaderPings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testenv.PostgresDB(t)
	nodes := []*clusterNode{newClusterNode(t, dsn, "n1"), newClusterNode(t, dsn, "n2")}
	if _, err := storetest.Upsert(ctx, nodes[0].st, "wire", []feeds.Item{storedItem("Wire Story")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var pings []string
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		for _, n := range nodes {
			b, err := os.ReadFile(filepath.Join(n.out, "feed.json"))
			if err != nil || !strings.Contains(string(b), "Wire Story") {
				t.Errorf("hub pinged before %s published the change", n.id)
			}
		}
		mu.Lock()
		pings = append(pings, r.PostForm.Get("hub.url"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	// n2 publishes well after n1: the leader's ping must wait for it.
	var leads [2]leadWatch
	var stops [2]func()
	for i, n := range nodes {
		leads[i] = leadWatch{Store: n.st, answers: make(chan bool, 8)}
		opts := loopOptions(nil)
		opts.Hub, opts.BaseURL = hub.URL, "https://feeds.example.edu/"
		opts.Cluster = &ClusterOptions{Store: leads[i], PingDelay: 1500 * time.Millisecond}
		stops[i] = startRun(t, n.scheduler(nil, opts))
		eventually(t, n.id+"'s publish", func() bool {
			_, err := os.Stat(filepath.Join(n.out, "feed.json"))
			return err == nil
		})
	}
	// Each node asked whether it leads once it published; the one that
	// does not never pings, the one that does pings each feed.
	var led []string
	for i, w := range leads {
		select {
		case lead := <-w.answers:
			if lead {
				led = append(led, nodes[i].id)
			}
		case <-time.After(4 * time.Second):
			t.Fatalf("%s never asked whether it leads", nodes[i].id)
		}
	}
	if len(led) != 1 {
		t.Fatalf("leaders %v, want one", led)
	}
	eventually(t, "a ping for each feed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(pings) >= 6
	})
	stops[0]()
	stops[1]()
	mu.Lock()
	defer mu.Unlock()
	want := "https://feeds.example.edu/atom.xml https://feeds.example.edu/en/atom.xml https://feeds.example.edu/en/feed.json https://feeds.example.edu/en/rss.xml https://feeds.example.edu/feed.json https://feeds.example.edu/rss.xml"
	if got := strings.Join(pings, " "); got != want {
		t.Errorf("hub pinged\n%s\nwant each feed once\n%s", got, want)
	}
}

// leadWatch passes on each answer its node's Lead gave.
type leadWatch struct {
	*postgres.Store
	answers chan bool
}

func (w leadWatch) Lead(ctx context.Context) (bool, error) {
	lead, err := w.Store.Lead(ctx)
	if err == nil {
		select {
		case w.answers <- lead:
		default:
		}
	}
	return lead, err
}

// TestClusterFolderDiffers: a node whose story folder differs from the
// one another node stored warns at start; one with the same folder does
// not.
func TestClusterFolderDiffers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testenv.PostgresDB(t)
	folder := func(story string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte(story), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	job := func(src sources.Source) Job {
		return Job{Source: src, Norm: normalize.Source{Name: "newsroom", Language: "en"}, Schedule: "@hourly"}
	}
	newsroom := func(dir string) *files.Source { return files.New("newsroom", dir, files.Options{Zone: hk}) }
	first := newClusterNode(t, dsn, "n1")
	if _, err := first.scheduler([]Job{job(newsroom(folder(goodStory)))}, loopOptions(nil)).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		story string
		warns int
	}{
		{goodStory, 0},
		{strings.Replace(goodStory, "It is fine.", "It is better.", 1), 1},
	} {
		n := newClusterNode(t, dsn, "n2")
		opts := loopOptions(nil)
		opts.ReleaseEvery = time.Hour
		src := &digestWatch{Source: newsroom(folder(tc.story))}
		stop := startRun(t, n.scheduler([]Job{job(src)}, opts))
		// The comparison is done once the folder is summed: stop waits
		// for the rest of it.
		eventually(t, "the folder summed", func() bool { return src.digests.Load() >= 1 })
		stop()
		if got := n.log.count(`msg="story folder differs from what the store holds: deploy the same folder to every node"`, "source=newsroom"); got != tc.warns {
			t.Errorf("%d warnings, want %d:\n%s", got, tc.warns, n.log.String())
		}
	}
}

// digestWatch counts the sums of its story folder.
type digestWatch struct {
	*files.Source
	digests atomic.Int32
}

func (d *digestWatch) Digest(ctx context.Context) (string, error) {
	sum, err := d.Source.Digest(ctx)
	if err == nil {
		d.digests.Add(1)
	}
	return sum, err
}

// TestLatestTick: the due time a tick serves is the schedule's latest
// time at or before now, however late the tick fires.
func TestLatestTick(t *testing.T) {
	t.Parallel()
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 27, h, m, s, 0, time.UTC) } // a Friday
	for _, tc := range []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		{"@every 10m", at(10, 0, 0), at(10, 0, 0)},
		{"@every 10m", at(10, 9, 59), at(10, 0, 0)},
		{"@every 10s", at(10, 0, 15), at(10, 0, 10)},
		{"*/30 * * * *", at(10, 45, 0), at(10, 30, 0)},
		{"0 8 * * 1-5", at(7, 0, 0), at(8, 0, 0).AddDate(0, 0, -1)},
		// Saturday noon: the last weekday tick was Friday 08:00.
		{"0 8 * * 1-5", at(12, 0, 0).AddDate(0, 0, 1), at(8, 0, 0)},
	} {
		sched, err := ParseSchedule(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := latestTick(sched, shortestGap(sched), tc.now); !got.Equal(tc.want) {
			t.Errorf("%s at %s: %s, want %s", tc.spec, tc.now, got, tc.want)
		}
	}
}

// slowClaims holds the first Claim until released: requests land while a
// claim is on its way to the database.
type slowClaims struct {
	*postgres.Store
	once    sync.Once
	arrived chan struct{}
	release chan struct{}
}

func (s *slowClaims) Claim(ctx context.Context, node string, due []store.Due, now, until time.Time) ([]store.Claimed, error) {
	s.once.Do(func() {
		close(s.arrived)
		<-s.release
	})
	return s.Store.Claim(ctx, node, due, now, until)
}

// TestClusterTickDuringClaim: requests (a tick's, a trigger's) that come
// while the source's claim is in flight neither get it fetched twice at
// once nor drop it from the queue: it goes on being fetched on later ticks.
func TestClusterTickDuringClaim(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t)
	n := newClusterNode(t, dsn, "n1")
	slow := &slowClaims{Store: n.st, arrived: make(chan struct{}), release: make(chan struct{})}
	src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
	opts := loopOptions(nil)
	opts.Cluster = &ClusterOptions{Store: slow, Node: "n1"}
	opts.Metrics = NewMetrics(n.set)
	pub := publish.New(n.st, publish.Options{Dir: n.out, BaseURL: "https://feeds.example.edu/", Title: "T",
		Link: "https://www.example.edu/news", Zone: hk, Languages: []publish.Language{{Tag: "en", Title: "T"}}}, n.log.logger())
	sch := New(n.st, pub, nil, []Job{loopJob(src, "@every 1s")}, opts, n.log.logger())
	stop := startRun(t, sch)
	<-slow.arrived
	for range 2 { // two requests land during the claim, as a tick's would
		trigger(t, sch, "wire")
	}
	close(slow.release)
	waitFor(t, 10*time.Second, "three fetches on the later ticks", func() bool { return src.calls.Load() >= 4 })
	stop()
	if got := src.calls.Load(); got < 4 {
		t.Errorf("wire fetched %d times after the slow claim, want it fetched on the later ticks too:\n%s", got, n.log.String())
	}
}

// lateStore is a cluster store whose writes return only some time after
// they commit, as on a loaded machine: long enough for a lease renewal to
// come in between. It counts the writes that were grouped.
type lateStore struct {
	*postgres.Store
	after   time.Duration
	grouped atomic.Int32
}

func (s *lateStore) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	done, err := s.Store.Apply(ctx, source, b)
	time.Sleep(s.after)
	return done, err
}

func (s *lateStore) ApplyGroup(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	done, err := s.Store.ApplyGroup(ctx, group)
	if err == nil && len(group) > 1 {
		s.grouped.Add(1)
	}
	time.Sleep(s.after)
	return done, err
}

// TestClusterWriteLetsGoQuietly: a build's write lets go of its sources'
// leases as it commits. A renewal that comes after the commit, before the
// write has returned, finds the lease gone: that is the write's doing, not
// another node's, and is not warned of — whether the source was written
// alone or in a group.
func TestClusterWriteLetsGoQuietly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := newClusterNode(t, testenv.PostgresDB(t), "cron-build")
	// Renewed every 100 ms: long enough that a loaded machine does not let
	// a lease run out before its write, short enough that several renewals
	// come while a write is returning.
	const lease = 300 * time.Millisecond
	late := &lateStore{Store: n.st, after: 4 * lease / 3}
	var srcs []*loopSource
	var jobs []Job
	for _, name := range []string{"alpha", "beta", "gamma", "delta"} {
		src := &loopSource{name: name, fetch: func(_ context.Context, call int) (sources.Result, error) {
			if call > 1 {
				return sources.Result{NotModified: true}, nil
			}
			return loopStories(strings.ToUpper(name[:1])+name[1:]+" Story")(ctx, call)
		}}
		srcs = append(srcs, src)
		jobs = append(jobs, loopJob(src, "@hourly"))
	}
	opts := loopOptions(nil)
	opts.Force = true
	opts.Cluster = &ClusterOptions{Lease: lease}
	sch := n.schedulerOver(late, jobs, opts)
	for pass := 1; pass <= 2; pass++ { // stories, then 304s written in groups
		rep, err := sch.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() || len(rep.Sources) != len(jobs) {
			t.Fatalf("pass %d: sources = %+v", pass, rep.Sources)
		}
	}
	for _, src := range srcs {
		if src.calls.Load() != 2 {
			t.Errorf("%s fetched %d times, want 2", src.name, src.calls.Load())
		}
	}
	if late.grouped.Load() == 0 {
		t.Error("no write was grouped: the test missed the grouped path")
	}
	if k := n.log.count("lease lost"); k != 0 {
		t.Errorf("%d lines warn of a lease lost:\n%s", k, n.log.String())
	}
	if got, err := n.st.Leases(ctx, n.id, time.Now()); err != nil || got != 0 {
		t.Errorf("Leases after the builds = %d, %v; want 0", got, err)
	}
}
