package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

// The cluster benchmark (-cluster N): N small feeds on 16 loopback hosts
// with a latency, and feedloom serve as 1 node, then as 3 nodes, on a
// fresh PostgreSQL database each time. It measures how fast the cluster
// fetches every source once (the start's round: every source is due), and
// how long an upstream change takes to reach every node's files: a
// `feedloom build --force` of the changed source alone stores it, and the
// time runs until every node serves the new item over HTTP, so it counts
// the build's fetch, the store, LISTEN/NOTIFY, the debounce and each
// node's publish. It fails when a source is fetched twice or a node does
// not serve the change.

// clusterFeeds serves feed i at /c/<i>.xml: two items, the newer one
// naming the feed's version, which change bumps. Requests are counted per
// feed.
type clusterFeeds struct {
	n       int
	latency time.Duration
	addrs   []string
	servers []*http.Server

	version  []atomic.Int32
	requests []atomic.Int32
	answered atomic.Int64
	first    atomic.Int64 // unix nanos of the first answer
	last     atomic.Int64 // unix nanos of the latest answer
}

func startClusterFeeds(n int, latency time.Duration) (*clusterFeeds, error) {
	c := &clusterFeeds{n: n, latency: latency, version: make([]atomic.Int32, n), requests: make([]atomic.Int32, n)}
	for h := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			c.close()
			return nil, err
		}
		srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
		c.servers = append(c.servers, srv)
		c.addrs = append(c.addrs, ln.Addr().String())
		go srv.Serve(ln)
	}
	return c, nil
}

func (c *clusterFeeds) close() {
	for _, s := range c.servers {
		s.Close()
	}
}

func (c *clusterFeeds) url(i int) string {
	return fmt.Sprintf("http://%s/c/%05d.xml", c.addrs[i%len(c.addrs)], i)
}

func (c *clusterFeeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/c/%05d.xml", &i); err != nil || i < 0 || i >= c.n {
		http.NotFound(w, r)
		return
	}
	time.Sleep(c.latency)
	v := c.version[i].Load()
	c.requests[i].Add(1)
	defer c.answer()
	etag := fmt.Sprintf(`"v%d"`, v)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %[1]d</title><link>https://f%[1]d.example.org/</link><description>d</description><language>en</language>`+
		`<item><title>Feed %[1]d version %[2]d</title><link>https://f%[1]d.example.org/v%[2]d</link><guid>urn:bench:%[1]d:v%[2]d</guid><pubDate>%[3]s</pubDate><description>Version %[2]d.</description></item>`+
		`<item><title>Feed %[1]d opening</title><link>https://f%[1]d.example.org/open</link><guid>urn:bench:%[1]d:open</guid><pubDate>%[4]s</pubDate><description>Opening.</description></item>`+
		`</channel></rss>`, i, v, base.Add(time.Duration(v)*24*time.Hour).Format(time.RFC1123Z), base.Add(-time.Hour).Format(time.RFC1123Z))
}

func (c *clusterFeeds) answer() {
	now := time.Now().UnixNano()
	c.first.CompareAndSwap(0, now)
	c.last.Store(now)
	c.answered.Add(1)
}

func (c *clusterFeeds) reset() {
	c.answered.Store(0)
	c.first.Store(0)
	c.last.Store(0)
	for i := range c.requests {
		c.requests[i].Store(0)
	}
}

// clusterRun is one measured cluster size.
type clusterRun struct {
	Nodes      int
	Sources    int
	Cold, Warm clusterRound
	Shares     []int         // sources each node claimed in the cold round
	Propagate  time.Duration // upstream change stored by a build → every node serving it
	BuildTook  time.Duration // of which the build process
	ServedSame bool          // every node serves byte-identical feed.json
}

// clusterRound is one round of the nodes' start: every source due, cold
// (each a first fetch, 200 with two new items) or warm (each a 304).
type clusterRound struct {
	Sources  int
	Round    time.Duration // from the nodes' start to the last source fetched
	Fetching time.Duration // from the first source fetched to the last
	Twice    int           // sources fetched more than once

	// The round's costs, from the nodes' start until they settled (their
	// start's and publishes' included): the nodes' round trips to the
	// database (their driver's count), the nodes' CPU and PostgreSQL's.
	Trips     float64
	TripsFor  map[string]float64 // by purpose
	NodeCPU   time.Duration
	DBCPU     time.Duration
	DBCPUSeen bool
}

// perRefresh is x divided among the round's refreshes.
func (r clusterRound) perRefresh(x float64) float64 { return x / float64(r.Sources) }

