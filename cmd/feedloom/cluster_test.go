package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/internal/testenv"
)

// binary builds feedloom once for the tests that run it as separate
// processes, and returns its path.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "feedloom-bin-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "feedloom")
	cmd := exec.Command("go", "build", "-o", path, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return path, nil
})

func feedloomBinary(t *testing.T) string {
	t.Helper()
	path, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// hit is one request an upstream saw.
type hit struct {
	at       time.Time
	answered bool // false: the client went away before the answer
}

// upstreams serve one RSS feed per source from several loopback hosts and
// count the requests per source. The feed a request gets holds one item
// for each round up to the one the request falls in, so every round
// changes every source. hold makes them keep requests waiting; a held
// request whose client goes away ends unanswered.
type upstreams struct {
	round time.Duration
	t0    time.Time // start of round 0

	mu      sync.Mutex
	hits    map[string][]hit
	spans   map[string][]span // every request's time at the server, by host
	holding chan struct{}     // closed to let held requests go; nil when not holding
	holds   map[string]int    // requests that came while holding and have not ended, by source

	hosts []string // host:port of each server
}

func newUpstreams(t *testing.T, hosts int, round time.Duration) *upstreams {
	u := &upstreams{round: round, hits: map[string][]hit{}, spans: map[string][]span{}, holds: map[string]int{}}
	for i := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+1))
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: u}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		u.hosts = append(u.hosts, ln.Addr().String())
	}
	return u
}

var feedPath = regexp.MustCompile(`^/s/([a-z0-9-]+)\.xml$`)

func (u *upstreams) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := feedPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	name, host := m[1], r.Host
	at := time.Now()
	u.mu.Lock()
	hold := u.holding
	if hold != nil {
		u.holds[name]++
	}
	u.mu.Unlock()
	cut := false
	defer func() {
		u.mu.Lock()
		u.spans[host] = append(u.spans[host], span{source: name, from: at, to: time.Now(), cut: cut})
		if hold != nil {
			u.holds[name]--
		}
		u.mu.Unlock()
	}()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			cut = true
			u.record(name, hit{at: at})
			return
		}
	}
	rounds := int(at.Sub(u.t0) / u.round)
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example.org/</link><description>d</description><language>en</language>`, name, name)
	for r := rounds; r >= 0; r-- {
		pub := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r)*time.Hour + time.Duration(len(name))*time.Second)
		fmt.Fprintf(&b, `<item><title>%s round %d</title><link>https://%s.example.org/r%d</link><guid>urn:feed:%s:r%d</guid><pubDate>%s</pubDate><description>Round %d of %s.</description></item>`,
			name, r, name, r, name, r, pub.Format(time.RFC1123Z), r, name)
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml")
	_, err := w.Write([]byte(b.String()))
	u.record(name, hit{at: at, answered: err == nil})
}

// span is one request's time at the server.
type span struct {
	source   string
	from, to time.Time
	cut      bool // its client went away first
}

// peaks is the most requests each host had at once. A request of one of
// dead's sources cut short counts until killed only: its client died
// then, and with it the database session that held its slot, which
// another node may take at once; the server notices the dead client a
// moment later.
func (u *upstreams) peaks(killed time.Time, dead map[string]time.Time) map[string]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	type edge struct {
		at    time.Time
		delta int
	}
	out := map[string]int{}
	for host, spans := range u.spans {
		var edges []edge
		for _, s := range spans {
			to := s.to
			if _, ok := dead[s.source]; ok && s.cut && killed.Before(to) {
				to = killed
			}
			if to.After(s.from) {
				edges = append(edges, edge{s.from, 1}, edge{to, -1})
			}
		}
		// At one instant, a request ends before another begins.
		slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(a.at.Compare(b.at), a.delta-b.delta) })
		n := 0
		for _, e := range edges {
			n += e.delta
			out[host] = max(out[host], n)
		}
	}
	return out
}

func (u *upstreams) record(name string, h hit) {
	u.mu.Lock()
	u.hits[name] = append(u.hits[name], h)
	u.mu.Unlock()
}

