package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
)

// absoluteBases is doc with each relative xml:base that has no absolute one
// around it written absolute, resolved against docURL (XML Base §4.2: the
// document's URL is the base of its outermost xml:base). gofeed resolves
// links against its stack of xml:base values alone, which starts empty: a
// relative "sub/" made "p.html" into "/sub/p.html", from the server's root
// rather than the document's folder. Only a base that names a folder is
// written so (see below). Bases inside an absolute one are left as
// written, as gofeed resolves them right; so is a document without a
// relative outermost base, byte for byte.
func absoluteBases(doc []byte, docURL string) []byte {
	if !relativeBaseWritten(doc) {
		return doc
	}
	base, err := url.Parse(docURL)
	if err != nil || !base.IsAbs() {
		return doc
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	// The bytes are read as they are, so that offsets are doc's: xml:base
	// and its value are ASCII in every charset a feed comes in (UTF-16 was
	// transcoded already). A byte the decoder cannot take ends the
	// reading; the bases found before it are written absolute, and those
	// inside them resolve against them.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	type edit struct {
		from, to int
		value    string
	}
	var edits []edit
	absolute := []bool{false} // an absolute xml:base is in scope, by depth
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			abs := absolute[len(absolute)-1]
			for _, a := range t.Attr {
				if abs || a.Name.Local != "base" || (a.Name.Space != xmlNamespace && a.Name.Space != "xml") {
					continue
				}
				ref, err := url.Parse(strings.TrimSpace(a.Value))
				switch {
				case err != nil:
				case ref.IsAbs():
					abs = true
				case !strings.HasSuffix(base.ResolveReference(ref).Path, "/"):
					// gofeed takes an absolute base's last segment for a
					// folder (".../feed?lang=fr" would make "#top" into
					// ".../feed/?lang=fr#top"): one that names a document is
					// left as written, as before.
				default:
					if from, to, ok := attrValue(doc, start, int(d.InputOffset()), "xml:base"); ok {
						edits = append(edits, edit{from, to, base.ResolveReference(ref).String()})
						abs = true
					}
				}
			}
			absolute = append(absolute, abs)
		case xml.EndElement:
			if len(absolute) > 1 {
				absolute = absolute[:len(absolute)-1]
			}
		}
	}
	if len(edits) == 0 {
		return doc
	}
	var out bytes.Buffer
	out.Grow(len(doc) + len(edits)*len(docURL))
	last := 0
	for _, e := range edits {
		out.Write(doc[last:e.from])
		xml.EscapeText(&out, []byte(e.value)) // quotes too: the value stays in its quotes
		last = e.to
	}
	out.Write(doc[last:])
	return out.Bytes()
}

// relativeBaseWritten reports whether doc holds xml:base="…" with a value
// that is no absolute URL, in markup or not: a feed whose bases are all
// absolute (as most that write one are) is then not read tag by tag.
func relativeBaseWritten(doc []byte) bool {
	name := []byte("xml:base")
	for i := 0; ; {
		j := bytes.Index(doc[i:], name)
		if j < 0 {
			return false
		}
		i += j + len(name)
		k := i
		for k < len(doc) && (isXMLSpace(doc[k]) || doc[k] == '=') {
			k++
		}
		if k >= len(doc) || (doc[k] != '"' && doc[k] != '\'') {
			continue
		}
		end := bytes.IndexByte(doc[k+1:], doc[k])
		if end < 0 {
			return true // let the reading decide
		}
		if u, err := url.Parse(strings.TrimSpace(string(doc[k+1 : k+1+end]))); err != nil || !u.IsAbs() {
			return true
		}
	}
}

// attrValue finds, in the start tag doc[from:to], the value of the
// attribute written name: the offsets of what its quotes enclose. Quoted
// values are passed over, so that words inside one are not taken for an
// attribute.
func attrValue(doc []byte, from, to int, name string) (int, int, bool) {
	if from < 0 || to > len(doc) || from >= to {
		return 0, 0, false
	}
	tag := doc[from:to]
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
			if k >= len(tag) || tag[k] != '=' {
				continue
			}
			for k++; k < len(tag) && isXMLSpace(tag[k]); k++ {
			}
			if k >= len(tag) || (tag[k] != '"' && tag[k] != '\'') {
				continue
			}
			end := bytes.IndexByte(tag[k+1:], tag[k])
			if end < 0 {
				return 0, 0, false
			}
			return from + k + 1, from + k + 1 + end, true
		}
	}
	return 0, 0, false
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
