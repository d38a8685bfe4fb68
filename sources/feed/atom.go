package feed

import (
	"bytes"
	"encoding/xml"
	"html"
	"net/url"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html/charset"
)

const (
	xmlNamespace     = "http://www.w3.org/XML/1998/namespace"
	contentNamespace = "http://purl.org/rss/1.0/modules/content/"
	atom10Namespace  = "http://www.w3.org/2005/Atom"
	atom03Namespace  = "http://purl.org/atom/ns#"

	rdfNamespace      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	rss10Namespace    = "http://purl.org/rss/1.0/"
	rss09Namespace    = "http://channel.netscape.com/rdf/simple/0.9/"
	rss09AltNamespace = "http://my.netscape.com/rdf/simple/0.9/"
)

// atomEntry is what gofeed's model drops from an Atom entry: the types of
// its text constructs (RFC 4287 §3.1), its languages and the xml:base in
// scope (inherited from the feed element).
type atomEntry struct {
	FeedLang string // xml:lang in scope at the feed element, inherited by the entry
	// FeedTitleType is the type of the feed's own title, the same in
	// every entry.
	FeedTitleType string
	Base          string // absolute when the document's URL is; "" when no xml:base is in scope
	TitleType     string
	SummaryType   string
	ContentType   string

	// SummaryBase and ContentBase are the xml:base of the summary and
	// content elements, when they declare one; "" when the entry's serves.
	SummaryBase, ContentBase string

	entryLang, titleLang, summaryLang, contentLang string
}

// itemLang is the entry's item-level xml:lang: the innermost element of the
// text it is read from wins (content, else summary, else title), else the
// entry element's.
func (e atomEntry) itemLang() string {
	return firstNonBlank(e.contentLang, e.summaryLang, e.titleLang, e.entryLang)
}

// readAtomEntries reads the entries of an Atom document in order, for their
// attributes only. It tolerates what gofeed tolerates (HTML entities,
// unclosed tags) and finds the elements gofeed finds: it reads with
// gofeed's decoder settings, so no element closes itself (Atom's <link> may
// hold content), and names elements as gofeed does (atomName). On a
// document it cannot read it returns what it read, and the caller falls
// back to defaults for the rest.
func readAtomEntries(body []byte, docURL string) []atomEntry {
	d := xml.NewDecoder(bytes.NewReader(withoutControlBytes(body)))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel

	type scope struct {
		xmlScope
		entry bool
	}
	stack := []scope{{xmlScope: xmlScope{base: docURL}}}
	var entries []atomEntry
	feedTitleType := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return entries
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var sc scope
			var own, ownBase string
			sc.xmlScope, own, ownBase = stack[len(stack)-1].enter(t)
			depth := len(stack) // 1: the feed element, 2: an entry, 3: its children
			if depth == 3 && len(entries) > 0 && stack[2].entry {
				e := &entries[len(entries)-1]
				switch atomName(t.Name) {
				case "title":
					e.TitleType = decodedAttr(t, "type")
					e.titleLang = own
				case "summary":
					e.SummaryType = decodedAttr(t, "type")
					e.summaryLang = own
					e.SummaryBase = ownBase
				case "content":
					e.ContentType = decodedAttr(t, "type")
					e.contentLang = own
					e.ContentBase = ownBase
				}
				if err := d.Skip(); err != nil {
					return entries
				}
				continue
			}
			if depth == 2 && atomName(t.Name) == "title" {
				// The feed's title may come after some entries.
				feedTitleType = decodedAttr(t, "type")
				for i := range entries {
					entries[i].FeedTitleType = feedTitleType
				}
			}
			if depth == 2 && atomName(t.Name) == "entry" {
				e := atomEntry{FeedLang: stack[1].lang, FeedTitleType: feedTitleType, entryLang: own}
				if sc.hasBase {
					e.Base = sc.base
				}
				entries = append(entries, e)
				sc.entry = true
			}
			stack = append(stack, sc)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 1 {
				// gofeed reads no further than the root's end.
				return entries
			}
		}
	}
}

