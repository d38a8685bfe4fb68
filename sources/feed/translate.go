package feed

import (
	"cmp"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

var blankLines = regexp.MustCompile(`\n[ \t\r]*\n`)

// parsed is one upstream document as gofeed read it, plus the Atom
// attributes gofeed's universal model drops.
type parsed struct {
	url  string // publicURL of the feed URL: Story.File, the last resort for bases and Origin.ID
	feed *gofeed.Feed
	atom []atomEntry // Atom only, in entry order
	rss  []rssItem   // RSS only, in item order

	// pos is each item's index in the document as sent, when entries
	// known already were cut out of it (nil: every item is there); hashes
	// are the items' hashes (see layout.hashes), nil when not taken; known
	// are the hashes of the entries cut out.
	pos           []int
	hashes, known []string

	// leftOut are the JSON Feed fields left out for their type (see
	// leaveOutMistyped), as "field" or "items.field".
	leftOut []string
}

// result is p's stories, hashes and known entries, with st.
func (p parsed) result(st sources.State, zone *time.Location) sources.Result {
	return sources.Result{Stories: p.stories(zone), State: st, Hashes: p.hashes, Known: p.known}
}

// publicURL is the form of a feed's URL that stories may show: for an
// http(s) URL its scheme, host and path, without the userinfo and the query
// a configured URL carries credentials in (normalize publishes links
// resolved against it, and stores and logs Story.File), and without its
// fragment. A base with no query also keeps a same-document reference
// ("#top") from copying one into a link, as RFC 3986 §5.2.2 would. Local
// paths and file:// URLs are returned as they are; a string that does not
// parse as a URL is redacted (sources.RedactURL).
func publicURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return sources.RedactURL(raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return raw
	}
	pub := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return pub.String()
}

// keepFirst keeps the first n items, in document order, and returns how
// many it dropped. Feeds list their newest items first, so what goes is the
// oldest; the cap bounds what one response costs downstream however many
// items fit under the body limit.
func (p *parsed) keepFirst(n int) (dropped int) {
	items := p.feed.Items
	if len(items) <= n {
		return 0
	}
	if len(p.atom) != len(items) {
		// Misaligned already: keep it so, or a cut could line it up by chance.
		p.atom = nil
	} else {
		p.atom = p.atom[:n]
	}
	if len(p.rss) != len(items) {
		p.rss = nil
	} else {
		p.rss = p.rss[:n]
	}
	p.feed.Items = items[:n]
	return len(items) - n
}

// stories maps the feed's items to sources.Story in feed order. Duplicate
// guids are kept: normalize drops the second.
func (p parsed) stories(zone *time.Location) []sources.Story {
	out := make([]sources.Story, 0, len(p.feed.Items))
	// Every story of the document shares its feed's Origin.
	origin, originHTML := p.origin(), p.originHTML()
	for i, it := range p.feed.Items {
		st := p.story(i, it, zone)
		st.Origin, st.OriginHTML = origin, originHTML
		out = append(out, st)
	}
	return out
}

