package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStatus(t *testing.T) {
	h := New(t.TempDir(), Options{Health: fakeHealth{sources: sources(3 * time.Minute)}, Title: "HKUST <News>", Now: clock}, nil)
	resp := get(t, h, http.MethodGet, "/status")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body := readBody(t, resp)
	equalHeader(t, resp.Header, map[string]string{
		"Cache-Control":          "no-store",
		"Content-Length":         strconv.Itoa(len(body)),
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
	})
	for _, want := range []string{
		`<html lang="en">`,
		`<title>HKUST &lt;News&gt; · source status</title>`,
		`<p class="summary ok">Healthy: a source succeeded within the last 2h.</p>`,
		"<tr>\n<td>newsroom</td>\n<td>files</td>\n" +
			`<td><time datetime="2026-03-01T11:57:00Z" title="2026-03-01T11:57:00Z">3 minutes ago</time></td>` + "\n" +
			`<td><time datetime="2026-03-01T11:57:00Z" title="2026-03-01T11:57:00Z">3 minutes ago</time></td>` + "\n" +
			`<td><time datetime="2026-03-01T12:07:00Z" title="2026-03-01T12:07:00Z">in 7 minutes</time></td>` + "\n" +
			"<td class=\"num\">0</td>\n<td class=\"num\">0</td>\n<td class=\"err\"></td>\n</tr>",
		"<tr>\n" + `<td><a href="https://partner.example.org/feed.xml">partner</a></td>` + "\n<td>feed</td>\n<td>never</td>\n" +
			`<td><time datetime="2026-03-01T11:57:00Z" title="2026-03-01T11:57:00Z">3 minutes ago</time></td>` + "\n" +
			`<td><time datetime="2026-03-01T12:00:30Z" title="2026-03-01T12:00:30Z">in less than a minute</time></td>` + "\n" +
			`<td class="num">4</td>` + "\n" +
			`<td class="num">3</td>` + "\n" +
			`<td class="err">GET https://partner.example.org/feed.xml: 503 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td>` + "\n</tr>",
		`<footer>Checked <time datetime="2026-03-01T12:00:00Z" title="2026-03-01T12:00:00Z">just now</time>.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks\n%s\n--- page:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("unescaped <script> on the page")
	}
}

func TestStatusStates(t *testing.T) {
	for _, tc := range []struct {
		name    string
		health  Health
		code    int
		summary string
		table   bool
	}{
		{"no health", nil, http.StatusOK, `<p class="summary ok">No sources are reported.</p>`, false},
		{"stale", fakeHealth{sources: sources(3 * time.Hour)}, http.StatusServiceUnavailable,
			`<p class="summary stale">Stale: no source has succeeded in the last 2h.</p>`, true},
		{"error", fakeHealth{err: errors.New("store: <closed>")}, http.StatusServiceUnavailable,
			`<p class="summary error">Source health is unavailable: store: &lt;closed&gt;</p>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, New(t.TempDir(), Options{Health: tc.health, Now: clock}, nil), http.MethodGet, "/status")
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.code)
			}
			body := readBody(t, resp)
			if !strings.Contains(body, tc.summary) {
				t.Errorf("page lacks %s\n%s", tc.summary, body)
			}
			if got := strings.Contains(body, "<table>"); got != tc.table {
				t.Errorf("table shown: %v, want %v", got, tc.table)
			}
			if !strings.Contains(body, "<title>feedloom · source status</title>") {
				t.Error("default title missing")
			}
		})
	}
}

func TestRelative(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration // how long ago; negative is the future
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{3*time.Minute + 59*time.Second, "3 minutes ago"},
		{time.Hour, "1 hour ago"},
		{47 * time.Hour, "47 hours ago"},
		{48 * time.Hour, "2 days ago"},
		{-30 * time.Second, "in less than a minute"},
		{-time.Minute, "in 1 minute"},
		{-5 * time.Hour, "in 5 hours"},
		{-72 * time.Hour, "in 3 days"},
	} {
		if got := relative(now.Add(-tc.d), now); got != tc.want {
			t.Errorf("relative(%v ago) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Hour:              "2h",
		90 * time.Minute:           "1h30m",
		5 * time.Minute:            "5m",
		90 * time.Second:           "1m30s",
		time.Hour + 30*time.Second: "1h0m30s",
		45 * time.Second:           "45s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestStatusLists: a list's feeds are shown under it, indented, each
// naming its list; /healthz names the list too.
func TestStatusLists(t *testing.T) {
	at := clock().Add(-time.Minute)
	srcs := []SourceHealth{
		{Name: "planet", Kind: "opml", URL: "https://planet.example/list.opml", LastSuccess: at, LastAttempt: at},
		{Name: "planet-go-blog", Kind: "feed", List: "planet", URL: "https://go.dev/blog/feed.atom", LastSuccess: at, LastAttempt: at},
	}
	h := New(t.TempDir(), Options{Health: fakeHealth{sources: srcs}, Title: "News", Now: clock}, nil)
	body := readBody(t, get(t, h, http.MethodGet, "/status"))
	for _, want := range []string{
		"<tr>\n" + `<td><a href="https://planet.example/list.opml">planet</a></td>` + "\n<td>opml</td>",
		`<tr class="listed" title="listed by planet">` + "\n" + `<td><a href="https://go.dev/blog/feed.atom">planet-go-blog</a></td>` + "\n<td>feed in planet</td>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks\n%s\n--- page:\n%s", want, body)
		}
	}
	health := readBody(t, get(t, h, http.MethodGet, "/healthz"))
	if !strings.Contains(health, `"name":"planet-go-blog","kind":"feed","list":"planet"`) || strings.Count(health, `"list"`) != 1 {
		t.Errorf("/healthz: %s", health)
	}
}
