package feed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
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
// itself, the guard resolves the target's name first, as a fully
// qualified name, and refuses the request if any address it gets is
// disallowed. Hosts that are disallowed whatever they resolve to are
// refused up front, on every path: IP literals in a refused range,
// localhost and the names under it, and numeric hosts that are not a
// standard IP address ("2130706433", "127.1", "0x7f.1"), which resolvers
// and proxies read differently.
//
// The zero value checks with sources.AddressRule, net.DefaultResolver and
// http.ProxyFromEnvironment; tests put their own in Options.guard.
type guard struct {
	open     bool                                  // Options.AllowPrivate: nothing is refused
	rule     func(netip.Addr) string               // the range refusing an address, "" to allow; nil = sources.AddressRule
	resolver *net.Resolver                         // for dials and proxied targets; nil = net.DefaultResolver
	proxy    func(*http.Request) (*url.URL, error) // nil = http.ProxyFromEnvironment

	// lookup resolves a proxied target's name; nil = resolver's LookupNetIP.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
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

// checkLiteral refuses a URL whose host is disallowed as written (see
// checkHost). Other names are left to the dial, which sees what they
// resolve to; checking up front refuses a redirect before it is followed,
// or remembered.
func (g *guard) checkLiteral(u *url.URL) error {
	return g.checkHost(hostPort(u))
}

// checkHost refuses hostport (host:port, as asked for) when its host is
// disallowed whatever DNS says: an IP literal in a refused range;
// localhost and the names under it, loopback by definition (RFC 6761
// §6.3); and a host whose last label is a number (all digits, or 0x and
// hex digits) without being a standard IP address. Such a host is an IPv4
// address in some reader's eyes (inet_aton and the WHATWG URL standard read
// "2130706433", "127.1", "0x7f.1" and "0177.0.0.1" as 127.0.0.1) and a name
// or an error in others', so what it reaches cannot be known here; no
// registered name ends in a numeric label.
func (g *guard) checkHost(hostport string) error {
	if g.open {
		return nil
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return g.check(hostport, a)
	}
	if rule := sources.HostRule(host); rule != "" {
		return &AddressError{Host: hostport, Rule: rule}
	}
	if numericHost(host) {
		return &AddressError{Host: hostport, Rule: "IPv4 address in a non-standard form"}
	}
	return nil
}

// numericHost reports a host name whose last label, a trailing dot aside,
// is a decimal or 0x-hexadecimal number: the WHATWG URL standard's "ends in
// a number", which makes it an IPv4 address or invalid.
func numericHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.Trim(last, "0123456789") == "" {
		return true
	}
	lower := strings.ToLower(last)
	return strings.HasPrefix(lower, "0x") && strings.Trim(lower[2:], "0123456789abcdef") == ""
}

// checkTarget resolves the host of a request about to go to a proxy and
// refuses it if any of its addresses is disallowed. The name is resolved
// fully qualified (a trailing dot added), so the local resolver does not
// try it under its own search domains, which the proxy need not share. A
// name that does not resolve so is refused too: what the proxy would make
// of it cannot be checked.
func (g *guard) checkTarget(ctx context.Context, u *url.URL) error {
	if g.open {
		return nil
	}
	host := hostPort(u)
	if err := g.checkHost(host); err != nil {
		return err
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return nil // checked by checkHost
	}
	lookup := g.lookup
	if lookup == nil {
		r := g.resolver
		if r == nil {
			r = net.DefaultResolver
		}
		lookup = r.LookupNetIP
	}
	name := u.Hostname()
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	addrs, err := lookup(ctx, "ip", name)
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

// dialContext dials with d, refusing a host disallowed as written (see
// checkHost) before resolving it, and each address the name resolves to
// that the guard disallows. The address check sits in ControlContext, which
// runs after resolution and before connect, for every address the dialer
// tries.
func (g *guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if err := g.checkHost(addr); err != nil {
			return nil, err
		}
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

// guarded reports a client whose transport is NewClient's guarded one,
// which only NewClient builds, and only with AllowPrivate false.
func guarded(c *http.Client) bool {
	_, ok := c.Transport.(*guardedTransport)
	return ok
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
