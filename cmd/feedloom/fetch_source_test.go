package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/feeds"
)

const listingPage = `<!DOCTYPE html><html lang="en"><head><title>Dept News</title>
<link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>
<article class="news-item"><h3><a href="/news/1">Lab opens</a></h3><time datetime="2025-03-13">13 March</time></article>
<article class="news-item"><h3><a href="/news/2">Talk on robots</a></h3></article>
</body></html>`

// TestFetchSource: `feedloom fetch --source NAME` prints what a configured
// page source yields and says that the page advertises a feed; it writes
// nothing, and a name the config lacks is a usage error.
func TestFetchSource(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(listingPage))
	}))
	defer srv.Close()
	dir := project(t, map[string]string{"one.md": goodStory})
	cfg := testConfig + "  - name: dept\n    kind: page\n    url: " + srv.URL + "/news\n    allow_private: true\n" +
		"    select: {item: article.news-item, title: h3, date: 'time@datetime'}\n"
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, cfg)

	code, stdout, stderr := feedloom(t, "fetch", "--config", path, "--source", "dept")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines on stdout, want 2:\n%s", len(lines), stdout)
	}
	// The undated item below takes the day of the one above (the
	// listing rule), so the first is a minute later.
	var first feeds.Item
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Title != "Lab opens" || first.Link != srv.URL+"/news/1" || first.Source != "dept" ||
		first.Published.Format("2006-01-02T15:04:05-07:00") != "2025-03-13T00:01:00+08:00" {
		t.Errorf("first item %+v", first)
	}
	if !strings.Contains(stderr, "this page has a feed: use kind: feed with url "+srv.URL+"/atom.xml") {
		t.Errorf("stderr does not report the advertised feed:\n%s", stderr)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "public", "*")); len(entries) > 0 {
		t.Errorf("fetch wrote %v", entries)
	}

	// Any kind: the story folder too.
	code, stdout, stderr = feedloom(t, "fetch", "--config", path, "--source", "newsroom")
	if code != exitOK || !strings.Contains(stdout, "Robotics Team Wins Final") {
		t.Errorf("files source: exit %d\n%s\n%s", code, stdout, stderr)
	}

	if code, _, stderr = feedloom(t, "fetch", "--config", path, "--source", "nope"); code != exitUsage || !strings.Contains(stderr, `no source "nope"`) {
		t.Errorf("unknown source: exit %d\n%s", code, stderr)
	}
	if code, _, _ = feedloom(t, "fetch", "--config", path, "--source", "dept", srv.URL); code != exitUsage {
		t.Errorf("a source and a URL: exit %d, want %d", code, exitUsage)
	}
}

// TestPageRedesign: a build after the page's markup changed fails that
// source (exit 1, the selector and page named) and keeps its items
// published.
func TestPageRedesign(t *testing.T) {
	var mu sync.Mutex
	body := listingPage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/news" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	dir := project(t, map[string]string{"one.md": goodStory})
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, testConfig+"  - name: dept\n    kind: page\n    url: "+srv.URL+"/news\n    allow_private: true\n"+
		"    select: {item: article.news-item, title: h3}\n")
	if code, _, stderr := feedloom(t, "build", "--config", path); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	mu.Lock()
	body = `<html><body><div class="card"><h2>Lab opens</h2></div></body></html>`
	mu.Unlock()
	code, _, stderr := feedloom(t, "build", "--config", path)
	if code != exitPartial || !strings.Contains(stderr, "select.item matched 0 elements on "+srv.URL+"/news") {
		t.Errorf("after the redesign: exit %d, want %d\n%s", code, exitPartial, stderr)
	}
	rss, err := os.ReadFile(filepath.Join(dir, "public", "rss.xml"))
	if err != nil || !strings.Contains(string(rss), "Talk on robots") {
		t.Errorf("the page's items left the merged feed: %v", err)
	}
}
