package feed

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// xmlDecl matches an XML declaration at the very start of a document and
// captures its encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["'][^>]*\?>`)

const (
	// detectMin is the detector confidence (ICU's 0–100 scale) from which
	// its guess is taken. On feeds its multi-byte recognizers give 65–100
	// from a single headline up, and its Latin and Cyrillic ones 50–90 on
	// real prose; scraps of text score up to 46 for the wrong charset (a
	// short Korean title came out as Arabic), so below 50 a guess is no
	// better than the fallback.
	detectMin = 50

	// detectSample bounds the bytes the detector reads: its multi-byte
	// recognizers scan all they are given, once each.
	detectSample = 64 << 10
)

// decoded is a body ready for gofeed, and the charset it was in.
type decoded struct {
	body       []byte
	charset    string // WHATWG name: utf-8, big5, gbk, windows-1252, utf-16le, …
	from       string // what decided: bom, declaration, http, detected, fallback, default
	confidence int    // the detector's, 0–100, when from is detected or fallback
	replaced   int    // byte sequences invalid in charset, now U+FFFD
	// utf8 is body in UTF-8, its declaration saying so, when body is in
	// another charset gofeed decodes itself; nil when body is UTF-8.
	utf8 []byte
}

// text is the body in UTF-8.
func (d decoded) text() []byte {
	if d.utf8 != nil {
		return d.utf8
	}
	return d.body
}

// decodeBody applies the charset precedence of XML 1.0 Appendix F and RFC
// 7303 as feeds meet it: a byte order mark first; then the XML declaration,
// in which case bytes that decode cleanly go to gofeed untouched because
// its decoder reads the declaration itself; then the charset of the HTTP
// Content-Type; then UTF-8 when the body is valid UTF-8; then a guess (see
// guess). Whenever the body is transcoded here, the declaration is made to
// say UTF-8 so that nothing is decoded twice.
//
// Like browsers and feedparser, it never refuses a body for its bytes:
// a declared charset that proves wrong yields to a better reading (see
// declared), and what no reading decodes becomes U+FFFD, counted in
// replaced, for the caller to report.
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
		if asciiLabel(label) && utf8.Valid(body) {
			return transcode(body, unicode.UTF8, "utf-8", "declaration")
		}
		if enc, name := charset.Lookup(label); enc != nil && !wideCharset(name) {
			return declared(body, enc, name, "declaration")
		}
	}
	if label := contentTypeCharset(contentType); label != "" {
		if asciiLabel(label) && utf8.Valid(body) {
			return transcode(body, unicode.UTF8, "utf-8", "http")
		}
		if enc, name := charset.Lookup(label); enc != nil {
			return declared(body, enc, name, "http")
		}
	}
	if utf8.Valid(body) {
		return decoded{body: setDeclaredUTF8(body), charset: "utf-8", from: "default"}, nil
	}
	return guess(body)
}

// asciiLabel reports whether label names US-ASCII. WHATWG reads it as
// windows-1252, which takes any byte, so a UTF-8 body declared ASCII (bytes
// above 127 cannot be ASCII, and ASCII is UTF-8) would be read as
// windows-1252 and never as the UTF-8 it is; such a body is read as UTF-8,
// as feedparser does.
func asciiLabel(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "csascii", "us":
		return true
	}
	return false
}

// declared decodes body in the charset its declaration or Content-Type
// names. When that leaves invalid sequences the label is wrong, at least
// in part, and feedparser's order is followed: the declared charset, then
// the detector's, then UTF-8; the reading with the fewest replacements
// wins, the declared one on a tie. Only multi-byte readings compete: any
// bytes decode in a single-byte charset, so one that replaces nothing
// proves nothing against a declaration. A declared UTF-8 that is not valid
// is no evidence at all (servers add charset=utf-8 to whatever they send),
// so the body is guessed as an undeclared one.
func declared(body []byte, enc encoding.Encoding, name, from string) (decoded, error) {
	if name == "utf-8" {
		if !utf8.Valid(body) {
			d, err := guess(body)
			if d.charset == "utf-8" {
				d.from = from
			}
			return d, err
		}
		if from == "declaration" {
			return decoded{body: body, charset: name, from: from}, nil
		}
		return transcode(body, enc, name, from)
	}
	d, err := transcode(body, enc, name, from)
	if err != nil {
		return decoded{}, err
	}
	if d.replaced == 0 {
		if from == "declaration" {
			d.body, d.utf8 = body, d.body
		}
		return d, nil
	}
	if encD, nameD, conf := detect(body); encD != nil && nameD != name && multiByte(nameD) {
		if alt, err := transcode(body, encD, nameD, "detected"); err == nil && alt.replaced < d.replaced {
			alt.confidence = conf
			d = alt
		}
	}
	if alt, err := transcode(body, unicode.UTF8, "utf-8", "default"); err == nil && alt.replaced < d.replaced {
		d = alt
	}
	return d, nil
}

