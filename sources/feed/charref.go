package feed

import "bytes"

// withoutBadCharRefs is doc with each character reference to a character
// XML forbids (&#1;, &#0;, &#xFFFE;, a surrogate) written &#xFFFD;, the
// replacement character. gofeed's decoder refuses such a reference as a
// syntax error, and with it the whole feed; a control byte written as
// itself is dropped before parsing (withoutControlBytes), and the same
// character written as a reference is no worse.
func withoutBadCharRefs(doc []byte) []byte {
	if t := bytes.TrimSpace(doc); len(t) > 0 && (t[0] == '{' || t[0] == '[') || !hasBadCharRef(doc) {
		return doc // JSON has no character references: "&#1;" there is text
	}
	var out []byte
	last := 0
	for i := 0; i < len(doc); {
		j := bytes.IndexAny(doc[i:], "&<")
		if j < 0 {
			break
		}
		at := i + j
		// In a CDATA section or a comment "&#1;" is text, not a reference.
		if skip := skipMarkup(doc, at); skip > at {
			i = skip
			continue
		}
		i = at + 1
		if !bytes.HasPrefix(doc[at:], []byte("&#")) {
			continue
		}
		end, r, ok := charRef(doc, at)
		if !ok || xmlChar(r) {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(doc))
		}
		out = append(append(out, doc[last:at]...), "&#xFFFD;"...)
		last, i = end, end
	}
	if out == nil {
		return doc
	}
	return append(out, doc[last:]...)
}

// hasBadCharRef reports whether doc holds anything that reads as a
// reference to a character XML forbids, in markup or not: most feeds hold
// none, and are then not read tag by tag.
func hasBadCharRef(doc []byte) bool {
	for i := 0; ; {
		j := bytes.Index(doc[i:], []byte("&#"))
		if j < 0 {
			return false
		}
		if _, r, ok := charRef(doc, i+j); ok && !xmlChar(r) {
			return true
		}
		i += j + 2
	}
}

// skipMarkup is where the CDATA section or comment that starts at doc[at]
// ends (the whole rest when it is not closed), else at.
func skipMarkup(doc []byte, at int) int {
	for _, m := range [][2]string{{"<![CDATA[", "]]>"}, {"<!--", "-->"}} {
		if bytes.HasPrefix(doc[at:], []byte(m[0])) {
			if end := bytes.Index(doc[at+len(m[0]):], []byte(m[1])); end >= 0 {
				return at + len(m[0]) + end + len(m[1])
			}
			return len(doc)
		}
	}
	return at
}

// charRef reads the character reference at doc[at:] ("&#…;" or "&#x…;"):
// where it ends and the code point it names; false when it is not one.
func charRef(doc []byte, at int) (end int, r rune, ok bool) {
	k, base := at+2, 10
	if k < len(doc) && (doc[k] == 'x' || doc[k] == 'X') {
		k, base = k+1, 16
	}
	for k < len(doc) && doc[k] == '0' && k+1 < len(doc) && doc[k+1] != ';' {
		k++ // leading zeros, however many, name no other character
	}
	start := k
	var n int64
	for ; k < len(doc) && k-start < 10; k++ {
		c := doc[k]
		var v int64
		switch {
		case '0' <= c && c <= '9':
			v = int64(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = int64(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = int64(c-'A') + 10
		default:
			if c != ';' || k == start {
				return 0, 0, false
			}
			if n > 0x10FFFF {
				n = 0xFFFE // out of Unicode: as forbidden as any
			}
			return k + 1, rune(n), true
		}
		n = n*int64(base) + v
	}
	return 0, 0, false
}

// xmlChar reports whether XML 1.0 allows r (its production Char).
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
}
