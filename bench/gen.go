package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const (
	itemsPerFeed = 20
	// dateStride spaces one feed's items dateStride minutes apart, and feed
	// i's items i minutes after the round's start: item j of every feed is
	// newer than item j+1 of any, so a merged feed of up to 50 items holds
	// the newest item of each of up to 50 feeds. It also bounds N.
	dateStride = 10_000
	// seed makes every run generate the same bytes.
	seed = 20250301
)

// newestDate is the date of the newest generated item; nothing reads the
// clock, so the bytes depend on the feed's index alone.
var newestDate = time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)

// upstream is one synthetic upstream feed as the loopback server serves it.
type upstream struct {
	name     string // feed-0001, …: also its source name in the config
	path     string // URL path on its host
	kind     string // rss, atom or json
	script   script
	charset  string // utf-8, big5 or gbk
	inProlog bool   // the charset is declared in the XML declaration (else only in Content-Type)
	ctype    string
	body     []byte
	gz       []byte
	etag     string
	modTime  time.Time
	index    int // i of generate(i)
	rev      int // generateRev's revision
}

// language is the config language of the feed's source: where detection
// and declarations leave an item.
func (u *upstream) language() string {
	switch u.script {
	case traditional:
		return "zh-Hant"
	case simplified:
		return "zh-Hans"
	}
	return "en"
}

// genItem is one synthetic story before it is written in a format.
type genItem struct {
	id, link                string
	idIsLink                bool
	title, summary, content string
	author                  string
	tags                    []string
	published, updated      time.Time
}

// generate makes feed i (0-based). Feeds alternate RSS 2.0, Atom 1.0 and
// JSON Feed 1.1; every fourth is Chinese, Traditional and Simplified in
// turn; half of the Chinese RSS and Atom feeds are Big5 or GBK, declared in
// the XML prolog for half of those and only in Content-Type for the others.
// About one feed in five declares no language at all.
func generate(i int) *upstream { return generateRev(i, 0) }

// generateRev is feed i at revision rev: revision 0 is generate's; each
// later one retitles one item (a different one each time, the rest of the
// feed byte for byte the same) and is modified rev minutes later: an
// upstream that answers 200 for one changed item, as real feeds do.
func generateRev(i, rev int) *upstream {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	u := describe(i)
	u.rev = rev
	lang := declaredLang(i, u.script)
	site := fmt.Sprintf("https://upstream-%04d.example", i+1)

	items := make([]genItem, itemsPerFeed)
	for j := range items {
		it := &items[j]
		it.title = title(r, u.script)
		it.summary = summary(r, u.script)
		it.content = content(r, u.script, site)
		it.link = fmt.Sprintf("%s/news/%d/%s", site, j, slugWord(r))
		switch {
		case i%2 == 0:
			it.id, it.idIsLink = it.link, true
		case u.kind == "atom":
			it.id = fmt.Sprintf("tag:upstream-%04d.example,2025:item-%02d", i+1, j)
		default:
			it.id = fmt.Sprintf("%04d-item-%02d", i+1, j)
		}
		it.author = phrase(r, u.script, 8)
		it.tags = []string{phrase(r, u.script, 6), phrase(r, u.script, 6)}
		it.published = newestDate.Add(-time.Duration(j*dateStride+i) * time.Minute)
		it.updated = it.published
		if j%5 == 0 {
			it.updated = it.published.Add(30 * time.Minute)
		}
	}
	u.modTime = items[0].updated
	feedTitle := phrase(r, u.script, 24)
	if rev > 0 {
		items[(rev*7)%itemsPerFeed].title += fmt.Sprintf(" (update %d)", rev)
		u.modTime = u.modTime.Add(time.Duration(rev) * time.Minute)
	}

	var text string
	switch u.kind {
	case "rss":
		text = rssFeed(u, lang, site, feedTitle, items)
	case "atom":
		text = atomFeed(u, lang, site, feedTitle, items)
	default:
		text = jsonFeed(u, lang, site, feedTitle, items)
	}
	u.body = encode(text, u.charset)
	sum := sha256.Sum256(u.body)
	u.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(u.body)
	zw.Close()
	u.gz = gz.Bytes()
	return u
}

