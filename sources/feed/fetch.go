package feed

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/feedloom/feedloom/sources"
)

const (
	maxRedirects = 5
	acceptFeeds  = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)

// NewClient returns the HTTP client a feed source uses when Options.Client
// is nil: connecting (dial and TLS handshake) and waiting for response
// headers may each take a third of Options.Timeout, the whole request the
// timeout; at most five redirects, a loop refused; no cookie jar; gzip is
// requested and decoded by the fetcher itself (DisableCompression), so that
// the body cap counts decompressed bytes. Unless Options.AllowPrivate, it
// refuses to connect to loopback, private, link-local, CGNAT, multicast and
// unspecified addresses with an *AddressError: checked at dial time on the
// resolved address, and for a request sent through a proxy
// (HTTPS_PROXY/HTTP_PROXY, trusted whatever its own address) on every
// address the target's name resolves to. Share one client between sources
// with the same AllowPrivate to share its connection pool.
func NewClient(opts Options) *http.Client {
	timeout := opts.withDefaults().Timeout
	third := timeout / 3
	g := newGuard(opts)
	dialer := &net.Dialer{Timeout: third, KeepAlive: 30 * time.Second, Resolver: g.resolver}
	return &http.Client{
		Transport:     g.transport(dialer, third),
		CheckRedirect: checkRedirect,
		Timeout:       timeout,
	}
}

// newTransport is NewClient's transport, connecting through dial and
// choosing a proxy with proxy (nil: none).
func newTransport(third time.Duration, proxy func(*http.Request) (*url.URL, error), dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dial,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   third,
		ResponseHeaderTimeout: third,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
	}
}

// checkRedirect stops after five redirects and at the first URL visited
// twice.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop at %s", req.URL)
		}
	}
	return nil
}

// budget is one fetch's time: Options.Timeout from the moment the first
// request gets its slot from the Limiter (waiting in the queue is not the
// upstream's fault), shared by its redirects, retries and their waits.
type budget struct {
	timeout time.Duration
	end     time.Time
}

func (b *budget) start() {
	if b.end.IsZero() {
		b.end = time.Now().Add(b.timeout)
	}
}

func (b *budget) context(parent context.Context) (context.Context, context.CancelFunc) {
	if b.end.IsZero() {
		return context.WithCancel(parent)
	}
	return context.WithDeadline(parent, b.end)
}

// get fetches u, following at most five redirects itself so that each hop
// waits for its own host's slot. moved is where an unbroken chain of
// permanent redirects (301, 308) led; nil when the first answer was not
// one.
func (s *Source) get(ctx context.Context, u *url.URL, prev sources.State) (r *response, moved *url.URL, err error) {
	g := newGuard(s.sh.opts)
	if err := g.checkLiteral(u); err != nil {
		return nil, nil, err
	}
	b := &budget{timeout: s.sh.opts.Timeout}
	seen := map[string]bool{u.String(): true}
	permanent := true
	for hops := 0; ; hops++ {
		r, err := s.retry(ctx, u, prev, b)
		if err != nil {
			return nil, nil, err
		}
		to, perm, ok, err := r.Redirect()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return r, moved, nil
		}
		from, dest := sources.RedactURL(u.String()), sources.RedactURL(to.String())
		switch {
		case to.Scheme != "http" && to.Scheme != "https":
			return nil, nil, fmt.Errorf("redirect from %s to %s: only http and https are followed", from, dest)
		case seen[to.String()]:
			return nil, nil, fmt.Errorf("redirect loop: %s back to %s", from, dest)
		case hops >= maxRedirects:
			return nil, nil, fmt.Errorf("stopped after %d redirects, at %s", maxRedirects, from)
		}
		// Refused before it is followed, so a permanent redirect to a
		// private literal is never remembered as the source's URL; a name
		// is refused by the dial, which fails this fetch just the same.
		if err := g.checkLiteral(to); err != nil {
			return nil, nil, fmt.Errorf("redirect from %s to %s: %w", from, dest, err)
		}
		seen[to.String()] = true
		if permanent = permanent && perm; permanent {
			moved = to
		}
		u = to
	}
}

