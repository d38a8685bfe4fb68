package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// TestConditionalGET: the first fetch stores the validators, the second
// sends them and the server's 304 becomes NotModified with the validators
// kept — a feed that switches from 200 to 304.
func TestConditionalGET(t *testing.T) {
	body := fixture(t, "rss20.xml")
	var mu sync.Mutex
	var seen []http.Header
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Thu, 13 Mar 2025 01:00:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	opts := testOptions(t)
	opts.UserAgent = "feedloom/1.2.3 (+https://github.com/feedloom/feedloom)"
	src := New("up", srv.URL+"/feed.xml", opts)

	first, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	wantState := sources.State{
		URL:           srv.URL + "/feed.xml",
		ConfiguredURL: srv.URL + "/feed.xml",
		ETag:          `"v1"`,
		LastModified:  "Thu, 13 Mar 2025 01:00:00 GMT",
	}
	if first.NotModified || len(first.Stories) != 3 || first.State != wantState {
		t.Fatalf("first fetch: NotModified %v, %d stories, state %+v; want 3 stories, state %+v",
			first.NotModified, len(first.Stories), first.State, wantState)
	}

	// The bookkeeping of earlier attempts passes through untouched:
	// recording this success is the caller's (State.Succeed).
	prev := first.State
	prev.CheckedAt, prev.LastSuccess = fixedNow.Add(-time.Hour), fixedNow.Add(-2*time.Hour)
	prev.Failures, prev.LastError = 2, "earlier failure"
	wantState = prev
	second, err := src.Fetch(context.Background(), prev)
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Stories != nil || second.State != wantState {
		t.Errorf("second fetch: NotModified %v, %d stories, state %+v; want NotModified, state %+v",
			second.NotModified, len(second.Stories), second.State, wantState)
	}

	if len(seen) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(seen))
	}
	wantHeaders := []map[string]string{
		{"If-None-Match": "", "If-Modified-Since": ""},
		{"If-None-Match": `"v1"`, "If-Modified-Since": "Thu, 13 Mar 2025 01:00:00 GMT"},
	}
	for i, h := range seen {
		common := map[string]string{
			"User-Agent":      opts.UserAgent,
			"Accept":          "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1",
			"Accept-Encoding": "gzip",
			"Cookie":          "",
		}
		for k, v := range wantHeaders[i] {
			common[k] = v
		}
		for k, v := range common {
			if got := h.Get(k); got != v {
				t.Errorf("request %d: %s = %q, want %q", i+1, k, got, v)
			}
		}
	}
}

func TestDefaultUserAgent(t *testing.T) {
	if got, want := userAgent("v1.4.0"), "feedloom/v1.4.0 (+https://github.com/feedloom/feedloom)"; got != want {
		t.Errorf("userAgent = %q, want %q", got, want)
	}
	// A test binary is never built from a tagged module version.
	if got, want := (Options{}).withDefaults().UserAgent, "feedloom/dev (+https://github.com/feedloom/feedloom)"; got != want {
		t.Errorf("default UserAgent = %q, want %q", got, want)
	}
}

// TestStatusErrors: statuses that are not retried, or retried until the
// attempts run out, come back as a StatusError naming the source and URL.
func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		requests int32
		msg      string
		retry    time.Duration
	}{
		{"404", http.StatusNotFound, nil, 1, "status 404 Not Found", 0},
		{"410", http.StatusGone, nil, 1, "status 410 Gone", 0},
		{"503 until the retries run out", http.StatusServiceUnavailable, nil, 3, "status 503 Service Unavailable", 0},
		// Retry-After longer than the timeout allows: no sleeping, the
		// scheduler parks this source alone.
		{"429 with a long Retry-After", http.StatusTooManyRequests, map[string]string{"Retry-After": "3600"}, 1,
			"status 429 Too Many Requests, retry after 1h0m0s", time.Hour},
		{"503 with a Retry-After date", http.StatusServiceUnavailable,
			map[string]string{"Date": "Fri, 14 Mar 2025 12:00:00 GMT", "Retry-After": "Fri, 14 Mar 2025 12:30:00 GMT"}, 1,
			"status 503 Service Unavailable, retry after 30m0s", 30 * time.Minute},
		{"Retry-After capped at a day", http.StatusTooManyRequests, map[string]string{"Retry-After": "864000"}, 1,
			"status 429 Too Many Requests, retry after 24h0m0s", 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, "<html><body>error</body></html>")
			}))
			u := srv.URL + "/missing.xml"
			_, err := fetch(t, u, testOptions(t), sources.State{})
			want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, tt.msg)
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v, want %s", err, want)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tt.status || se.RetryAfter != tt.retry {
				t.Errorf("StatusError = %+v, want code %d retry after %s", se, tt.status, tt.retry)
			}
			if got := n.Load(); got != tt.requests {
				t.Errorf("server saw %d requests, want %d", got, tt.requests)
			}
		})
	}
}