// story is item i of the document, without its Origin (see stories).
func (p parsed) story(i int, it *gofeed.Item, zone *time.Location) sources.Story {
	f := p.feed
	st := sources.Story{
		File:       p.url,
		Position:   p.position(i),
		ID:         strings.TrimSpace(it.GUID),
		Title:      it.Title,
		Summary:    it.Description,
		Categories: it.Categories,
		Published:  upstreamDate(it.Published, it.PublishedParsed, zone),
		DateOnly:   dateOnly(it.Published, it.PublishedParsed),
		Updated:    upstreamDate(it.Updated, it.UpdatedParsed, zone),
	}
	st.Base = p.channelBase()
	link := strings.TrimSpace(it.Link)
	switch orig := f.OriginalFeed().(type) {
	case *rss.Feed:
		// RSS titles and descriptions are HTML by convention (RSS Best
		// Practices Profile), and content:encoded always is.
		st.TitleHTML, st.SummaryHTML = true, true
		st.Content = it.Content
		// <language> (or the channel's dc:language) is the feed's
		// declaration, else the channel's xml:lang; an item declares its
		// own with dc:language or xml:lang.
		var r rssItem
		if len(p.rss) == len(f.Items) {
			r = p.rss[i]
		}
		st.FeedLanguage = firstNonBlank(f.Language, r.FeedLang)
		st.Language = r.Lang
		// xml:base, where the feed writes one, is the base before the
		// channel link (XML Base §4.2); gofeed resolves nothing in RSS.
		st.Base = firstNonBlank(r.Base, st.Base)
		st.ContentBase = r.DescBase
		if it.Content != "" {
			st.ContentBase = r.ContentBase
		}
		if dc := it.DublinCoreExt; dc != nil && len(dc.Language) > 0 && dc.Language[0] != "" {
			st.Language = dc.Language[0]
		}
		st.Authors = gofeedPeople(it.Authors)
		if link == "" {
			link = atomLink(it)
		}
		if link == "" && i < len(orig.Items) {
			link = permalinkGUID(orig.Items[i])
		}
		if strings.TrimSpace(st.Title) == "" {
			// A podcast episode may be named only by itunes:title, which is
			// plain text.
			if t := itunesText(it, "title"); t != "" {
				st.Title, st.TitleHTML = t, false
			}
		}
		if strings.TrimSpace(st.Content) == "" && strings.TrimSpace(st.Summary) == "" {
			st.Text = paragraphs(cmp.Or(itunesText(it, "summary"), itunesText(it, "subtitle")))
		}
	case *atom.Feed:
		// RFC 4287 §3.1: a text construct is plain text unless typed html
		// or xhtml. With no xml:base the base is the document's own URL
		// (RFC 3986 §5.1.3), not its alternate link.
		a, ok := p.atomEntry(i)
		st.TitleHTML = atomHTML(a.TitleType)
		st.SummaryHTML = atomHTML(a.SummaryType)
		if !ok || atomHTML(a.ContentType) {
			st.Content = it.Content
		} else if textType(a.ContentType) {
			st.Text = paragraphs(it.Content)
		}
		st.Base = firstNonBlank(a.Base, p.url)
		st.ContentBase = a.SummaryBase
		if st.Content != "" || len(st.Text) > 0 {
			st.ContentBase = a.ContentBase
		}
		st.Language = a.itemLang()
		st.FeedLanguage = firstNonBlank(a.FeedLang, f.Language)
		var entry *atom.Entry
		if i < len(orig.Entries) {
			entry = orig.Entries[i]
		}
		st.Authors = atomPeople(entry, orig)
		st.Translations = atomTranslations(entry, link, st.Base)
	case *jsonfeed.Feed:
		// JSON Feed: title and summary are plain text; content_html is
		// HTML and content_text is not.
		var item *jsonfeed.Item
		if i < len(orig.Items) {
			item = orig.Items[i]
		}
		st.FeedLanguage = f.Language
		if item != nil {
			st.Content = item.ContentHTML
			if item.ContentHTML == "" {
				st.Text = paragraphs(item.ContentText)
			}
			st.Language = item.Language
		}
		st.Authors = jsonPeople(item, orig)
		if link == "" && item != nil {
			// A link blog's item may name only the page it is about.
			link = strings.TrimSpace(item.ExternalURL)
		}
	}
	if strings.TrimSpace(st.Content) == "" && strings.TrimSpace(st.Summary) == "" && len(st.Text) == 0 {
		// YouTube's entries, and Media RSS feeds, carry their text there.
		if d, isHTML := mediaDescription(it); isHTML {
			st.Content = d
		} else {
			st.Text = paragraphs(d)
		}
	}
	st.Link = resolve(st.Base, link)
	var js *jsonfeed.Item
	if jf, ok := f.OriginalFeed().(*jsonfeed.Feed); ok && i < len(jf.Items) {
		js = jf.Items[i]
	}
	// gofeed's own pick would take the first <img> of the raw content,
	// tracking pixels included; normalize takes it from the sanitized
	// content instead when the feed declares none.
	st.Image = resolve(st.Base, itemImage(it, js))
	for _, e := range it.Enclosures {
		if e == nil || e.URL == "" {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64)
		st.Enclosures = append(st.Enclosures, feeds.Enclosure{URL: resolve(st.Base, e.URL), Type: e.Type, Length: max(n, 0)})
	}
	return st
}

// position is item i's index in the document as sent.
func (p parsed) position(i int) int {
	if p.pos != nil {
		return p.pos[i]
	}
	return i
}

// channelBase is the base for relative links of RSS and JSON items, which
// gofeed leaves unresolved: the channel (home page) link when it is a web
// link, else the feed URL.
func (p parsed) channelBase() string {
	if l := webLink(p.url, p.feed.Link); l != "" {
		return l
	}
	return p.url
}

// origin names the upstream feed: its title, its Atom id (else its link,
// else its URL) and its link, which is a web link or nothing.
func (p parsed) origin() *feeds.Origin {
	f := p.feed
	link := webLink(p.url, f.Link)
	id := ""
	if af, ok := f.OriginalFeed().(*atom.Feed); ok {
		id = originID(af.ID)
	}
	return &feeds.Origin{Title: f.Title, ID: cmp.Or(id, canonicalWebID(link), p.url), Link: link}
}

// originHTML reports whether the feed's title is HTML: an RSS channel's
// title is by convention, as its items' are; an Atom feed's when typed so.
func (p parsed) originHTML() bool {
	switch p.feed.OriginalFeed().(type) {
	case *rss.Feed:
		return true
	case *atom.Feed:
		return len(p.atom) > 0 && atomHTML(p.atom[0].FeedTitleType)
	}
	return false
}