func (r clusterRound) fetchesPerSec() float64 { return float64(r.Sources) / r.Round.Seconds() }

// fetchingPerSec leaves the nodes' start out: from the first answer on.
func (r clusterRound) fetchingPerSec() float64 {
	return float64(r.Sources-1) / r.Fetching.Seconds()
}

// clusterBench runs the benchmark for each node count.
func (h *harness) clusterBench(ctx context.Context, n int, dsn string, nodeCounts []int) ([]clusterRun, error) {
	feeds, err := startClusterFeeds(n, h.opts.latency)
	if err != nil {
		return nil, err
	}
	defer feeds.close()
	var runs []clusterRun
	for _, k := range nodeCounts {
		h.logf("cluster: %d sources, %d node(s)", n, k)
		r, err := h.clusterRun(ctx, feeds, dsn, k)
		if err != nil {
			return runs, fmt.Errorf("%d nodes: %w", k, err)
		}
		runs = append(runs, r)
		h.logf("cluster: %d node(s): %d fetches in %s (%.0f/s), warm in %s (%.0f/s), change served by all in %s",
			k, n, dur(r.Cold.Round), r.Cold.fetchesPerSec(), dur(r.Warm.Round), r.Warm.fetchesPerSec(), dur(r.Propagate))
	}
	return runs, nil
}