// hold keeps every request from now on waiting until the returned func is
// called.
func (u *upstreams) hold() (release func()) {
	ch := make(chan struct{})
	u.mu.Lock()
	u.holding = ch
	u.mu.Unlock()
	return func() {
		u.mu.Lock()
		u.holding = nil
		u.mu.Unlock()
		close(ch)
	}
}

// held counts the requests that came while holding and have not ended
// yet, for the sources in names, or for every source when names is nil.
func (u *upstreams) held(names map[string]time.Time) (requests int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for name, n := range u.holds {
		if _, ok := names[name]; ok || names == nil {
			requests += n
		}
	}
	return requests
}

// answered counts the sources answered in round r.
func (u *upstreams) answered(r int) (sources int) {
	return len(u.answeredIn(r))
}

// answeredIn lists the sources answered in round r, in no order.
func (u *upstreams) answeredIn(r int) (names []string) {
	from := u.t0.Add(time.Duration(r) * u.round)
	to := from.Add(u.round)
	u.mu.Lock()
	defer u.mu.Unlock()
	for name, hs := range u.hits {
		if slices.ContainsFunc(hs, func(h hit) bool { return h.answered && !h.at.Before(from) && h.at.Before(to) }) {
			names = append(names, name)
		}
	}
	return names
}

// onceEachRound fails the test unless every source was answered exactly
// once in each of rounds 0 … rounds-1 and never before round 0; answers
// after the last round (the nodes were stopping) do not count. It returns
// how many requests went unanswered (their client died).
func (u *upstreams) onceEachRound(t *testing.T, names []string, rounds int) (abandoned int) {
	t.Helper()
	end := u.t0.Add(time.Duration(rounds) * u.round)
	for _, name := range names {
		per := make([]int, rounds)
		for _, h := range u.hitsOf(name) {
			switch {
			case !h.answered:
				abandoned++
			case h.at.Before(u.t0):
				t.Errorf("%s fetched at %s, before round 0", name, h.at.Format(time.TimeOnly+".000"))
			case h.at.Before(end):
				per[int(h.at.Sub(u.t0)/u.round)]++
			}
		}
		for r, n := range per {
			if n != 1 {
				t.Errorf("%s fetched %d times in round %d, want 1", name, n, r)
			}
		}
	}
	return abandoned
}

// node is one feedloom serve process.
type node struct {
	id, dir, addr, config string
	cmd                   *exec.Cmd
	log                   *os.File
	exited                chan error
}

// clusterConfig writes node id's config: its own data and output folders,
// the shared database, one feed source per name.
func clusterConfig(t *testing.T, root, id, dsn string, names []string, hosts []string, schedule string) *node {
	t.Helper()
	n := &node{id: id, dir: filepath.Join(root, id), addr: freeAddr(t)}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `site:
  title: Cluster News
  link: https://www.example.edu/news
  base_url: https://feeds.example.edu/
  timezone: Asia/Hong_Kong
  author: {name: Newsroom, email: news@example.edu}
data_dir: data
store: {driver: postgres, dsn: %q, lease: 4s, node: %s}
output: {dir: public, max_items: 50}
languages:
  - tag: en
    title: Cluster News
scheduler: {jitter: 0%%, debounce: 300ms}
fetch: {concurrency: 8, per_host: 3, timeout: 3s, allow_private: true}
serve: {addr: %s, stale_after: 1h}
sources:
`, dsn, id, n.addr)
	for i, name := range names {
		fmt.Fprintf(&b, "  - {name: %s, kind: feed, url: 'http://%s/s/%s.xml', schedule: '%s'}\n", name, hosts[i%len(hosts)], name, schedule)
	}
	n.config = filepath.Join(n.dir, "config.yaml")
	writeFile(t, n.config, b.String())
	return n
}

// start runs the node; it is killed when the test ends if still running.
func (n *node) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(n.dir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	n.log = f
	n.cmd = exec.Command(feedloomBinary(t), "serve", "--dev", "--config", n.config)
	n.cmd.Stdout, n.cmd.Stderr = f, f
	n.cmd.Env = append(os.Environ(), "FEEDLOOM_DSN=")
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.exited = make(chan error, 1)
	cmd := n.cmd
	go func() { n.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
		f.Close()
	})
}

