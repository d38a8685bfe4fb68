package feeds

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	gorilla "github.com/gorilla/feeds"
)

// rssRoot is the <rss> element. gorilla's RssFeedXml declares only the
// content namespace; feedloom also needs atom (self and hub links) and dc
// (item language and creators).
type rssRoot struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	NSAtom    string   `xml:"xmlns:atom,attr"`
	NSContent string   `xml:"xmlns:content,attr"`
	NSDC      string   `xml:"xmlns:dc,attr"`
	// NSMedia is declared only in a feed that carries an image, so that
	// feeds without any keep their bytes.
	NSMedia string `xml:"xmlns:media,attr,omitempty"`
	// NSHistory is declared only in an archive document, for fh:archive.
	NSHistory string `xml:"xmlns:fh,attr,omitempty"`
	Channel   rssChannel
}

// rssChannel is the channel: the elements of gorilla's RssFeed that
// feedloom writes, in its order, its plain text written as text does, then
// the atom:link elements and the items.
type rssChannel struct {
	XMLName        xml.Name `xml:"channel"`
	Title          text     `xml:"title"`
	Link           string   `xml:"link"`
	Description    text     `xml:"description"`
	Language       string   `xml:"language,omitempty"`
	ManagingEditor text     `xml:"managingEditor,omitempty"`
	LastBuildDate  string   `xml:"lastBuildDate,omitempty"`
	Generator      text     `xml:"generator,omitempty"`
	AtomLinks      []rssAtomLink
	History        []rssHistory
	Items          []rssItem
}

// rssHistory is RFC 5005's fh:archive or fh:complete.
type rssHistory struct {
	XMLName xml.Name
}

// rssAtomLink is an atom:link inside RSS: the channel's self, hub and
// archive links, an item's translations.
type rssAtomLink struct {
	XMLName  xml.Name `xml:"atom:link"`
	Href     string   `xml:"href,attr"`
	Rel      string   `xml:"rel,attr"`
	Type     string   `xml:"type,attr,omitempty"`
	Hreflang string   `xml:"hreflang,attr,omitempty"`
}

// rssItem is one <item>. gorilla's RssItem does not fit: its link is
// always written (an empty <link></link> is not a URL), and it holds a
// single category and a single author. Its parts (content, guid,
// enclosure) are gorilla's.
type rssItem struct {
	XMLName     xml.Name `xml:"item"`
	Title       text     `xml:"title,omitempty"`
	Link        string   `xml:"link,omitempty"`
	Description string   `xml:"description,omitempty"`
	Content     *gorilla.RssContent
	Author      text   `xml:"author,omitempty"`
	Creators    []text `xml:"dc:creator"`
	Categories  []text `xml:"category"`
	Guid        *gorilla.RssGuid
	PubDate     string `xml:"pubDate,omitempty"`
	Language    string `xml:"dc:language,omitempty"`
	AtomLinks   []rssAtomLink
	Enclosure   *gorilla.RssEnclosure
	Thumbnail   *rssThumbnail
}

// rssThumbnail is the item's image, as Media RSS writes it.
type rssThumbnail struct {
	XMLName xml.Name `xml:"media:thumbnail"`
	URL     string   `xml:"url,attr"`
}

// htmlEscaper turns plain text into HTML text. RSS description is HTML, so
// a summary saying "a < b" must reach readers as "a &lt; b".
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// WriteRSS writes f as an RSS 2.0 document to w. The channel link is
// f.Link, else f.SelfURL, and its description f.Description, else f.Title
// (RSS requires both); lastBuildDate is
// f.Updated, the Unix epoch when zero. Items are written in the order
// given; an item's translations are atom:link rel="alternate" elements
// with hreflang. Every date is RFC 1123 with a numeric zone (RFC 822 with a
// four-digit year) in f.Zone, to the second.
func WriteRSS(w io.Writer, f *Feed) error {
	if err := writeXML(w, f.Stylesheet, f.rss()); err != nil {
		return fmt.Errorf("feeds: rss %q: %w", f.SelfURL, err)
	}
	return nil
}

