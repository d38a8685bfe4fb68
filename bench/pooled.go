package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"
)

// pooledWorkers is the pooled program's concurrency, feedloom's
// fetch.concurrency in the runs it is compared with.
const pooledWorkers = 16

// pooled is the program a Go user would write instead of feedloom (issue
// 12, target 3): 16 workers over one pooled HTTP client, a conditional GET
// with the ETag and body of the last 200 kept in a cache folder under out
// (a 304 parses the kept body), gofeed's Parse, and the merged feed's 50
// newest items in RSS, Atom and JSON Feed with gorilla/feeds. It reads the
// URLs, one a line, from urlFile and prints a baselineResult.
func pooled(urlFile, out string) error {
	urls, err := readLines(urlFile)
	if err != nil {
		return fmt.Errorf("pooled: %w", err)
	}
	cache := filepath.Join(out, "cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return fmt.Errorf("pooled: %w", err)
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: pooledWorkers},
	}
	var (
		mu  sync.Mutex
		all []entry
		res baselineResult
	)
	next := make(chan string)
	var wg sync.WaitGroup
	for range pooledWorkers {
		wg.Go(func() {
			fp := gofeed.NewParser()
			for u := range next {
				feed, err := fetchCached(client, fp, cache, u)
				mu.Lock()
				res.Feeds++
				if err != nil {
					res.Failed++
					if res.FirstError == "" {
						res.FirstError = fmt.Sprintf("%s: %v", u, err)
					}
				} else {
					all = appendEntries(all, feed)
				}
				mu.Unlock()
			}
		})
	}
	for _, u := range urls {
		next <- u
	}
	close(next)
	wg.Wait()
	res.Items = len(all)
	if err := writeMerged(out, all, ""); err != nil {
		return fmt.Errorf("pooled: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// fetchCached GETs u, conditionally when the cache holds its last 200, and
// parses what it got or, on a 304, the cached body.
func fetchCached(client *http.Client, fp *gofeed.Parser, cache, u string) (*gofeed.Feed, error) {
	sum := sha256.Sum256([]byte(u))
	base := filepath.Join(cache, hex.EncodeToString(sum[:8]))
	etag, _ := os.ReadFile(base + ".etag")
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if len(etag) > 0 {
		req.Header.Set("If-None-Match", string(etag))
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body []byte
	switch resp.StatusCode {
	case http.StatusNotModified:
		if body, err = os.ReadFile(base + ".body"); err != nil {
			return nil, err
		}
	case http.StatusOK:
		if body, err = io.ReadAll(resp.Body); err != nil {
			return nil, err
		}
		if err := os.WriteFile(base+".body", body, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(base+".etag", []byte(resp.Header.Get("ETag")), 0o644); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	return fp.Parse(bytes.NewReader(body))
}

// The pooled program's run labels.
const (
	labelPooled     = "pooled: gofeed + gorilla/feeds, 16 workers, conditional GET"
	labelPooledWarm = "pooled, warm (every answer a 304)"
)

// runPooled runs the pooled program on the first n upstreams: cold, with
// an empty cache, then warm.
func (h *harness) runPooled(ctx context.Context, n int) error {
	dir, err := h.urlList("pooled", n)
	if err != nil {
		return err
	}
	for _, label := range []string{labelPooled, labelPooledWarm} {
		h.logf("N=%d: %s, %s latency", n, label, h.opts.latency)
		h.up.setLatency(h.opts.latency)
		h.up.reset()
		var res baselineResult
		m, ok, err := h.runChildJSON(ctx, dir, fmt.Sprintf("N=%d %s", n, label), &res, "pooled", "-urls", "urls.txt", "-dir", "out")
		r := run{N: n, Label: label, Latency: h.opts.latency, M: m, Answers: h.up.reset(), Items: n * itemsPerFeed}
		if err != nil || !ok {
			return err
		}
		if res.Feeds != n {
			h.fail("N=%d %s: %d feeds read, want %d", n, label, res.Feeds, n)
		}
		h.runs = append(h.runs, r)
	}
	return nil
}

// targetPooled is target 3's bound: feedloom's cold wall at most this
// share of the pooled program's.
const targetPooled = 0.9

// pooledTable compares feedloom with the pooled program, cold and warm.
func (h *harness) pooledTable(b *strings.Builder) {
	b.WriteString("### feedloom / the pooled program (same feeds, same latency)\n\n")
	b.WriteString("| N | cold wall ratio | cold CPU ratio | warm wall ratio | target |\n|---:|---:|---:|---:|---|\n")
	for _, n := range h.opts.ns {
		fl, ok1 := h.find(n, "cold")
		pl, ok2 := h.find(n, labelPooled)
		if !ok1 || !ok2 {
			continue
		}
		warm := "—"
		if fw, ok := h.find(n, "warm"); ok {
			if pw, ok := h.find(n, labelPooledWarm); ok {
				warm = fmt.Sprintf("%.2f", fw.M.Wall.Seconds()/pw.M.Wall.Seconds())
			}
		}
		wall := fl.M.Wall.Seconds() / pl.M.Wall.Seconds()
		t := ""
		if n == targetN && fl.Latency == targetLatency {
			t = "cold ≤ 0.9×: " + verdict(wall <= targetPooled)
		}
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %s | %s |\n", thousands(int64(n)), wall, fl.M.CPU().Seconds()/pl.M.CPU().Seconds(), warm, t)
	}
	b.WriteString("\n")
	if fl, ok := h.find(targetN, "cold"); ok && fl.Latency == targetLatency {
		if pl, ok := h.find(targetN, labelPooled); ok {
			if s := coldCeiling(fl, pl, runtime.NumCPU()); s != "" {
				b.WriteString(s + "\n\n")
			}
		}
	}
}

// coldCeiling says how much CPU a cold build could spend at most and still
// take no more than targetPooled × the pooled program's wall: every one of
// the machine's cores busy for all of that time, less what the upstreams
// spent answering the pooled program's same requests (they run on the same
// cores). It is a ceiling no scheduling can beat, to read beside what each
// program spent.
func coldCeiling(fl, pl run, cores int) string {
	if pl.M.Wall <= 0 || pl.M.Here < 0 {
		return ""
	}
	ceiling := time.Duration(targetPooled * float64(pl.M.Wall) * float64(cores))
	return fmt.Sprintf("CPU at N = %s: at most %s for a cold build within %.1f× the pooled program's wall, even with all %d cores busy throughout beside the upstreams' %s (as they answered the pooled program); feedloom spent %s, the pooled program %s.",
		thousands(int64(fl.N)), dur(ceiling-pl.M.Here), targetPooled, cores, dur(pl.M.Here), dur(fl.M.CPU()), dur(pl.M.CPU()))
}