// stop sends SIGTERM and returns the exit code.
func (n *node) stop(t *testing.T) int {
	t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not stop within 20s", n.id)
	}
	return n.cmd.ProcessState.ExitCode()
}

// kill sends SIGKILL and waits for the process to end.
func (n *node) kill(t *testing.T) {
	t.Helper()
	n.cmd.Process.Kill()
	<-n.exited
}

// logText is what the node logged so far.
func (n *node) logText() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "serve.log"))
	return string(b)
}

// healthz reads the node's /healthz.
type healthReport struct {
	Status string `json:"status"`
	Node   *struct {
		ID       string `json:"id"`
		Database string `json:"database"`
		Leases   int    `json:"leases"`
	} `json:"node"`
}

func (n *node) healthz() (int, healthReport, error) {
	var rep healthReport
	resp, err := http.Get("http://" + n.addr + "/healthz")
	if err != nil {
		return 0, rep, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&rep)
	return resp.StatusCode, rep, err
}

// metric reads one counter's value (summed over its labels) from /metrics.
func (n *node) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + n.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return sum
}

func waitUntil(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sleepUntil sleeps until t: for steps that must come at a time on the
// nodes' schedule, not after an event.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// logged reports whether the node logged msg for source (any source when
// source is empty).
func (n *node) logged(msg, source string) bool {
	for line := range strings.Lines(n.logText()) {
		if strings.Contains(line, "msg="+strconv.Quote(msg)+" ") &&
			(source == "" || strings.Contains(line, " source="+source+" ")) {
			return true
		}
	}
	return false
}

// startCluster writes a config per node id for sources named prefix000…
// on the upstreams and starts every node just after a tick of round, so
// that the start's refreshes end well within round 0. On failure the
// nodes' logs are shown. roundDone waits until every source was answered
// in round r, within the round.
func startCluster(t *testing.T, up *upstreams, dsn, prefix string, sources int, ids ...string) (nodes []*node, names []string, roundDone func(r int)) {
	t.Helper()
	names = make([]string, sources)
	for i := range names {
		names[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	root := t.TempDir()
	schedule := fmt.Sprintf("@every %s", up.round)
	for _, id := range ids {
		nodes = append(nodes, clusterConfig(t, root, id, dsn, names, up.hosts, schedule))
	}
	feedloomBinary(t)
	up.t0 = time.Now().Truncate(up.round).Add(up.round)
	sleepUntil(up.t0.Add(300 * time.Millisecond)) // the clock decides the rounds: start just after a tick
	for _, n := range nodes {
		n.start(t)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range nodes {
				t.Logf("%s log (last 3000 bytes):\n%s", n.id, tail(n.logText(), 3000))
			}
		}
	})
	roundDone = func(r int) {
		t.Helper()
		end := up.t0.Add(time.Duration(r+1) * up.round)
		waitUntil(t, fmt.Sprintf("round %d", r), time.Until(end), func() bool {
			return up.answered(r) == sources
		})
	}
	return nodes, names, roundDone
}

// TestClusterThreeNodes runs three feedloom serve processes on one
// database against 300 upstream feeds on six loopback hosts: every source
// is fetched exactly once per due time by the whole cluster, never more
// than per_host at once per host; a node killed with SIGKILL mid-round
// has its sources fetched by the others once its leases run out, and
// comes back; at the end the three output folders are byte-identical and
// a conditional GET answered by one node is a 304 on the others.
func TestClusterThreeNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of real time")
	}
	dsn := testDatabase(t)
	const (
		sources = 300
		round   = 15 * time.Second // generous: a loaded machine must still finish a round within it
		rounds  = 6                // the start and five scheduled rounds
		kill    = 3                // the round in which n3 dies
	)
	up := newUpstreams(t, 6, round)
	nodes, names, roundDone := startCluster(t, up, dsn, "s", sources, "n1", "n2", "n3")
	for r := range kill {
		roundDone(r)
	}

	// Round 3: hold every request, kill n3 while it holds leases, then let
	// the requests go.
	killRound := up.t0.Add(kill * round)
	sleepUntil(killRound.Add(-time.Second)) // hold from just before round 3's tick: a time, not an event
	release := up.hold()
	var leased map[string]time.Time
	waitUntil(t, "n3 to hold leases", 5*time.Second, func() bool {
		leased = leasesOf(t, dsn, "n3")
		return len(leased) > 0
	})
	_, rep, err := nodes[2].healthz()
	if err != nil || rep.Node == nil || rep.Node.ID != "n3" || rep.Node.Database != "ok" || rep.Node.Leases == 0 {
		t.Errorf("n3 /healthz before the kill = %+v, %v; want its id, database ok and leases", rep.Node, err)
	}
	killing := time.Now()
	nodes[2].kill(t)
	killedAt := time.Now()
	// n3's requests end unanswered before the others' are let go. Its
	// leases, read after its death so that none is missed, name them; no
	// other node asks for those sources until the leases run out.
	dead := leasesOf(t, dsn, "n3")
	waitUntil(t, "n3's held requests to end", 2*time.Second, func() bool {
		return up.held(dead) == 0
	})
	release()
	t.Logf("killed n3 at %s holding %d leases", killedAt.Format(time.TimeOnly+".000"), len(leased))
	roundDone(kill)
	// n3's sources were fetched by the others after its lease.
	for name, leaseEnd := range leased {
		for _, h := range up.hitsOf(name) {
			if h.answered && !h.at.Before(killRound) && h.at.Before(leaseEnd) {
				t.Errorf("%s, leased by the dead n3 until %s, answered at %s", name, leaseEnd.Format(time.TimeOnly), h.at.Format(time.TimeOnly+".000"))
			}
		}
	}
	if expiries := nodes[0].metric(t, "feedloom_lease_expiries_total") + nodes[1].metric(t, "feedloom_lease_expiries_total"); expiries < float64(len(leased)) {
		t.Errorf("survivors counted %.0f lease expiries, want at least %d", expiries, len(leased))
	}

	// n3 comes back and takes its share again.
	nodes[2].start(t)
	for r := kill + 1; r < rounds; r++ {
		roundDone(r)
	}

	// Every node publishes the last round; the folders converge.
	waitUntil(t, "identical output folders", 20*time.Second, func() bool {
		a := readTree(t, filepath.Join(nodes[0].dir, "public"))
		if !strings.Contains(a["rss.xml"], fmt.Sprintf("round %d</title>", rounds-1)) {
			return false
		}
		for _, n := range nodes[1:] {
			if !maps.Equal(a, readTree(t, filepath.Join(n.dir, "public"))) {
				return false
			}
		}
		return true
	})
	etag, modified := "", ""
	for i, n := range nodes {
		resp, err := http.Get("http://" + n.addr + "/rss.xml")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if i == 0 {
			etag, modified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			continue
		}
		if got := resp.Header.Get("ETag"); got != etag {
			t.Errorf("%s rss.xml ETag %s, n1 %s", n.id, got, etag)
		}
		if got := resp.Header.Get("Last-Modified"); got != modified {
			t.Errorf("%s rss.xml Last-Modified %s, n1 %s", n.id, got, modified)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://"+n.addr+"/rss.xml", nil)
		req.Header.Set("If-None-Match", etag)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: conditional GET with n1's ETag = %d, want 304", n.id, resp.StatusCode)
		}
	}
	for _, n := range []*node{nodes[0], nodes[1], nodes[2]} {
		if code := n.stop(t); code != 0 {
			t.Errorf("%s exited %d after SIGTERM, want 0", n.id, code)
		}
	}

	// Exactly one answered fetch per source and round, and none outside.
	abandoned := up.onceEachRound(t, names, rounds)
	peaks := up.peaks(killing, dead)
	for host, peak := range peaks {
		if peak > 3 {
			t.Errorf("%d requests at once to %s, want at most per_host 3 across the cluster", peak, host)
		}
	}
	if len(peaks) != len(up.hosts) {
		t.Errorf("requests reached %d hosts of %d", len(peaks), len(up.hosts))
	}
	t.Logf("peaks per host %v (%v with the killed node's requests ending when the server saw them end); %d requests cut by the kill",
		peaks, up.peaks(killing, nil), abandoned)
}