func (f *Feed) rss() *rssRoot {
	ch := rssChannel{
		Title:          text(cleanText(f.Title)),
		Link:           cleanText(f.Link),
		Description:    text(cleanText(f.Description)),
		Language:       cleanText(f.Language),
		ManagingEditor: text(rssEmail(f.Authors)),
		LastBuildDate:  f.formatTime(f.updated(), time.RFC1123Z),
		Generator:      text(cleanText(f.Generator)),
	}
	if ch.Link == "" {
		ch.Link = cleanText(f.SelfURL)
	}
	if ch.Description == "" {
		ch.Description = ch.Title
	}
	root := &rssRoot{
		Version:   "2.0",
		NSAtom:    nsAtom,
		NSContent: nsContent,
		NSDC:      nsDC,
		Channel:   ch,
	}
	if href := cleanText(f.SelfURL); href != "" {
		root.Channel.AtomLinks = append(root.Channel.AtomLinks, rssAtomLink{Href: href, Rel: "self", Type: "application/rss+xml"})
	}
	if href := cleanText(f.Hub); href != "" {
		root.Channel.AtomLinks = append(root.Channel.AtomLinks, rssAtomLink{Href: href, Rel: "hub"})
	}
	for _, l := range f.archiveLinks() {
		root.Channel.AtomLinks = append(root.Channel.AtomLinks, rssAtomLink{Href: l[1], Rel: l[0], Type: "application/rss+xml"})
	}
	for _, name := range f.history() {
		root.NSHistory = nsHistory
		root.Channel.History = append(root.Channel.History, rssHistory{XMLName: xml.Name{Local: "fh:" + name}})
	}
	root.Channel.Items = make([]rssItem, 0, len(f.Items))
	for i := range f.Items {
		it := f.rssItem(&f.Items[i])
		if it.Thumbnail != nil {
			root.NSMedia = nsMedia
		}
		root.Channel.Items = append(root.Channel.Items, it)
	}
	return root
}

func (f *Feed) rssItem(it *Item) rssItem {
	id, link := cleanText(it.ID), cleanText(it.Link)
	out := rssItem{
		Title:       text(cleanText(it.Title)),
		Link:        link,
		Description: htmlEscaper.Replace(cleanText(it.Summary)),
		Author:      text(rssEmail(it.Authors)),
		Categories:  texts(cleanTexts(it.Categories)),
		PubDate:     f.formatTime(it.Published, time.RFC1123Z),
		Language:    cleanText(it.Language),
	}
	if out.Description == "" && cleanText(it.Content) != "" {
		// Readers and the W3C validator look for a description wherever
		// content:encoded is; content without text (an image alone) gets
		// its display title as one.
		out.Description = htmlEscaper.Replace(DisplayTitle(*it, f.Zone))
	}
	if strings.TrimSpace(string(out.Title)) == "" {
		// RSS 2.0: an item needs a title or a description. An untitled
		// item goes without a title when it has a description, else it
		// takes its display title.
		out.Title = ""
		if out.Description == "" {
			out.Title = text(DisplayTitle(*it, f.Zone))
		}
	}
	if c := cleanText(it.Content); c != "" {
		out.Content = &gorilla.RssContent{Content: c}
	}
	// RSS has no element for a story in another language; Atom's link,
	// whose namespace the feed declares for its self link, has.
	for _, tr := range translations(it) {
		out.AtomLinks = append(out.AtomLinks, rssAtomLink{Href: tr.URL, Rel: "alternate", Hreflang: tr.Language})
	}
	if img := cleanText(it.Image); img != "" {
		out.Thumbnail = &rssThumbnail{URL: img}
	}
	// RSS author must be an e-mail address: the first author who has one
	// goes there, every other author is a dc:creator by name.
	first := withEmail(it.Authors)
	for i, p := range it.Authors {
		if i == first {
			continue
		}
		if name := cmpText(p.Name, p.Email); name != "" {
			out.Creators = append(out.Creators, text(name))
		}
	}
	if id != "" {
		// isPermaLink defaults to true, so it is always written.
		perma := "false"
		if id == link {
			perma = "true"
		}
		out.Guid = &gorilla.RssGuid{Id: id, IsPermaLink: perma}
	}
	// RSS readers expect at most one enclosure per item (RSS Advisory
	// Board profile), so only the first is written; Atom and JSON carry all.
	if len(it.Enclosures) > 0 {
		e := it.Enclosures[0]
		out.Enclosure = &gorilla.RssEnclosure{
			Url:    cleanText(e.URL),
			Length: strconv.FormatInt(max(e.Length, 0), 10),
			Type:   cmpText(e.Type, "application/octet-stream"),
		}
	}
	return out
}

// rssEmail is the RSS form of the first person in ps with both an e-mail
// address and a name, "email (Name)"; "" when nobody has both. RSS asks
// for the address and readers and validators for the name beside it, so
// a person with an address alone is a dc:creator, named by it.
func rssEmail(ps []Person) string {
	i := withEmail(ps)
	if i < 0 {
		return ""
	}
	return cleanText(ps[i].Email) + " (" + cleanText(ps[i].Name) + ")"
}

// withEmail is the index of the first person in ps with an e-mail address
// and a name, or -1.
func withEmail(ps []Person) int {
	for i, p := range ps {
		if cleanText(p.Email) != "" && cleanText(p.Name) != "" {
			return i
		}
	}
	return -1
}