// TestRetryThenSuccess: 500 and 429 are retried within one Fetch, waiting
// RetryWait·2ⁿ or what Retry-After says (seconds or an HTTP date).
func TestRetryThenSuccess(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
	}{
		{"500 then success", http.StatusInternalServerError, nil},
		{"429 with Retry-After seconds", http.StatusTooManyRequests, map[string]string{"Retry-After": "1"}},
		{"429 with Retry-After date", http.StatusTooManyRequests,
			map[string]string{"Date": "Fri, 14 Mar 2025 12:00:00 GMT", "Retry-After": "Fri, 14 Mar 2025 12:00:01 GMT"}},
	}
	body := fixture(t, "rss20.xml")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
					return
				}
				w.Write(body)
			}))
			res := mustFetch(t, srv.URL+"/feed.xml", testOptions(t))
			if len(res.Stories) != 3 || n.Load() != 2 {
				t.Errorf("got %d stories after %d requests, want 3 after 2", len(res.Stories), n.Load())
			}
		})
	}
}

// TestTimeout: a server that never answers, or stops in the middle of the
// body, costs at most Options.Timeout (the response-header wait, a third of
// it, fires first) and the error names the source.
func TestTimeout(t *testing.T) {
	tests := []struct {
		name, path string
		head       bool // send the headers and a little body, then stall
		msg        string
	}{
		{"no answer", "/silent.xml", false, "timeout (300ms): net/http: timeout awaiting response headers"},
		{"stalled body", "/stalled.xml", true, "timeout (300ms): read body: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.head {
					w.Write([]byte("<rss><channel>"))
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(func() { close(release) }) // runs before srv.Close
			opts := testOptions(t)
			opts.Timeout = 300 * time.Millisecond
			opts.Client = NewClient(opts)
			t.Cleanup(opts.Client.CloseIdleConnections)
			u := srv.URL + tt.path
			_, err := fetch(t, u, opts, sources.State{})
			want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, tt.msg)
			if err == nil || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v\nwant %s, wrapping context.DeadlineExceeded", err, want)
			}
		})
	}
}