// originID is an Atom feed's id when it can stand as its entries'
// <source><id>: an absolute URI of a scheme readers and validators know
// (http and https in canonical form, tag, urn); "" for anything else (a
// relative reference such as "/.rss", YouTube's "yt:channel:…").
func originID(id string) string {
	id = strings.TrimSpace(id)
	u, err := url.Parse(id)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return canonicalWebID(id)
	case "tag", "urn":
		if u.Opaque != "" {
			return id
		}
	}
	return ""
}

// canonicalWebID is an http(s) URL with a host in the form an id compares
// in (RFC 3986 §6.2.3, which Atom ids are held to): scheme and host in lower
// case and "/" for an empty path; "" for anything else.
func canonicalWebID(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return ""
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if u.Path == "" && u.RawPath == "" && u.Opaque == "" {
		u.Path = "/"
	}
	return u.String()
}

// webLink is ref made absolute against base when it is an http(s) URL with
// a host, and "" otherwise. normalize holds item links to the same rule;
// the feed's own links are held to it here because Origin reaches the
// output as it is (Atom <source><link href>), where javascript:, data: or
// vbscript: would run in a reader's page. The scheme is compared after
// parsing, which lower-cases it, and a link with a control character in it
// (java\tscript:, which browsers read as javascript:) does not parse.
func webLink(base, ref string) string {
	abs := resolve(base, strings.TrimSpace(ref))
	u, err := url.Parse(abs)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return abs
}

// atomEntry is entry i's attributes; ok is false when the side reading of
// the document fell short, and the caller then takes content as HTML and
// titles and summaries as text, the Atom defaults for what gofeed returns.
func (p parsed) atomEntry(i int) (atomEntry, bool) {
	if len(p.atom) != len(p.feed.Items) {
		return atomEntry{}, false
	}
	return p.atom[i], true
}

// ttl is an RSS channel's <ttl>, in minutes; zero when absent or invalid.
func (p parsed) ttl() time.Duration {
	rf, ok := p.feed.OriginalFeed().(*rss.Feed)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(rf.TTL))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, int(maxFloor/time.Minute))) * time.Minute
}

// textType reports an Atom type that is readable text: none, "text" or a
// text/* MIME type other than HTML. Binary (base64) content is dropped.
func textType(typ string) bool {
	t := strings.ToLower(typ)
	return t == "" || t == "text" || strings.HasPrefix(t, "text/")
}

// paragraphs splits plain text at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range blankLines.Split(strings.ReplaceAll(s, "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func gofeedPeople(ps []*gofeed.Person) []feeds.Person {
	var out []feeds.Person
	for _, p := range ps {
		if p != nil && (p.Name != "" || p.Email != "") {
			out = append(out, feeds.Person{Name: p.Name, Email: p.Email})
		}
	}
	return out
}

// atomTranslations are the entry's alternate links that name a language
// (hreflang), but the one taken as its own link: the story in other
// languages (RFC 4287 §4.2.7.4), their URLs resolved against base. gofeed
// has resolved xml:base already; normalize checks the tags and URLs.
func atomTranslations(e *atom.Entry, own, base string) []feeds.Translation {
	if e == nil {
		return nil
	}
	var out []feeds.Translation
	for _, l := range e.Links {
		if l == nil || l.Rel != "alternate" || strings.TrimSpace(l.Hreflang) == "" {
			continue
		}
		href := strings.TrimSpace(l.Href)
		if href == "" || href == own {
			continue
		}
		out = append(out, feeds.Translation{Language: strings.TrimSpace(l.Hreflang), URL: resolve(base, href)})
	}
	return out
}

// atomPeople are the entry's authors, else the feed's (RFC 4287 §4.2.1).
func atomPeople(e *atom.Entry, f *atom.Feed) []feeds.Person {
	ps := f.Authors
	if e != nil && len(e.Authors) > 0 {
		ps = e.Authors
	}
	var out []feeds.Person
	for _, p := range ps {
		if p != nil && (p.Name != "" || p.Email != "" || p.URI != "") {
			out = append(out, feeds.Person{Name: p.Name, Email: p.Email, URL: p.URI})
		}
	}
	return out
}

// jsonPeople are the item's authors (1.1), else its author (1.0), else the
// feed's (JSON Feed 1.1, "authors").
func jsonPeople(it *jsonfeed.Item, f *jsonfeed.Feed) []feeds.Person {
	pick := func(list []*jsonfeed.Author, one *jsonfeed.Author) []*jsonfeed.Author {
		if len(list) > 0 {
			return list
		}
		if one != nil {
			return []*jsonfeed.Author{one}
		}
		return nil
	}
	var ps []*jsonfeed.Author
	if it != nil {
		ps = pick(it.Authors, it.Author)
	}
	if len(ps) == 0 {
		ps = pick(f.Authors, f.Author)
	}
	var out []feeds.Person
	for _, p := range ps {
		if p != nil && (p.Name != "" || p.URL != "") {
			out = append(out, feeds.Person{Name: p.Name, URL: p.URL})
		}
	}
	return out
}

// firstNonBlank returns the first non-blank string, trimmed.
func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
