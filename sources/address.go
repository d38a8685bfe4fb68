package sources

import (
	"net/netip"
	"strings"
)

// addressRules are the ranges the fetcher keeps off unless AllowPrivate,
// most specific first: the first that holds an address names it.
var addressRules = []struct {
	prefix netip.Prefix
	rule   string
}{
	// Instance metadata hands out credentials: the classic SSRF prize.
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata address"}, // AWS, GCP, Azure, OpenStack, Oracle…
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata address"},  // AWS over IPv6
	{netip.MustParsePrefix("100.100.100.200/32"), "cloud metadata address"}, // Alibaba Cloud
	{netip.MustParsePrefix("168.63.129.16/32"), "cloud metadata address"},   // Azure WireServer: looks public, answers only inside Azure
	// Linux connects 0.0.0.0 (and the rest of "this network", RFC 1122
	// §3.2.1.3) to the host itself.
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified address"},
	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address"}, // RFC 1918
	{netip.MustParsePrefix("172.16.0.0/12"), "private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address"},
	{netip.MustParsePrefix("fc00::/7"), "private address"},  // RFC 4193 unique local
	{netip.MustParsePrefix("fec0::/10"), "private address"}, // site-local, deprecated (RFC 3879) but still routed inside some sites
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT address"}, // RFC 6598 shared address space
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"}, // RFC 1112 class E: never routed
}

// AddressRule names the range that keeps the feed fetcher off a, or returns ""
// for an address on the public internet. An IPv6 address that carries an
// IPv4 one to a v4 host (IPv4-mapped, NAT64, 6to4, IPv4-compatible) is
// judged by the address it carries as well.
func AddressRule(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid address"
	}
	a = a.WithZone("") // a zoned address matches no prefix
	for _, r := range addressRules {
		if r.prefix.Contains(a) {
			return r.rule
		}
	}
	if v4, ok := embeddedIPv4(a); ok {
		return AddressRule(v4)
	}
	return ""
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix
	sixToFour = netip.MustParsePrefix("2002::/16")    // RFC 3056
	v4Compat  = netip.MustParsePrefix("::/96")        // RFC 4291 §2.5.5.1, deprecated
)

// embeddedIPv4 is the IPv4 address an IPv6 address stands for, if it is one
// of the forms that reach an IPv4 host.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case a.Is4In6():
		return a.Unmap(), true
	case nat64.Contains(a), v4Compat.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// HostRule is AddressRule for the host of a URL as written: an IP literal
// is judged by its address, and localhost and the names under it are
// loopback by definition (RFC 6761 §6.3); any other name is "" here, for
// only resolving it can tell (the fetcher judges what it dials).
func HostRule(host string) string {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return "loopback host name"
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return AddressRule(a)
}
