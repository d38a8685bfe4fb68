package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// private warns about each feed source whose URL names, literally, a host
// the fetcher refuses without allow_private: it would fail on every run.
// Only what the URL says is judged; names that resolve to such addresses
// are the fetcher's to refuse.
func (b *builder) private(c *Config) {
	for i, s := range c.Sources {
		if s.Kind != "feed" || s.URL == "" || c.AllowPrivateOf(s) {
			continue
		}
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if what := privateHost(u.Hostname()); what != "" {
			b.p.warn(fmt.Sprintf("sources[%d].url", i), "%s is %s; fetching it needs allow_private: true", redacted(s.URL), what)
		}
	}
}

// privateHost says what kind of non-public host host is ("a loopback
// address"), or "" for any other host. localhost and names under it are
// loopback by definition (RFC 6761); IPv4-mapped IPv6 addresses are judged
// as the IPv4 address they carry.
func privateHost(host string) string {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return "a loopback host name"
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "a link-local address"
	case cgnat.Contains(a):
		return "a CGNAT address"
	case a.IsUnspecified():
		return "an unspecified address"
	}
	return ""
}
