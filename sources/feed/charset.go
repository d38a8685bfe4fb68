package feed

import (
	"bytes"
	"fmt"
	"regexp"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// xmlDecl matches an XML declaration at the very start of a document and
// captures its encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["'][^>]*\?>`)

// decoded is a body ready for gofeed, and the charset it was in.
type decoded struct {
	body    []byte
	charset string // WHATWG name: utf-8, big5, gbk, windows-1252, utf-16le, …
	from    string // what decided: bom, declaration, http, default
}

// decodeBody applies the charset precedence of XML 1.0 Appendix F and RFC
// 7303 as feeds meet it: a byte order mark first; then the XML declaration,
// in which case the bytes go to gofeed untouched because its decoder reads
// the declaration itself; then the charset of the HTTP Content-Type; then
// UTF-8. Whenever the body is transcoded here, the declaration is made to say
// UTF-8 so that nothing is decoded twice.
func decodeBody(body []byte, contentType string) (decoded, error) {
	if enc, name, n := byteOrderMark(body); enc != nil {
		return transcode(body[n:], enc, name, "bom")
	}
	// UTF-16 without a BOM still shows itself in the declaration's first
	// bytes (XML 1.0 Appendix F.1).
	switch {
	case bytes.HasPrefix(body, []byte{'<', 0, '?', 0}):
		return transcode(body, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", "declaration")
	case bytes.HasPrefix(body, []byte{0, '<', 0, '?'}):
		return transcode(body, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", "declaration")
	}
	if label, ok := declaredEncoding(body); ok {
		// A declaration readable as ASCII cannot be UTF-16 or UTF-32,
		// whatever it says; an unknown label is no help either. Both fall
		// through to the HTTP charset and have their declaration rewritten.
		if enc, name := charset.Lookup(label); enc != nil && !wideCharset(name) {
			return decoded{body: body, charset: name, from: "declaration"}, nil
		}
	}
	if label := contentTypeCharset(contentType); label != "" {
		if enc, name := charset.Lookup(label); enc != nil {
			return transcode(body, enc, name, "http")
		}
	}
	return decoded{body: setDeclaredUTF8(body), charset: "utf-8", from: "default"}, nil
}

func transcode(body []byte, enc encoding.Encoding, name, from string) (decoded, error) {
	if name != "utf-8" {
		var err error
		if body, err = enc.NewDecoder().Bytes(body); err != nil {
			return decoded{}, fmt.Errorf("decode %s: %w", name, err)
		}
	}
	return decoded{body: setDeclaredUTF8(body), charset: name, from: from}, nil
}

// byteOrderMark recognises the UTF-8 and UTF-16 byte order marks and returns
// the encoding and how many bytes the mark takes.
func byteOrderMark(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	}
	return nil, "", 0
}

// declaredEncoding is the encoding label of the XML declaration, if the body
// starts with one that names an encoding.
func declaredEncoding(b []byte) (string, bool) {
	m := xmlDecl.FindSubmatch(b[:min(len(b), 512)])
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

// setDeclaredUTF8 rewrites the declaration's encoding to UTF-8, leaving a
// body without one as it is.
func setDeclaredUTF8(b []byte) []byte {
	head := b[:min(len(b), 512)]
	loc := xmlDecl.FindSubmatchIndex(head)
	if loc == nil || string(head[loc[2]:loc[3]]) == "UTF-8" {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, b[loc[3]:]...)
}

func wideCharset(name string) bool {
	switch name {
	case "utf-16le", "utf-16be", "utf-16", "utf-32", "utf-32le", "utf-32be":
		return true
	}
	return false
}
