package fidelity

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// fcase is one feed document of the corpus, served under name.
type fcase struct {
	name string
	body []byte
}

// format is a feed syntax the generator writes.
type format int

const (
	rss20 format = iota
	rss10
	atom10
	atom03
	jsonFeed
)

var formatNames = [...]string{"rss20", "rss10", "atom10", "atom03", "json"}

// titleShape is a title as publishers write one. text is the title as
// meant; markup is true when text is HTML (what RSS titles are by
// convention and Atom type="html" declares).
type titleShape struct {
	name   string
	absent bool
	text   string
	markup bool
	cdata  bool
}

var titleShapes = []titleShape{
	{name: "plain", text: "Council approves the new harbour plan"},
	{name: "entities", text: "Fish &amp; Chips &#8212; “quoted” café &eacute;clair", markup: true},
	{name: "markup", text: "<b>Bold</b> move: <em>rates</em> cut", markup: true},
	{name: "cdata", text: "Title with <em>CDATA</em> & more", markup: true, cdata: true},
	{name: "absent", absent: true},
	{name: "empty"},
	{name: "whitespace", text: " \n\t "},
	{name: "hostile", text: `<script>alert(1)</script>Click <img src=x onerror=alert(1)> me <a href="javascript:alert(2)">now</a>`, markup: true},
	{name: "literal", text: "Using <div> in HTML"},
	{name: "imgonly", text: `<img src="x">`, markup: true},
}

// contentShape is an entry body. text is HTML unless plain.
type contentShape struct {
	name  string
	text  string
	plain bool
	cdata bool
}

var contentShapes = []contentShape{
	{name: "relative", text: `<p>Read <a href="/posts/full">the full post</a> and see <img src="img/a.png" alt="chart"> for the numbers of the week.</p>`},
	{name: "plain", text: "Good morning. The first ferry leaves at seven and the bridge is open.\n\nSecond paragraph of the status.", plain: true},
	{name: "cdata", text: `<p>It is a sunny day&nbsp;in the city &amp; the park &eacute;t&eacute; is open.</p><ul><li>one</li><li>two</li></ul>`, cdata: true},
	{name: "hostile", text: `<p>Hello there and welcome.</p><script>alert(1)</script><img src="http://cdn.example.test/x.png" onerror="alert(2)"><a href="javascript:alert(3)">click</a><iframe src="http://evil.test/"></iframe><p style="color:red" onclick="steal()">Styled text of the day.</p><object data="http://evil.test/x.swf"></object><a href="http://example.test/safe">safe</a>`},
	{name: "iri", text: `<p>The <a href="http://any.test/À/ü?q=ä">café page</a> and <a href="http://any.test/%C3%A9t%C3%A9">summer</a>.</p>`},
	{name: "zh", text: `<p>香港科技大學今日宣布成立新的研究中心，推動人工智能與可持續發展的跨學科合作。</p>`},
	{name: "ja", text: `<p>東京の桜は今週末に満開を迎える見込みです。多くの人が公園を訪れるでしょう。</p>`},
	{name: "image", text: `<img src="http://cdn.example.test/photo.jpg" alt="">`},
	{name: "base", text: `<p>See <a href="notes/1">the notes</a> and <a href="../up">the index</a> of the report.</p>`},
}

// dateShape is how an upstream writes a date; raw is the written form per
// format family (RSS-like or Atom/JSON), empty for none.
type dateShape struct {
	name     string
	rss, iso string
}

var dateShapes = []dateShape{
	{name: "rfc822", rss: "Mon, 02 Jun 2025 10:00:00 +0000", iso: "2025-06-02T10:00:00Z"},
	{name: "rfc822gmt", rss: "Tue, 03 Jun 2025 08:30:00 GMT", iso: "2025-06-03T08:30:00+00:00"},
	{name: "offset", rss: "Wed, 04 Jun 2025 18:15:00 +0800", iso: "2025-06-04T18:15:00+08:00"},
	{name: "shortday", rss: "Thu, 5 Jun 2025 07:05:09 -0400", iso: "2025-06-05T07:05:09.123-04:00"},
	{name: "twodigityear", rss: "Fri, 06 Jun 25 12:00:00 +0000", iso: "2025-06-06T12:00:00Z"},
	{name: "noweekday", rss: "07 Jun 2025 09:00:00 +0000", iso: "2025-06-07T09:00:00Z"},
	{name: "missing"},
	{name: "isoinrss", rss: "2025-06-08T10:20:30Z", iso: "2025-06-08T10:20:30Z"},
}