func (h *harness) clusterRun(ctx context.Context, feeds *clusterFeeds, server string, k int) (clusterRun, error) {
	r := clusterRun{Nodes: k, Sources: feeds.n}
	dsn, drop, err := benchDatabase(ctx, server)
	if err != nil {
		return r, err
	}
	defer drop()
	feeds.reset()
	root, err := os.MkdirTemp(h.work, "cluster-")
	if err != nil {
		return r, err
	}
	var nodes []*benchNode
	for i := range k {
		n, err := newBenchNode(root, fmt.Sprintf("node-%d", i+1), dsn, feeds, nil)
		if err != nil {
			return r, err
		}
		nodes = append(nodes, n)
	}
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	if r.Cold, err = h.clusterRound(ctx, feeds, dsn, nodes); err != nil {
		return r, err
	}
	for _, n := range nodes {
		r.Shares = append(r.Shares, int(n.metric("feedloom_claims_total{result=\"claimed\"}")))
	}

	// The change: feed 0 gets a new item; a build of that source alone
	// stores it, and every node must serve it.
	changed := 0
	want := fmt.Sprintf("Feed %d version %d\"", changed, feeds.version[changed].Add(1))
	one, err := newBenchNode(root, "build", dsn, feeds, []int{changed})
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	build := exec.CommandContext(ctx, h.feedloom, "build", "--force", "--config", one.config)
	build.Env = append(os.Environ(), "FEEDLOOM_DSN=")
	if out, err := build.CombinedOutput(); err != nil {
		return r, fmt.Errorf("build of the changed source: %v\n%s", err, tail(out, 10))
	}
	r.BuildTook = time.Since(t0)
	served := make([]bool, len(nodes))
	for left := len(nodes); left > 0; {
		if time.Since(t0) > time.Minute {
			h.fail("cluster, %d nodes: the change was not served by every node within a minute", k)
			break
		}
		for i, n := range nodes {
			if !served[i] && strings.Contains(n.get("/feed.json"), want) {
				served[i] = true
				left--
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Propagate = time.Since(t0)
	first := nodes[0].get("/feed.json")
	r.ServedSame = first != ""
	for _, n := range nodes[1:] {
		r.ServedSame = r.ServedSame && n.get("/feed.json") == first
	}
	if !r.ServedSame {
		h.fail("cluster, %d nodes: the nodes serve different feed.json", k)
	}

	// The warm round: the nodes start again with every source due once
	// more, and every upstream answers 304 to the validators stored.
	for _, n := range nodes {
		n.stop()
	}
	if err := dueAgain(ctx, dsn); err != nil {
		return r, err
	}
	if r.Warm, err = h.clusterRound(ctx, feeds, dsn, nodes); err != nil {
		return r, fmt.Errorf("warm: %w", err)
	}
	return r, nil
}

// clusterRound starts the nodes and waits until every source was fetched
// and the nodes settled, and measures what that cost.
func (h *harness) clusterRound(ctx context.Context, feeds *clusterFeeds, dsn string, nodes []*benchNode) (clusterRound, error) {
	r := clusterRound{Sources: feeds.n}
	feeds.reset()
	db0, _ := postgresCPU()
	start := time.Now()
	for _, n := range nodes {
		if err := n.start(ctx, h.feedloom); err != nil {
			return r, err
		}
	}
	deadline := start.Add(30*time.Minute + time.Duration(feeds.n)*h.opts.latency)
	for feeds.answered.Load() < int64(feeds.n) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return r, fmt.Errorf("only %d of %d sources fetched", feeds.answered.Load(), feeds.n)
		}
		for _, n := range nodes {
			if n.exited() {
				return r, fmt.Errorf("%s exited:\n%s", n.id, n.logTail())
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.Round = time.Unix(0, feeds.last.Load()).Sub(start)
	r.Fetching = time.Duration(feeds.last.Load() - feeds.first.Load())
	// Let the nodes store and publish everything: the nodes' feeds agree
	// and stay put for three debounces.
	if !settle(ctx, dsn, nodes, 3*time.Second, 5*time.Minute) {
		h.fail("cluster, %d nodes: the nodes' feeds did not settle on the same bytes", len(nodes))
	}
	db1, seen := postgresCPU()
	r.DBCPU, r.DBCPUSeen = db1-db0, seen
	r.TripsFor = map[string]float64{}
	for _, n := range nodes {
		for _, p := range store.Purposes() {
			v := n.metric(`feedloom_store_round_trips_total{purpose="` + p + `"}`)
			r.TripsFor[p] += v
			r.Trips += v
		}
		r.NodeCPU += time.Duration(n.metric("process_cpu_seconds_total") * float64(time.Second))
	}
	for i := range feeds.requests {
		if feeds.requests[i].Load() > 1 {
			r.Twice++
		}
	}
	if r.Twice > 0 {
		h.fail("cluster, %d nodes: %d sources fetched more than once in one due time", len(nodes), r.Twice)
	}
	return r, nil
}

// dueAgain makes every source due again, as a new due time would, keeping
// its validators.
func dueAgain(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE sources SET checked_at = NULL, next_due = NULL, claimed_by = NULL, lease_until = NULL`)
	return err
}

// settle waits until the store's content version has not moved for quiet
// (longer than the debounce, so every publish it asked for is done) and
// every node serves the same feed.json, or gives up after limit.
func settle(ctx context.Context, dsn string, nodes []*benchNode, quiet, limit time.Duration) bool {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	end := time.Now().Add(limit)
	var last string
	var since time.Time
	for time.Now().Before(end) {
		var version int64
		if err := conn.QueryRow(ctx, `SELECT version FROM versions WHERE name = 'content'`).Scan(&version); err != nil {
			return false
		}
		feed := nodes[0].get("/feed.json")
		same := feed != ""
		for _, n := range nodes[1:] {
			same = same && n.get("/feed.json") == feed
		}
		cur := fmt.Sprint(version, "\x00", feed)
		switch {
		case !same || cur != last:
			last, since = cur, time.Now()
		case time.Since(since) >= quiet:
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// benchDatabase creates a database on server for one run; drop removes it.
func benchDatabase(ctx context.Context, server string) (dsn string, drop func(), err error) {
	var b [6]byte
	rand.Read(b[:])
	name := "feedloom_bench_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", server, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, fmt.Errorf("the cluster benchmark needs a postgres:// URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		c, err := pgx.Connect(context.Background(), server)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}, nil
}

// benchNode is one feedloom serve of the cluster benchmark.
type benchNode struct {
	id, dir, config, addr string
	cmd                   *exec.Cmd
	done                  chan struct{}
	log                   *os.File
}

// newBenchNode writes a node's config: its own folders, the shared
// database, the feeds (only those of only, when given). Schedules are
// yearly: the start's round is the one measured.
func newBenchNode(root, id, dsn string, feeds *clusterFeeds, only []int) (*benchNode, error) {
	n := &benchNode{id: id, dir: filepath.Join(root, id)}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.addr = ln.Addr().String()
	ln.Close()
	var b strings.Builder
	fmt.Fprintf(&b, siteConfig("Cluster Bench")+`store: {driver: postgres, dsn: %q, node: %s}
output: {dir: public, max_items: 50}
languages:
  - {tag: en, title: Cluster Bench}
scheduler: {jitter: 0%%, debounce: 1s}
fetch: {concurrency: 16, per_host: 4, timeout: 30s, allow_private: true}
serve: {addr: %s}
sources:
`, dsn, id, n.addr)
	add := func(i int) {
		fmt.Fprintf(&b, "  - {name: c%05d, kind: feed, url: %q, schedule: '@yearly'}\n", i, feeds.url(i))
	}
	if only != nil {
		for _, i := range only {
			add(i)
		}
	} else {
		for i := range feeds.n {
			add(i)
		}
	}
	n.config = filepath.Join(n.dir, "config.yaml")
	return n, os.WriteFile(n.config, []byte(b.String()), 0o644)
}

func (n *benchNode) start(ctx context.Context, bin string) error {
	f, err := os.Create(filepath.Join(n.dir, "serve.log"))
	if err != nil {
		return err
	}
	n.log = f
	n.cmd = exec.CommandContext(ctx, bin, "serve", "--config", n.config)
	n.cmd.Stdout, n.cmd.Stderr = f, f
	n.cmd.Env = append(os.Environ(), "FEEDLOOM_DSN=")
	if err := n.cmd.Start(); err != nil {
		return err
	}
	n.done = make(chan struct{})
	go func() {
		n.cmd.Wait()
		close(n.done)
	}()
	return nil
}

func (n *benchNode) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

func (n *benchNode) stop() {
	if n.cmd == nil || n.exited() {
		return
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
	n.log.Close()
}

func (n *benchNode) logTail() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "serve.log"))
	return tail(b, 15)
}

func (n *benchNode) get(path string) string {
	resp, err := http.Get("http://" + n.addr + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// metric reads one sample of /metrics by its exact name and labels.
func (n *benchNode) metric(sample string) float64 {
	for line := range strings.SplitSeq(n.get("/metrics"), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return 0
}

// ms shows a short duration to the hundredth of a millisecond.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// clusterTable renders the cluster runs.
func (h *harness) clusterTable(runs []clusterRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# feedloom cluster benchmark\n\nMachine: %s.\n\n", h.machine)
	fmt.Fprintf(&b, "%d feed sources on %d loopback hosts, %s latency per answer, fetch.concurrency 16 and fetch.per_host 4 per node (per_host holds across the cluster), one PostgreSQL on the same machine.\n\n",
		runs[0].Sources, hosts, dur(h.opts.latency))
	b.WriteString("| nodes | round | every source fetched once | fetches/s | fetches/s from the first answer | fetched twice | round trips per refresh | node CPU per refresh | PostgreSQL CPU per 1,000 refreshes |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		for _, round := range []struct {
			name string
			r    clusterRound
		}{{"cold (200, new items)", r.Cold}, {"warm (304)", r.Warm}} {
			x := round.r
			db := "n/a"
			if x.DBCPUSeen {
				db = dur(time.Duration(x.perRefresh(float64(x.DBCPU)) * 1000))
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %.0f | %.0f | %d | %.2f | %s | %s |\n", r.Nodes, round.name, dur(x.Round),
				x.fetchesPerSec(), x.fetchingPerSec(), x.Twice, x.perRefresh(x.Trips),
				ms(time.Duration(x.perRefresh(float64(x.NodeCPU)))), db)
		}
	}
	b.WriteString("\nRound trips per refresh by what they were for (`feedloom_store_round_trips_total{purpose}`):\n\n| nodes | round |")
	for _, p := range store.Purposes() {
		b.WriteString(" " + p + " |")
	}
	b.WriteString("\n|---:|---|" + strings.Repeat("---:|", len(store.Purposes())) + "\n")
	for _, r := range runs {
		for _, round := range []struct {
			name string
			r    clusterRound
		}{{"cold", r.Cold}, {"warm (304)", r.Warm}} {
			fmt.Fprintf(&b, "| %d | %s |", r.Nodes, round.name)
			for _, p := range store.Purposes() {
				fmt.Fprintf(&b, " %.2f |", round.r.perRefresh(round.r.TripsFor[p]))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n| nodes | cold sources per node | upstream change → served by every node | of which the build |\n|---:|---|---:|---:|\n")
	for _, r := range runs {
		shares := make([]string, len(r.Shares))
		for i, s := range r.Shares {
			shares[i] = fmt.Sprint(s)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", r.Nodes, strings.Join(shares, " / "), dur(r.Propagate), dur(r.BuildTook))
	}
	if len(runs) > 1 {
		last := runs[len(runs)-1]
		fmt.Fprintf(&b, "\n%d nodes fetch %.2f× as fast as 1 cold, %.2f× warm.\n", last.Nodes,
			last.Cold.fetchesPerSec()/runs[0].Cold.fetchesPerSec(), last.Warm.fetchesPerSec()/runs[0].Warm.fetchesPerSec())
	}
	return b.String()
}

var errNoServer = errors.New("-cluster needs a PostgreSQL server: -cluster-dsn or FEEDLOOM_TEST_PG")
