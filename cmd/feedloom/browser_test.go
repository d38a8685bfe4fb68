package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const zhStory = `---
title: 機械人隊奪得冠軍
date: 2025-03-14T09:00:00+08:00
language: zh-Hant
---
隊伍贏了。
`

const (
	enHeadline = "Robotics Team Wins Final"
	zhHeadline = "機械人隊奪得冠軍"
)

// chromiumFlags run Chromium headless as root on a machine without network:
// without the background-networking flags it keeps trying to reach Google.
var chromiumFlags = []string{
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	// Virtual time lets the page, and the XSLT a feed points to, finish
	// before the DOM is dumped, without a real wait.
	"--virtual-time-budget=5000",
}

// TestBrowser opens the pages people see in headless Chromium, served by
// feedloom serve: index.html, and the RSS and Atom files, which a browser
// navigating to them is shown as their folder's feed.html (no XSLT, which
// browsers are dropping, and no raw XML). The checks look for the
// headlines as link text, which a feed shown as raw XML does not have.
func TestBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	dir := project(t, map[string]string{"a.md": goodStory, "b.md": zhStory})
	cfg := strings.Replace(testConfig, "    path: stories\n", "    path: stories\n    schedule: \"@every 1s\"\nscheduler: {debounce: 100ms}\n", 1)
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	addr := freeAddr(t)
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--config", filepath.Join(dir, "config.yaml"), "--addr", addr, "--dev"}, io.Discard, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exited:
			if code != exitOK {
				t.Errorf("serve exit %d, want 0\n%s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("serve did not stop within 10s\n%s", stderr.String())
		}
	})

	pages := []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/index.html", []string{"<h1>Test News</h1>", ">" + enHeadline + "</a>", ">" + zhHeadline + "</a>"}, nil},
		{"/rss.xml", []string{"<h1>Test News</h1>", ">" + enHeadline + "</a>", ">" + zhHeadline + "</a>"}, nil},
		{"/atom.xml", []string{"<h1>Test News</h1>", ">" + enHeadline + "</a>", ">" + zhHeadline + "</a>"}, nil},
		{"/zh-hant/rss.xml", []string{"<h1>測試新聞</h1>", ">" + zhHeadline + "</a>"}, []string{enHeadline}},
		{"/feed.json", []string{"<h1>Test News</h1>", ">" + enHeadline + "</a>", "feed reader"}, []string{`"version"`}},
	}
	// Files are replaced one by one: wait until every page is published.
	waitFor(t, &stderr, func() bool {
		for _, p := range pages {
			body := get(t, base+p.path).body
			if !strings.Contains(body, zhHeadline) || (p.notWant == nil && !strings.Contains(body, enHeadline)) {
				return false
			}
		}
		return true
	})

	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			dom := dumpDOM(t, chromium, base+p.path)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("the page lacks %q; DOM:\n%s", w, dom)
				}
			}
			for _, nw := range p.notWant {
				if strings.Contains(dom, nw) {
					t.Errorf("the page has %q; DOM:\n%s", nw, dom)
				}
			}
		})
	}
}

// chromiumPath finds the browser: FEEDLOOM_CHROMIUM when set, else the
// usual names on PATH. Without one the test is skipped, so `make test`
// passes where no browser is installed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if name := os.Getenv("FEEDLOOM_CHROMIUM"); name != "" {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("FEEDLOOM_CHROMIUM=%q: %v", name, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium installed (apt-get install chromium); skipping the browser test")
	return ""
}

// dumpDOM loads url in a fresh headless Chromium profile and returns the
// DOM after scripts and XSLT have run.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir(), "--dump-dom", url)
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Chromium's helper processes may outlive a killed browser and hold
	// the output pipes open.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", url, err, stderr.String())
	}
	return stdout.String()
}
