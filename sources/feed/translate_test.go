package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// TestFormatsGolden fetches one fixture per format from a loopback server and
// compares every story field with testdata/golden/<fixture>.json (go test
// -update rewrites them). The server's address is written as
// http://upstream.test so the files are stable.
func TestFormatsGolden(t *testing.T) {
	tests := []struct {
		fixture, contentType string
	}{
		{"rss091.xml", "application/rss+xml"},
		{"rss10.rdf", "application/rdf+xml"},
		{"rss20.xml", "application/rss+xml; charset=utf-8"},
		{"atom03.xml", "application/atom+xml"},
		{"atom10.xml", "application/atom+xml"},
		{"jsonfeed10.json", "application/json"},
		{"jsonfeed11.json", "application/feed+json"},
		{"jsonfeed_mistyped.json", "application/feed+json"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			srv := serveFixture(t, tt.fixture, tt.contentType)
			opts := testOptions(t)
			opts.Zone = mustZone(t, "Asia/Hong_Kong")
			res := mustFetch(t, srv.URL+"/feeds/"+tt.fixture, opts)
			got, err := json.MarshalIndent(res.Stories, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(bytes.ReplaceAll(got, []byte(srv.URL), []byte("http://upstream.test")), '\n')
			golden := filepath.Join("testdata", "golden", tt.fixture+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("stories differ from %s:\n%s", golden, got)
			}
		})
	}
}

