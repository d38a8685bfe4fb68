package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServe runs feedloom serve in-process with a one-second schedule: a
// story added while it runs shows up in the feeds, every format answers
// with the headers feed readers rely on, and cancelling (SIGTERM) stops it
// cleanly with exit 0.
func TestServe(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	cfg := strings.Replace(testConfig, "    path: stories\n", "    path: stories\n    schedule: \"@every 1s\"\nscheduler: {debounce: 100ms}\n", 1)
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	addr := freeAddr(t)
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--config", filepath.Join(dir, "config.yaml"), "--addr", addr, "--dev"}, io.Discard, &stderr)
	}()

	waitFor(t, &stderr, func() bool { return strings.Contains(get(t, base+"/feed.json").body, "Robotics Team Wins Final") })
	writeFile(t, filepath.Join(dir, "stories", "b.md"), strings.Replace(goodStory, "Robotics Team Wins Final", "Library Opens Late", 1))
	waitFor(t, &stderr, func() bool { return strings.Contains(get(t, base+"/en/feed.json").body, "Library Opens Late") })

	for _, f := range []struct{ path, ctype string }{
		{"/rss.xml", "application/rss+xml; charset=utf-8"},
		{"/atom.xml", "application/atom+xml; charset=utf-8"},
		{"/feed.json", "application/feed+json; charset=utf-8"},
		{"/en/rss.xml", "application/rss+xml; charset=utf-8"},
		{"/zh-hant/atom.xml", "application/atom+xml; charset=utf-8"},
		{"/en/feed.json", "application/feed+json; charset=utf-8"},
	} {
		t.Run(f.path, func(t *testing.T) {
			r := get(t, base+f.path)
			if r.code != 200 || r.h.Get("Content-Type") != f.ctype {
				t.Fatalf("GET: %d %q, want 200 %q", r.code, r.h.Get("Content-Type"), f.ctype)
			}
			if r.h.Get("Access-Control-Allow-Origin") != "*" || r.h.Get("Cache-Control") != "public, max-age=300" {
				t.Errorf("CORS %q, Cache-Control %q", r.h.Get("Access-Control-Allow-Origin"), r.h.Get("Cache-Control"))
			}
			etag, lm := r.h.Get("ETag"), r.h.Get("Last-Modified")
			if !strings.HasPrefix(etag, `"`) || lm == "" {
				t.Fatalf("ETag %q, Last-Modified %q", etag, lm)
			}
			if c := do(t, "GET", base+f.path, "If-None-Match", etag).code; c != 304 {
				t.Errorf("If-None-Match: %d, want 304", c)
			}
			if c := do(t, "GET", base+f.path, "If-Modified-Since", lm).code; c != 304 {
				t.Errorf("If-Modified-Since: %d, want 304", c)
			}
			head := do(t, "HEAD", base+f.path, "", "")
			if head.code != 200 || head.body != "" || head.h.Get("ETag") != etag {
				t.Errorf("HEAD: %d, body %d bytes, ETag %q", head.code, len(head.body), head.h.Get("ETag"))
			}
			gz := do(t, "GET", base+f.path, "Accept-Encoding", "gzip")
			if gz.h.Get("Content-Encoding") != "gzip" {
				t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", gz.h.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(strings.NewReader(gz.body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || string(plain) != r.body {
				t.Errorf("gzip body does not decompress to the file (%v)", err)
			}
		})
	}

	h := get(t, base+"/healthz")
	var health struct {
		Status  string `json:"status"`
		Sources []struct {
			Name        string `json:"name"`
			LastSuccess string `json:"last_success"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(h.body), &health); err != nil || h.code != 200 || health.Status != "ok" ||
		len(health.Sources) != 1 || health.Sources[0].Name != "newsroom" || health.Sources[0].LastSuccess == "" {
		t.Errorf("/healthz: %d %s (%v)", h.code, h.body, err)
	}
	// A publish is counted once its files are written, so the metrics of
	// the publish that wrote what was read above may trail it a little.
	waitFor(t, &stderr, func() bool {
		m := get(t, base+"/metrics").body
		for _, want := range []string{`feedloom_fetches_total{result="ok",source="newsroom"}`, `feedloom_feed_items{feed="en/feed.json"} 2`, "feedloom_last_publish_timestamp_seconds", "feedloom_publish_duration_seconds_count"} {
			if !strings.Contains(m, want) {
				return false
			}
		}
		return true
	})
	if s := get(t, base+"/status"); s.code != 200 || !strings.Contains(s.body, "newsroom") {
		t.Errorf("/status: %d", s.code)
	}

	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Fatalf("exit %d, want 0\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop within 10s of the signal\n%s", stderr.String())
	}
	if _, err := http.Get(base + "/feed.json"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
}

// TestServeMetrics reads /metrics as Prometheus scrapes it: the text
// format's Content-Type, a counter and a histogram bucket of the source's
// first refresh, and the process's own metrics beside the scheduler's.
func TestServeMetrics(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	base, stderr := serveProject(t, dir)
	var m answer
	waitFor(t, stderr, func() bool {
		m = get(t, base+"/metrics")
		return strings.Contains(m.body, "feedloom_publish_duration_seconds_count 1\n")
	})
	if ct := m.h.Get("Content-Type"); m.code != 200 || ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("/metrics: %d, Content-Type %q", m.code, ct)
	}
	// The first refresh is "ok"; a busy machine may see a later one (a
	// 304 of the folder) before the scrape, and each refresh is one
	// observation of the histogram, in its +Inf bucket and in 20.48's.
	refreshes := 0
	for _, line := range strings.Split(m.body, "\n") {
		if v, ok := strings.CutPrefix(line, `feedloom_fetches_total{result="not_modified",source="newsroom"} `); ok {
			n, _ := strconv.Atoi(v)
			refreshes += n
		}
	}
	refreshes++ // the "ok" one, checked below
	for _, want := range []string{
		"\nfeedloom_fetches_total{result=\"ok\",source=\"newsroom\"} 1\n",
		fmt.Sprintf("\nfeedloom_fetch_duration_seconds_bucket{source=\"newsroom\",le=\"+Inf\"} %d\n", refreshes),
		fmt.Sprintf("\nfeedloom_fetch_duration_seconds_bucket{source=\"newsroom\",le=\"20.48\"} %d\n", refreshes),
		"\nfeedloom_publish_duration_seconds_bucket{le=\"0.005\"} ",
		"\nprocess_resident_memory_bytes ",
		"\nprocess_open_fds ",
		"\ngo_goroutines ",
		"\n# TYPE feedloom_fetch_duration_seconds histogram\n",
		"\n# TYPE feedloom_fetches_total counter\n",
	} {
		if !strings.Contains(m.body, want) {
			t.Errorf("/metrics lacks %q:\n%s", strings.TrimSpace(want), m.body)
		}
	}
}

type answer struct {
	code int
	h    http.Header
	body string
}

func get(t *testing.T, url string) answer { return do(t, "GET", url, "", "") }

func do(t *testing.T, method, url, key, value string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(key, value)
	}
	// No transparent gzip: the test asks for it explicitly.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return answer{code: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{code: resp.StatusCode, h: resp.Header, body: string(b)}
}

// waitFor polls cond for up to 15 s: the server publishes asynchronously.
func waitFor(t *testing.T, log fmt.Stringer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 15s; log:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serveProject runs feedloom serve on the project in dir (its
// config.yaml), with extra arguments, until the test ends, when it must
// stop with exit 0 within 10 s. It returns the server's base URL and its
// log.
func serveProject(t *testing.T, dir string, extra ...string) (string, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	exited := make(chan int, 1)
	args := append([]string{"serve", "--config", filepath.Join(dir, "config.yaml"), "--addr", addr}, extra...)
	go func() { exited <- run(ctx, args, io.Discard, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exited:
			if code != exitOK {
				t.Errorf("serve exit %d\n%s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("serve did not stop within 10s\n%s", stderr.String())
		}
	})
	return "http://" + addr, stderr
}