// describe is feed i without its body: name, path, format, script, charset
// and Content-Type, all it takes to list it in a config or route to it.
func describe(i int) *upstream {
	u := &upstream{name: fmt.Sprintf("feed-%04d", i+1), charset: "utf-8", script: english, index: i}
	u.kind = []string{"rss", "atom", "json"}[i%3]
	if i%4 == 3 {
		k := i / 4
		u.script = traditional
		if k%2 == 1 {
			u.script = simplified
		}
		if u.kind != "json" && (k/2)%2 == 0 {
			u.charset = map[script]string{traditional: "big5", simplified: "gbk"}[u.script]
			u.inProlog = (k/4)%2 == 0
		}
	}
	ext := map[string]string{"rss": ".xml", "atom": ".atom", "json": ".json"}[u.kind]
	u.path = "/" + u.name + ext
	u.ctype = map[string]string{"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}[u.kind]
	if !u.inProlog {
		u.ctype += "; charset=" + u.charset
	}
	return u
}

// declaredLang is what feed i says its language is: regional tags as real
// feeds write them, or nothing for about one feed in five.
func declaredLang(i int, s script) string {
	if i%5 == 4 {
		return ""
	}
	switch s {
	case traditional:
		return []string{"zh-TW", "zh-HK"}[i%2]
	case simplified:
		return "zh-CN"
	}
	return []string{"en", "en-us", "en-GB"}[i%3]
}

func encode(text, cs string) []byte {
	var err error
	var b []byte
	switch cs {
	case "big5":
		b, err = traditionalchinese.Big5.NewEncoder().Bytes([]byte(text))
	case "gbk":
		b, err = simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	default:
		return []byte(text)
	}
	if err != nil {
		// The word lists are checked by TestWordsEncode; this is a bug.
		panic(fmt.Sprintf("encode %s: %v", cs, err))
	}
	return b
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func esc(s string) string { return xmlEscaper.Replace(s) }

// prolog is the XML declaration: naming the charset when the feed declares
// it there, else naming none (Content-Type carries it).
func prolog(u *upstream) string {
	if u.inProlog || u.charset == "utf-8" {
		return `<?xml version="1.0" encoding="` + strings.ToUpper(u.charset) + `"?>` + "\n"
	}
	return `<?xml version="1.0"?>` + "\n"
}

func rssFeed(u *upstream, lang, site, feedTitle string, items []genItem) string {
	var b strings.Builder
	b.WriteString(prolog(u))
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>%s</description>\n", esc(feedTitle), site, esc(feedTitle))
	if lang != "" {
		fmt.Fprintf(&b, "<language>%s</language>\n", lang)
	}
	fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n", u.modTime.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "<atom:link href=\"%s/feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n", site)
	for _, it := range items {
		b.WriteString("<item>\n")
		fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n", esc(it.title), esc(it.link))
		fmt.Fprintf(&b, "<guid isPermaLink=\"%t\">%s</guid>\n", it.idIsLink, esc(it.id))
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n", it.published.In(hongKong).Format(time.RFC1123Z))
		fmt.Fprintf(&b, "<dc:creator>%s</dc:creator>\n", esc(it.author))
		for _, t := range it.tags {
			fmt.Fprintf(&b, "<category>%s</category>\n", esc(t))
		}
		fmt.Fprintf(&b, "<description>%s</description>\n", esc(it.summary))
		fmt.Fprintf(&b, "<content:encoded><![CDATA[%s]]></content:encoded>\n", it.content)
		b.WriteString("</item>\n")
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.String()
}

func atomFeed(u *upstream, lang, site, feedTitle string, items []genItem) string {
	var b strings.Builder
	b.WriteString(prolog(u))
	b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom"`)
	if lang != "" {
		fmt.Fprintf(&b, ` xml:lang="%s"`, lang)
	}
	b.WriteString(">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<id>%s/</id>\n<updated>%s</updated>\n", esc(feedTitle), site, u.modTime.Format(time.RFC3339))
	fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"text/html\" href=\"%s/\"/>\n<link rel=\"self\" href=\"%s/feed.atom\"/>\n", site, site)
	for _, it := range items {
		b.WriteString("<entry>\n")
		fmt.Fprintf(&b, "<title type=\"text\">%s</title>\n<id>%s</id>\n", esc(it.title), esc(it.id))
		fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n", esc(it.link))
		fmt.Fprintf(&b, "<published>%s</published>\n<updated>%s</updated>\n",
			it.published.In(hongKong).Format(time.RFC3339), it.updated.In(hongKong).Format(time.RFC3339))
		fmt.Fprintf(&b, "<author><name>%s</name></author>\n", esc(it.author))
		for _, t := range it.tags {
			fmt.Fprintf(&b, "<category term=\"%s\"/>\n", esc(t))
		}
		fmt.Fprintf(&b, "<summary type=\"text\">%s</summary>\n", esc(it.summary))
		fmt.Fprintf(&b, "<content type=\"html\">%s</content>\n", esc(it.content))
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>\n")
	return b.String()
}

type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Language    string         `json:"language,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	Summary       string           `json:"summary"`
	ContentHTML   string           `json:"content_html"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonFeedAuthor `json:"authors"`
	Tags          []string         `json:"tags"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

func jsonFeed(_ *upstream, lang, site, feedTitle string, items []genItem) string {
	doc := jsonFeedDoc{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       feedTitle,
		HomePageURL: site + "/",
		FeedURL:     site + "/feed.json",
		Language:    lang,
	}
	for _, it := range items {
		doc.Items = append(doc.Items, jsonFeedItem{
			ID:            it.id,
			URL:           it.link,
			Title:         it.title,
			Summary:       it.summary,
			ContentHTML:   it.content,
			DatePublished: it.published.Format(time.RFC3339),
			DateModified:  it.updated.Format(time.RFC3339),
			Authors:       []jsonFeedAuthor{{Name: it.author}},
			Tags:          it.tags,
		})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("json feed: %v", err)) // plain structs cannot fail
	}
	return b.String()
}

// hongKong is a fixed +08:00 zone, so dates render the same on every machine.
var hongKong = time.FixedZone("HKT", 8*3600)