func (u *upstreams) hitsOf(name string) []hit {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.hits[name])
}

// leasesOf maps the sources node holds a lease on to the lease's end.
func leasesOf(t *testing.T, dsn, node string) map[string]time.Time {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT name, lease_until FROM sources WHERE claimed_by = $1 AND lease_until >= now()`, node)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	leases := map[string]time.Time{}
	for rows.Next() {
		var name string
		var until time.Time
		if err := rows.Scan(&name, &until); err != nil {
			t.Fatal(err)
		}
		leases[name] = until
	}
	return leases
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// TestClusterDatabaseLost: two nodes lose their database mid-round, while
// fetches are in flight, for a few seconds. Meanwhile /healthz is 503 and
// names the database, and the last published files are still served;
// afterwards the nodes reconnect, what was fetched is stored, and no
// source is fetched twice, or skipped, in any due period.
func TestClusterDatabaseLost(t *testing.T) {
	if testing.Short() {
		t.Skip("half a minute of real time")
	}
	dsn := testDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	const (
		sources = 40
		round   = 10 * time.Second
		rounds  = 4
		lost    = 2 // the round in which the database goes away
	)
	up := newUpstreams(t, 2, round)
	nodes, names, roundDone := startCluster(t, up, u.String(), "d", sources, "n1", "n2")
	for r := range lost {
		roundDone(r)
	}
	before := readTree(t, filepath.Join(nodes[0].dir, "public"))

	sleepUntil(up.t0.Add(lost*round - time.Second)) // hold from just before round 2's tick: a time, not an event
	release := up.hold()
	waitUntil(t, "leases and fetches in flight in round 2", 5*time.Second, func() bool {
		return up.held(nil) > 0 && len(leasesOf(t, dsn, "n1"))+len(leasesOf(t, dsn, "n2")) > 0
	})
	proxy.Cut()
	cutAt := time.Now()
	for _, n := range nodes {
		waitUntil(t, n.id+" to see the database go", 5*time.Second, func() bool {
			return n.logged("store notifications lost; reconnecting", "")
		})
	}
	release() // the fetches in flight end while the database is away
	for _, n := range nodes {
		waitUntil(t, n.id+" /healthz 503", 5*time.Second, func() bool {
			code, rep, err := n.healthz()
			return err == nil && code == http.StatusServiceUnavailable && rep.Node != nil && rep.Node.Database == "error"
		})
		resp, err := http.Get("http://" + n.addr + "/rss.xml")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s rss.xml without a database = %d, want 200", n.id, resp.StatusCode)
		}
	}
	waitUntil(t, "every fetch of round 2 so far to fail to store", 5*time.Second, func() bool {
		fetched := up.answeredIn(lost)
		return up.held(nil) == 0 && len(fetched) > 0 && !slices.ContainsFunc(fetched, func(name string) bool {
			return !nodes[0].logged("refresh not stored yet; retrying", name) && !nodes[1].logged("refresh not stored yet; retrying", name)
		})
	})
	sleepUntil(cutAt.Add(2 * time.Second)) // the outage lasts 2s, past a lease renewal (every lease/3): its length, not a wait for an event
	proxy.Restore()
	for r := lost; r < rounds; r++ {
		roundDone(r)
	}
	for _, n := range nodes {
		waitUntil(t, n.id+" /healthz 200", 10*time.Second, func() bool {
			code, rep, err := n.healthz()
			return err == nil && code == http.StatusOK && rep.Node != nil && rep.Node.Database == "ok"
		})
	}
	waitUntil(t, "identical output folders with the last round", 20*time.Second, func() bool {
		a := readTree(t, filepath.Join(nodes[0].dir, "public"))
		return strings.Contains(a["rss.xml"], fmt.Sprintf("round %d</title>", rounds-1)) &&
			maps.Equal(a, readTree(t, filepath.Join(nodes[1].dir, "public")))
	})
	if a := readTree(t, filepath.Join(nodes[0].dir, "public")); maps.Equal(a, before) {
		t.Error("the output did not move after the database came back")
	}
	for _, n := range nodes {
		if code := n.stop(t); code != 0 {
			t.Errorf("%s exited %d after SIGTERM, want 0", n.id, code)
		}
	}
	up.onceEachRound(t, names, rounds)
}
