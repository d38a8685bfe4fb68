package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/feedloom/feedloom/store"
)

// scaleResult is the scale benchmark (-scale N, issue 12 target 6): one
// node, SQLite, N feed sources of 20 items on local upstreams with no
// latency.
type scaleResult struct {
	N          int
	Cold, Warm run
	Floor      run // the fetch-only floor: the warm build's requests alone
	Stored     int // items in the store after the cold build
}

// scaleList names the scale benchmark's OPML source, and so prefixes the
// names of its feeds.
const scaleList = "up"

// writeScaleConfig subscribes to the n upstreams through one local OPML
// list, as a deployment of that size keeps them (config.yaml then holds
// one source, not 100,000).
func writeScaleConfig(dir string, up *upstreams, n int) error {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>Bench</title></head>\n<body>\n")
	for i := range n {
		fmt.Fprintf(&b, "  <outline text=\"%s\" type=\"rss\" xmlUrl=\"%s\"/>\n", esc(up.feeds[i].name), esc(up.url(i)))
	}
	b.WriteString("</body>\n</opml>\n")
	if err := os.WriteFile(filepath.Join(dir, "feeds.opml"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write list: %w", err)
	}
	config := refreshConfig(noArchives) + `  - {name: ` + scaleList + `, kind: opml, url: feeds.opml, schedule: "@hourly", max_sources: ` + fmt.Sprint(n) + `, allow_private: true}
`
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o644); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// noArchives turns archives and numbered pages off: at the scale runs' ~2M
// items they would be ~80,000 documents of 50 full items per format (tens
// of GB), a measure of the disk, not of the node.
const noArchives = "  archive_size: 0\n  page_size: 0\n"

// scaleBench builds n sources cold, measures the fetch-only floor of the
// warm build (every answer a 304), then the warm build itself.
func (h *harness) scaleBench(ctx context.Context, n int) (scaleResult, error) {
	res := scaleResult{N: n}
	up, err := startUpstreams(describeAll(n))
	if err != nil {
		return res, err
	}
	defer up.close()
	h.up = up
	dir := filepath.Join(h.work, fmt.Sprintf("scale-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	if err := writeScaleConfig(dir, up, n); err != nil {
		return res, err
	}
	out := filepath.Join(dir, "public")

	h.logf("scale N=%d: cold build", n)
	if res.Cold, err = h.build(ctx, dir, "cold", n, 0); err != nil {
		return res, err
	}
	if res.Cold.Answers.OK != int64(n) {
		h.fail("scale N=%d cold: upstreams answered %d × 200, want %d", n, res.Cold.Answers.OK, n)
	}
	if res.Stored, err = h.countStored(ctx, filepath.Join(dir, "data", "feedloom.db"), n); err != nil {
		return res, err
	}
	h.checkOutput(out, n)

	h.logf("scale N=%d: fetch-only floor", n)
	if res.Floor, err = h.fetchFloor(ctx, dir, up, n); err != nil {
		return res, err
	}
	before, err := snapshot(out)
	if err != nil {
		return res, err
	}
	h.logf("scale N=%d: warm build", n)
	if res.Warm, err = h.build(ctx, dir, "warm", n, 0); err != nil {
		return res, err
	}
	if res.Warm.Answers.NotModified != int64(n) || res.Warm.Answers.requests() != int64(n) {
		h.fail("scale N=%d warm: upstreams answered %d × 304 of %d requests, want %d × 304", n, res.Warm.Answers.NotModified, res.Warm.Answers.requests(), n)
	}
	after, err := snapshot(out)
	if err != nil {
		return res, err
	}
	if d := diff(before, after); d != 0 || changedFiles(res.Warm.M.Stderr) != 0 {
		h.fail("scale N=%d warm: %d output files changed (build said files_changed=%d), want none", n, d, changedFiles(res.Warm.M.Stderr))
	}
	return res, nil
}

// countStored fails the run unless every source holds its 20 items, with
// one sparse read rather than a query per source.
func (h *harness) countStored(ctx context.Context, path string, n int) (int, error) {
	st, done, err := openStore(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("check store: %w", err)
	}
	defer done()
	items, err := st.Items(ctx, store.Query{IncludeHeld: true, Sparse: true})
	if err != nil {
		return 0, fmt.Errorf("check store: %w", err)
	}
	per := make(map[string]int, n)
	for _, it := range items {
		per[it.Source]++
	}
	short := 0
	for i := range n {
		name := scaleList + "-" + h.up.feeds[i].name
		if got := per[name]; got != itemsPerFeed {
			if short < 5 {
				h.fail("scale N=%d: source %s has %d items in the store, want %d", n, name, got, itemsPerFeed)
			}
			short++
		}
	}
	if short >= 5 {
		h.fail("scale N=%d: %d sources in all lack items in the store", n, short)
	}
	return len(items), nil
}

// fetchFloor runs the fetch-only child over what the warm build will ask:
// every URL with its gzip ETag.
func (h *harness) fetchFloor(ctx context.Context, dir string, up *upstreams, n int) (run, error) {
	list := filepath.Join(dir, "floor-urls.txt")
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s\t%s\n", up.url(i), strings.TrimSuffix(up.feeds[i].etag, `"`)+`-gz"`)
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		return run{}, err
	}
	up.setLatency(0)
	up.reset()
	m, err := runChild(ctx, dir, h.self, "-child", "fetch", "-urls", list)
	r := run{N: n, Label: "fetch-only floor", M: m, Answers: up.reset(), Items: n * itemsPerFeed}
	if err != nil {
		return r, err
	}
	if m.Exit != 0 {
		h.fail("scale N=%d: fetch-only child exited %d:\n%s", n, m.Exit, tail(m.Stderr, 15))
	}
	if r.Answers.NotModified != int64(n) {
		h.fail("scale N=%d fetch-only: upstreams answered %d × 304, want %d", n, r.Answers.NotModified, n)
	}
	return r, nil
}

// fetchOnly is the floor of a warm refresh: the conditional GETs alone,
// as feedloom makes them (fetch.concurrency 16, at most fetch.per_host 2
// to a host, gzip), bodies read and dropped, nothing parsed or stored. It
// reads "URL<TAB>ETag" lines from urlFile and prints its status counts.
func fetchOnly(urlFile string) error {
	f, err := os.Open(urlFile)
	if err != nil {
		return fmt.Errorf("fetch-only: %w", err)
	}
	type req struct{ url, etag, host string }
	var reqs []req
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		u, etag, _ := strings.Cut(sc.Text(), "\t")
		pu, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("fetch-only: %w", err)
		}
		reqs = append(reqs, req{u, etag, pu.Host})
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return fmt.Errorf("fetch-only: read %s: %w", urlFile, err)
	}
	const workers, perHost = 16, 2
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: perHost, DisableCompression: true},
	}
	var mu sync.Mutex
	hostSlots := map[string]chan struct{}{}
	for _, r := range reqs {
		if hostSlots[r.host] == nil {
			hostSlots[r.host] = make(chan struct{}, perHost)
		}
	}
	statuses := map[int]int{}
	var firstErr error
	next := make(chan req)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for r := range next {
				s := hostSlots[r.host] // read only from here on
				s <- struct{}{}
				code, err := conditionalGet(client, r.url, r.etag)
				<-s
				mu.Lock()
				statuses[code]++
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, r := range reqs {
		next <- r
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("fetch-only: %w", firstErr)
	}
	return json.NewEncoder(os.Stdout).Encode(statuses)
}