// atomName is the name gofeed's Atom parser gives an element: its local
// name in lower case when it is in no namespace or in Atom 1.0's or 0.3's,
// "" when it is another vocabulary's (an extension, such as Media RSS's
// <media:content type="image/jpeg">, which is not the entry's content).
func atomName(n xml.Name) string {
	switch strings.TrimSpace(n.Space) {
	case "", atom10Namespace, atom03Namespace:
		return strings.ToLower(n.Local)
	}
	return ""
}

// rssItem is what gofeed's model drops from an RSS item: its xml:lang and
// xml:base (RSS 2.0 and RSS 1.0 allow both on any element) and the
// channel's xml:lang.
type rssItem struct {
	Lang     string // on description, else title, else the item
	FeedLang string // xml:lang in scope at the item's parent (rss, rdf:RDF or channel)
	// Base is the xml:base in scope at the item (its own, else the
	// channel's), made absolute against the document's URL; "" when none
	// is. DescBase and ContentBase are those the description and
	// content:encoded elements declare themselves.
	Base, DescBase, ContentBase string
}

// readRSSItems reads the items of an RSS document in gofeed's order, for
// their xml:lang and xml:base only, as readAtomEntries reads Atom entries.
// HTML's void elements are not closed for it: RSS's <link> has content.
// It finds the items gofeed finds: children of the root (RSS 1.0) or of a
// channel of the root, named item in any case and in an RSS vocabulary
// (rssName); the last channel's come first and the root's after them, an
// item inside anything else (an extension element) is none, and nothing
// after the root's end counts. A content:encoded is one by gofeed's rule,
// its prefix: the prefix's bindings are taken from the whole document, not
// only those in scope.
func readRSSItems(body []byte, docURL string) []rssItem {
	// Few RSS feeds declare xml:lang or xml:base at all: those that don't
	// are not read a second time.
	if !bytes.Contains(body, []byte("xml:lang")) && !bytes.Contains(body, []byte("xml:base")) {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(withoutControlBytes(body)))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel

	var (
		stack = []xmlScope{{base: docURL}} // one per open element
		root  string                       // the root's namespace when gofeed reads it as RSS's, else ""
		// contentURIs are the namespaces gofeed names content: the
		// module's, an undeclared prefix content, and any the document
		// binds to that prefix.
		contentURIs = map[string]bool{contentNamespace: true, "content": true}
		inChannel   bool       // the element at level 2 is a channel
		channel     []rssItem  // the items of the last channel
		rootItems   []rssItem  // the root's own items (RSS 1.0)
		open        *[]rssItem // the list holding the open item
		itemDepth   int        // the level of the open item's children; 0 when none is open
		item        struct{ own, title, desc string }
	)
	for {
		tok, err := d.Token()
		if err != nil {
			return append(channel, rootItems...)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := stack[len(stack)-1]
			sc, own, ownBase := parent.enter(t)
			level := len(stack) // t's: 1 the root, 2 a child of it, …
			if level == 1 {
				if space := strings.TrimSpace(t.Name.Space); !rssNative(space) && gofeedTakesRoot(space) {
					root = space
				}
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" && a.Name.Local == "content" {
					contentURIs[strings.TrimSpace(a.Value)] = true
				}
			}
			name := rssName(t.Name, root)
			switch {
			case level == 2 && name == "channel":
				// gofeed keeps the last channel's items.
				inChannel, channel = true, nil
			case itemDepth == 0 && name == "item" && (level == 2 || level == 3 && inChannel):
				open = &rootItems
				if level == 3 {
					open = &channel
				}
				it := rssItem{FeedLang: parent.lang}
				if sc.hasBase {
					it.Base = sc.base
				}
				*open = append(*open, it)
				item.own, item.title, item.desc = own, "", ""
				itemDepth = level + 1
			case itemDepth != 0 && level == itemDepth:
				it := &(*open)[len(*open)-1]
				switch {
				case strings.ToLower(t.Name.Local) == "encoded" && contentURIs[strings.TrimSpace(t.Name.Space)]:
					it.ContentBase = ownBase
				case name == "title":
					item.title = own
				case name == "description":
					item.desc = own
					it.DescBase = ownBase
				}
			}
			stack = append(stack, sc)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			if itemDepth != 0 && len(stack) < itemDepth {
				(*open)[len(*open)-1].Lang = firstNonBlank(item.desc, item.title, item.own)
				itemDepth = 0
			}
			switch len(stack) {
			case 2:
				inChannel = false
			case 1:
				// gofeed reads no further than the root's end.
				return append(channel, rootItems...)
			}
		}
	}
}

