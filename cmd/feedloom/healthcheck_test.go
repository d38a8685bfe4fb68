package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck asks real servers: only a 200 is healthy, and every
// other outcome says why in one line.
func TestHealthcheck(t *testing.T) {
	t.Setenv(addrEnv, "")
	answer := func(code int, body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	hold := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	// Close waits for open requests: release the held one first.
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hold) })
	refused := refusedAddr(t)

	ok := answer(200, `{"status":"ok","sources":[]}`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr; "" means stderr stays empty
	}{
		{"200 is healthy", []string{"--url", ok.URL + "/healthz"}, exitOK, ""},
		{"--addr names the server", []string{"--addr", strings.TrimPrefix(ok.URL, "http://")}, exitOK, ""},
		{"503 says the status", []string{"--url", answer(503, `{"status":"stale","sources":[]}`).URL + "/healthz"}, exitPartial, "503 Service Unavailable: stale"},
		{"503 says the error", []string{"--url", answer(503, `{"status":"error","error":"database: connection refused","sources":[]}`).URL + "/healthz"}, exitPartial, "503 Service Unavailable: error: database: connection refused"},
		{"a body that is not health JSON", []string{"--url", answer(500, "oops").URL + "/healthz"}, exitPartial, "500 Internal Server Error\n"},
		{"a redirect is not followed", []string{"--url", answer(302, "").URL + "/healthz"}, exitPartial, "302 Found"},
		{"connection refused", []string{"--addr", refused}, exitPartial, "connection refused"},
		{"no answer in time", []string{"--url", slow.URL + "/healthz", "--timeout", "200ms"}, exitPartial, "no answer within 200ms"},
		{"--url and --addr", []string{"--url", ok.URL, "--addr", "127.0.0.1:1"}, exitUsage, "use one"},
		{"an address without a port", []string{"--addr", "localhost"}, exitUsage, `address "localhost"`},
		{"an argument", []string{"http://127.0.0.1:1/healthz"}, exitUsage, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := feedloom(t, append([]string{"healthcheck"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			switch {
			case tc.want == "" && stderr != "":
				t.Errorf("stderr %q, want nothing", stderr)
			case tc.want != "" && !strings.Contains(stderr, tc.want):
				t.Errorf("stderr %q, want it to say %q", stderr, tc.want)
			}
			if tc.code == exitPartial && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line", stderr)
			}
		})
	}
}

// TestHealthURL: a server listening on every interface is asked on
// loopback, in its own address family.
func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":             "http://127.0.0.1:8080/healthz",
		"0.0.0.0:8080":      "http://127.0.0.1:8080/healthz",
		"[::]:8080":         "http://[::1]:8080/healthz",
		"127.0.0.1:9000":    "http://127.0.0.1:9000/healthz",
		"[::1]:9000":        "http://[::1]:9000/healthz",
		"localhost:9000":    "http://localhost:9000/healthz",
		"feeds.example:80":  "http://feeds.example:80/healthz",
		"192.168.1.10:8080": "http://192.168.1.10:8080/healthz",
	} {
		got, err := healthURL(addr)
		if err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"", "8080", "localhost", "127.0.0.1:"} {
		if got, err := healthURL(addr); err == nil {
			t.Errorf("healthURL(%q) = %q, want an error", addr, got)
		}
	}
}

// TestServeAndHealthcheckFollowTheAddrEnv is the container's arrangement:
// FEEDLOOM_ADDR, not the config's serve.addr, is where serve listens and
// where healthcheck asks, and healthcheck turns healthy once a refresh has
// succeeded.
func TestServeAndHealthcheckFollowTheAddrEnv(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	unused := freeAddr(t)
	writeFile(t, filepath.Join(dir, "config.yaml"), testConfig+"serve: {addr: \""+unused+"\"}\n")
	addr := freeAddr(t)
	t.Setenv(addrEnv, addr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--config", filepath.Join(dir, "config.yaml")}, io.Discard, &stderr)
	}()
	waitFor(t, &stderr, func() bool {
		code, _, _ := feedloom(t, "healthcheck", "--timeout", "1s")
		return code == exitOK
	})
	if r := get(t, "http://"+unused+"/healthz"); r.code != -1 {
		t.Errorf("serve.addr %s answered %d: FEEDLOOM_ADDR should have replaced it", unused, r.code)
	}
	// The publish follows the refresh after scheduler.debounce.
	waitFor(t, &stderr, func() bool {
		r := get(t, "http://"+addr+"/en/feed.json")
		return r.code == 200 && strings.Contains(r.body, "Robotics Team Wins Final")
	})

	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Fatalf("serve exit %d\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop within 10s\n%s", stderr.String())
	}
	code, _, msg := feedloom(t, "healthcheck", "--timeout", "1s")
	if code != exitPartial || !strings.Contains(msg, "connection refused") {
		t.Errorf("after shutdown: exit %d, %q; want 1 and connection refused", code, msg)
	}
}
