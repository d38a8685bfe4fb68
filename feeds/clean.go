package feeds

import (
	"strings"
	"unicode/utf8"
)

// cleanText returns s without what XML 1.0 cannot carry: control characters
// other than TAB, LF and CR, U+FFFE, U+FFFF, surrogates and bytes that are
// not UTF-8. They are dropped rather than replaced, because encoding/xml
// would silently turn them into U+FFFD in chardata and write them raw inside
// CDATA, which is not well-formed. JSON output uses the same text so that
// every format carries the same characters. A clean string is returned as it
// is, without allocating.
func cleanText(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r, size) {
			return cleanFrom(s, i)
		}
		i += size
	}
	return s
}

// cleanFrom copies s, dropping illegal runes from byte offset i on (s[:i] is
// known to be clean).
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r, size) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// xmlChar reports whether the rune r, decoded from size bytes, is a Char of
// XML 1.0 (section 2.2). A RuneError of one byte is an invalid encoding; a
// real U+FFFD takes three bytes and is kept.
func xmlChar(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	default:
		return r >= 0x10000 && r <= utf8.MaxRune
	}
}

// cleanTexts cleans every string of ss and drops those left empty, keeping
// the order. It returns nil when nothing is left.
func cleanTexts(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = cleanText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// cmpText returns the first of ss that is not empty once cleaned.
func cmpText(ss ...string) string {
	for _, s := range ss {
		if s = cleanText(s); s != "" {
			return s
		}
	}
	return ""
}