// langShape is where a language is declared.
type langShape struct {
	name               string
	feed, entry, inner string // inner: on the content (Atom) or description (RSS)
	titleLevel         string
}

var langShapes = []langShape{
	{name: "none"},
	{name: "feed", feed: "en-US"},
	{name: "entry", feed: "fr", entry: "en"},
	{name: "inner", feed: "fr", inner: "en-GB"},
	{name: "title", feed: "de", titleLevel: "en"},
	{name: "feedzh", feed: "zh-hk"},
}

// linkShape is an entry's link.
type linkShape struct{ name, href string }

var linkShapes = []linkShape{
	{"absolute", "https://blog.example.test/2025/06/post-%d"},
	{"relative", "/2025/06/post-%d"},
	{"iri", "http://any.test/À/ünïcode-%d"},
	{"none", ""},
	{"javascript", "javascript:alert(%d)"},
	{"query", "https://blog.example.test/?p=%d&amp;utm_source=rss"},
}

// idShape is an entry's guid or id.
type idShape struct{ name, id string }

var idShapes = []idShape{
	{"none", ""},
	{"url", "https://blog.example.test/?p=%d"},
	{"tag", "tag:blog.example.test,2025:post-%d"},
	{"opaque", "post-%d"},
}

// spec is one generated entry.
type spec struct {
	title   titleShape
	content contentShape
	date    dateShape
	lang    langShape
	link    linkShape
	id      idShape
	base    int // Atom xml:base: 0 none, 1 feed, 2 entry, 3 content
	n       int
}

// generated is the table's cross product of format × title × content, with
// the other dimensions rotated through it so each value meets many of the
// others; each document holds the entry under test and a plain one after
// it, so entries are also matched by position.
func generated() []fcase {
	var out []fcase
	i := 0
	for f := range formatNames {
		for _, t := range titleShapes {
			for _, c := range contentShapes {
				s := spec{
					title: t, content: c,
					date: dateShapes[i%len(dateShapes)],
					lang: langShapes[(i/3)%len(langShapes)],
					link: linkShapes[(i/2)%len(linkShapes)],
					id:   idShapes[(i/5)%len(idShapes)],
					base: (i / 7) % 4,
					n:    i,
				}
				// CJK bodies carry their own language or none: a Latin
				// declaration over them tests rule 2 of issue 11 on purpose
				// only in the feedzh shape.
				if c.name == "zh" || c.name == "ja" {
					s.lang = langShapes[0]
				}
				name := fmt.Sprintf("gen-%03d-%s-%s-%s-%s-%s", i, formatNames[f], t.name, c.name, s.date.name, s.lang.name)
				out = append(out, fcase{name: name + ext(format(f)), body: render(format(f), s)})
				i++
			}
		}
	}
	return out
}

// fill puts the entry's number into a shape's pattern; "" stays "".
func fill(pattern string, n int) string {
	if pattern == "" {
		return ""
	}
	return fmt.Sprintf(pattern, n)
}

func ext(f format) string {
	if f == jsonFeed {
		return ".json"
	}
	return ".xml"
}

// second is the plain entry that follows each entry under test.
func second(n int) spec {
	return spec{
		title:   titleShapes[0],
		content: contentShape{name: "second", text: "<p>The second entry of the feed, with nothing special in it at all.</p>"},
		date:    dateShapes[0],
		link:    linkShape{"absolute", "https://blog.example.test/2025/05/older-%d"},
		id:      idShape{"url", "https://blog.example.test/?p=9%d"},
		n:       n,
	}
}

func render(f format, s spec) []byte {
	switch f {
	case rss20:
		return rssDoc(s)
	case rss10:
		return rdfDoc(s)
	case atom10, atom03:
		return atomDoc(f, s)
	}
	return jsonDoc(s)
}

func xmlText(s string) string { return html.EscapeString(s) }

