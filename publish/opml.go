package publish

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/feedloom/feedloom/feeds"
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

// opmlOutline is a feed, or a folder of outlines (text and children
// only): the attributes a folder has not are left out.
type opmlOutline struct {
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr,omitempty"`
	Type     string        `xml:"type,attr,omitempty"`
	Version  string        `xml:"version,attr,omitempty"`
	XMLURL   string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string        `xml:"htmlUrl,attr,omitempty"`
	Language string        `xml:"language,attr,omitempty"`
	Outlines []opmlOutline `xml:"outline"`
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
	b, err := doc.render()
	if err != nil {
		return nil, fmt.Errorf("publish: render %s: %w", opmlFile, err)
	}
	return b, nil
}

func (doc opmlDoc) render() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Outline is one entry of a subscription list: a feed, when XMLURL is
// set, else a folder of Outlines.
type Outline struct {
	Text     string // the feed's title, or the folder's name
	XMLURL   string
	HTMLURL  string // the feed's site; may be empty
	Outlines []Outline
}

// SubscriptionList renders outlines as an OPML 2.0 subscription list
// (feedloom opml export), in the form of feeds.opml: no dates, so the
// same subscriptions give the same bytes.
func SubscriptionList(title string, owner feeds.Person, outlines []Outline) ([]byte, error) {
	doc := opmlDoc{
		Version: "2.0",
		Head:    opmlHead{Title: title, OwnerName: owner.Name, OwnerEmail: owner.Email, Docs: "http://opml.org/spec2.opml"},
		Body:    opmlOutlines(outlines),
	}
	b, err := doc.render()
	if err != nil {
		return nil, fmt.Errorf("publish: subscription list: %w", err)
	}
	return b, nil
}

func opmlOutlines(os []Outline) []opmlOutline {
	out := make([]opmlOutline, len(os))
	for i, o := range os {
		out[i] = opmlOutline{Text: o.Text, Outlines: opmlOutlines(o.Outlines)}
		if o.XMLURL != "" {
			out[i].Title, out[i].Type, out[i].XMLURL, out[i].HTMLURL = o.Text, "rss", o.XMLURL, o.HTMLURL
		}
	}
	return out
}
