package feeds

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	gorilla "github.com/gorilla/feeds"
)

// atomFeed is the feed: the elements of gorilla's AtomFeed that feedloom
// writes (xmlns, title, id, updated, subtitle), in its order, its plain
// text written as text does, with what it lacks: xml:lang, several links
// with hreflang, several authors and a generator. Entries is the last
// field: RFC 4287 section 4.1.1 puts every piece of feed metadata before
// the first entry.
type atomFeed struct {
	XMLName   xml.Name `xml:"feed"`
	Xmlns     string   `xml:"xmlns,attr"`
	Title     text     `xml:"title"`
	ID        string   `xml:"id"`
	Updated   string   `xml:"updated"`
	Subtitle  text     `xml:"subtitle,omitempty"`
	Lang      string   `xml:"xml:lang,attr,omitempty"`
	Links     []atomLink
	Authors   []atomAuthor
	Generator text `xml:"generator,omitempty"`
	// History is fh:archive or fh:complete, in archive documents only.
	History []atomHistory
	Entries []atomEntry
}

// atomHistory is RFC 5005's fh:archive or fh:complete, which declares its
// namespace.
type atomHistory struct {
	XMLName xml.Name
	NS      string `xml:"xmlns:fh,attr"`
}

// atomLink is a link of the feed or of an entry; gorilla's AtomLink has no
// hreflang or title.
type atomLink struct {
	XMLName  xml.Name `xml:"link"`
	Href     string   `xml:"href,attr"`
	Rel      string   `xml:"rel,attr"`
	Type     string   `xml:"type,attr,omitempty"`
	Hreflang string   `xml:"hreflang,attr,omitempty"`
	Title    string   `xml:"title,attr,omitempty"`
	Length   string   `xml:"length,attr,omitempty"`
}

// atomEntry is one <entry>. gorilla's AtomEntry does not fit: its title
// has no type, its category has no term (invalid Atom), its source is a
// string, it holds one author and its link has no hreflang.
type atomEntry struct {
	XMLName    xml.Name `xml:"entry"`
	Lang       string   `xml:"xml:lang,attr,omitempty"`
	Title      atomText `xml:"title"`
	ID         string   `xml:"id"`
	Links      []atomLink
	Published  string `xml:"published,omitempty"`
	Updated    string `xml:"updated"`
	Authors    []atomAuthor
	Categories []atomCategory
	Summary    *atomText `xml:"summary"`
	Content    *atomText `xml:"content"`
	Source     *atomSource
}

// atomText is a text construct (RFC 4287 section 3.1) with its type: plain
// text, written as text does, or HTML, escaped as encoding/xml escapes.
type atomText struct {
	Type string
	Text string
}

func (a atomText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "type"}, Value: a.Type})
	if a.Type == "text" {
		return text(a.Text).MarshalXML(e, start)
	}
	return e.EncodeElement(a.Text, start)
}

// atomAuthor is an author (RFC 4287 section 3.2), as gorilla's AtomAuthor
// writes one, its name written as text does.
type atomAuthor struct {
	XMLName xml.Name `xml:"author"`
	Name    text     `xml:"name,omitempty"`
	URI     string   `xml:"uri,omitempty"`
	Email   string   `xml:"email,omitempty"`
}

// atomCategory is a category; RFC 4287 section 4.2.2 requires term.
type atomCategory struct {
	XMLName xml.Name `xml:"category"`
	Term    string   `xml:"term,attr"`
}

// atomSource names the feed an aggregated entry came from (RFC 4287
// section 4.2.11).
type atomSource struct {
	XMLName xml.Name `xml:"source"`
	ID      string   `xml:"id,omitempty"`
	Title   text     `xml:"title,omitempty"`
	Links   []gorilla.AtomLink
	Updated string `xml:"updated,omitempty"`
}

// WriteAtom writes f as an Atom 1.0 document to w. The feed id is f.ID,
// else f.SelfURL, else f.Link. When f has no authors the feed's author is
// named after its title, so that every entry is covered (RFC 4287 section
// 4.1.1). An entry's updated is its Updated, else its Published, else the
// feed's date; an entry with neither content nor a link carries its
// summary as text content. An aggregated entry's <source> carries the
// upstream's id, title, link and updated, the newest updated among that
// upstream's items (see Feed.SourceUpdated). An item's translations are
// alternate links with hreflang, after its own. Dates are RFC 3339 in
// f.Zone, to the second.
func WriteAtom(w io.Writer, f *Feed) error {
	if err := writeXML(w, f.Stylesheet, f.atom()); err != nil {
		return fmt.Errorf("feeds: atom %q: %w", f.SelfURL, err)
	}
	return nil
}