// rssTitle writes a title the RSS way: HTML, escaped or in CDATA; a
// literal title is HTML-escaped first, as careful publishers do.
func rssInner(text string, markup, cdata bool) string {
	if !markup {
		text = html.EscapeString(text)
	}
	if cdata {
		return "<![CDATA[" + text + "]]>"
	}
	return xmlText(text)
}

func lattr(name, v string) string {
	if v == "" {
		return ""
	}
	return fmt.Sprintf(` %s="%s"`, name, v)
}

func rssItem(s spec) string {
	var b strings.Builder
	b.WriteString("<item" + lattr("xml:lang", s.lang.entry) + ">\n")
	if !s.title.absent {
		fmt.Fprintf(&b, "<title%s>%s</title>\n", lattr("xml:lang", s.lang.titleLevel), rssInner(s.title.text, s.title.markup, s.title.cdata))
	}
	if s.link.href != "" {
		fmt.Fprintf(&b, "<link>%s</link>\n", fill(s.link.href, s.n))
	}
	if s.id.id != "" {
		perma := ""
		if !strings.HasPrefix(s.id.id, "http") {
			perma = ` isPermaLink="false"`
		}
		fmt.Fprintf(&b, "<guid%s>%s</guid>\n", perma, fill(s.id.id, s.n))
	}
	body := rssInner(s.content.text, !s.content.plain, s.content.cdata)
	if s.n%2 == 1 && !s.content.plain {
		// WordPress: the post in content:encoded, an excerpt in description.
		fmt.Fprintf(&b, "<description>An excerpt of the post.</description>\n<content:encoded>%s</content:encoded>\n", body)
	} else {
		fmt.Fprintf(&b, "<description%s>%s</description>\n", lattr("xml:lang", s.lang.inner), body)
	}
	if s.date.rss != "" {
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n", s.date.rss)
	}
	b.WriteString("</item>\n")
	return b.String()
}

func rssDoc(s spec) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Example Blog</title>
<link>https://blog.example.test/</link>
<description>Posts</description>
`)
	if s.lang.feed != "" {
		fmt.Fprintf(&b, "<language>%s</language>\n", s.lang.feed)
	}
	b.WriteString(rssItem(s))
	b.WriteString(rssItem(second(s.n)))
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}

// rdfDoc is RSS 1.0: dc:date and dc:language instead of pubDate and
// language.
func rdfDoc(s spec) []byte {
	item := func(s spec) string {
		var b strings.Builder
		link := fill(s.link.href, s.n)
		fmt.Fprintf(&b, "<item rdf:about=\"%s\"%s>\n", xmlText(html.UnescapeString(link)), lattr("xml:lang", s.lang.entry))
		if !s.title.absent {
			fmt.Fprintf(&b, "<title%s>%s</title>\n", lattr("xml:lang", s.lang.titleLevel), rssInner(s.title.text, s.title.markup, s.title.cdata))
		}
		if link != "" {
			fmt.Fprintf(&b, "<link>%s</link>\n", link)
		}
		fmt.Fprintf(&b, "<description%s>%s</description>\n", lattr("xml:lang", s.lang.inner), rssInner(s.content.text, !s.content.plain, s.content.cdata))
		if s.date.iso != "" {
			fmt.Fprintf(&b, "<dc:date>%s</dc:date>\n", s.date.iso)
		}
		b.WriteString("</item>\n")
		return b.String()
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://blog.example.test/">
<title>Example RDF</title>
<link>https://blog.example.test/</link>
<description>Posts</description>
`)
	if s.lang.feed != "" {
		fmt.Fprintf(&b, "<dc:language>%s</dc:language>\n", s.lang.feed)
	}
	b.WriteString("</channel>\n")
	b.WriteString(item(s))
	b.WriteString(item(second(s.n)))
	b.WriteString("</rdf:RDF>\n")
	return []byte(b.String())
}

