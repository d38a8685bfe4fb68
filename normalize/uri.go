package normalize

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// uriString writes u as a URI a reader can use (RFC 3987 §3.1): an IRI's
// non-ASCII host in its IDNA ASCII form, the rest of its non-ASCII
// characters, and the characters a URI cannot hold, percent-encoded as
// UTF-8. Go's URL type encodes the path and fragment already, but not the
// query, and would encode the host byte by byte, which no resolver reads.
func uriString(u *url.URL) string {
	if h := u.Hostname(); !isASCII(h) {
		if a, err := idna.Lookup.ToASCII(h); err == nil {
			if p := u.Port(); p != "" {
				a = net.JoinHostPort(a, p)
			}
			u.Host = a
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = escapeQuery(u.RawQuery)
	}
	if u.Opaque != "" { // mailto:é, urn:…: written as they came otherwise
		u.Opaque = escapeQuery(u.Opaque)
	}
	return u.String()
}

// escapeQuery percent-encodes what a URI's query (or opaque part) cannot
// hold (RFC 3986 §3.4): non-ASCII bytes, controls, space and " < > \ ^ ` { | }. What is
// encoded already stays so.
func escapeQuery(q string) string {
	i := strings.IndexFunc(q, func(r rune) bool {
		return r >= utf8.RuneSelf || r <= ' ' || r == 0x7F || strings.ContainsRune("\"<>\\^`{|}", r)
	})
	if i < 0 {
		return q
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(q) + 16)
	b.WriteString(q[:i])
	for j := i; j < len(q); j++ {
		c := q[j]
		if c >= utf8.RuneSelf || c <= ' ' || c == 0x7F || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// storedLink is ref resolved against base as feedloom wrote links before
// IRIs were published as URIs (the query and host left as they came): the
// link an item without a guid was keyed by when it was stored.
func storedLink(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return httpOnly(u.String())
}