func (f *Feed) atom() *atomFeed {
	out := &atomFeed{
		Xmlns:     nsAtom,
		Title:     text(cleanText(f.Title)),
		ID:        cmpText(f.ID, f.SelfURL, f.Link),
		Updated:   f.formatTime(f.updated(), time.RFC3339),
		Subtitle:  text(cleanText(f.Description)),
		Lang:      cleanText(f.Language),
		Generator: text(cleanText(f.Generator)),
	}
	if href := cleanText(f.SelfURL); href != "" {
		out.Links = append(out.Links, atomLink{Href: href, Rel: "self", Type: "application/atom+xml"})
	}
	if href := cleanText(f.Link); href != "" {
		out.Links = append(out.Links, atomLink{Href: href, Rel: "alternate", Type: "text/html"})
	}
	for _, a := range f.Alternates {
		href := cleanText(a.Href)
		if href == "" {
			continue
		}
		out.Links = append(out.Links, atomLink{
			Href:     href,
			Rel:      "alternate",
			Type:     cmpText(a.Type, "application/atom+xml"),
			Hreflang: cleanText(a.Language),
			Title:    cleanText(a.Title),
		})
	}
	if href := cleanText(f.Hub); href != "" {
		out.Links = append(out.Links, atomLink{Href: href, Rel: "hub"})
	}
	for _, l := range f.archiveLinks() {
		out.Links = append(out.Links, atomLink{Href: l[1], Rel: l[0], Type: "application/atom+xml"})
	}
	for _, name := range f.history() {
		out.History = append(out.History, atomHistory{XMLName: xml.Name{Local: "fh:" + name}, NS: nsHistory})
	}
	out.Authors = atomAuthors(f.Authors)
	if len(out.Authors) == 0 {
		out.Authors = []atomAuthor{{Name: text(cmpText(f.Title, f.Link, f.SelfURL))}}
	}
	out.Entries = make([]atomEntry, 0, len(f.Items))
	sources := f.sourceUpdates()
	for i := range f.Items {
		out.Entries = append(out.Entries, f.atomEntry(&f.Items[i], sources))
	}
	return out
}

// entryUpdated is the entry's updated: the item's Updated, else its
// Published, else the feed's date.
func (f *Feed) entryUpdated(it *Item) time.Time {
	switch {
	case !it.Updated.IsZero():
		return it.Updated
	case !it.Published.IsZero():
		return it.Published
	}
	return f.updated()
}

// sourceUpdates maps each origin id to its <source>'s updated: the newest
// among f.SourceUpdated for it and the entries of f from that origin. It is
// worked out once per feed, not once per entry.
func (f *Feed) sourceUpdates() map[string]time.Time {
	out := make(map[string]time.Time)
	for i := range f.Items {
		o := f.Items[i].Origin
		if o == nil || o.ID == "" {
			continue
		}
		t := f.entryUpdated(&f.Items[i])
		if s := f.SourceUpdated[o.ID]; s.After(t) {
			t = s
		}
		if t.After(out[o.ID]) {
			out[o.ID] = t
		}
	}
	return out
}

// atomEntry is it as an entry; sources are the feed's sourceUpdates.
func (f *Feed) atomEntry(it *Item, sources map[string]time.Time) atomEntry {
	updated := f.entryUpdated(it)
	e := atomEntry{
		Lang:      cleanText(it.Language),
		Title:     atomText{Type: "text", Text: DisplayTitle(*it, f.Zone)}, // RFC 4287 §4.1.2: required
		ID:        cleanText(it.ID),
		Published: f.formatTime(it.Published, time.RFC3339),
		Updated:   f.formatTime(updated, time.RFC3339),
		Authors:   atomAuthors(it.Authors),
	}
	link := cleanText(it.Link)
	if link != "" {
		e.Links = append(e.Links, atomLink{Href: link, Rel: "alternate"})
	}
	// RFC 4287 §4.1.1: no two alternates share a type and hreflang, which
	// translations' languages, distinct and never empty, keep.
	for _, tr := range translations(it) {
		e.Links = append(e.Links, atomLink{Href: tr.URL, Rel: "alternate", Hreflang: tr.Language})
	}
	for _, enc := range it.Enclosures {
		href := cleanText(enc.URL)
		if href == "" {
			continue
		}
		l := atomLink{Href: href, Rel: "enclosure", Type: cleanText(enc.Type)}
		if enc.Length > 0 {
			l.Length = strconv.FormatInt(enc.Length, 10)
		}
		e.Links = append(e.Links, l)
	}
	if img := cleanText(it.Image); img != "" && !slices.ContainsFunc(e.Links, func(l atomLink) bool { return l.Href == img }) {
		// An image of a known type is an enclosure, as Atom readers look
		// for pictures; one whose type cannot be told is only related.
		l := atomLink{Href: img, Rel: "related"}
		if typ := ImageType(img); typ != "" {
			l.Rel, l.Type = "enclosure", typ
		}
		e.Links = append(e.Links, l)
	}
	for _, c := range cleanTexts(it.Categories) {
		e.Categories = append(e.Categories, atomCategory{Term: c})
	}
	summary, content := cleanText(it.Summary), cleanText(it.Content)
	switch {
	case content != "":
		e.Content = &atomText{Text: content, Type: "html"}
		if summary != "" {
			e.Summary = &atomText{Text: summary, Type: "text"}
		}
	case link == "":
		// RFC 4287 section 4.1.1: an entry without an alternate link
		// must have content.
		e.Content = &atomText{Text: summary, Type: "text"}
	case summary != "":
		e.Summary = &atomText{Text: summary, Type: "text"}
	}
	if o := it.Origin; o != nil {
		s := &atomSource{ID: cleanText(o.ID), Title: text(cleanText(o.Title))}
		if href := cleanText(o.Link); href != "" {
			s.Links = []gorilla.AtomLink{{Href: href, Rel: "alternate"}}
		}
		// An origin without an id stands for its own entry alone.
		s.Updated = f.formatTime(cmp.Or(sources[o.ID], f.entryUpdated(it)), time.RFC3339)
		e.Source = s
	}
	return e
}

// atomAuthors converts people to Atom authors. A person without a name is
// named by e-mail address or URL, since atom:name is required.
func atomAuthors(ps []Person) []atomAuthor {
	var out []atomAuthor
	for _, p := range ps {
		name := cmpText(p.Name, p.Email, p.URL)
		if name == "" {
			continue
		}
		out = append(out, atomAuthor{Name: text(name), URI: cleanText(p.URL), Email: cleanText(p.Email)})
	}
	return out
}
