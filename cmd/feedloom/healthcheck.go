package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// addrEnv names the environment variable that gives serve its listen
// address when --addr does not: a container image sets it once and both
// serve and healthcheck follow, whatever serve.addr the mounted config says.
const addrEnv = "FEEDLOOM_ADDR"

// defaultHealthAddr is serve.addr's default, where healthcheck asks when
// neither --addr nor FEEDLOOM_ADDR says otherwise.
const defaultHealthAddr = "127.0.0.1:8080"

type healthcheckOptions struct {
	url, addr string
	timeout   time.Duration
}

func healthcheckFlags(fs *flag.FlagSet) *healthcheckOptions {
	o := new(healthcheckOptions)
	fs.StringVar(&o.url, "url", "", "ask `URL` (default /healthz at --addr)")
	fs.StringVar(&o.addr, "addr", "", "ask the serve listening on `ADDR` (default $"+addrEnv+", else "+defaultHealthAddr+")")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "give up after `DURATION` without an answer")
	return o
}

// cmdHealthcheck asks a running serve for /healthz and exits 0 on a 200, 1
// on anything else (a 503, no answer, a timeout), with a one-line reason on
// stderr. It is what a scratch container's HEALTHCHECK runs: such an image
// has no shell and no curl.
func cmdHealthcheck(ctx context.Context, args []string, _, stderr io.Writer) int {
	fs := newFlags("healthcheck", stderr)
	o := healthcheckFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if o.timeout <= 0 {
		fmt.Fprintf(stderr, "feedloom healthcheck: --timeout %s: want a positive duration\n", o.timeout)
		return exitUsage
	}
	target := o.url
	if target == "" {
		u, err := healthURL(cmp.Or(o.addr, os.Getenv(addrEnv), defaultHealthAddr))
		if err != nil {
			fmt.Fprintf(stderr, "feedloom healthcheck: %v\n", err)
			return exitUsage
		}
		target = u
	} else if o.addr != "" {
		fmt.Fprintln(stderr, "feedloom healthcheck: --url and --addr both given; use one")
		return exitUsage
	}
	if err := askHealth(ctx, target, o.timeout); err != nil {
		fmt.Fprintf(stderr, "feedloom healthcheck: %v\n", err)
		return exitPartial
	}
	return exitOK
}

// healthURL is the /healthz URL of a server listening on addr. A server
// listening on every interface (":8080", "0.0.0.0:8080", "[::]:8080") is
// asked on loopback, the one interface a container always has.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	if port == "" {
		return "", fmt.Errorf("address %q: no port", addr)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || ip != nil && ip.Equal(net.IPv4zero):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/healthz"}
	return u.String(), nil
}

// askHealth GETs target and returns nil only for a 200. Proxies and
// redirects are not followed: the health of this server is asked of this
// server.
func askHealth(ctx context.Context, target string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("GET %s: no answer within %s", target, timeout)
		}
		return err // *url.Error already names the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return fmt.Errorf("GET %s: %s%s", target, resp.Status, healthReason(resp.Body))
}

// healthReason is the status, and error if any, that /healthz gives in its
// JSON ("stale", "error: database: …"), for the one line healthcheck
// prints; "" when the body is not that JSON.
func healthReason(body io.Reader) string {
	var h struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 1<<16)).Decode(&h); err != nil || h.Status == "" {
		return ""
	}
	if h.Error != "" {
		return ": " + h.Status + ": " + h.Error
	}
	return ": " + h.Status
}