// rssName is the name gofeed's RSS parser gives an element of a document
// whose root's namespace it reads as RSS's (root, "" for none): its local
// name in lower case when it is in an RSS vocabulary (rssNative) or in
// root, "" when it is another's (an extension, such as <itunes:title>).
func rssName(n xml.Name, root string) string {
	if space := strings.TrimSpace(n.Space); !rssNative(space) && (root == "" || space != root) {
		return ""
	}
	return strings.ToLower(n.Local)
}

// gofeedTakesRoot reports whether gofeed reads the elements of an RSS
// document whose root element is in namespace space as RSS's own: it does
// for a stray default namespace on <rss>, but not for one its list of
// known extensions holds (Atom's, Media RSS's, …). gofeed is asked, with a
// document of one item, rather than its list copied.
func gofeedTakesRoot(space string) bool {
	doc := `<rss version="2.0" xmlns="` + html.EscapeString(space) + `"><channel><item><title>x</title></item></channel></rss>`
	f, err := (&rss.Parser{}).Parse(strings.NewReader(doc))
	return err == nil && len(f.Items) == 1
}

// rssNative reports whether gofeed reads elements of namespace space as
// RSS's own: no namespace, RDF's, RSS 1.0's or 0.9's, or the undeclared
// prefixes rss and rdf.
func rssNative(space string) bool {
	switch space {
	case "", "rss", "rdf", rdfNamespace, rss10Namespace, rss09Namespace, rss09AltNamespace:
		return true
	}
	return false
}

// xmlScope is the xml:lang and xml:base in scope at an element.
type xmlScope struct {
	lang    string
	base    string // absolute when the document's URL is
	hasBase bool   // an xml:base is in scope, not only the document's URL
}

// enter is the scope inside t, with the xml:lang and the xml:base (made
// absolute) that t declares itself, "" for those it does not.
func (sc xmlScope) enter(t xml.StartElement) (in xmlScope, ownLang, ownBase string) {
	in = sc
	for _, a := range t.Attr {
		if a.Name.Space != xmlNamespace && a.Name.Space != "xml" {
			continue
		}
		switch a.Name.Local {
		case "lang":
			in.lang = strings.TrimSpace(a.Value)
			ownLang = in.lang
		case "base":
			in.base, in.hasBase = resolve(in.base, strings.TrimSpace(a.Value)), true
			ownBase = in.base
		}
	}
	return in, ownLang, ownBase
}

// withoutControlBytes drops the C0 controls XML forbids, as gofeed does
// before parsing, so both readings see the same entries. Working on bytes is
// safe for every encoding that reaches here: UTF-16 was transcoded already,
// and the trail bytes of Big5, GBK and Shift_JIS are never below 0x40.
func withoutControlBytes(b []byte) []byte {
	if !slices.ContainsFunc(b, isControl) {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if !isControl(c) {
			out = append(out, c)
		}
	}
	return out
}

func isControl(c byte) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }

// decodedAttr is the attribute name of t as encoding/xml decodes it into a
// field tagged `xml:"name,attr"`, as gofeed reads a text construct's type:
// of any namespace, the last one.
func decodedAttr(t xml.StartElement, name string) string {
	v := ""
	for _, a := range t.Attr {
		if a.Name.Local == name {
			v = a.Value
		}
	}
	return strings.TrimSpace(v)
}

// atomHTML reports whether an Atom text construct type holds markup: "html"
// and "xhtml" in Atom 1.0, MIME types such as text/html and
// application/xhtml+xml in Atom 0.3. Anything else ("text", none,
// text/plain) is plain text.
func atomHTML(typ string) bool {
	return strings.Contains(strings.ToLower(typ), "html")
}

// resolve makes ref absolute against base when it can, and returns ref as it
// is otherwise.
func resolve(base, ref string) string {
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil || base == "" {
		return ref
	}
	return b.ResolveReference(r).String()
}