// retry sends the request again on 429 and 5xx, up to Options.Retries
// times, waiting Retry-After or RetryWait·2ⁿ. A wait that would leave the
// next attempt less than a third of the timeout is not taken: the
// StatusError (with its RetryAfter) goes to the scheduler, which parks this
// source alone.
func (s *Source) retry(ctx context.Context, u *url.URL, prev sources.State, b *budget) (*response, error) {
	for attempt := 0; ; attempt++ {
		r, err := s.do(ctx, u, prev, b)
		if err != nil {
			return nil, err
		}
		if !r.Retryable() {
			return r, nil
		}
		se := r.StatusError(s.sh.opts.Now())
		if attempt >= s.sh.opts.Retries {
			return nil, se
		}
		wait := se.RetryAfter
		if wait == 0 {
			wait = s.sh.opts.RetryWait << attempt
		}
		if wait > time.Until(b.end)-s.sh.opts.Timeout/3 {
			return nil, se
		}
		s.log().Debug("retrying", "url", u.String(), "status", r.status, "wait", wait, "attempt", attempt+1)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// do sends one request while holding a Limiter slot for u's host, and reads
// the response before giving the slot back.
func (s *Source) do(ctx context.Context, u *url.URL, prev sources.State, b *budget) (*response, error) {
	wctx, cancel := b.context(ctx)
	release, err := s.sh.opts.Limiter.acquire(wctx, u.Hostname())
	if err != nil {
		cancel()
		return nil, fmt.Errorf("waiting for a connection slot: %w", err)
	}
	defer release()
	if s.sh.opts.Gate != nil {
		shared, err := s.sh.opts.Gate.Acquire(wctx, u.Hostname())
		if err != nil {
			// Only this fetch's own end is its failure; any other error (a
			// database away, or its connect timing out) is the cluster's.
			ours := wctx.Err() != nil
			cancel()
			if ours {
				return nil, fmt.Errorf("waiting for a cluster slot: %w", err)
			}
			return nil, fmt.Errorf("%w: %w", sources.ErrNotNow, err)
		}
		defer shared()
	}
	cancel()
	b.start()
	rctx, cancel := b.context(ctx)
	defer cancel()
	req, err := s.newRequest(rctx, u, prev)
	if err != nil {
		return nil, err
	}
	resp, err := s.sh.client.Do(req)
	if err == nil {
		var r *response
		if r, err = readResponse(resp, s.sh.opts.MaxBody); err == nil {
			return r, nil
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the method and URL the caller names
	}
	var ae *AddressError
	if errors.As(err, &ae) {
		err = ae // not "dial tcp <addr>: " before it: it names the address itself
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil, fmt.Errorf("timeout (%s): %w", s.sh.opts.Timeout, err)
	}
	return nil, err
}

// newRequest builds a conditional GET for u with feedloom's User-Agent and
// the feed types it accepts.
func (s *Source) newRequest(ctx context.Context, u *url.URL, prev sources.State) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if len(s.sh.opts.Header) > 0 && s.sameHost(u) {
		req.Header = s.sh.opts.Header.Clone()
	}
	req.Header.Set("User-Agent", cmp.Or(req.Header.Get("User-Agent"), s.sh.opts.UserAgent))
	req.Header.Set("Accept", cmp.Or(s.accept, acceptFeeds))
	req.Header.Set("Accept-Encoding", "gzip")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	return req, nil
}

// sameHost reports whether u is on the configured URL's host (and port),
// by https when that was configured:
// configured headers are credentials for that host, and a redirect or a
// permanent move elsewhere must not carry them, whatever their names (Go's
// client drops only Authorization and cookies, and only on its own
// redirects).
func (s *Source) sameHost(u *url.URL) bool {
	c, err := url.Parse(s.url)
	if err != nil || c.Scheme == "https" && u.Scheme != "https" {
		return false // nor in clear text after an https URL was configured
	}
	return strings.EqualFold(c.Host, u.Host)
}