func atomDoc(f format, s spec) []byte {
	ns, pub, upd := "http://www.w3.org/2005/Atom", "published", "updated"
	if f == atom03 {
		ns, pub, upd = "http://purl.org/atom/ns#", "issued", "modified"
	}
	textEl := func(el string, text string, markup, cdata bool, lang string) string {
		typ := "text"
		if markup {
			typ = "html"
		}
		if f == atom03 {
			typ = "text/plain"
			if markup {
				typ = "text/html"
			}
		}
		inner := xmlText(text)
		if cdata {
			inner = "<![CDATA[" + text + "]]>"
		}
		return fmt.Sprintf("<%s type=\"%s\"%s>%s</%s>\n", el, typ, lattr("xml:lang", lang), inner, el)
	}
	entry := func(s spec) string {
		var b strings.Builder
		base := ""
		if s.base == 2 {
			base = ` xml:base="https://entry.example.test/e/"`
		}
		fmt.Fprintf(&b, "<entry%s%s>\n", base, lattr("xml:lang", s.lang.entry))
		if !s.title.absent {
			b.WriteString(textEl("title", s.title.text, s.title.markup, s.title.cdata, s.lang.titleLevel))
		}
		if s.link.href != "" {
			fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n", fill(s.link.href, s.n))
		}
		id := s.id.id
		if id == "" && f == atom10 && s.n%3 == 0 {
			id = "urn:uuid:00000000-0000-0000-0000-%012d"
		}
		if id != "" {
			fmt.Fprintf(&b, "<id>%s</id>\n", fill(id, s.n))
		}
		if s.date.iso != "" {
			fmt.Fprintf(&b, "<%s>%s</%s>\n<%s>%s</%s>\n", pub, s.date.iso, pub, upd, s.date.iso, upd)
		}
		cbase := ""
		if s.base == 3 {
			cbase = ` xml:base="https://content.example.test/c/d/"`
		}
		if s.n%4 == 1 {
			// Summary only, as many Atom feeds give for long posts.
			b.WriteString(textEl("summary", s.content.text, !s.content.plain, s.content.cdata, s.lang.inner))
		} else {
			el := textEl("content", s.content.text, !s.content.plain, s.content.cdata, s.lang.inner)
			if cbase != "" {
				el = strings.Replace(el, "<content ", "<content"+cbase+" ", 1)
			}
			b.WriteString(el)
		}
		b.WriteString("</entry>\n")
		return b.String()
	}
	var b strings.Builder
	ver := ""
	if f == atom03 {
		ver = ` version="0.3"`
	}
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	fbase := ""
	if s.base == 1 {
		fbase = ` xml:base="https://feed.example.test/blog/"`
	}
	fmt.Fprintf(&b, "<feed xmlns=\"%s\"%s%s%s>\n<title>Example Atom</title>\n", ns, ver, fbase, lattr("xml:lang", s.lang.feed))
	b.WriteString(`<link rel="alternate" type="text/html" href="https://blog.example.test/"/>` + "\n")
	fmt.Fprintf(&b, "<id>tag:blog.example.test,2025:feed</id>\n<%s>2025-06-10T00:00:00Z</%s>\n<author><name>Ann</name></author>\n", upd, upd)
	b.WriteString(entry(s))
	b.WriteString(entry(second(s.n)))
	b.WriteString("</feed>\n")
	return []byte(b.String())
}

// jsonDoc is JSON Feed 1.1; its titles and summaries are plain text, so a
// markup title is written as the publisher typed it.
func jsonDoc(s spec) []byte {
	item := func(s spec) map[string]any {
		it := map[string]any{}
		id := fill(s.id.id, s.n)
		if id == "" {
			id = fmt.Sprint(s.n)
		}
		it["id"] = id
		if !s.title.absent {
			it["title"] = html.UnescapeString(s.title.text)
		}
		if s.link.href != "" {
			it["url"] = html.UnescapeString(fill(s.link.href, s.n))
		}
		if s.content.plain {
			it["content_text"] = s.content.text
		} else {
			it["content_html"] = s.content.text
		}
		if s.date.iso != "" {
			it["date_published"] = s.date.iso
		}
		if s.lang.entry != "" {
			it["language"] = s.lang.entry
		}
		return it
	}
	doc := map[string]any{
		"version":       "https://jsonfeed.org/version/1.1",
		"title":         "Example JSON",
		"home_page_url": "https://blog.example.test/",
		"feed_url":      "https://blog.example.test/feed.json",
		"items":         []any{item(s), item(second(s.n))},
	}
	if s.lang.feed != "" {
		doc["language"] = s.lang.feed
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// handWritten are the files in testdata/, each modelled on one publisher's
// output.
func handWritten() ([]fcase, error) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []fcase
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, fcase{name: filepath.Base(p), body: b})
	}
	return out, nil
}
