package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// wrkRun is one wrk load of `feedloom serve`.
type wrkRun struct {
	Label    string
	Requests float64 // per second
	Errors   int64   // socket errors and answers outside 2xx/3xx
	Status   int     // what a single such request is answered
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// serveLoad starts `feedloom serve` on a folder of 50 stories and loads its
// 50-item JSON feed with wrk: unconditional GETs, then conditional ones
// (If-None-Match, answered 304).
func (h *harness) serveLoad(ctx context.Context) error {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		h.serveSkipped = "wrk is not installed (Debian: apt-get install wrk)"
		h.logf("serve: skipped, %s", h.serveSkipped)
		return nil
	}
	dir := filepath.Join(h.work, "serve")
	stories := filepath.Join(dir, "stories")
	if err := os.MkdirAll(stories, 0o755); err != nil {
		return err
	}
	for i := range 50 {
		body := strings.Repeat("A paragraph of the story, long enough to look like news. ", 20)
		md := fmt.Sprintf("---\ntitle: Story number %d about the campus\ndate: 2025-03-%02dT09:00:00+08:00\nlanguage: en\nlink: https://www.example.edu/news/%d\n---\n%s\n", i+1, i%28+1, i+1, body)
		if err := os.WriteFile(filepath.Join(stories, fmt.Sprintf("story-%02d.md", i+1)), []byte(md), 0o644); err != nil {
			return err
		}
	}
	cfg := `site:
  title: Bench News
  link: https://www.example.edu/news
  base_url: https://feeds.example.edu/
  timezone: Asia/Hong_Kong
data_dir: data
output: {dir: public, max_items: 50}
languages:
  - {tag: en, title: Bench News}
sources:
  - {name: newsroom, kind: files, path: stories, schedule: "@hourly"}
serve: {max_age: 5m}
`
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	if m, err := runChild(ctx, dir, h.feedloom, "build", "--config", "config.yaml"); err != nil || m.Exit != 0 {
		h.fail("serve: feedloom build exited %d (%v):\n%s", m.Exit, err, tail(m.Stderr, 15))
		return nil
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, h.feedloom, "serve", "--config", "config.yaml", "--addr", addr)
	cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start feedloom serve: %w", err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()

	url := "http://" + addr + "/en/feed.json"
	etag, err := waitForFeed(ctx, url)
	if err != nil {
		h.fail("serve: %v", err)
		return nil
	}
	dur := strconv.Itoa(int(h.opts.wrkDuration.Seconds())) + "s"
	for _, load := range []struct{ label, header string }{
		{"unconditional GET", ""},
		{"conditional GET (If-None-Match, 304)", "If-None-Match: " + etag},
	} {
		status, err := probe(url, load.header)
		if err != nil {
			return err
		}
		args := []string{"-t2", "-c" + strconv.Itoa(h.opts.wrkConns), "-d" + dur}
		if load.header != "" {
			args = append(args, "-H", load.header)
		}
		h.logf("serve: wrk %s", load.label)
		out, err := exec.CommandContext(ctx, wrk, append(args, url)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("wrk: %w: %s", err, out)
		}
		r := wrkRun{Label: load.label, Status: status}
		m := wrkRate.FindSubmatch(out)
		if m == nil {
			return fmt.Errorf("wrk printed no rate: %s", out)
		}
		r.Requests, _ = strconv.ParseFloat(string(m[1]), 64)
		if m := wrkNon2xx.FindSubmatch(out); m != nil {
			n, _ := strconv.ParseInt(string(m[1]), 10, 64)
			r.Errors += n
		}
		if m := wrkSocket.FindSubmatch(out); m != nil {
			for _, g := range m[1:] {
				n, _ := strconv.ParseInt(string(g), 10, 64)
				r.Errors += n
			}
		}
		h.wrk = append(h.wrk, r)
		if load.header != "" && status != http.StatusNotModified {
			h.fail("serve: a conditional GET was answered %d, want 304", status)
		}
	}
	return nil
}

// waitForFeed polls url until it answers 200 and returns its ETag.
func waitForFeed(ctx context.Context, url string) (string, error) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "" {
				return resp.Header.Get("ETag"), nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("%s did not answer 200 with an ETag within 15s", url)
}

// probe is the status one GET with header is answered.
func probe(url, header string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if k, v, ok := strings.Cut(header, ": "); ok {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