// guess reads a body that declares no charset, or declares UTF-8 and is
// not. UTF-8 with its invalid bytes replaced is the reading whenever the
// body's valid multi-byte UTF-8 sequences are more than ten times its
// invalid bytes, and also, when no multi-byte charset competes (the
// detector names a single-byte one or none), whenever they are at least as
// many: a stray Latin-1 byte in a UTF-8 feed then costs one U+FFFD, as in
// feedparser and browsers, not every other character. Else the body is
// read in the charset the detector names with at least detectMin
// confidence; else as windows-1252. That last resort is feedparser's
// (declared, then UTF-8, then windows-1252) and browsers' for unlabelled
// HTML in most locales: it decodes every byte, and it is what an undeclared
// non-UTF-8 feed too short to detect is in most often; a single-byte text
// hardly ever holds a valid UTF-8 sequence, so it keeps this reading. JSON
// is exempt from guessing: RFC 8259 §8.1 makes it UTF-8, so it is read as
// UTF-8 with replacements.
func guess(body []byte) (decoded, error) {
	valid, invalid := utf8Sequences(body)
	if isJSON(body) || valid > 10*invalid {
		return transcode(body, unicode.UTF8, "utf-8", "default")
	}
	enc, name, conf := detect(body)
	if (enc == nil || !multiByte(name)) && valid >= invalid {
		return transcode(body, unicode.UTF8, "utf-8", "default")
	}
	if enc == nil {
		d, err := transcode(body, charmap.Windows1252, "windows-1252", "fallback")
		d.confidence = conf
		return d, err
	}
	d, err := transcode(body, enc, name, "detected")
	d.confidence = conf
	return d, err
}

// detect runs ICU's charset detector over the start of body, tags stripped,
// and returns the encoding it names when it is at least detectMin confident
// and one x/text decodes. conf is its best confidence either way.
func detect(body []byte) (enc encoding.Encoding, name string, conf int) {
	sample := body[:min(len(body), detectSample)]
	if len(sample) < len(body) {
		// Cut before a '<', which no multi-byte charset uses as a trail
		// byte, so the sample does not end in half a character.
		if i := bytes.LastIndexByte(sample, '<'); i > 0 {
			sample = sample[:i]
		}
	}
	all, err := chardet.NewHtmlDetector().DetectAll(sample)
	if err != nil {
		return nil, "", 0
	}
	r := mostConfident(all)
	if r.Confidence < detectMin {
		return nil, "", r.Confidence
	}
	enc, err = htmlindex.Get(r.Charset)
	if err != nil || enc == encoding.Replacement {
		return nil, "", r.Confidence
	}
	name, err = htmlindex.Name(enc)
	if err != nil || wideCharset(name) {
		return nil, "", r.Confidence
	}
	return enc, name, r.Confidence
}

// mostConfident is the most confident of results, which are never empty.
// chardet runs its recognizers at once and keeps, of two equally confident
// answers, whichever came first (DetectBest), or sorts them unstably
// (DetectAll): the same bytes decoded as ISO-8859-1 on one fetch and as
// ISO-8859-2 on another. A tie goes to the charset the web uses most
// (tiePreference), then to the first name in order.
func mostConfident(results []chardet.Result) chardet.Result {
	rank := func(name string) int {
		if i := slices.Index(tiePreference, name); i >= 0 {
			return i
		}
		return len(tiePreference)
	}
	best := results[0]
	for _, r := range results[1:] {
		if r.Confidence != best.Confidence {
			if r.Confidence > best.Confidence {
				best = r
			}
			continue
		}
		if c := cmp.Or(cmp.Compare(rank(r.Charset), rank(best.Charset)), strings.Compare(r.Charset, best.Charset)); c < 0 {
			best = r
		}
	}
	return best
}

// tiePreference orders the charsets chardet names, most used first, for
// breaking a tie between equally confident answers.
var tiePreference = []string{"UTF-8", "ISO-8859-1", "windows-1252"}

// utf8Sequences counts the multi-byte UTF-8 sequences of b that are valid
// and the bytes that are not UTF-8. Against a multi-byte charset UTF-8
// needs more than ten valid sequences to each invalid byte, the margin of
// ICU's UTF-8 recognizer: legacy CJK text forms valid UTF-8 sequences by
// chance (about one for every six invalid bytes in Big5, GBK, Shift_JIS
// and EUC-KR news text). Latin text hardly ever forms one, so against a
// single-byte charset one valid sequence per invalid byte is enough.
func utf8Sequences(b []byte) (valid, invalid int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			valid++
		}
		b = b[n:]
	}
	return valid, invalid
}

// multiByte reports a charset whose byte sequences follow a grammar, so
// that a body decoding cleanly in it is evidence for it.
func multiByte(name string) bool {
	switch name {
	case "utf-8", "big5", "gbk", "gb18030", "shift_jis", "euc-jp", "euc-kr", "iso-2022-jp":
		return true
	}
	return false
}

// isJSON reports a body that starts as a JSON document does.
func isJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// transcode decodes body to UTF-8, replacing what is invalid in name with
// U+FFFD, and counts the replacements.
func transcode(body []byte, enc encoding.Encoding, name, from string) (decoded, error) {
	if name == "utf-8" && utf8.Valid(body) {
		return decoded{body: setDeclaredUTF8(body), charset: name, from: from}, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return decoded{}, fmt.Errorf("decode %s: %w", name, err)
	}
	replaced := bytes.Count(out, []byte("\uFFFD"))
	if name == "utf-8" {
		// A U+FFFD written in the feed is not one of ours.
		replaced -= bytes.Count(body, []byte("\uFFFD"))
	}
	return decoded{body: setDeclaredUTF8(out), charset: name, from: from, replaced: replaced}, nil
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
