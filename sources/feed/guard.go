package feed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// guard keeps the fetcher off addresses that are not on the public
// internet, so that a configured URL, a redirect or a DNS answer cannot
// point it at the host itself, its local network or a cloud metadata
// service (server-side request forgery). Direct connections are checked at
// dial time, on the address actually being connected after DNS
// resolution, so a name that answers differently from one lookup to the
// next (DNS rebinding) cannot slip past. A configured proxy is trusted and
// dialled whatever its address; since the proxy resolves the target
// itself, the guard resolves the target's name first and refuses the
// request if any address it gets is disallowed.
//
// The zero value checks with addressRule, net.DefaultResolver and
// http.ProxyFromEnvironment; tests put their own in Options.guard.
type guard struct {
	open     bool                                  // Options.AllowPrivate: nothing is refused
	rule     func(netip.Addr) string               // the range refusing an address, "" to allow; nil = sources.AddressRule
	resolver *net.Resolver                         // for dials and proxied targets; nil = net.DefaultResolver
	proxy    func(*http.Request) (*url.URL, error) // nil = http.ProxyFromEnvironment
}

// newGuard is the guard for o: o.guard's replacements, if any, with
// o.AllowPrivate.
func newGuard(o Options) *guard {
	g := &guard{}
	if o.guard != nil {
		*g = *o.guard
	}
	g.open = o.AllowPrivate
	if g.rule == nil {
		g.rule = sources.AddressRule
	}
	if g.proxy == nil {
		g.proxy = http.ProxyFromEnvironment
	}
	return g
}

// check refuses a, the address host (host:port, as asked for) resolved
// to, with an *AddressError.
func (g *guard) check(host string, a netip.Addr) error {
	if g.open {
		return nil
	}
	a = a.Unmap()
	if rule := g.rule(a); rule != "" {
		return &AddressError{Host: host, Addr: a, Rule: rule}
	}
	return nil
}

// checkLiteral refuses a URL whose host is a disallowed IP literal. Names
// are left to the dial, which sees what they resolve to; checking literals
// up front refuses a redirect before it is followed, or remembered, even
// with a caller's own Options.Client.
func (g *guard) checkLiteral(u *url.URL) error {
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil
	}
	return g.check(hostPort(u), a)
}

// checkTarget resolves the host of a request about to go to a proxy and
// refuses it if any of its addresses is disallowed. A name that does not
// resolve here is refused too: what the proxy would make of it cannot be
// checked.
func (g *guard) checkTarget(ctx context.Context, u *url.URL) error {
	if g.open {
		return nil
	}
	host := hostPort(u)
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		return g.check(host, a)
	}
	r := g.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		return fmt.Errorf("feed: resolving %s to check it before asking the proxy: %w", host, err)
	}
	for _, a := range addrs {
		if err := g.check(host, a); err != nil {
			return err
		}
	}
	return nil
}

// hostPort is u's host and port, the port defaulted from the scheme.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dialContext dials with d, refusing each address the name resolves to
// that the guard disallows. The check sits in ControlContext, which runs
// after resolution and before connect, for every address the dialer tries.
func (g *guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		checked := *d
		checked.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("feed: refused to connect to %s: not an IP address and port", address)
			}
			return g.check(addr, ap.Addr())
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// transport is the RoundTripper NewClient builds on d: one transport as it
// always was when the guard is open, else a guardedTransport.
func (g *guard) transport(d *net.Dialer, third time.Duration) http.RoundTripper {
	if g.open {
		return newTransport(third, g.proxy, d.DialContext)
	}
	return &guardedTransport{
		guard:   g,
		direct:  newTransport(third, nil, g.dialContext(d)),
		proxied: newTransport(third, chosenProxy, d.DialContext),
	}
}

// guardedTransport sends a request either direct, through a transport whose
// dials are checked, or through a proxy after checking the target's
// addresses. Two transports, rather than one dialer guessing whether an
// address is the proxy's, make the difference certain: the proxied one
// dials nothing but proxies, the direct one nothing but targets.
type guardedTransport struct {
	guard   *guard
	direct  *http.Transport // no proxy; every dial checked
	proxied *http.Transport // the proxy RoundTrip chose; dials it unchecked
}

type proxyKey struct{}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	proxy, err := t.guard.proxy(req)
	if err == nil && proxy == nil {
		return t.direct.RoundTrip(req)
	}
	if err == nil {
		err = t.guard.checkTarget(req.Context(), req.URL)
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	// The proxy is chosen once, here, and carried to the proxied
	// transport, so the request that was checked is the one it proxies.
	return t.proxied.RoundTrip(req.WithContext(context.WithValue(req.Context(), proxyKey{}, proxy)))
}

func (t *guardedTransport) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	t.proxied.CloseIdleConnections()
}

// chosenProxy is the proxied transport's Proxy: the one RoundTrip chose.
func chosenProxy(req *http.Request) (*url.URL, error) {
	if p, ok := req.Context().Value(proxyKey{}).(*url.URL); ok && p != nil {
		return p, nil
	}
	return nil, errors.New("feed: a request reached the proxied transport without a proxy")
}
