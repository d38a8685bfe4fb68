package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// privateRanges are the ranges the feed fetcher refuses unless
// allow_private (sources/feed/guard.go, addressRules), in the same order,
// most specific first: the first that holds an address names it. Keep the
// two in step, or a source the fetcher refuses goes without its warning.
var privateRanges = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "a cloud metadata address"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "a cloud metadata address"},
	{netip.MustParsePrefix("100.100.100.200/32"), "a cloud metadata address"},
	{netip.MustParsePrefix("168.63.129.16/32"), "a cloud metadata address"},
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"}, // RFC 1122 §3.2.1.3: this host
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"}, // RFC 1918
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("fc00::/7"), "a private address"},  // RFC 4193
	{netip.MustParsePrefix("fec0::/10"), "a private address"}, // site-local (RFC 3879)
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a CGNAT address"}, // RFC 6598
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "a broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
}

// Forms of IPv6 address that reach an IPv4 host, besides IPv4-mapped ones.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052
	sixToFour = netip.MustParsePrefix("2002::/16")    // RFC 3056
	v4Compat  = netip.MustParsePrefix("::/96")        // RFC 4291 §2.5.5.1
)

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
// loopback by definition (RFC 6761 §6.3); an IPv6 address that carries an
// IPv4 one to a v4 host (IPv4-mapped, NAT64, 6to4, IPv4-compatible) is
// judged by the address it carries as well, as the fetcher judges it.
func privateHost(host string) string {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return "a loopback host name"
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return privateAddr(a.WithZone("")) // a zoned address matches no prefix
}

func privateAddr(a netip.Addr) string {
	for _, r := range privateRanges {
		if r.prefix.Contains(a) {
			return r.what
		}
	}
	b := a.As16()
	switch {
	case a.Is4In6():
		return privateAddr(a.Unmap())
	case nat64.Contains(a), v4Compat.Contains(a):
		return privateAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return privateAddr(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return ""
}