// TestBodyErrors: bodies that are too big, empty, not a feed or broken.
func TestBodyErrors(t *testing.T) {
	bomb := gzipBomb(t, 4<<20)
	html := fixture(t, "html_error.html")
	truncated := fixture(t, "truncated.xml")
	tests := []struct {
		name    string
		maxBody int64
		handler http.HandlerFunc
		is      error
		msg     string // after `feed "up": GET <url>: `
	}{
		{"50 MiB body streamed", 0, func(w http.ResponseWriter, r *http.Request) {
			writeChunks(w, 50<<20)
		}, ErrTooLarge, "feed: body too large (limit 10485760 bytes)"},
		{"50 MiB announced by Content-Length", 0, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
			writeChunks(w, 50<<20)
		}, ErrTooLarge, "feed: body too large (Content-Length 52428800, limit 10485760 bytes)"},
		{"gzip bomb", 1 << 20, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		}, ErrTooLarge, "feed: body too large (limit 1048576 bytes)"},
		{"HTML error page with 200", 0, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(html)
		}, ErrNotAFeed, `feed: not a feed: an HTML page (Content-Type "text/html; charset=utf-8")`},
		{"undetectable format", 0, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "hello, world\n")
		}, ErrNotAFeed, `feed: not a feed: no RSS, Atom or JSON Feed found (Content-Type "text/plain")`},
		{"empty body", 0, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
		}, ErrEmpty, "feed: empty body"},
		{"white space only", 0, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, " \r\n\t\n")
		}, ErrEmpty, "feed: empty body"},
		{"204 No Content", 0, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, ErrEmpty, "feed: empty body"},
		{"truncated XML", 0, func(w http.ResponseWriter, r *http.Request) {
			w.Write(truncated)
		}, ErrParse, "feed: cannot parse: XML syntax error on line 11: unexpected EOF"},
		{"broken JSON", 0, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"version": "https://jsonfeed.org/version/1.1", "items": [`)
		}, ErrParse, "feed: cannot parse: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, "", tt.handler)
			opts := testOptions(t)
			opts.MaxBody = tt.maxBody
			u := srv.URL + "/feed"
			_, err := fetch(t, u, opts, sources.State{})
			want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, tt.msg)
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v\nwant %s", err, want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err does not wrap %v", tt.is)
			}
			// Only a body gofeed failed on is a parse error.
			if tt.is != ErrParse && errors.Is(err, ErrParse) {
				t.Errorf("err wraps %v", ErrParse)
			}
		})
	}
}

// writeChunks streams n bytes of an RSS-looking body without holding it.
func writeChunks(w http.ResponseWriter, n int) {
	chunk := bytes.Repeat([]byte("<!-- padding padding padding -->\n"), 2048)
	w.Write([]byte("<rss><channel>"))
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return // the client gave up, as it should
		}
	}
}

// gzipBomb compresses n bytes of white space: a few KiB on the wire.
func gzipBomb(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte("<rss><channel>"))
	zw.Write(bytes.Repeat([]byte(" "), n))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 16<<10 {
		t.Fatalf("bomb is %d bytes compressed, want a few KiB", buf.Len())
	}
	return buf.Bytes()
}

// TestGzip: a gzip body is decoded by the fetcher.
func TestGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(fixture(t, "rss20.xml"))
	zw.Close()
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "gzip expected", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(buf.Bytes())
	}))
	res := mustFetch(t, srv.URL+"/feed.xml.gz", testOptions(t))
	if len(res.Stories) != 3 || res.Stories[1].Title != "科大新聞" {
		t.Errorf("got %d stories, want 3 with the second titled 科大新聞", len(res.Stories))
	}
}

// TestRedirects: at most five hops; a loop is an error; 301 and 308 move the
// stored URL, 302 and 307 do not, and a temporary hop ends the permanent
// chain.
func TestRedirects(t *testing.T) {
	body := fixture(t, "rss20.xml")
	var hits sync.Map // path → *atomic.Int32
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int32))
		c.(*atomic.Int32).Add(1)
		redirect := func(to string, code int) { http.Redirect(w, r, to, code) }
		switch p := r.URL.Path; {
		case p == "/moved":
			redirect("/feed", http.StatusMovedPermanently)
		case p == "/moved308":
			redirect("/feed", http.StatusPermanentRedirect)
		case p == "/found":
			redirect("/feed", http.StatusFound)
		case p == "/temp307":
			redirect("/feed", http.StatusTemporaryRedirect)
		case p == "/perm-then-temp":
			redirect("/mid", http.StatusMovedPermanently)
		case p == "/mid":
			redirect("/feed", http.StatusFound)
		case p == "/loop-a":
			redirect("/loop-b", http.StatusFound)
		case p == "/loop-b":
			redirect("/loop-a", http.StatusFound)
		case strings.HasPrefix(p, "/hop/"):
			var n int
			fmt.Sscanf(p, "/hop/%d", &n)
			if n < 100 {
				redirect(fmt.Sprintf("/hop/%d", n+1), http.StatusFound)
				return
			}
			w.Write(body)
		case p == "/five/0":
			redirect("/five/1", http.StatusFound)
		case strings.HasPrefix(p, "/five/"):
			var n int
			fmt.Sscanf(p, "/five/%d", &n)
			if n < 5 {
				redirect(fmt.Sprintf("/five/%d", n+1), http.StatusFound)
				return
			}
			w.Write(body)
		case p == "/elsewhere":
			redirect("ftp://ftp.example.org/feed.xml", http.StatusFound)
		case p == "/feed":
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	tests := []struct {
		path    string
		wantURL string // State.URL after success
		err     string // after `feed "up": GET <url>: `
	}{
		{"/moved", "/feed", ""},
		{"/moved308", "/feed", ""},
		{"/found", "/found", ""},
		{"/temp307", "/temp307", ""},
		{"/perm-then-temp", "/mid", ""},
		{"/five/0", "/five/0", ""},
		{"/loop-a", "", "redirect loop: {srv}/loop-b back to {srv}/loop-a"},
		{"/hop/0", "", "stopped after 5 redirects, at {srv}/hop/5"},
		{"/elsewhere", "", "redirect from {srv}/elsewhere to ftp://ftp.example.org/feed.xml: only http and https are followed"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			u := srv.URL + tt.path
			res, err := fetch(t, u, testOptions(t), sources.State{})
			if tt.err != "" {
				want := fmt.Sprintf("feed %q: GET %s: %s", "up", u, strings.ReplaceAll(tt.err, "{srv}", srv.URL))
				if err == nil || err.Error() != want {
					t.Errorf("err = %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.State.URL != srv.URL+tt.wantURL || len(res.Stories) != 3 {
				t.Errorf("State.URL = %q with %d stories, want %q with 3", res.State.URL, len(res.Stories), srv.URL+tt.wantURL)
			}
		})
	}

	// NewClient's client, used on its own, keeps the same limits.
	t.Run("NewClient alone", func(t *testing.T) {
		client := NewClient(Options{AllowPrivate: true})
		t.Cleanup(client.CloseIdleConnections)
		for path, want := range map[string]string{
			"/five/0": "",
			"/hop/0":  `Get "/hop/6": stopped after 5 redirects`, // url.Error quotes the Location as sent
			"/loop-a": fmt.Sprintf(`Get "/loop-a": redirect loop at %s/loop-a`, srv.URL),
		} {
			resp, err := client.Get(srv.URL + path)
			if err == nil {
				resp.Body.Close()
			}
			if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
				t.Errorf("GET %s: err = %v, want %q", path, err, want)
			}
		}
	})

	// The moved URL is used next time: /moved is not asked again.
	t.Run("moved URL is logged and used next time", func(t *testing.T) {
		var logs bytes.Buffer
		opts := testOptions(t)
		opts.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
		src := New("up", srv.URL+"/moved", opts)
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			t.Fatal(err)
		}
		wantLog := fmt.Sprintf("level=INFO msg=\"feed moved permanently\" source=up from=%s/moved to=%s/feed\n", srv.URL, srv.URL)
		if logs.String() != wantLog {
			t.Errorf("log = %q, want %q", logs.String(), wantLog)
		}
		c, _ := hits.Load("/moved")
		before := c.(*atomic.Int32).Load()
		if _, err := src.Fetch(context.Background(), res.State); err != nil {
			t.Fatal(err)
		}
		if after := c.(*atomic.Int32).Load(); after != before {
			t.Errorf("/moved asked %d more times, want 0", after-before)
		}

		// A new configured URL wins over where the old one had moved.
		other := New("up", srv.URL+"/moved308", opts)
		again, err := other.Fetch(context.Background(), res.State)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := hits.Load("/moved308"); c == nil || again.State.ConfiguredURL != srv.URL+"/moved308" {
			t.Errorf("a changed configured URL was not fetched: state %+v", again.State)
		}
	})
}

// TestPerHostLimit: with NewLimiter(16, 2), six fetches from one slow host
// never have more than two requests in flight there, and with a second host
// (127.0.0.2) four run at once, two on each. The servers hold every request
// until each fetch has either reached a server or queued in the Limiter;
// only then are they let go.
func TestPerHostLimit(t *testing.T) {
	body := fixture(t, "rss20.xml")
	type host struct {
		inFlight, peak atomic.Int32
		srv            string
	}
	var arrived atomic.Int32
	var release chan struct{}
	handler := func(h *host) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := h.inFlight.Add(1)
			defer h.inFlight.Add(-1)
			for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
			}
			arrived.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.Write(body)
		})
	}
	hosts := []*host{{}, {}}
	hosts[0].srv = serve(t, "127.0.0.1:0", handler(hosts[0])).URL
	hosts[1].srv = serve(t, "127.0.0.2:0", handler(hosts[1])).URL

	tests := []struct {
		name         string
		hosts        []*host
		wantArrived  int32
		wantWaiting  int64
		wantPeakEach int32
	}{
		{"one host", hosts[:1], 2, 4, 2},
		{"two hosts", hosts, 4, 8, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release = make(chan struct{})
			arrived.Store(0)
			for _, h := range tt.hosts {
				h.peak.Store(0)
			}
			opts := testOptions(t)
			lim := NewLimiter(16, 2)
			opts.Limiter = lim
			var wg sync.WaitGroup
			errs := make(chan error, 12)
			for _, h := range tt.hosts {
				for i := range 6 {
					wg.Go(func() {
						_, err := New(fmt.Sprintf("s%d", i), h.srv+"/feed.xml", opts).Fetch(context.Background(), sources.State{})
						errs <- err
					})
				}
			}
			total := int64(6 * len(tt.hosts))
			for int64(arrived.Load())+lim.waiting.Load() < total {
				runtime.Gosched()
			}
			if got, waiting := arrived.Load(), lim.waiting.Load(); got != tt.wantArrived || waiting != tt.wantWaiting {
				t.Errorf("%d requests reached the servers and %d queued, want %d and %d", got, waiting, tt.wantArrived, tt.wantWaiting)
			}
			close(release)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			for _, h := range tt.hosts {
				if got := h.peak.Load(); got != tt.wantPeakEach {
					t.Errorf("host %s: peak %d requests at once, want %d", h.srv, got, tt.wantPeakEach)
				}
			}
		})
	}
}

func TestLimiterOverall(t *testing.T) {
	l := NewLimiter(1, 2)
	release, err := l.acquire(context.Background(), "a.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.acquire(ctx, "b.example"); !errors.Is(err, context.Canceled) {
		t.Errorf("second host while the only overall slot is taken: err = %v, want context.Canceled", err)
	}
	release()
	release() // a second call is harmless
	r2, err := l.acquire(context.Background(), "b.example")
	if err != nil {
		t.Fatal(err)
	}
	r2()
}

// TestNextDue: the upstream's own floor on polling, capped at a day.
func TestNextDue(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		header  map[string]string
		want    time.Duration // from fixedNow; 0 = zero NextDue
	}{
		{"max-age", "rss20.xml", map[string]string{"Cache-Control": "public, max-age=600"}, 10 * time.Minute},
		{"s-maxage before max-age", "rss20.xml", map[string]string{"Cache-Control": "max-age=600, s-maxage=1200"}, 20 * time.Minute},
		{"max-age before Expires and ttl", "ttl.xml", map[string]string{"Cache-Control": "max-age=60",
			"Date": "Fri, 14 Mar 2025 12:00:00 GMT", "Expires": "Fri, 14 Mar 2025 14:00:00 GMT"}, time.Minute},
		{"Expires against Date", "rss20.xml", map[string]string{
			"Date": "Fri, 14 Mar 2025 12:00:00 GMT", "Expires": "Fri, 14 Mar 2025 13:00:00 GMT"}, time.Hour},
		{"Expires before ttl", "ttl.xml", map[string]string{
			"Date": "Fri, 14 Mar 2025 12:00:00 GMT", "Expires": "Fri, 14 Mar 2025 12:05:00 GMT"}, 5 * time.Minute},
		{"invalid Expires is already expired", "ttl.xml", map[string]string{"Expires": "0"}, 0},
		{"ttl", "ttl.xml", nil, 45 * time.Minute},
		{"no-cache", "ttl.xml", map[string]string{"Cache-Control": "no-cache"}, 0},
		{"Cache-Control without max-age falls through", "ttl.xml", map[string]string{"Cache-Control": "public"}, 45 * time.Minute},
		{"capped at 24h", "rss20.xml", map[string]string{"Cache-Control": "max-age=604800"}, 24 * time.Hour},
		{"none", "rss20.xml", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fixture(t, tt.fixture)
			srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Write(body)
			}))
			res := mustFetch(t, srv.URL+"/feed.xml", testOptions(t))
			var want time.Time
			if tt.want > 0 {
				want = fixedNow.Add(tt.want)
			}
			if !res.State.NextDue.Equal(want) {
				t.Errorf("NextDue = %s, want %s", res.State.NextDue, want)
			}
		})
	}
}

// TestLocalFiles: file:// URLs and plain paths are read from disk with the
// same parser; the content hash is the ETag, so an unchanged file is
// NotModified and a changed one is read again.
func TestLocalFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "partner.xml")
	if err := os.WriteFile(path, fixture(t, "big5_decl.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, url string }{
		{"plain path", path},
		{"file URL", (&url.URL{Scheme: "file", Path: path}).String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := New("local", tt.url, testOptions(t))
			res, err := src.Fetch(context.Background(), sources.State{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Stories) != 1 || res.Stories[0].Title != "港科大研究「重大突破」" || res.Stories[0].File != tt.url {
				t.Fatalf("stories = %+v", res.Stories)
			}
			sum := sha256.Sum256(fixture(t, "big5_decl.xml"))
			wantState := sources.State{
				URL:           tt.url,
				ConfiguredURL: tt.url,
				ETag:          `"sha256:` + hex.EncodeToString(sum[:16]) + `"`,
			}
			if res.State != wantState {
				t.Errorf("state = %+v, want %+v", res.State, wantState)
			}
			again, err := src.Fetch(context.Background(), res.State)
			if err != nil {
				t.Fatal(err)
			}
			if !again.NotModified || again.Stories != nil || again.State.ETag != res.State.ETag {
				t.Errorf("unchanged file: NotModified %v, %d stories", again.NotModified, len(again.Stories))
			}
		})
	}

	t.Run("changed file is read again", func(t *testing.T) {
		src := New("local", path, testOptions(t))
		first, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other.xml")
		if err := os.WriteFile(other, fixture(t, "rss20.xml"), 0o644); err != nil {
			t.Fatal(err)
		}
		prev := first.State
		prev.URL = other
		res, err := src.Fetch(context.Background(), prev)
		if err != nil {
			t.Fatal(err)
		}
		if res.NotModified || len(res.Stories) != 3 || res.State.ETag == first.State.ETag {
			t.Errorf("changed file: NotModified %v, %d stories", res.NotModified, len(res.Stories))
		}
	})

	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.xml")
		_, err := fetch(t, missing, testOptions(t), sources.State{})
		want := fmt.Sprintf("feed %q: read %s: open %s: no such file or directory", "up", missing, missing)
		if err == nil || err.Error() != want || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want %s", err, want)
		}
	})

	t.Run("too large file", func(t *testing.T) {
		opts := testOptions(t)
		opts.MaxBody = 100
		_, err := fetch(t, path, opts, sources.State{})
		want := fmt.Sprintf("feed %q: read %s: feed: body too large (limit 100 bytes)", "up", path)
		if err == nil || err.Error() != want || !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v, want %s", err, want)
		}
	})
}

func TestBadURL(t *testing.T) {
	_, err := fetch(t, "ftp://ftp.example.org/feed.xml", testOptions(t), sources.State{})
	want := `feed "up": GET ftp://ftp.example.org/feed.xml: not an http(s) URL, file:// URL or path`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestCancelledContext: shutdown during a retry wait ends the fetch at once.
func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.WriteHeader(http.StatusBadGateway)
	}))
	opts := testOptions(t)
	opts.RetryWait = time.Second
	u := srv.URL + "/feed.xml"
	_, err := New("up", u, opts).Fetch(ctx, sources.State{})
	want := fmt.Sprintf("feed %q: GET %s: context canceled", "up", u)
	if err == nil || err.Error() != want || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func BenchmarkFetch(b *testing.B) {
	body := fixture(b, "bench20.xml")
	srv := serve(b, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(body)
	}))
	src := New("bench", srv.URL+"/feed.xml", testOptions(b))
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := src.Fetch(ctx, sources.State{})
		if err != nil || len(res.Stories) != 20 {
			b.Fatalf("%d stories, err %v", len(res.Stories), err)
		}
	}
}
