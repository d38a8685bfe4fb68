package server

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// modTime is the mtime of every fixture file, as the publisher would set it
// from a feed's newest item.
var modTime = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

const lastModified = "Sun, 01 Mar 2026 10:00:00 GMT"

// fixture is an output folder in a temporary directory, with a secret file
// beside it that no request may reach.
type fixture struct {
	base, dir string
	files     map[string][]byte
}

// feedBody returns a feed-like text of n items, long enough for gzip to pay.
func feedBody(root string, n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<?xml-stylesheet type="text/xsl" href="feed.xsl"?>` + "\n<" + root + ">\n")
	for i := range n {
		b.WriteString("  <item><title>Headline number ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("</title><link>https://www.example.edu/news/story</link><description>A paragraph of the story, as it appears in the feed.</description></item>\n")
	}
	b.WriteString("</" + root + ">\n")
	return []byte(b.String())
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{base: base, dir: filepath.Join(base, "public"), files: map[string][]byte{
		"index.html":      []byte("<!DOCTYPE html><title>News</title><p>" + strings.Repeat("Every feed, every language. ", 20) + "</p>\n"),
		"rss.xml":         feedBody("rss", 20),
		"atom.xml":        feedBody("feed", 20),
		"feed.json":       []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[` + strings.Repeat(`{"id":"x","title":"Headline"},`, 20) + `{"id":"y"}]}` + "\n"),
		"feeds.opml":      []byte(`<?xml version="1.0"?><opml version="2.0"><body>` + strings.Repeat(`<outline type="rss" text="News" xmlUrl="https://feeds.example.edu/rss.xml"/>`, 10) + "</body></opml>\n"),
		"feed.xsl":        []byte("<xsl/>\n"),
		"feed.html":       []byte("<!DOCTYPE html><title>All the news</title><p>" + strings.Repeat("Headline. ", 40) + "</p>\n"),
		"en/rss.xml":      feedBody("rss", 5),
		"en/index.html":   []byte("<p>English</p>\n"),
		"zh-hant/rss.xml": feedBody("rss", 3),
		"stories/a.html":  []byte("<p>A story</p>\n"),
		"style.css":       []byte("body{margin:0}\n"),
		"logo.png":        []byte("\x89PNG\r\n\x1a\nnot really"),
		"blob.qqqq":       []byte("opaque"),
		".rss.xml123":     []byte("half-written temporary file"),
		".git/config":     []byte("[core]\n"),
	}}
	for name, data := range f.files {
		f.write(t, name, data)
	}
	if err := os.WriteFile(filepath.Join(base, "secret.txt"), []byte("TOP SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// write replaces a file the way the publisher does: a temporary file in the
// same folder renamed over the old one, with the mtime set to modTime.
func (f *fixture) write(t testing.TB, name string, data []byte) {
	t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, modTime, modTime); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	f.files[name] = data
}

// get sends one request through h; header pairs are name, value, ….
func get(t testing.TB, h http.Handler, method, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gunzip(t testing.TB, s string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tagOf is the ETag the server must give data, computed independently.
func tagOf(data []byte, suffix string) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:])[:16] + suffix + `"`
}

// equalHeader fails unless got holds exactly want (Date aside).
func equalHeader(t *testing.T, got http.Header, want map[string]string) {
	t.Helper()
	got = got.Clone()
	got.Del("Date")
	for k, v := range want {
		if g := got.Values(k); len(g) != 1 || g[0] != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
		got.Del(k)
	}
	for k, v := range got {
		t.Errorf("unexpected header %s: %q", k, v)
	}
}

func TestMethods(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{Metrics: http.NotFoundHandler()}, nil)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodPatch, "PROPFIND"} {
		for _, target := range []string{"/rss.xml", "/healthz", "/status", "/metrics", "/missing"} {
			t.Run(method+" "+target, func(t *testing.T) {
				resp := get(t, h, method, target)
				if resp.StatusCode != http.StatusMethodNotAllowed {
					t.Fatalf("status %d, want 405", resp.StatusCode)
				}
				equalHeader(t, resp.Header, map[string]string{
					"Allow":                  "GET, HEAD",
					"Content-Type":           "text/plain; charset=utf-8",
					"X-Content-Type-Options": "nosniff",
				})
				if body := readBody(t, resp); body != "method not allowed\n" {
					t.Errorf("body %q", body)
				}
			})
		}
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		io.WriteString(w, "feedloom_publish_last_timestamp_seconds 1.77e+09\n")
	})
	t.Run("delegated", func(t *testing.T) {
		resp := get(t, New(f.dir, Options{Metrics: metrics}, nil), http.MethodGet, "/metrics")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		equalHeader(t, resp.Header, map[string]string{
			"Cache-Control":          "no-store",
			"Content-Type":           "text/plain; version=0.0.4; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
		})
		if body := readBody(t, resp); body != "feedloom_publish_last_timestamp_seconds 1.77e+09\n" {
			t.Errorf("body %q", body)
		}
	})
	t.Run("absent", func(t *testing.T) {
		resp := get(t, New(f.dir, Options{}, nil), http.MethodGet, "/metrics")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	})
}

func TestNewServerLimits(t *testing.T) {
	srv := NewServer("127.0.0.1:8080", http.NotFoundHandler())
	got := []any{srv.Addr, srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes}
	want := []any{"127.0.0.1:8080", 5 * time.Second, 10 * time.Second, 30 * time.Second, 2 * time.Minute, 16 << 10}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestHugeHeader sends a request whose headers pass MaxHeaderBytes over a
// real connection: the server must refuse it with 431, not read on.
func TestHugeHeader(t *testing.T) {
	f := newFixture(t)
	srv := NewServer("127.0.0.1:0", New(f.dir, Options{}, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	for _, tc := range []struct {
		name  string
		size  int
		proto string
	}{
		{"small", 1 << 10, "HTTP/1.1 200 OK"},
		{"huge", 64 << 10, "HTTP/1.1 431 Request Header Fields Too Large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second)) // a hang fails instead of blocking the run
			req := "GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Filler: " + strings.Repeat("a", tc.size) + "\r\nConnection: close\r\n\r\n"
			if _, err := io.WriteString(conn, req); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimRight(line, "\r\n"); got != tc.proto {
				t.Errorf("status line %q, want %q", got, tc.proto)
			}
		})
	}
}
