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
		// A relative xml:base with no absolute one around it resolves
		// against the document's URL (XML Base §4.2), from its folder;
		// gofeed took "sub/" from the server's root.
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

// TestBadCharRefs: a character reference to a character XML forbids fails
// no feed: it reads as U+FFFD, as the undecodable bytes do; allowed and
// malformed references, CDATA, comments and JSON are left as written.
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
	// Any number of leading zeros names the same character.
	zeros := `<rss version="2.0"><channel><title>T</title>` +
		`<item><title>x &#00000000001; &#x0000000000041;</title><link>https://up.example/1</link></item></channel></rss>`
	if st := parseStories(t, "https://up.example/feed", zeros, "application/rss+xml"); len(st) != 1 || st[0].Title != "x \uFFFD A" {
		t.Errorf("leading zeros: %+v", st)
	}
	// In CDATA and comments "&#1;" is text, not a reference.
	cdata := `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><!-- &#1; -->` +
		`<entry><title type="text"><![CDATA[see &#1; here]]></title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated></entry></feed>`
	if st := parseStories(t, "https://up.example/feed", cdata, "application/atom+xml"); len(st) != 1 || st[0].Title != "see &#1; here" {
		t.Errorf("CDATA: %+v", st)
	}
	js := []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"&#1;"}]}`)
	if got := withoutBadCharRefs(js); string(got) != string(js) {
		t.Errorf("JSON changed: %s", got)
	}
}

// TestAbsoluteBases: only an outermost relative xml:base attribute that
// names a folder is written absolute for gofeed; one inside an absolute
// base, one naming a document, the same words in text, CDATA, comments
// and other attributes' values stay as written, and a document that needs
// nothing is the same slice.
func TestAbsoluteBases(t *testing.T) {
	const docURL = "https://up.example/blog/feed.xml"
	doc := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base = 'a/?q=1&amp;r=2'><!-- xml:base="c/" -->` +
		`<entry title=" xml:base='v/'" xml:base="e/"><content type="html">&lt;p xml:base="t/"&gt;</content></entry>` +
		`<entry xml:base="?lang=fr"><summary><![CDATA[<p xml:base="d/">]]></summary></entry></feed>`
	want := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base = 'https://up.example/blog/a/?q=1&amp;r=2'><!-- xml:base="c/" -->` +
		`<entry title=" xml:base='v/'" xml:base="e/"><content type="html">&lt;p xml:base="t/"&gt;</content></entry>` +
		`<entry xml:base="?lang=fr"><summary><![CDATA[<p xml:base="d/">]]></summary></entry></feed>`
	if got := string(absoluteBases([]byte(doc), docURL)); got != want {
		t.Errorf("absoluteBases:\n%s\nwant\n%s", got, want)
	}
	for _, same := range []string{
		`<rss version="2.0"><channel><title>xml:base</title></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://up.example/x/"><entry xml:base="e/"/></feed>`,
	} {
		if got := absoluteBases([]byte(same), docURL); string(got) != same {
			t.Errorf("changed:\n%s\nto\n%s", same, got)
		}
	}
}
