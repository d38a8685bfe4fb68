package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"golang.org/x/net/html/charset"
)

// document is an OPML file as written (http://opml.org/spec2.opml; 1.0
// has the same outline tree): only what a subscription list needs.
type document struct {
	XMLName  xml.Name
	Version  string    `xml:"version,attr"`
	Outlines []outline `xml:"body>outline"`
}

// outline keeps every attribute: lists in the wild spell xmlUrl as
// xmlURL or xmlurl, so attributes are matched without regard to case.
type outline struct {
	Attrs    []xml.Attr `xml:",any,attr"`
	Outlines []outline  `xml:"outline"`
}

func (o outline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// listedFeed is one outline with an xmlUrl, and the folder around it.
type listedFeed struct {
	xmlURL, title, htmlURL string
	folder                 string // text of the innermost folder outline; "" at the top
}

// parse reads an OPML document. Lists are often written by hand or by
// tools careless with XML, so it reads as leniently as encoding/xml
// allows (HTML entities, a bare &), but the root must be <opml>.
func parse(body []byte) (*document, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var doc document
	err := d.Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%w: no XML element", ErrNotOPML)
	case err != nil:
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: line %d: %s", ErrNotOPML, se.Line, se.Msg)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotOPML, err)
	case !strings.EqualFold(doc.XMLName.Local, "opml"):
		return nil, fmt.Errorf("%w: the root element is <%s>", ErrNotOPML, doc.XMLName.Local)
	}
	return &doc, nil
}

// feeds lists the outlines that name a feed, in document order, each with
// the innermost folder around it: an outline without an xmlUrl that holds
// others. Outlines inside a feed's outline are read too, in its folder.
func (doc *document) feeds() []listedFeed {
	var out []listedFeed
	var walk func(os []outline, folder string)
	walk = func(os []outline, folder string) {
		for _, o := range os {
			if u := o.attr("xmlUrl"); u != "" {
				out = append(out, listedFeed{
					xmlURL:  u,
					title:   cmpOr(o.attr("title"), o.attr("text")),
					htmlURL: o.attr("htmlUrl"),
					folder:  folder,
				})
				walk(o.Outlines, folder)
				continue
			}
			walk(o.Outlines, cmpOr(o.attr("text"), o.attr("title")))
		}
	}
	walk(doc.Outlines, "")
	return out
}

// base resolves a list's xmlUrls. A list fetched over http(s) may name
// only http(s) feeds: an upstream must not have feedloom read local files.
// A list read from a local file is configuration like config.yaml, so it
// may also name file:// URLs and paths, relative ones against its folder.
type base struct {
	remote *url.URL // nil for a local list
	dir    string   // a local list's folder
}

func newBase(docURL string) base {
	if u, err := url.Parse(docURL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return base{remote: u}
	}
	return base{dir: filepath.Dir(docURL)}
}

// resolve makes ref absolute and reports whether the list may name it.
func (b base) resolve(ref string) (string, bool) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if b.remote != nil {
		u = b.remote.ResolveReference(u)
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return u.String(), true
	case b.remote != nil:
		return "", false
	case u.Scheme == "file" && (u.Host == "" || u.Host == "localhost") && filepath.IsAbs(u.Path):
		return ref, true
	case u.Scheme == "" && !strings.HasPrefix(ref, "//"):
		if filepath.IsAbs(ref) {
			return filepath.Clean(ref), true
		}
		return filepath.Join(b.dir, ref), true
	}
	return "", false
}

// also names what else a local list may name, for the warning about an
// outline skipped.
func (b base) also() string {
	if b.remote != nil {
		return ""
	}
	return ", a file:// URL or a path"
}