// TestAtomTextConstructs spells out the RFC 4287 §3.1 rules the golden file
// also holds: type="text" is literal text, html and xhtml are markup,
// xml:base and xml:lang are honoured per entry.
func TestAtomTextConstructs(t *testing.T) {
	srv := serveFixture(t, "atom10.xml", "application/atom+xml")
	res := mustFetch(t, srv.URL+"/atom.xml", testOptions(t))
	if len(res.Stories) != 3 {
		t.Fatalf("got %d stories, want 3", len(res.Stories))
	}
	s0, s1, s2 := res.Stories[0], res.Stories[1], res.Stories[2]
	checks := []struct {
		name      string
		got, want any
	}{
		{"text title is literal", s0.Title, "<b>Bold</b> claims & more"},
		{"text title is not HTML", s0.TitleHTML, false},
		{"html summary", s0.Summary, "<p>Summary <em>one</em></p>"},
		{"html summary is HTML", s0.SummaryHTML, true},
		{"html content resolved against xml:base", s0.Content, `<p>See <a href="https://example.net/blog/rel/x">x</a></p>`},
		{"entry xml:lang", s0.Language, "zh-Hant"},
		{"feed xml:lang declared for the feed", s0.FeedLanguage, "en"},
		{"feed xml:base", s0.Base, "https://example.net/blog/"},
		{"link against xml:base", s0.Link, "https://example.net/blog/posts/1"},
		{"html title", s1.Title, "<i>Italic</i> title"},
		{"html title is HTML", s1.TitleHTML, true},
		{"text content becomes paragraphs", strings.Join(s1.Text, "|"), "Para one.|Para two has a <tag> literal."},
		{"text content is not Content", s1.Content, ""},
		{"entry xml:base", s1.Base, "https://other.example/x/"},
		{"entry link against entry xml:base", s1.Link, "https://other.example/x/two.html"},
		{"no item-level xml:lang", s1.Language, ""},
		{"feed xml:lang inherited", s1.FeedLanguage, "en"},
		{"untyped title is text", s2.TitleHTML, false},
		{"xhtml content is HTML", s2.Content, "<p>X<strong>HTML</strong></p>"},
		{"origin id is the Atom feed id", s2.Origin.ID, "tag:example.net,2025:feed"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

// TestDates re-reads zoneless and ambiguous dates in the source's zone and
// keeps explicit offsets, GMT and Z.
func TestDates(t *testing.T) {
	srv := serveFixture(t, "dates.xml", "application/rss+xml")
	tests := []struct {
		zone string
		want []string // per item of dates.xml, RFC 3339 in the zone; "" = zero
	}{
		{"Asia/Hong_Kong", []string{
			"2025-03-13T09:00:00+08:00", // HKT, which gofeed reads as UTC
			"2025-03-13T09:00:00+08:00", // zoneless
			"2025-03-13T09:00:00+08:00", // +0800 kept
			"2025-03-13T09:00:00+08:00", // CST, which gofeed reads as US Central
			"2025-03-13T17:00:00+08:00", // GMT kept
			"2025-03-13T17:00:00+08:00", // Z kept
			"2025-03-13T00:00:00+08:00", // a day with no time: midnight in the zone
			"2025-03-13T09:00:00+08:00", // Unix date with HKT
			"",                          // 2025年3月13日: unparsable
		}},
		{"Asia/Shanghai", []string{
			"2025-03-13T09:00:00+08:00",
			"2025-03-13T09:00:00+08:00",
			"2025-03-13T09:00:00+08:00",
			"2025-03-13T09:00:00+08:00", // CST is China Standard Time here
			"2025-03-13T17:00:00+08:00",
			"2025-03-13T17:00:00+08:00",
			"2025-03-13T00:00:00+08:00",
			"2025-03-13T09:00:00+08:00",
			"",
		}},
		{"UTC", []string{
			"2025-03-13T09:00:00Z",
			"2025-03-13T09:00:00Z",
			"2025-03-13T01:00:00Z",
			"2025-03-13T09:00:00Z",
			"2025-03-13T09:00:00Z",
			"2025-03-13T09:00:00Z",
			"2025-03-13T00:00:00Z",
			"2025-03-13T09:00:00Z",
			"",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			opts := testOptions(t)
			opts.Zone = mustZone(t, tt.zone)
			res := mustFetch(t, srv.URL+"/dates.xml", opts)
			if len(res.Stories) != len(tt.want) {
				t.Fatalf("got %d stories, want %d", len(res.Stories), len(tt.want))
			}
			for i, s := range res.Stories {
				got := ""
				if !s.Published.IsZero() {
					got = s.Published.Format(time.RFC3339)
				}
				if got != tt.want[i] {
					t.Errorf("%s: Published = %q, want %q", s.Title, got, tt.want[i])
				}
				if want := s.Title == "date only"; s.DateOnly != want {
					t.Errorf("%s: DateOnly = %v, want %v", s.Title, s.DateOnly, want)
				}
			}
		})
	}
}

func TestDateZone(t *testing.T) {
	tests := []struct {
		raw  string
		kind zoneKind
		abbr string
	}{
		{"Thu, 13 Mar 2025 09:00:00 HKT", zoneAbbrev, "HKT"},
		{"Thu, 13 Mar 2025 09:00:00 +0800", zoneExplicit, ""},
		{"2025-03-13T09:00:00+08:00", zoneExplicit, ""},
		{"2025-03-13T09:00:00.123Z", zoneExplicit, "Z"},
		{"Thu, 13 Mar 2025 09:00:00 UT", zoneExplicit, "UT"},
		{"Thu, 13 Mar 2025 09:00:00 gmt", zoneExplicit, "gmt"},
		{"Thu, 13 Mar 2025 09:00:00 EST", zoneAbbrev, "EST"},
		{"Thu Mar 13 2025 09:00:00 GMT+0800 (HKT)", zoneExplicit, ""},
		{"2025-03-13 09:00:00", zoneNone, ""},
		{"Thu Mar 13 09:00:00 2025", zoneNone, ""},
		{"Mar 13, 2025 9:00:00 PM", zoneNone, ""},
		{"Mar 13, 2025 9:00:00 PM CST", zoneAbbrev, "CST"},
		{"2025-03-13", zoneNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			kind, abbr := dateZone(tt.raw)
			if kind != tt.kind || abbr != tt.abbr {
				t.Errorf("dateZone = %d %q, want %d %q", kind, abbr, tt.kind, tt.abbr)
			}
		})
	}
}

// TestUnparsableDate: an item whose date cannot be read gets a zero
// Published (normalize orders it by position); its neighbours are unharmed.
func TestUnparsableDate(t *testing.T) {
	srv := serveFixture(t, "bad_date.xml", "application/rss+xml")
	opts := testOptions(t)
	opts.Zone = mustZone(t, "Asia/Hong_Kong")
	res := mustFetch(t, srv.URL+"/bad.xml", opts)
	want := []string{"2025-03-13T09:00:00+08:00", "", "", "2025-03-11T09:00:00+08:00"}
	if len(res.Stories) != len(want) {
		t.Fatalf("got %d stories, want %d", len(res.Stories), len(want))
	}
	for i, s := range res.Stories {
		got := ""
		if !s.Published.IsZero() {
			got = s.Published.Format(time.RFC3339)
		}
		if got != want[i] || s.Position != i {
			t.Errorf("story %d (%s): Published %q Position %d, want %q %d", i, s.Title, got, s.Position, want[i], i)
		}
	}
}

// TestDuplicateGUIDs keeps both stories in feed order; normalize drops the
// second.
func TestDuplicateGUIDs(t *testing.T) {
	srv := serveFixture(t, "dup_guid.xml", "application/rss+xml")
	res := mustFetch(t, srv.URL+"/dup.xml", testOptions(t))
	var got []string
	for _, s := range res.Stories {
		got = append(got, s.ID+"|"+s.Title+"|"+s.Link)
	}
	want := []string{
		"same|First copy|https://dup.example.org/1",
		"same|Second copy|https://dup.example.org/2",
		"other|Other|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stories:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestEntities: encoding/xml ignores DTDs, so neither a billion-laughs
// document nor an external entity expands; the references stay literal.
func TestEntities(t *testing.T) {
	tests := []struct {
		fixture        string
		title, summary string
		mustNotContain string
	}{
		{"billion_laughs.xml", "&lol9;", "&lol9;", "lollol"},
		{"xxe.xml", "x&xxe;y", "&xxe;", "root:"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			srv := serveFixture(t, tt.fixture, "application/rss+xml")
			res := mustFetch(t, srv.URL+"/"+tt.fixture, testOptions(t))
			if len(res.Stories) != 1 {
				t.Fatalf("got %d stories, want 1", len(res.Stories))
			}
			s := res.Stories[0]
			if s.Title != tt.title || s.Summary != tt.summary {
				t.Errorf("title %q summary %q, want %q %q", s.Title, s.Summary, tt.title, tt.summary)
			}
			all, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(all, []byte(tt.mustNotContain)) {
				t.Errorf("result contains %q: %s", tt.mustNotContain, all)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("  one\r\nstill one\r\n\r\n \n two \n\t\n\nthree  ")
	want := []string{"one\nstill one", "two", "three"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs = %q, want %q", got, want)
	}
}

// TestReadAtomEntries: the side reading of Atom attributes survives what
// gofeed tolerates (control characters, HTML entities, a declared legacy
// charset) and inherits xml:lang and xml:base.
func TestReadAtomEntries(t *testing.T) {
	body := "<?xml version=\"1.0\" encoding=\"big5\"?>\n" +
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-Hant" xml:base="/blog/">` +
		"<entry><title type=\"html\">\x0bA&nbsp;\xac\xec</title><content type=\"text\">x</content></entry>" +
		`<entry xml:lang="en" xml:base="sub/"><summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><br></div></summary></entry>` +
		`<entry><content type="application/xhtml+xml">y</content></entry>` +
		// Atom's <link> is not HTML's: content before its end tag (white
		// space, a comment, text) closes nothing early.
		`<entry><link rel="alternate" href="/a">` + "\n" + `</link><link href="/b"><!-- c --></link><link href="/c">text</link><title type="html">z</title></entry>` +
		`<entry xml:lang="fr"><summary type="html">w</summary></entry>` +
		`</feed>`
	got := readAtomEntries([]byte(body), "https://example.org/feeds/atom.xml")
	want := []atomEntry{
		{FeedLang: "zh-Hant", Base: "https://example.org/blog/", TitleType: "html", ContentType: "text"},
		{FeedLang: "zh-Hant", Base: "https://example.org/blog/sub/", SummaryType: "xhtml", entryLang: "en"},
		{FeedLang: "zh-Hant", Base: "https://example.org/blog/", ContentType: "application/xhtml+xml"},
		{FeedLang: "zh-Hant", Base: "https://example.org/blog/", TitleType: "html"},
		{FeedLang: "zh-Hant", Base: "https://example.org/blog/", SummaryType: "html", entryLang: "fr"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("entries:\n%+v\nwant\n%+v", got, want)
	}
}

// parseStories parses doc as fetched from feedURL and returns its stories,
// dated in UTC.
func parseStories(t *testing.T, feedURL, doc, contentType string) []sources.Story {
	t.Helper()
	s := New("up", feedURL, testOptions(t))
	p, err := s.parse(feedURL, []byte(doc), contentType, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.stories(time.UTC)
}

// TestOriginWebLinks: the feed's own link reaches the output as Atom
// <source><link href> (Origin.Link) and is the base of relative item links,
// so, like item links, it is kept only as an absolute http(s) URL. Script
// and data schemes, however cased, padded or split by a tab (which browsers
// drop), leave Origin.Link empty, Origin.ID and the base at the feed URL.
func TestOriginWebLinks(t *testing.T) {
	const feedURL = "https://feeds.example/x/rss.xml"
	tests := []struct {
		name, link string // as written in the document, XML-escaped
		want       string // Origin.Link
	}{
		{"javascript:", "javascript:alert(1)", ""},
		{"mixed case, leading space", " JaVaScRiPt:alert(1)", ""},
		{"tab inside the scheme", "java\tscript:alert(1)", ""},
		{"newlines around", "\n\tjavascript:alert(document.domain)\n", ""},
		{"colon as a character reference", "javascript&#58;alert(1)", ""},
		{"javascript: with an authority", "javascript://feeds.example/%0Aalert(1)", ""},
		{"data:", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", ""},
		{"vbscript:", "VBScript:MsgBox(1)", ""},
		{"no host", "https:relative", ""},
		{"https kept", "https://partner.example/news/", "https://partner.example/news/"},
		{"upper-case scheme kept", "HTTP://partner.example/", "http://partner.example/"},
		{"relative, resolved against the feed URL", "/home/", "https://feeds.example/home/"},
	}
	formats := []struct {
		name, contentType string
		doc               func(link string) string
		wantID            func(link string) string // Origin.ID given the kept link
	}{
		{"RSS", "application/rss+xml", func(link string) string {
			return `<rss version="2.0"><channel><title>Partner</title><link>` + link + `</link>` +
				`<item><title>One</title><link>posts/1</link></item></channel></rss>`
		}, func(link string) string { return firstNonBlank(link, feedURL) }},
		{"Atom", "application/atom+xml", func(link string) string {
			return `<feed xmlns="http://www.w3.org/2005/Atom"><title>Partner</title><id>urn:partner</id>` +
				`<link rel="alternate" href="` + link + `"/>` +
				`<entry><id>urn:1</id><title>One</title><link href="posts/1"/></entry></feed>`
		}, func(string) string { return "urn:partner" }},
		{"JSON Feed", "application/feed+json", func(link string) string {
			js, _ := json.Marshal(html.UnescapeString(link))
			return `{"version":"https://jsonfeed.org/version/1.1","title":"Partner","home_page_url":` + string(js) + `,` +
				`"items":[{"id":"1","title":"One","url":"posts/1","content_text":"x"}]}`
		}, func(link string) string { return firstNonBlank(link, feedURL) }},
	}
	for _, f := range formats {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				st := parseStories(t, feedURL, f.doc(tt.link), f.contentType)
				if len(st) != 1 {
					t.Fatalf("got %d stories, want 1", len(st))
				}
				o := st[0].Origin
				if o.Link != tt.want || o.ID != f.wantID(tt.want) || o.Title != "Partner" {
					t.Errorf("Origin = %+v, want Link %q ID %q", *o, tt.want, f.wantID(tt.want))
				}
				// Atom entries resolve against the document's URL (RFC
				// 4287 has no channel base); RSS and JSON against the kept
				// channel link, else the feed URL.
				base := firstNonBlank(tt.want, feedURL)
				if f.name == "Atom" {
					base = feedURL
				}
				if want := resolve(base, "posts/1"); st[0].Link != want || st[0].Base != base {
					t.Errorf("Link %q Base %q, want %q %q", st[0].Link, st[0].Base, want, base)
				}
			})
		}
	}
}

// TestAtomTranslations: an entry's alternate links with hreflang are the
// story in other languages (RFC 4287 §4.2.7.4), resolved against xml:base;
// its own link, links of other rels and alternates without hreflang are
// not.
func TestAtomTranslations(t *testing.T) {
	u := serveBody(t, `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://partner.example.org/news/">
<title>Partner</title><id>urn:partner</id><updated>2025-03-13T00:00:00Z</updated>
<entry><title>Open Day</title><id>urn:open-day</id><updated>2025-03-13T00:00:00Z</updated>
  <link href="en/open-day"/>
  <link rel="alternate" hreflang="zh-Hant" href="zh-hant/open-day"/>
  <link rel="alternate" hreflang=" fr " href="https://partenaire.example.fr/journee"/>
  <link rel="alternate" type="text/html" href="en/open-day.html"/>
  <link rel="related" hreflang="de" href="de/related"/>
</entry>
<entry><title>Alone</title><id>urn:alone</id><updated>2025-03-12T00:00:00Z</updated><link href="alone"/></entry>
</feed>`, "application/atom+xml")
	res := mustFetch(t, u, testOptions(t))
	if len(res.Stories) != 2 {
		t.Fatalf("got %d stories, want 2", len(res.Stories))
	}
	want := []feeds.Translation{
		{Language: "zh-Hant", URL: "https://partner.example.org/news/zh-hant/open-day"},
		{Language: "fr", URL: "https://partenaire.example.fr/journee"},
	}
	if got := res.Stories[0].Translations; !reflect.DeepEqual(got, want) {
		t.Errorf("translations %+v, want %+v", got, want)
	}
	if got := res.Stories[0].Link; got != "https://partner.example.org/news/en/open-day" {
		t.Errorf("link %q", got)
	}
	if got := res.Stories[1].Translations; got != nil {
		t.Errorf("an entry without alternates: translations %+v", got)
	}
}

// TestAtomLinkWithContent: an Atom <link> holding content (white space,
// text) before its end tag is an element like any other: the entries after
// it keep their own languages and text types, as gofeed keeps their text.
// The document type's internal subset makes the entry scan give up, so the
// side reading reads the whole document, contents included.
func TestAtomLinkWithContent(t *testing.T) {
	const feedURL = "https://feeds.example/atom.xml"
	doc := `<!DOCTYPE feed [<!ENTITY f "F">]>` +
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>F</title><id>urn:f</id>` +
		`<entry><id>urn:1</id><title>One</title><link rel="alternate" href="/1">` + "\n" + `</link></entry>` +
		`<entry xml:lang="fr"><id>urn:2</id><title type="text">2 &lt;b&gt; 3</title><link href="/2">two</link></entry>` +
		`<entry><id>urn:3</id><title type="html">&lt;b&gt;Three&lt;/b&gt;</title><link href="/3"/></entry>` +
		`</feed>`
	st := parseStories(t, feedURL, doc, "application/atom+xml")
	type row struct {
		link, lang, title string
		html              bool
	}
	var got []row
	for _, s := range st {
		got = append(got, row{s.Link, s.Language, s.Title, s.TitleHTML})
	}
	want := []row{
		{"https://feeds.example/1", "", "One", false},
		{"https://feeds.example/2", "fr", "2 <b> 3", false},
		{"https://feeds.example/3", "", "<b>Three</b>", true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("stories (link, language, title, title is HTML):\n%+v\nwant\n%+v", got, want)
	}
}

// TestAtomForeignElements: the side reading takes an entry's title,
// summary and content, and the entries themselves, as gofeed does: in no
// namespace or Atom's, by name in any case. Another vocabulary's element of
// the same name (Media RSS's <media:content type="image/jpeg">, a
// <media:title type="plain">) is an extension, and neither empties the
// content nor makes an HTML title plain text; a foreign <x:entry> is no
// entry and an <Entry> is one, so the entries after them keep their own
// attributes. Each document is read as it is and, made unreadable to the
// entry scan by an internal subset, whole.
func TestAtomForeignElements(t *testing.T) {
	const feedURL = "https://feeds.example/atom.xml"
	type row struct {
		id, title string
		titleHTML bool
		content   string
		lang      string
	}
	tests := []struct {
		name, entries string
		want          []row
	}{
		{"media elements after the text", `<entry><id>urn:1</id><title type="html">A &amp;amp; B</title>` +
			`<content type="html">&lt;p&gt;Hi&lt;/p&gt;</content>` +
			`<media:content url="https://feeds.example/x.jpg" type="image/jpeg"/><media:title type="plain">Pic</media:title></entry>`,
			[]row{{"urn:1", "A &amp; B", true, "<p>Hi</p>", ""}}},
		{"media elements before the text", `<entry><id>urn:1</id><media:title type="html" xml:lang="de">Pic</media:title>` +
			`<title type="text">1 &lt; 2</title><media:content type="text/plain"/><content type="html">&lt;b&gt;x&lt;/b&gt;</content></entry>`,
			[]row{{"urn:1", "1 < 2", false, "<b>x</b>", ""}}},
		{"a foreign entry between two", `<entry><id>urn:1</id><title type="text">a &lt;b&gt;</title></entry>` +
			`<x:entry xmlns:x="urn:x" xml:lang="de"><x:title type="html">X</x:title></x:entry>` +
			`<entry xml:lang="fr"><id>urn:2</id><title type="html">&lt;i&gt;b&lt;/i&gt;</title></entry>`,
			[]row{{"urn:1", "a <b>", false, "", ""}, {"urn:2", "<i>b</i>", true, "", "fr"}}},
		{"an entry named in capitals", `<Entry xml:lang="de"><id>urn:1</id><Title type="text">a &lt;b&gt;</Title></Entry>` +
			`<entry xml:lang="fr"><id>urn:2</id><title type="html">&lt;i&gt;b&lt;/i&gt;</title></entry>`,
			[]row{{"urn:1", "a <b>", false, "", "de"}, {"urn:2", "<i>b</i>", true, "", "fr"}}},
		{"a type attribute of a prefix", `<entry><id>urn:1</id><title a:type="html" xmlns:a="http://www.w3.org/2005/Atom">&lt;i&gt;b&lt;/i&gt;</title></entry>` +
			`<entry><id>urn:2</id><title type="text" type="html">&lt;i&gt;c&lt;/i&gt;</title></entry>`,
			[]row{{"urn:1", "<i>b</i>", true, "", ""}, {"urn:2", "<i>c</i>", true, "", ""}}},
		{"a second document after the first", `<entry><id>urn:1</id><title type="html">&lt;i&gt;b&lt;/i&gt;</title></entry></feed>` +
			`<feed xmlns="http://www.w3.org/2005/Atom"><entry xml:lang="de"><id>urn:2</id><title type="text">c</title></entry>`,
			[]row{{"urn:1", "<i>b</i>", true, "", ""}}},
	}
	for _, tt := range tests {
		doc := `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">` +
			`<title>F</title><id>urn:f</id>` + tt.entries + `</feed>`
		readBothWays(t, tt.name, feedURL, "feed", doc, "application/atom+xml", func(t *testing.T, p parsed) {
			var got []row
			for _, st := range p.stories(time.UTC) {
				got = append(got, row{st.ID, st.Title, st.TitleHTML, st.Content, st.Language})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("stories (id, title, title is HTML, content, language):\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// readBothWays runs check, in subtests, on doc parsed from feedURL as it is
// and parsed whole: an internal subset in a document type named root makes
// the entry scan give up, so that the side readings read the whole
// document, contents included. Both must give the same stories.
func readBothWays(t *testing.T, name, feedURL, root, doc, contentType string, check func(t *testing.T, p parsed)) {
	t.Helper()
	for _, doctype := range []string{"", `<!DOCTYPE ` + root + ` [<!ENTITY f "F">]>`} {
		sub := name
		if doctype != "" {
			sub += ", read whole"
		}
		t.Run(sub, func(t *testing.T) {
			s := New("up", feedURL, testOptions(t))
			p, err := s.parse(feedURL, []byte(doctype+doc), contentType, nil)
			if err != nil {
				t.Fatal(err)
			}
			check(t, p)
		})
	}
}

// TestOriginIDAndTitle: the feed's id reaches the output as Atom
// <source><id>, so an Atom id is kept only when an id can be it (an
// absolute http(s), tag or urn URI; http(s) in canonical form), else the
// feed's link in canonical form stands in, else its URL; and the feed's
// title is HTML where its format says so (OriginHTML), as an item title is.
func TestOriginIDAndTitle(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed"
	atomDoc := func(title, id, link string) string {
		return `<feed xmlns="http://www.w3.org/2005/Atom">` + title + `<id>` + id + `</id>` +
			`<link rel="alternate" href="` + link + `"/><entry><id>urn:1</id><title>One</title></entry></feed>`
	}
	tests := []struct {
		name, contentType, doc string
		id, title              string
		html                   bool
	}{
		{"Atom tag id", "application/atom+xml", atomDoc(`<title>P</title>`, "tag:example.org,2003:feed", "https://p.example/"),
			"tag:example.org,2003:feed", "P", false},
		{"Atom urn id", "application/atom+xml", atomDoc(`<title>P</title>`, " urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6 ", ""),
			"urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6", "P", false},
		{"Atom http id made canonical", "application/atom+xml", atomDoc(`<title>P</title>`, "HTTP://Example.ORG", ""),
			"http://example.org/", "P", false},
		{"Atom relative id: the link", "application/atom+xml", atomDoc(`<title>P</title>`, "/.rss", "https://www.reddit.example"),
			"https://www.reddit.example/", "P", false},
		{"Atom unregistered scheme: the link", "application/atom+xml", atomDoc(`<title>P</title>`, "yt:channel:UC1", "https://www.youtube.example/channel/UC1"),
			"https://www.youtube.example/channel/UC1", "P", false},
		{"Atom bare urn: the feed URL", "application/atom+xml", atomDoc(`<title>P</title>`, "urn:", ""),
			feedURL, "P", false},
		{"Atom html title", "application/atom+xml", atomDoc(`<title type="html">AT&amp;amp;T &lt;b&gt;News&lt;/b&gt;</title>`, "urn:p", ""),
			"urn:p", "AT&amp;T <b>News</b>", true},
		{"Atom xhtml title", "application/atom+xml",
			atomDoc(`<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Tantek's &amp; more</div></title>`, "urn:p", ""),
			"urn:p", "", true},
		{"Atom text title", "application/atom+xml", atomDoc(`<title type="text">AT&amp;amp;T</title>`, "urn:p", ""),
			"urn:p", "AT&amp;T", false},
		{"Atom html title after the entries", "application/atom+xml",
			`<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:p</id><entry><id>urn:1</id><title>One</title></entry>` +
				`<title type="html">A &amp;amp; B</title></feed>`,
			"urn:p", "A &amp; B", true},
		{"RSS link made canonical", "application/rss+xml",
			`<rss version="2.0"><channel><title>AT&amp;amp;T</title><link>HTTP://Example.org</link><item><title>One</title></item></channel></rss>`,
			"http://example.org/", "AT&amp;T", true},
		{"JSON Feed title is text", "application/feed+json",
			`{"version":"https://jsonfeed.org/version/1.1","title":"A &amp; B","items":[{"id":"1","title":"One"}]}`,
			feedURL, "A &amp; B", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseStories(t, feedURL, tt.doc, tt.contentType)
			if len(st) != 1 {
				t.Fatalf("got %d stories, want 1", len(st))
			}
			if o := st[0].Origin; o.ID != tt.id || (tt.title != "" && o.Title != tt.title) || st[0].OriginHTML != tt.html {
				t.Errorf("Origin = %+v, OriginHTML %v; want ID %q, title %q, %v", *o, st[0].OriginHTML, tt.id, tt.title, tt.html)
			}
		})
	}
}

// TestJSONExternalURL: a JSON Feed item with no url of its own links to
// its external_url, the page a link blog's item is about; url, when given,
// stays the link.
func TestJSONExternalURL(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed.json"
	doc := `{"version":"https://jsonfeed.org/version/1.1","title":"Links","home_page_url":"https://links.example/","items":[` +
		`{"id":"1","external_url":"https://elsewhere.example/story","content_text":"Worth reading"},` +
		`{"id":"2","url":"https://links.example/2","external_url":"https://elsewhere.example/other","content_text":"Also"},` +
		`{"id":"3","external_url":"/relative","content_text":"Resolved"}]}`
	var got []string
	for _, st := range parseStories(t, feedURL, doc, "application/feed+json") {
		got = append(got, st.Link)
	}
	want := []string{"https://elsewhere.example/story", "https://links.example/2", "https://links.example/relative"}
	if !slices.Equal(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}
}
