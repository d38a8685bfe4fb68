package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hosts is how many loopback addresses the upstreams are spread over: with
// feedloom's per-host limit of 2, 16 hosts let its overall limit of 16 bind.
const hosts = 16

// upstreams serves generated feeds on 127.0.0.1 … 127.0.0.16 (Linux routes
// all of 127/8 to lo) with ETag, Last-Modified and 304, gzip when asked, no
// Cache-Control and no <ttl>, after an adjustable delay per request.
type upstreams struct {
	feeds   []*upstream
	mu      sync.RWMutex // guards byPath, which revise changes
	byPath  map[string]*upstream
	addrs   []string // host:port, one per loopback address
	servers []*http.Server

	latency atomic.Int64 // nanoseconds slept before each answer
	ok      atomic.Int64 // 200 answers
	notMod  atomic.Int64 // 304 answers
	other   atomic.Int64 // anything else
	bytes   atomic.Int64 // body bytes sent
}

// generateAll makes feeds 0 … n-1, on every core.
func generateAll(n int) []*upstream {
	out := make([]*upstream, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				out[i] = generate(i)
			}
		})
	}
	wg.Wait()
	return out
}

// startUpstreams listens on the loopback addresses and serves feeds.
func startUpstreams(feeds []*upstream) (*upstreams, error) {
	u := &upstreams{feeds: feeds, byPath: make(map[string]*upstream, len(feeds))}
	for _, f := range feeds {
		u.byPath[f.path] = f
	}
	for h := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			u.close()
			return nil, fmt.Errorf("listen on 127.0.0.%d (needs a loopback that routes all of 127/8, as Linux does): %w", h+1, err)
		}
		srv := &http.Server{Handler: u, ReadHeaderTimeout: 10 * time.Second}
		u.servers = append(u.servers, srv)
		u.addrs = append(u.addrs, ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				panic(fmt.Sprintf("upstream server: %v", err))
			}
		}()
	}
	return u, nil
}

// revise serves the first n feeds at revision rev (generateRev): each with
// one item changed, a new ETag and a later Last-Modified.
func (u *upstreams) revise(n, rev int) {
	next := make([]*upstream, n)
	var at atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(at.Add(1) - 1)
				if i >= n {
					return
				}
				next[i] = generateRev(i, rev)
			}
		})
	}
	wg.Wait()
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, f := range next {
		u.byPath[f.path] = f
	}
}

// describeAll lists feeds 0 … n-1 without their bodies, for upstreams that
// generate each answer when asked: 100,000 feeds of ~90 KB would not fit
// in memory. Their ETags name the feed and its revision.
func describeAll(n int) []*upstream {
	out := make([]*upstream, n)
	for i := range out {
		out[i] = describe(i)
		out[i].etag = fmt.Sprintf(`"%s-r0"`, out[i].name)
	}
	return out
}

// url is where feed i is served: hosts take the feeds in turn.
func (u *upstreams) url(i int) string {
	return "http://" + u.addrs[i%len(u.addrs)] + u.feeds[i].path
}

func (u *upstreams) setLatency(d time.Duration) { u.latency.Store(int64(d)) }

// counts is what the upstreams answered since the last reset.
type counts struct {
	OK, NotModified, Other, Bytes int64
}

func (c counts) requests() int64 { return c.OK + c.NotModified + c.Other }

func (u *upstreams) reset() counts {
	return counts{OK: u.ok.Swap(0), NotModified: u.notMod.Swap(0), Other: u.other.Swap(0), Bytes: u.bytes.Swap(0)}
}

func (u *upstreams) close() {
	for _, s := range u.servers {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.Shutdown(ctx)
		cancel()
	}
}

func (u *upstreams) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(u.latency.Load()); d > 0 {
		time.Sleep(d)
	}
	u.mu.RLock()
	f := u.byPath[r.URL.Path]
	u.mu.RUnlock()
	if f == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		u.other.Add(1)
		http.NotFound(w, r)
		return
	}
	gz := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if f.body == nil {
		// A described feed: answer a matching If-None-Match at once, and
		// generate the body (not kept) only for a 200.
		etag := f.etag
		if gz {
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
		if r.Header.Get("If-None-Match") == etag {
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
			u.notMod.Add(1)
			return
		}
		g := generateRev(f.index, f.rev)
		g.etag = f.etag
		f = g
	}
	body, etag := f.body, f.etag
	if gz {
		body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
		w.Header().Set("Content-Encoding", "gzip")
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	sw := &statusWriter{ResponseWriter: w}
	http.ServeContent(sw, r, "", f.modTime, bytes.NewReader(body))
	switch sw.status {
	case http.StatusOK:
		u.ok.Add(1)
	case http.StatusNotModified:
		u.notMod.Add(1)
	default:
		u.other.Add(1)
	}
	u.bytes.Add(sw.n)
}

// statusWriter remembers the status and counts the body bytes.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}
