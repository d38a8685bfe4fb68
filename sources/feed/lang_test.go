package feed

import (
	"slices"
	"testing"
	"time"
)

// TestLanguageLevels: item-level declarations (xml:lang on content, else
// summary, else title, else the entry or item; JSON Feed item language) go
// to Story.Language, the feed's declaration (<language>, the feed element's
// xml:lang, JSON Feed language) to Story.FeedLanguage, and neither is copied
// into the other.
func TestLanguageLevels(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed"
	type want struct{ lang, feed string }
	tests := []struct {
		name, contentType, doc string
		want                   []want
	}{
		{"Atom 0.3 content xml:lang under feed xml:lang", "application/atom+xml",
			`<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="fr">
  <title>Le blog</title>
  <link rel="alternate" type="text/html" href="https://blog.example/"/>
  <modified>2025-03-14T10:00:00Z</modified>
  <entry>
    <title>Un billet</title>
    <link rel="alternate" type="text/html" href="https://blog.example/1"/>
    <id>tag:blog.example,2025:1</id>
    <issued>2025-03-14T10:00:00Z</issued>
    <modified>2025-03-14T10:00:00Z</modified>
    <content type="text/html" mode="escaped" xml:lang="en">&lt;p&gt;An English post.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Deuxième billet</title>
    <link rel="alternate" type="text/html" href="https://blog.example/2"/>
    <id>tag:blog.example,2025:2</id>
    <issued>2025-03-14T09:00:00Z</issued>
    <modified>2025-03-14T09:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;En français.&lt;/p&gt;</content>
  </entry>
</feed>`,
			[]want{{"en", "fr"}, {"", "fr"}}},
		{"Atom 1.0 content over summary over title over entry", "application/atom+xml",
			`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:lang="de"><id>urn:1</id><title xml:lang="fr">t</title><summary xml:lang="es">s</summary><content xml:lang="it">c</content><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:2</id><title xml:lang="fr">t</title><summary xml:lang="es">s</summary><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:3</id><title xml:lang="fr">t</title><summary>s</summary><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:4</id><title>t</title><updated>2025-03-14T10:00:00Z</updated></entry>
<entry><id>urn:5</id><title>t</title><updated>2025-03-14T10:00:00Z</updated></entry>
</feed>`,
			[]want{{"it", "en"}, {"es", "en"}, {"fr", "en"}, {"de", "en"}, {"", "en"}}},
		{"RSS language and item xml:lang", "application/rss+xml",
			`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>港聞</title><link>https://news.example/</link>
<language>zh-hk</language>
<item><title>Government announces new policy</title><link>https://news.example/1</link><description>The government said on Friday.</description></item>
<item xml:lang="en"><title>Tagged item</title><link>https://news.example/2</link></item>
<item><title xml:lang="ja">見出し</title><description xml:lang="ko">설명</description><link>https://news.example/3</link></item>
<item><title>dc</title><dc:language>fr</dc:language><link>https://news.example/4</link></item>
</channel></rss>`,
			[]want{{"", "zh-hk"}, {"en", "zh-hk"}, {"ko", "zh-hk"}, {"fr", "zh-hk"}}},
		{"RSS channel xml:lang without <language>", "application/rss+xml",
			`<rss version="2.0"><channel xml:lang="fr"><title>T</title><link>https://news.example/</link>
<item><title>Un</title><link>https://news.example/1</link></item></channel></rss>`,
			[]want{{"", "fr"}}},
		{"JSON Feed item and feed language", "application/feed+json",
			`{"version":"https://jsonfeed.org/version/1.1","title":"T","language":"en",
"items":[{"id":"1","content_text":"x","language":"ja"},{"id":"2","content_text":"y"}]}`,
			[]want{{"ja", "en"}, {"", "en"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseStories(t, feedURL, tt.doc, tt.contentType)
			if len(st) != len(tt.want) {
				t.Fatalf("got %d stories, want %d", len(st), len(tt.want))
			}
			for i, w := range tt.want {
				if st[i].Language != w.lang || st[i].FeedLanguage != w.feed {
					t.Errorf("story %d: Language %q FeedLanguage %q, want %q %q", i, st[i].Language, st[i].FeedLanguage, w.lang, w.feed)
				}
			}
		})
	}
}

// TestRSSSideReading: xml:lang and xml:base are read off the items gofeed
// takes, and off their own title and description: an extension's element
// named title or description (<itunes:title>, <media:description>) says
// nothing of the item's language, an <item> inside an extension element is
// no item, an <Item> is one, an RSS 1.0 document's own items follow its
// channel's, as in gofeed, whatever their place, and nothing after the
// root's end counts. A content:encoded is known by its prefix, whatever
// namespace the document binds it to. A root's own namespace is RSS's as
// gofeed has it: a stray one is, a known extension's (Atom's) is not. Each document is read as it is and,
// made unreadable to the entry scan by an internal subset, whole.
func TestRSSSideReading(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed"
	type want struct{ link, lang, base, contentBase string }
	tests := []struct {
		name, doc string
		want      []want
	}{
		{"extension title and description", `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>https://news.example/</link>
<item xml:lang="en"><title>One</title><itunes:title xml:lang="de">Eins</itunes:title><media:description xml:lang="fr">Un</media:description><link>https://news.example/1</link></item>
<item><title xml:lang="ja">二</title><media:title xml:lang="ko">둘</media:title><link>https://news.example/2</link></item>
</channel></rss>`,
			[]want{{"https://news.example/1", "en", "https://news.example/", ""}, {"https://news.example/2", "ja", "https://news.example/", ""}}},
		{"an item inside an extension element", `<rss version="2.0" xmlns:x="urn:x"><channel xml:base="https://chan.example/"><title>T</title><link>https://news.example/</link>
<x:related><item xml:lang="de" xml:base="https://other.example/"><title>Not an item</title></item></x:related>
<item xml:lang="en"><title>One</title><link>one.html</link></item>
<item xml:base="sub/"><title xml:lang="fr">Deux</title><link>two.html</link></item>
</channel></rss>`,
			[]want{{"https://chan.example/one.html", "en", "https://chan.example/", ""}, {"https://chan.example/sub/two.html", "fr", "https://chan.example/sub/", ""}}},
		{"an item named in capitals", `<rss version="2.0"><channel><title>T</title><link>https://news.example/</link>
<Item xml:lang="de"><Title>Eins</Title><Link>https://news.example/1</Link></Item>
<item xml:lang="en"><title>Two</title><link>https://news.example/2</link></item>
</channel></rss>`,
			[]want{{"https://news.example/1", "de", "https://news.example/", ""}, {"https://news.example/2", "en", "https://news.example/", ""}}},
		{"RSS 1.0 items around a channel holding one", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<item rdf:about="https://news.example/r1" xml:lang="de"><title>R1</title><link>https://news.example/r1</link></item>
<channel rdf:about="https://news.example/" xml:lang="fr"><title>T</title><link>https://news.example/</link>
<item rdf:about="https://news.example/c1" xml:lang="ja"><title>C1</title><link>https://news.example/c1</link></item></channel>
<item rdf:about="https://news.example/r2" xml:lang="en"><title>R2</title><link>https://news.example/r2</link></item>
</rdf:RDF>`,
			[]want{{"https://news.example/c1", "ja", "https://news.example/", ""}, {"https://news.example/r1", "de", "https://news.example/", ""}, {"https://news.example/r2", "en", "https://news.example/", ""}}},
		{"a second document after the first", `<rss version="2.0"><channel><title>F</title><link>https://news.example/</link>
<item xml:lang="fr"><title>A</title><link>https://news.example/a</link></item></channel></rss>
<rss version="2.0"><channel><title>G</title><item xml:lang="de" xml:base="https://other.example/"><title>B</title></item></channel></rss>`,
			[]want{{"https://news.example/a", "fr", "https://news.example/", ""}}},
		{"a root in an extension's namespace", `<rss version="2.0" xmlns="http://www.w3.org/2005/Atom">
<channel xmlns=""><title>F</title><link>https://news.example/</link><item xml:lang="fr"><title>A</title><link>https://news.example/a</link></item></channel>
<channel><item xml:lang="de" xml:base="https://other.example/"><title>B</title></item></channel></rss>`,
			[]want{{"https://news.example/a", "fr", "https://news.example/", ""}}},
		{"a root in a stray namespace", `<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>F</title><link>https://news.example/</link>
<item xml:lang="fr"><title>A</title><link>https://news.example/a</link></item><item><title xml:lang="de">B</title><link>https://news.example/b</link></item></channel></rss>`,
			[]want{{"https://news.example/a", "fr", "https://news.example/", ""}, {"https://news.example/b", "de", "https://news.example/", ""}}},
		{"content:encoded under its prefix", `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content"><channel><title>F</title><link>https://news.example/</link>
<item><title>A</title><link>https://news.example/a</link><content:Encoded xml:base="https://cdn.example/img/">&lt;img src="a.png"&gt;</content:Encoded></item></channel></rss>`,
			[]want{{"https://news.example/a", "", "https://news.example/", "https://cdn.example/img/"}}},
	}
	for _, tt := range tests {
		readBothWays(t, tt.name, feedURL, "rss", tt.doc, "application/rss+xml", func(t *testing.T, p parsed) {
			var got []want
			for _, st := range p.stories(time.UTC) {
				got = append(got, want{st.Link, st.Language, st.Base, st.ContentBase})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("stories (link, language, base, content base):\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
