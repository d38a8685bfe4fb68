package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store/sqlite"
)

const upstreamRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partner</title><link>https://partner.example.org/</link>
<item><title>First &amp; Best</title><link>https://partner.example.org/a</link><guid>https://partner.example.org/a</guid>
<pubDate>Thu, 13 Mar 2025 09:00:00 HKT</pubDate><description>&lt;p&gt;Hello &lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description></item>
<item><title>港科大研究突破</title><link>/b</link><guid isPermaLink="false">b-1</guid><description>研究團隊今日公布成果。</description></item>
</channel></rss>`

// TestFetchCommand: `feedloom fetch URL` prints one normalized item per line
// on stdout and the fetch details on stderr; it writes no store or output.
func TestFetchCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(upstreamRSS))
	}))
	defer srv.Close()
	dir := project(t, nil)
	cfg := testConfig + "  - name: partner\n    kind: feed\n    url: " + srv.URL + "/feed.xml\n    allow_private: true\n"
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)

	code, stdout, stderr := feedloom(t, "fetch", "--config", filepath.Join(dir, "config.yaml"), srv.URL+"/feed.xml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines on stdout, want 2:\n%s", len(lines), stdout)
	}
	var a, b feeds.Item
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &b); err != nil {
		t.Fatal(err)
	}
	if a.ID != "https://partner.example.org/a" || a.Title != "First & Best" || a.Source != "partner" ||
		a.Published.Format("2006-01-02T15:04:05-07:00") != "2025-03-13T09:00:00+08:00" || a.Content != "<p>Hello </p>" {
		t.Errorf("first item = %+v", a)
	}
	if !strings.HasPrefix(b.ID, "tag:feeds.example.edu,") || !strings.Contains(b.ID, ":partner/") ||
		b.Language != "zh-Hant" || b.Link != "https://partner.example.org/b" {
		t.Errorf("second item = %+v", b)
	}
	for _, want := range []string{`etag="\"v1\""`, "status=200", "items=2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %s:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
		t.Errorf("fetch wrote output")
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("fetch created a store")
	}

	// A URL no source names is fetched under fetch.allow_private (false
	// here): a loopback address is refused, with the rule...
	code, stdout, stderr = feedloom(t, "fetch", "--config", filepath.Join(dir, "config.yaml"), srv.URL+"/feed.xml?via=other")
	if code != exitPartial || stdout != "" || !strings.Contains(stderr, "loopback") || !strings.Contains(stderr, "allow_private") {
		t.Errorf("fetch of an unconfigured loopback URL: exit %d, stdout %q; want 1 naming the rule\n%s", code, stdout, stderr)
	}
	// ...unless --allow-private says so. A failing upstream is exit 1 with
	// the reason.
	code, _, stderr = feedloom(t, "fetch", "--config", filepath.Join(dir, "config.yaml"), "--allow-private", srv.URL+"/missing")
	if code != exitPartial || !strings.Contains(stderr, "status 404 Not Found") {
		t.Errorf("fetch of a missing feed: exit %d, want 1 naming the 404\n%s", code, stderr)
	}
	if code, _, _ := feedloom(t, "fetch"); code != exitUsage {
		t.Errorf("fetch without URL: exit %d, want 2", code)
	}
}

// TestFetchReadsTheStore: fetch gives the ids a build would — the store's
// recorded first-run date, not today's — and leaves the store as it was.
func TestFetchReadsTheStore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(upstreamRSS))
	}))
	defer srv.Close()
	dir := project(t, nil)
	cfg := testConfig + "  - name: partner\n    kind: feed\n    url: " + srv.URL + "/feed.xml\n    allow_private: true\n"
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	db := filepath.Join(dir, "data", "feedloom.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FirstRun(context.Background(), "2025-03-01"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	before := readTree(t, filepath.Join(dir, "data"))

	code, stdout, stderr := feedloom(t, "fetch", "--config", filepath.Join(dir, "config.yaml"), srv.URL+"/feed.xml")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, `"tag:feeds.example.edu,2025-03-01:partner/`) {
		t.Errorf("ids do not use the store's first-run date:\n%s", stdout)
	}
	if after := readTree(t, filepath.Join(dir, "data")); !maps.Equal(before, after) {
		t.Errorf("fetch changed the data folder: %d files before, %d after", len(before), len(after))
	}
}
