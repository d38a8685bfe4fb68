package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/config"
)

// TestDescribedUpstreams: a described feed answers a matching If-None-Match
// with a 304 before generating anything, and any other GET with the bytes
// generate makes, under its described ETag; the upstreams count both.
func TestDescribedUpstreams(t *testing.T) {
	up, err := startUpstreams(describeAll(3))
	if err != nil {
		t.Skipf("loopback addresses: %v", err)
	}
	defer up.close()
	get := func(i int, etag string, gz bool) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, up.url(i), nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	resp, _ := get(1, `"feed-0002-r0-gz"`, true)
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("ETag") != `"feed-0002-r0-gz"` {
		t.Errorf("matching gzip ETag: %d, ETag %s; want 304", resp.StatusCode, resp.Header.Get("ETag"))
	}
	resp, body := get(1, `"feed-0002-r0"`, true) // the identity ETag does not match a gzip answer
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("identity ETag asked for gzip: %d %q; want a gzip 200", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if want := generate(1); !bytes.Equal(plain, want.body) || resp.Header.Get("Content-Type") != want.ctype {
		t.Errorf("200 differs from generate(1): %d bytes, %s", len(plain), resp.Header.Get("Content-Type"))
	}
	resp, body = get(2, "", false)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"feed-0003-r0"` || !bytes.Equal(body, generate(2).body) {
		t.Errorf("plain GET: %d, ETag %s, %d bytes", resp.StatusCode, resp.Header.Get("ETag"), len(body))
	}
	if c := up.reset(); c.OK != 2 || c.NotModified != 1 || c.Other != 0 {
		t.Errorf("counted %+v, want 2 × 200 and 1 × 304", c)
	}
}

// TestScaleConfig: the scale runs' config and list are what feedloom loads:
// one opml source naming every upstream.
func TestScaleConfig(t *testing.T) {
	up := &upstreams{feeds: describeAll(5), addrs: []string{"127.0.0.1:1", "127.0.0.2:1"}}
	dir := t.TempDir()
	if err := writeScaleConfig(dir, up, 5); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Kind != "opml" || cfg.Sources[0].MaxSources != 5 || cfg.Output.ArchiveSize != 0 {
		t.Errorf("sources %+v, archive size %d; want one opml source of 5, no archives", cfg.Sources, cfg.Output.ArchiveSize)
	}
	list, err := os.ReadFile(filepath.Join(dir, "feeds.opml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(list), "<outline "); n != 5 || !strings.Contains(string(list), `xmlUrl="http://127.0.0.2:1/feed-0002.atom"`) {
		t.Errorf("list names %d feeds:\n%s", n, list)
	}
}

// TestFetchOnly: the floor child makes each request with its ETag and
// gzip, and prints the statuses it got.
func TestFetchOnly(t *testing.T) {
	up, err := startUpstreams(describeAll(4))
	if err != nil {
		t.Skipf("loopback addresses: %v", err)
	}
	defer up.close()
	var list strings.Builder
	for i := range 4 {
		etag := strings.TrimSuffix(up.feeds[i].etag, `"`) + `-gz"`
		if i == 3 {
			etag = `"stale"`
		}
		list.WriteString(up.url(i) + "\t" + etag + "\n")
	}
	dir := t.TempDir()
	urls := filepath.Join(dir, "urls.txt")
	if err := os.WriteFile(urls, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = out
	err = fetchOnly(urls)
	os.Stdout = stdout
	out.Close()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out.Name())
	if want := `{"200":1,"304":3}` + "\n"; string(got) != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	if c := up.reset(); c.NotModified != 3 || c.OK != 1 {
		t.Errorf("upstreams counted %+v, want 3 × 304 and 1 × 200", c)
	}
}

// TestPooled: the pooled program reads every feed cold, then again from its
// cache on 304s, and writes the merged feed in three formats each time.
func TestPooled(t *testing.T) {
	up, err := startUpstreams(describeAll(3))
	if err != nil {
		t.Skipf("loopback addresses: %v", err)
	}
	defer up.close()
	dir := t.TempDir()
	urls := filepath.Join(dir, "urls.txt")
	if err := os.WriteFile(urls, []byte(up.url(0)+"\n"+up.url(1)+"\n"+up.url(2)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []counts{{OK: 3}, {NotModified: 3}} {
		out, err := os.Create(filepath.Join(dir, "res.json"))
		if err != nil {
			t.Fatal(err)
		}
		stdout := os.Stdout
		os.Stdout = out
		err = pooled(urls, filepath.Join(dir, "out"))
		os.Stdout = stdout
		out.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out.Name())
		if w := `{"Feeds":3,"Failed":0,"Items":60,"FirstError":""}` + "\n"; string(got) != w {
			t.Errorf("printed %s, want %s", got, w)
		}
		if c := up.reset(); c.OK != want.OK || c.NotModified != want.NotModified {
			t.Errorf("upstreams counted %+v, want %+v", c, want)
		}
		for _, f := range []string{"rss.xml", "atom.xml", "feed.json"} {
			if fi, err := os.Stat(filepath.Join(dir, "out", f)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

// TestCeilings: the ceilings are all cores busy for the target's share of
// the reference run's wall, less the upstreams' CPU in that run, and say
// nothing where the upstreams' CPU is unknown.
func TestCeilings(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	r := scaleResult{N: 10_000,
		Floor: run{M: measure{Wall: ms(500), User: ms(400), Sys: ms(100), Here: ms(300)}},
		Warm:  run{M: measure{Wall: ms(900), User: ms(800), Sys: ms(200), Here: ms(450)}},
	}
	// 1.2 × 500 ms × 2 cores = 1,200 ms, less 300 ms: 90 µs a source.
	want := "CPU a source: at most 90 µs for a warm build within 1.2× the floor, even with all 2 cores busy throughout beside the upstreams' 30 µs (as they answered the floor); the warm build spent 100 µs, the floor's client 50 µs on the requests alone."
	if got := warmCeiling(r, 2); got != want {
		t.Errorf("warmCeiling:\n got %s\nwant %s", got, want)
	}
	r.Floor.M.Here = -1
	if got := warmCeiling(r, 2); got != "" {
		t.Errorf("warmCeiling without the upstreams' CPU: %q, want nothing", got)
	}

	cold := run{N: 1000, M: measure{Wall: ms(5000), User: ms(7000), Sys: ms(1000), Here: ms(900)}}
	pooled := run{N: 1000, M: measure{Wall: ms(4000), User: ms(4000), Sys: ms(500), Here: ms(800)}}
	// 0.9 × 4 s × 2 cores = 7.2 s, less 0.8 s: 6.4 s.
	want = "CPU at N = 1,000: at most 6.40 s for a cold build within 0.9× the pooled program's wall, even with all 2 cores busy throughout beside the upstreams' 800 ms (as they answered the pooled program); feedloom spent 8.00 s, the pooled program 4.50 s."
	if got := coldCeiling(cold, pooled, 2); got != want {
		t.Errorf("coldCeiling:\n got %s\nwant %s", got, want)
	}
	pooled.M.Here = -1
	if got := coldCeiling(cold, pooled, 2); got != "" {
		t.Errorf("coldCeiling without the upstreams' CPU: %q, want nothing", got)
	}
}
