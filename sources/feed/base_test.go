package feed

import (
	"net/http"
	"strings"
	"testing"
)

// serveBody answers every request with body and a Content-Type.
func serveBody(t testing.TB, body, contentType string) string {
	t.Helper()
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write([]byte(body))
	}))
	return srv.URL + "/blog/feed.xml"
}

// TestXMLBaseLevels: xml:base is honoured where it is written, the innermost
// one winning: on the RSS channel and item, on the Atom feed and entry, and
// on the element that holds the content, whose links resolve against it
// while the item's link keeps the item's base.
func TestXMLBaseLevels(t *testing.T) {
	type want struct{ base, contentBase, link string }
	for _, tc := range []struct {
		name, contentType, doc string
		want                   []want
	}{
		{"RSS item and description xml:base", "application/rss+xml", `<?xml version="1.0"?>
<rss version="2.0"><channel xml:base="https://chan.example/c/">
<title>T</title><link>https://home.example/</link><description>d</description>
<item xml:base="https://item.example/i/"><title>One</title><link>one.html</link>
  <description xml:base="https://desc.example/d/">&lt;a href="x.html"&gt;x&lt;/a&gt;</description></item>
<item><title>Two</title><link>two.html</link><description>&lt;a href="y.html"&gt;y&lt;/a&gt;</description></item>
</channel></rss>`, []want{
			{"https://item.example/i/", "https://desc.example/d/", "https://item.example/i/one.html"},
			{"https://chan.example/c/", "", "https://chan.example/c/two.html"},
		}},
		{"RSS without xml:base: the channel link", "application/rss+xml", `<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>https://home.example/h/</link><description>d</description>
<item><title>One</title><link>one.html</link></item></channel></rss>`, []want{
			{"https://home.example/h/", "", "https://home.example/h/one.html"},
		}},
		{"RSS content:encoded xml:base", "application/rss+xml", `<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><link>https://home.example/</link><description>d</description>
<item><title>One</title><link>one.html</link><content:encoded xml:base="/media/">&lt;img src="a.png"&gt;</content:encoded></item></channel></rss>`, []want{
			// A relative xml:base resolves against the document's URL, not
			// the channel link: that is no base in XML's eyes.
			{"https://home.example/", "SERVER/media/", "https://home.example/one.html"},
		}},
		{"Atom content xml:base under entry xml:base", "application/atom+xml", `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://feed.example/f/"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:base="e/"><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated><link href="one.html"/>
  <content type="html" xml:base="/c/">&lt;a href="x.html"&gt;x&lt;/a&gt;</content></entry>
<entry><title>Two</title><id>urn:2</id><updated>2025-03-14T10:00:00Z</updated><link href="two.html"/>
  <summary type="html" xml:base="https://sum.example/s/">&lt;a href="y.html"&gt;y&lt;/a&gt;</summary></entry>
</feed>`, []want{
			{"https://feed.example/f/e/", "https://feed.example/c/", "https://feed.example/f/e/one.html"},
			{"https://feed.example/f/", "https://sum.example/s/", "https://feed.example/f/two.html"},
		}},
		// Relative xml:base values with no absolute one around them
		// resolve against the document's URL (XML Base §4.2), from its
		// folder; gofeed took "sub/" from the server's root.
		{"Atom relative xml:base on the entry", "application/atom+xml", `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:base="sub/"><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated><link href="p.html"/></entry>
</feed>`, []want{
			{"SERVER/blog/sub/", "", "SERVER/blog/sub/p.html"},
		}},
		{"Atom relative xml:base on the feed and the entry", "application/atom+xml", `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="dir/"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:base="e/"><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated><link href="p.html"/>
  <content type="html" xml:base="../c/">&lt;p&gt;a page about xml:base="x"&lt;/p&gt;</content></entry>
</feed>`, []want{
			{"SERVER/blog/dir/e/", "SERVER/blog/dir/c/", "SERVER/blog/dir/e/p.html"},
		}},
		{"Atom absolute xml:base that is a document, not a folder", "application/atom+xml", `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:base="https://x.example/feed?lang=fr"><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated><link href="#top"/></entry>
<entry xml:base="https://x.example/a/b"><title>Two</title><id>urn:2</id><updated>2025-03-14T10:00:00Z</updated><link href="c.html"/></entry>
</feed>`, []want{
			{"https://x.example/feed?lang=fr", "", "https://x.example/feed?lang=fr#top"},
			{"https://x.example/a/b", "", "https://x.example/a/c.html"},
		}},
		{"RSS relative xml:base on the item", "application/rss+xml", `<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>https://home.example/h/</link><description>d</description>
<item xml:base="sub/"><title>One</title><link>one.html</link></item></channel></rss>`, []want{
			{"SERVER/blog/sub/", "", "SERVER/blog/sub/one.html"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feedURL := serveBody(t, tc.doc, tc.contentType)
			res := mustFetch(t, feedURL, testOptions(t))
			if len(res.Stories) != len(tc.want) {
				t.Fatalf("%d stories, want %d", len(res.Stories), len(tc.want))
			}
			server := strings.TrimSuffix(feedURL, "/blog/feed.xml")
			for i, w := range tc.want {
				w.base = strings.Replace(w.base, "SERVER", server, 1)
				w.contentBase = strings.Replace(w.contentBase, "SERVER", server, 1)
				w.link = strings.Replace(w.link, "SERVER", server, 1)
				st := res.Stories[i]
				if st.Base != w.base || st.ContentBase != w.contentBase || st.Link != w.link {
					t.Errorf("story %d: base %q content base %q link %q; want %q %q %q", i, st.Base, st.ContentBase, st.Link, w.base, w.contentBase, w.link)
				}
			}
		})
	}
}

// TestWithoutBases: only xml:base attributes are renamed for gofeed, in
// any tag and however spaced; the same words in text, CDATA, comments and
// other attributes' values stay as written, and a document without the
// attribute is the same slice.
func TestWithoutBases(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="a/"><!-- xml:base="c" -->` +
		`<entry  xml:base = 'e/' title=" xml:base=v"><content type="html">&lt;p xml:base="t"&gt;</content>` +
		`<summary><![CDATA[<p xml:base="d">]]></summary></entry></feed>`
	want := `<feed xmlns="http://www.w3.org/2005/Atom" xml:bas_="a/"><!-- xml:base="c" -->` +
		`<entry  xml:bas_ = 'e/' title=" xml:base=v"><content type="html">&lt;p xml:base="t"&gt;</content>` +
		`<summary><![CDATA[<p xml:base="d">]]></summary></entry></feed>`
	if got := string(withoutBases([]byte(doc))); got != want {
		t.Errorf("withoutBases:\n%s\nwant\n%s", got, want)
	}
	plain := []byte(`<rss version="2.0"><channel><title>xml:base</title></channel></rss>`)
	if got := withoutBases(plain); &got[0] != &plain[0] || string(got) != string(plain) {
		t.Errorf("a document without the attribute changed: %s", got)
	}
}

// TestFeedLinkAgainstFeedBase: the feed's own link (Origin.Link, the base
// of RSS items that have none of their own) resolves against the xml:base
// in scope at the feed or channel, else the document's URL.
func TestFeedLinkAgainstFeedBase(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed.xml"
	tests := []struct {
		name, contentType, doc string
		origin, link           string
	}{
		{"Atom", "application/atom+xml", `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://feed.example/f/"><title>T</title><id>urn:f</id>` +
			`<link rel="alternate" href="home/"/><entry><id>urn:1</id><title>One</title><link href="one.html"/></entry></feed>`,
			"https://feed.example/f/home/", "https://feed.example/f/one.html"},
		{"RSS", "application/rss+xml", `<rss version="2.0"><channel xml:base="https://chan.example/c/"><title>T</title><link>home/</link>` +
			`<item><title>One</title><link>one.html</link></item></channel></rss>`,
			"https://chan.example/c/home/", "https://chan.example/c/one.html"},
		{"RSS, relative xml:base", "application/rss+xml", `<rss version="2.0"><channel xml:base="c/"><title>T</title><link>home/</link>` +
			`<item><title>One</title><link>one.html</link></item></channel></rss>`,
			"https://feeds.example/x/c/home/", "https://feeds.example/x/c/one.html"},
		{"RSS without xml:base", "application/rss+xml", `<rss version="2.0"><channel><title>T</title><link>/home/</link>` +
			`<item><title>One</title><link>one.html</link></item></channel></rss>`,
			"https://feeds.example/home/", "https://feeds.example/home/one.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseStories(t, feedURL, tt.doc, tt.contentType)
			if len(st) != 1 || st[0].Origin.Link != tt.origin || st[0].Link != tt.link {
				t.Fatalf("stories %+v, want origin link %q, link %q", st, tt.origin, tt.link)
			}
		})
	}
}

// TestBadCharRefs: a character reference to a character XML forbids fails
// no feed: it reads as U+FFFD, as the undecodable bytes do; allowed and
// malformed references, and JSON, are left as written.
func TestBadCharRefs(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>T</title>` +
		`<item><title>x &#1; y &#0; &#xFFFE; &#xd800; &#x110000; &#99999999999;</title><link>https://up.example/1</link></item>` +
		`<item><title>&#65;&#x42; &#; &#x; &amp;#1;</title><link>https://up.example/2</link></item></channel></rss>`
	st := parseStories(t, "https://up.example/feed", doc, "application/rss+xml")
	// The decoder reads the malformed &#x; and a reference too long to be
	// a character as U+FFFD itself.
	if len(st) != 2 || st[0].Title != "x \uFFFD y \uFFFD \uFFFD \uFFFD \uFFFD \uFFFD" || st[1].Title != "AB &#; \uFFFD &#1;" {
		var titles []string
		for _, s := range st {
			titles = append(titles, s.Title)
		}
		t.Errorf("titles %q", titles)
	}
	js := []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"&#1;"}]}`)
	if got := withoutBadCharRefs(js); string(got) != string(js) {
		t.Errorf("JSON changed: %s", got)
	}
}
