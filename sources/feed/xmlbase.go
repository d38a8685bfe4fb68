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
