package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeHealth returns fixed sources or an error.
type fakeHealth struct {
	sources []SourceHealth
	err     error
}

func (f fakeHealth) Sources(context.Context) ([]SourceHealth, error) { return f.sources, f.err }

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// sources: one files source that succeeded at age ok, one feed source failing.
func sources(ok time.Duration) []SourceHealth {
	hk := time.FixedZone("HKT", 8*3600)
	return []SourceHealth{
		{Name: "newsroom", Kind: "files", LastAttempt: now.Add(-ok).In(hk), LastSuccess: now.Add(-ok).In(hk), NextRun: now.Add(7 * time.Minute)},
		{Name: "partner", Kind: "feed", URL: "https://partner.example.org/feed.xml", LastAttempt: now.Add(-3 * time.Minute),
			LastError: `GET https://partner.example.org/feed.xml: 503 <script>alert("x")</script>`, Failures: 4, Contradicted: 3,
			NextRun: now.Add(30 * time.Second)},
	}
}

func TestHealthz(t *testing.T) {
	for _, tc := range []struct {
		name   string
		health Health
		code   int
		body   string
	}{
		{"no health", nil, http.StatusOK, `{"status":"ok","sources":[]}` + "\n"},
		{"no sources", fakeHealth{}, http.StatusOK, `{"status":"ok","sources":[]}` + "\n"},
		{"fresh", fakeHealth{sources: sources(3 * time.Minute)}, http.StatusOK,
			`{"status":"ok","sources":[` +
				`{"name":"newsroom","kind":"files","last_attempt":"2026-03-01T11:57:00Z","last_success":"2026-03-01T11:57:00Z","failures":0,"next_run":"2026-03-01T12:07:00Z"},` +
				`{"name":"partner","kind":"feed","url":"https://partner.example.org/feed.xml","last_attempt":"2026-03-01T11:57:00Z","last_error":"GET https://partner.example.org/feed.xml: 503 \u003cscript\u003ealert(\"x\")\u003c/script\u003e","failures":4,"next_run":"2026-03-01T12:00:30Z","language_contradicted":3}` +
				`]}` + "\n"},
		{"exactly at the limit", fakeHealth{sources: sources(2 * time.Hour)}, http.StatusOK, ""},
		{"stale", fakeHealth{sources: sources(2*time.Hour + time.Second)}, http.StatusServiceUnavailable,
			`{"status":"stale","sources":[` +
				`{"name":"newsroom","kind":"files","last_attempt":"2026-03-01T09:59:59Z","last_success":"2026-03-01T09:59:59Z","failures":0,"next_run":"2026-03-01T12:07:00Z"},` +
				`{"name":"partner","kind":"feed","url":"https://partner.example.org/feed.xml","last_attempt":"2026-03-01T11:57:00Z","last_error":"GET https://partner.example.org/feed.xml: 503 \u003cscript\u003ealert(\"x\")\u003c/script\u003e","failures":4,"next_run":"2026-03-01T12:00:30Z","language_contradicted":3}` +
				`]}` + "\n"},
		{"never succeeded", fakeHealth{sources: []SourceHealth{{Name: "a", Kind: "feed"}}}, http.StatusServiceUnavailable,
			`{"status":"stale","sources":[{"name":"a","kind":"feed","failures":0}]}` + "\n"},
		{"success in the future", fakeHealth{sources: []SourceHealth{{Name: "a", Kind: "files", LastSuccess: now.Add(time.Minute)}}}, http.StatusOK,
			`{"status":"ok","sources":[{"name":"a","kind":"files","last_success":"2026-03-01T12:01:00Z","failures":0}]}` + "\n"},
		{"health error", fakeHealth{err: errors.New("store: database is locked")}, http.StatusServiceUnavailable,
			`{"status":"error","error":"store: database is locked","sources":[]}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := New(t.TempDir(), Options{Health: tc.health, Now: clock}, nil)
			var length string // of the GET body, which HEAD must repeat
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				resp := get(t, h, method, "/healthz")
				if resp.StatusCode != tc.code {
					t.Errorf("%s: status %d, want %d", method, resp.StatusCode, tc.code)
				}
				body := readBody(t, resp)
				if method == http.MethodGet {
					length = strconv.Itoa(len(body))
				}
				equalHeader(t, resp.Header, map[string]string{
					"Cache-Control":          "no-store",
					"Content-Length":         length,
					"Content-Type":           "application/json",
					"X-Content-Type-Options": "nosniff",
				})
				if method == http.MethodHead {
					if body != "" {
						t.Errorf("HEAD body %q", body)
					}
					continue
				}
				if tc.body != "" && body != tc.body {
					t.Errorf("body\n%s\nwant\n%s", body, tc.body)
				}
			}
		})
	}
}

func TestStaleAfterOption(t *testing.T) {
	h := New(t.TempDir(), Options{Health: fakeHealth{sources: sources(20 * time.Minute)}, StaleAfter: 15 * time.Minute, Now: clock}, nil)
	if resp := get(t, h, http.MethodGet, "/healthz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 with StaleAfter 15m", resp.StatusCode)
	}
}

type fakeNode NodeHealth

func (f fakeNode) Node(context.Context) NodeHealth { return NodeHealth(f) }

// TestHealthzNode: a cluster node reports its id, database and leases; a
// database that does not answer makes it 503 while its files are still
// served.
func TestHealthzNode(t *testing.T) {
	fresh := fakeHealth{sources: []SourceHealth{{Name: "a", Kind: "feed", LastSuccess: now}}}
	for _, tc := range []struct {
		name   string
		health Health
		node   fakeNode
		code   int
		body   string
		status string // a phrase of /status
	}{
		{"connected", fresh, fakeNode{ID: "web-1", Leases: 3}, http.StatusOK,
			`{"status":"ok","node":{"id":"web-1","database":"ok","leases":3},"sources":[{"name":"a","kind":"feed","last_success":"2026-03-01T12:00:00Z","failures":0}]}` + "\n",
			"Node <strong>web-1</strong>: database connected, 3 sources leased."},
		{"database lost", fakeHealth{err: errors.New("postgres: state \"a\": connection refused")},
			fakeNode{ID: "web-2", DatabaseError: "postgres: ping: connection refused"}, http.StatusServiceUnavailable,
			`{"status":"error","error":"postgres: state \"a\": connection refused","node":{"id":"web-2","database":"error","database_error":"postgres: ping: connection refused","leases":0},"sources":[]}` + "\n",
			"The database does not answer; this node serves its last published files: postgres: ping: connection refused"},
		{"database lost, sources read before", fresh, fakeNode{ID: "web-3", DatabaseError: "timeout"}, http.StatusServiceUnavailable,
			`{"status":"error","error":"database: timeout","node":{"id":"web-3","database":"error","database_error":"timeout","leases":0},"sources":[{"name":"a","kind":"feed","last_success":"2026-03-01T12:00:00Z","failures":0}]}` + "\n",
			"database unreachable, 0 sources leased."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "feed.json"), []byte(`{"version":"https://jsonfeed.org/version/1.1"}`), 0o644); err != nil {
				t.Fatal(err)
			}
			h := New(dir, Options{Health: tc.health, Node: tc.node, Now: clock}, nil)
			resp := get(t, h, http.MethodGet, "/healthz")
			if body := readBody(t, resp); resp.StatusCode != tc.code || body != tc.body {
				t.Errorf("/healthz = %d\n%s\nwant %d\n%s", resp.StatusCode, body, tc.code, tc.body)
			}
			resp = get(t, h, http.MethodGet, "/status")
			if body := readBody(t, resp); resp.StatusCode != tc.code || !strings.Contains(body, tc.status) {
				t.Errorf("/status = %d, want %d with %q:\n%s", resp.StatusCode, tc.code, tc.status, body)
			}
			if resp := get(t, h, http.MethodGet, "/feed.json"); resp.StatusCode != http.StatusOK {
				t.Errorf("feed.json = %d, want 200 whatever the database", resp.StatusCode)
			}
		})
	}
}
