package publish

import (
	"bytes"
	"encoding/xml"
	"fmt"
)

const opmlFile = "feeds.opml"

// opmlDoc is an OPML 2.0 subscription list (http://opml.org/spec2.opml).
// It carries no dateCreated/dateModified: the file must not change while
// the feeds don't.
type opmlDoc struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Head    opmlHead      `xml:"head"`
	Body    []opmlOutline `xml:"body>outline"`
}

type opmlHead struct {
	Title      string `xml:"title"`
	OwnerName  string `xml:"ownerName,omitempty"`
	OwnerEmail string `xml:"ownerEmail,omitempty"`
	Docs       string `xml:"docs"`
}

type opmlOutline struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr"`
	Type     string `xml:"type,attr"`
	Version  string `xml:"version,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	HTMLURL  string `xml:"htmlUrl,attr"`
	Language string `xml:"language,attr,omitempty"`
}

// renderOPML lists one subscription per feed set, merged first, each
// pointing at its RSS file: importing the three formats of one feed would
// subscribe a reader to the same items three times.
func (p *Publisher) renderOPML(sets []feedSet) ([]byte, error) {
	doc := opmlDoc{
		Version: "2.0",
		Head: opmlHead{
			Title:      p.opts.Title,
			OwnerName:  p.opts.Author.Name,
			OwnerEmail: p.opts.Author.Email,
			Docs:       "http://opml.org/spec2.opml",
		},
	}
	for _, s := range sets {
		title := s.title + " (" + s.label + ")"
		doc.Body = append(doc.Body, opmlOutline{
			Text:     title,
			Title:    title,
			Type:     "rss",
			Version:  "RSS2",
			XMLURL:   p.opts.BaseURL + s.dir + "rss.xml",
			HTMLURL:  p.opts.Link,
			Language: s.lang,
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("publish: render %s: %w", opmlFile, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
