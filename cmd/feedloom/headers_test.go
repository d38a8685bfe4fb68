package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSourceHeaders: a feed source's configured headers, filled from the
// environment, reach its upstream (build and fetch), and the secret shows
// nowhere: not in the output of check, build or fetch, not when the
// upstream refuses it and echoes it back.
func TestSourceHeaders(t *testing.T) {
	const token = "tok-7f3a9c-secret"
	t.Setenv("PARTNER_TOKEN", token)
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization")
		if refuse.Load() || got != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", `Bearer realm="partner", error="invalid_token" `+got)
			http.Error(w, "refused: "+got, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(upstreamRSS))
	}))
	defer srv.Close()
	dir := project(t, map[string]string{"a.md": goodStory})
	cfg := testConfig + "  - name: partner\n    kind: feed\n    url: " + srv.URL + "/feed.xml\n    allow_private: true\n" +
		"    headers:\n      Authorization: \"Bearer ${PARTNER_TOKEN}\"\n"
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	config := filepath.Join(dir, "config.yaml")

	var outputs []string
	code, stdout, stderr := feedloom(t, "check", "--config", config)
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	outputs = append(outputs, stdout, stderr)
	code, stdout, stderr = feedloom(t, "build", "--config", config)
	if code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	outputs = append(outputs, stdout, stderr)
	if feed := readTree(t, filepath.Join(dir, "public"))["en/feed.json"]; !strings.Contains(feed, "First & Best") {
		t.Errorf("the upstream's items were not published:\n%s", feed)
	}
	code, stdout, stderr = feedloom(t, "fetch", "--config", config, srv.URL+"/feed.xml")
	if code != exitOK || !strings.Contains(stdout, "First & Best") {
		t.Errorf("fetch: exit %d\n%s\n%s", code, stdout, stderr)
	}
	outputs = append(outputs, stdout, stderr)

	refuse.Store(true)
	code, stdout, stderr = feedloom(t, "build", "--config", config)
	if code != exitPartial || !strings.Contains(stderr, "401") {
		t.Errorf("refused build: exit %d, want 1 naming the 401\n%s", code, stderr)
	}
	outputs = append(outputs, stdout, stderr)
	for _, out := range outputs {
		if strings.Contains(out, token) {
			t.Fatalf("the secret shows in the output:\n%s", out)
		}
	}
}
