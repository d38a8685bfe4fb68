package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
)

// withoutBases is doc with its xml:base attributes renamed (xml:base →
// xml:bas_), so that gofeed leaves every link as written and feedloom
// resolves it against the base its own reading of the document gives
// (xmlScope, RFC 3986 §5.2). gofeed resolves against its stack of xml:base
// values alone, which starts empty and takes a base's last segment for a
// folder: "sub/" made "/sub/p.html", from the server's root rather than
// the document's folder, and a base ".../feed?lang=fr" made "#top" into
// ".../feed/?lang=fr#top". A document without xml:base is returned as it
// is.
func withoutBases(doc []byte) []byte {
	if !bytes.Contains(doc, []byte("xml:base")) {
		return doc
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	// The bytes are read as they are, so that offsets are doc's: the
	// attribute's name is ASCII in every charset a feed comes in (UTF-16
	// was transcoded already). A byte the decoder cannot take ends the
	// reading; the names found before it are renamed.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var out []byte
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			break
		}
		t, ok := tok.(xml.StartElement)
		if !ok || !slices.ContainsFunc(t.Attr, isBase) {
			continue
		}
		for _, at := range attrNames(doc, start, int(d.InputOffset()), "xml:base") {
			if out == nil {
				out = slices.Clone(doc)
			}
			out[at+len("xml:base")-1] = '_'
		}
	}
	if out == nil {
		return doc
	}
	return out
}

// isBase reports whether a is an xml:base attribute.
func isBase(a xml.Attr) bool {
	return a.Name.Local == "base" && (a.Name.Space == xmlNamespace || a.Name.Space == "xml")
}

// attrNames finds, in the start tag doc[from:to], the attributes written
// name: the offsets of their names. Quoted values are passed over, so that
// the words inside one are not taken for an attribute.
func attrNames(doc []byte, from, to int, name string) []int {
	if from < 0 || to > len(doc) || from >= to {
		return nil
	}
	tag := doc[from:to]
	var at []int
	var quote byte
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case isXMLSpace(c) && bytes.HasPrefix(tag[i+1:], []byte(name)):
			k := i + 1 + len(name)
			for k < len(tag) && isXMLSpace(tag[k]) {
				k++
			}
			if k < len(tag) && tag[k] == '=' {
				at = append(at, from+i+1)
			}
		}
	}
	return at
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// withoutBadCharRefs is doc with each character reference to a character
// XML forbids (&#1;, &#0;, &#xFFFE;, a surrogate) written &#xFFFD;, the
// replacement character. gofeed's decoder refuses such a reference as a
// syntax error, and with it the whole feed; a control byte written as
// itself is dropped before parsing (withoutControlBytes), and the same
// character written as a reference is no worse.
func withoutBadCharRefs(doc []byte) []byte {
	if t := bytes.TrimSpace(doc); len(t) > 0 && (t[0] == '{' || t[0] == '[') || !bytes.Contains(doc, []byte("&#")) {
		return doc // JSON has no character references: "&#1;" there is text
	}
	var out []byte
	last := 0
	for i := 0; ; {
		j := bytes.Index(doc[i:], []byte("&#"))
		if j < 0 {
			break
		}
		at := i + j
		end, r, ok := charRef(doc, at)
		i = at + 2
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

// charRef reads the character reference at doc[at:] ("&#…;" or "&#x…;"):
// where it ends and the code point it names; false when it is not one.
func charRef(doc []byte, at int) (end int, r rune, ok bool) {
	k, base := at+2, 10
	if k < len(doc) && (doc[k] == 'x' || doc[k] == 'X') {
		k, base = k+1, 16
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
