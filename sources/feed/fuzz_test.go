package feed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// fuzzSeeds adds the feed fixtures of testdata, each with the content type
// an upstream would send it with, and a few bodies shaped like the edge
// cases the tests cover.
func fuzzSeeds(f *testing.F) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		switch filepath.Base(name) {
		case "bench20.xml", "billion_laughs.xml":
			continue // big or slow to parse: no help in a seed
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		ct := "application/rss+xml"
		switch {
		case strings.HasSuffix(name, ".json"):
			ct = "application/feed+json"
		case strings.Contains(name, "atom"):
			ct = "application/atom+xml"
		case strings.Contains(name, "_http"):
			ct = "application/xml; charset=" + strings.TrimSuffix(filepath.Base(name), "_http.xml")
		case strings.HasSuffix(name, ".html"):
			ct = "text/html"
		}
		f.Add(b, ct)
	}
	for _, s := range []struct{ body, ct string }{
		{`<rss version="2.0"><channel><item></item><item><title/></item></channel></rss>`, ""},
		{`<?xml version="1.0" encoding="utf-16"?><rss/>`, ""},
		{"<\x00?\x00x\x00m\x00l\x00", ""},
		{`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"}]}`, "application/json"},
		{"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"xhtml\"><div/></content></entry></feed>", "text/xml; charset=big5"},
		{"\xef\xbb\xbf", ""},
		{"<rss><channel><item><title>caf\xe9</title></item></channel></rss>", "text/xml; charset=utf-8"},
	} {
		f.Add([]byte(s.body), s.ct)
	}
}

// FuzzParse reads arbitrary bytes as Fetch reads a body: charset, format
// check, gofeed and the translation to stories. It may refuse a body only
// with one of the package's errors, and every story it gives comes from the
// feed's URL. An item with no title, content, summary or link is passed on
// as a story like any other: normalize skips it (normalize.ErrEmpty).
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	s := New("up", "https://news.example.edu/feed.xml", Options{MaxItems: 50})
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := s.parse("https://news.example.edu/feed.xml", body, contentType, nil)
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrNotAFeed) && !errors.Is(err, ErrParse) {
				t.Fatalf("parse: error %v (%T) wraps none of ErrEmpty, ErrNotAFeed, ErrParse", err, err)
			}
			return
		}
		for i, st := range p.stories(time.UTC) {
			if st.File == "" {
				t.Fatalf("story %d has no File", i)
			}
			if st.Position != i {
				t.Fatalf("story %d has Position %d", i, st.Position)
			}
		}
	})
}

// FuzzDecodeBody checks that any bytes decode: the body handed on is UTF-8,
// or, when a declaration names another charset and the body is valid in it,
// the untouched body, for gofeed to decode by its declaration.
func FuzzDecodeBody(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		d, err := decodeBody(body, contentType)
		if err != nil {
			t.Fatalf("decodeBody: %v", err)
		}
		if d.charset == "" || d.from == "" {
			t.Fatalf("decodeBody: charset %q from %q", d.charset, d.from)
		}
		if utf8.Valid(d.body) {
			return
		}
		if d.from != "declaration" || d.charset == "utf-8" || !bytes.Equal(d.body, body) {
			t.Fatalf("decodeBody gave invalid UTF-8 as %s from %s: %q", d.charset, d.from, d.body)
		}
		enc, _ := charset.Lookup(d.charset)
		if enc == nil {
			t.Fatalf("decodeBody kept a body declared in %q, which no decoder reads", d.charset)
		}
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil || !utf8.Valid(out) || bytes.Count(out, []byte("\uFFFD")) > bytes.Count(body, []byte("\uFFFD")) {
			t.Fatalf("decodeBody kept a body invalid in its declared %s (%v)", d.charset, err)
		}
	})
}

// FuzzParseKnown: whatever the body, a parse that leaves out known
// entries gives the whole parse's stories less those, each at its place in
// the document, or fails as the whole parse does.
func FuzzParseKnown(f *testing.F) {
	fuzzSeeds(f)
	s := New("up", splitURL, Options{MaxItems: 50})
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		checkKnownWith(t, s, body, contentType, true)
	})
}