func conditionalGet(client *http.Client, u, etag string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-None-Match", etag)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// targetScaleRSS and targetScaleWarm are issue 12's target 6.
const (
	targetScaleRSS  = 300 << 20
	targetScaleWarm = 1.2
)

// scaleTable renders the scale benchmark.
func (h *harness) scaleTable(r scaleResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# feedloom benchmark: one node at scale\n\n")
	fmt.Fprintf(&b, "Machine: %s.\n\n", h.machine)
	fmt.Fprintf(&b, "Run: `go run ./bench -scale %d`: %s feed sources of %d items (%s stored after the cold build), RSS 2.0, Atom 1.0 and JSON Feed 1.1 in turn, a quarter in Chinese, generated when asked by upstreams on %d loopback addresses with no latency; one node, SQLite; fetch.concurrency 16, per_host 2; feeds of 50 items, archives and numbered pages off. The fetch-only floor is the warm build's conditional GETs alone (16 at once, 2 per host, gzip, bodies read and dropped), run just before it.\n\n",
		r.N, thousands(int64(r.N)), itemsPerFeed, thousands(int64(r.Stored)), hosts)
	b.WriteString("| run | wall | CPU (user+sys) | upstreams' CPU | peak RSS | requests/s | answers 200 / 304 | target |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	full := r.N == 100_000
	for _, x := range []run{r.Cold, r.Floor, r.Warm} {
		var cells []string
		if full && x.Label != r.Floor.Label && x.M.MaxRSS >= 0 {
			cells = append(cells, "RSS ≤ 300 MiB: "+verdict(x.M.MaxRSS <= targetScaleRSS))
		}
		if x.Label == "cold" {
			cells = append(cells, "completes: "+verdict(x.M.Exit == 0))
		}
		if x.Label == "warm" && r.Floor.M.Wall > 0 {
			ratio := x.M.Wall.Seconds() / r.Floor.M.Wall.Seconds()
			cell := fmt.Sprintf("%.2f× the floor", ratio)
			if full {
				cell += ", ≤ 1.2×: " + verdict(ratio <= targetScaleWarm)
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", x.Label, dur(x.M.Wall), dur(x.M.CPU()), here(x.M), mib(x.M.MaxRSS),
			thousands(int64(x.reqPerSec())), thousands(x.Answers.OK), thousands(x.Answers.NotModified), strings.Join(cells, "; "))
	}
	if s := warmCeiling(r, runtime.NumCPU()); s != "" {
		b.WriteString("\n" + s + "\n")
	}
	return b.String()
}

// warmCeiling says how much CPU a source a warm build could spend at most
// and still take no more than targetScaleWarm × the floor's wall: every
// one of the machine's cores busy for all of that time, less what the
// upstreams spent answering the floor's same conditional GETs (they run
// on the same cores). It is a ceiling no scheduling can beat, to read
// beside what the warm build spent and what the floor's client needed for
// the requests alone.
func warmCeiling(r scaleResult, cores int) string {
	fl, w := r.Floor.M, r.Warm.M
	if fl.Wall <= 0 || fl.Here < 0 || r.N == 0 {
		return ""
	}
	perSource := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(r.N) }
	ceiling := time.Duration(targetScaleWarm*float64(fl.Wall)*float64(cores)) - fl.Here
	return fmt.Sprintf("CPU a source: at most %.0f µs for a warm build within %.1f× the floor, even with all %d cores busy throughout beside the upstreams' %.0f µs (as they answered the floor); the warm build spent %.0f µs, the floor's client %.0f µs on the requests alone.",
		perSource(ceiling), targetScaleWarm, cores, perSource(fl.Here), perSource(w.CPU()), perSource(fl.CPU()))
}
