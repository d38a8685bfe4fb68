package feeds

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// parsedRSS is what a reader sees in an RSS document.
type parsedRSS struct {
	Channel struct {
		// AtomLinks comes before Link: a field without a namespace
		// matches an element of that name in any namespace.
		AtomLinks []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Title         string `xml:"title"`
		Link          string `xml:"link"`
		Description   string `xml:"description"`
		Language      string `xml:"language"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title       string   `xml:"title"`
			Links       []string `xml:"link"`
			Description string   `xml:"description"`
			Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Author      string   `xml:"author"`
			Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
			Guid        struct {
				ID          string `xml:",chardata"`
				IsPermaLink string `xml:"isPermaLink,attr"`
			} `xml:"guid"`
			PubDate   string `xml:"pubDate"`
			Language  string `xml:"http://purl.org/dc/elements/1.1/ language"`
			Enclosure struct {
				URL    string `xml:"url,attr"`
				Length string `xml:"length,attr"`
				Type   string `xml:"type,attr"`
			} `xml:"enclosure"`
		} `xml:"item"`
	} `xml:"channel"`
}

func writeRSS(t *testing.T, f *Feed) (string, parsedRSS) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteRSS(&buf, f); err != nil {
		t.Fatal(err)
	}
	var doc parsedRSS
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parse: %v\n%s", err, buf.String())
	}
	return buf.String(), doc
}

func TestRSSGuidPermaLink(t *testing.T) {
	tests := []struct {
		name, id, link, want string
	}{
		// RSS 2.0: isPermaLink defaults to true, so a tag: id needs "false".
		{"id is the link", "https://www.example.edu/news/a", "https://www.example.edu/news/a", "true"},
		{"tag id", "tag:feeds.example.edu,2025-03-13:newsroom/a", "https://www.example.edu/news/a", "false"},
		{"http id that is not the link", "https://partner.example.org/?p=1", "https://www.example.edu/news/a", "false"},
		{"tag id without link", "tag:feeds.example.edu,2025-03-13:newsroom/a", "", "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFeed("en/", "rss.xml")
			it := story("a", "Title", at(13, 0, 1))
			it.ID, it.Link = tt.id, tt.link
			f.Items = []Item{it}
			_, doc := writeRSS(t, f)
			g := doc.Channel.Items[0].Guid
			if g.ID != tt.id || g.IsPermaLink != tt.want {
				t.Errorf("guid = %q isPermaLink=%q, want %q isPermaLink=%q", g.ID, g.IsPermaLink, tt.id, tt.want)
			}
		})
	}
}

func TestRSSItemFields(t *testing.T) {
	f := baseFeed("en/", "rss.xml")
	it := story("a", "Q&A\x0b: 1 < 2", at(13, 9, 5))
	it.Link = ""
	it.Summary = "Text with <b>not a tag</b> & more\x00."
	it.Content = "<p>A CDATA end ]]> and \x0b.</p>"
	it.Authors = []Person{{Name: "Bob Wong"}, {Name: "Ann Lee", Email: "ann@example.edu"}, {Email: "cat@example.edu"}}
	it.Categories = []string{"News", "", "Press Release"}
	it.Enclosures = []Enclosure{{URL: "https://www.example.edu/files/report"}}
	f.Items = []Item{it}
	out, doc := writeRSS(t, f)
	got := doc.Channel.Items[0]

	checks := []struct{ name, got, want string }{
		{"title", got.Title, "Q&A: 1 < 2"},
		// RSS description is HTML: the plain text is escaped once more.
		{"description", got.Description, "Text with &lt;b&gt;not a tag&lt;/b&gt; &amp; more."},
		{"content", got.Content, "<p>A CDATA end ]]> and .</p>"},
		{"author", got.Author, "ann@example.edu (Ann Lee)"},
		{"creators", strings.Join(got.Creators, "|"), "Bob Wong|cat@example.edu"},
		{"categories", strings.Join(got.Categories, "|"), "News|Press Release"},
		{"pubDate", got.PubDate, "Thu, 13 Mar 2025 09:05:00 +0800"},
		{"language", got.Language, "en"},
		{"enclosure url", got.Enclosure.URL, "https://www.example.edu/files/report"},
		{"enclosure length", got.Enclosure.Length, "0"},
		{"enclosure type", got.Enclosure.Type, "application/octet-stream"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(got.Links) != 0 {
		t.Errorf("item without a link has <link> %q", got.Links)
	}
	if !strings.Contains(out, "<![CDATA[<p>A CDATA end ]]]]><![CDATA[> and .</p>]]>") {
		t.Errorf("]]> not split inside CDATA:\n%s", out)
	}
}

// TestRSSAuthorNeedsName: an RSS author is "email (Name)"; a person with
// an address and no name is a dc:creator named by it, which readers and
// the W3C validator take without the warning a bare address draws.
func TestRSSAuthorNeedsName(t *testing.T) {
	f := baseFeed("en/", "rss.xml")
	f.Authors = []Person{{Email: "desk@example.edu"}}
	it := story("a", "T", at(13, 9, 5))
	it.Authors = []Person{{Email: "cat@example.edu"}, {Name: "Dee", Email: "dee@example.edu"}}
	lone := story("b", "U", at(13, 9, 6))
	lone.Authors = []Person{{Email: "cat@example.edu"}}
	f.Items = []Item{it, lone}
	out, doc := writeRSS(t, f)
	if got := doc.Channel.Items[0]; got.Author != "dee@example.edu (Dee)" || strings.Join(got.Creators, "|") != "cat@example.edu" {
		t.Errorf("author %q, creators %q; want Dee as author, cat@example.edu a creator", got.Author, got.Creators)
	}
	if got := doc.Channel.Items[1]; got.Author != "" || strings.Join(got.Creators, "|") != "cat@example.edu" {
		t.Errorf("author %q, creators %q; want no author, cat@example.edu a creator", got.Author, got.Creators)
	}
	if strings.Contains(out, "managingEditor") {
		t.Errorf("a managingEditor without a name:\n%s", out)
	}
}

func TestRSSChannel(t *testing.T) {
	f := baseFeed("en/", "rss.xml")
	f.Description = ""
	f.Hub = "https://hub.example.org/"
	_, doc := writeRSS(t, f)
	ch := doc.Channel
	if ch.Link != "https://www.example.edu/news" {
		t.Errorf("link = %q", ch.Link)
	}
	if ch.Description != "HKUST News" {
		t.Errorf("description = %q, want the title", ch.Description)
	}
	if ch.LastBuildDate != "Thu, 13 Mar 2025 00:01:00 +0800" {
		t.Errorf("lastBuildDate = %q", ch.LastBuildDate)
	}
	var links []string
	for _, l := range ch.AtomLinks {
		links = append(links, l.Rel+" "+l.Type+" "+l.Href)
	}
	want := "self application/rss+xml https://feeds.example.edu/en/rss.xml|hub  https://hub.example.org/"
	if got := strings.Join(links, "|"); got != want {
		t.Errorf("atom:links = %q, want %q", got, want)
	}
}

func BenchmarkWriteRSS(b *testing.B) { benchmarkWriter(b, WriteRSS, "rss.xml") }
