package feeds

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// parsedText is a parsed Atom text construct.
type parsedText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// String is "type:text", or "" when the element is absent.
func (p *parsedText) String() string {
	if p == nil {
		return ""
	}
	return p.Type + ":" + p.Text
}

// parsedAtom is what a reader sees in an Atom document.
type parsedAtom struct {
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string `xml:"id"`
	Updated string `xml:"updated"`
	Links   []struct {
		Href     string `xml:"href,attr"`
		Rel      string `xml:"rel,attr"`
		Type     string `xml:"type,attr"`
		Hreflang string `xml:"hreflang,attr"`
	} `xml:"link"`
	Authors []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		Lang  string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		Title *parsedText `xml:"title"`
		Links []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
		Published  string `xml:"published"`
		Updated    string `xml:"updated"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Summary *parsedText `xml:"summary"`
		Content *parsedText `xml:"content"`
	} `xml:"entry"`
}

func writeAtom(t *testing.T, f *Feed) (string, parsedAtom) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAtom(&buf, f); err != nil {
		t.Fatal(err)
	}
	var doc parsedAtom
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parse: %v\n%s", err, buf.String())
	}
	return buf.String(), doc
}

func TestAtomFeedMetadata(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Feed)
		id     string
		author string
		links  string
	}{
		{"id falls back to the self URL", func(*Feed) {},
			"https://feeds.example.edu/atom.xml", "HKUST News",
			"self application/atom+xml  https://feeds.example.edu/atom.xml|alternate text/html  https://www.example.edu/news"},
		{"explicit id and authors", func(f *Feed) {
			f.ID = "tag:feeds.example.edu,2025-03-13:all"
			f.Authors = []Person{{Email: "news@example.edu"}}
		}, "tag:feeds.example.edu,2025-03-13:all", "news@example.edu",
			"self application/atom+xml  https://feeds.example.edu/atom.xml|alternate text/html  https://www.example.edu/news"},
		// RFC 4287 4.1.1: one alternate per type and hreflang; a sibling
		// without a type is an Atom feed.
		{"alternates and hub", func(f *Feed) {
			f.Alternates = []Alternate{
				{Href: "https://feeds.example.edu/zh-hant/atom.xml", Language: "zh-Hant"},
				{Href: "", Language: "en"},
			}
			f.Hub = "https://hub.example.org/"
		}, "https://feeds.example.edu/atom.xml", "HKUST News",
			"self application/atom+xml  https://feeds.example.edu/atom.xml|alternate text/html  https://www.example.edu/news|" +
				"alternate application/atom+xml zh-Hant https://feeds.example.edu/zh-hant/atom.xml|hub   https://hub.example.org/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFeed("", "atom.xml")
			tt.mod(f)
			_, doc := writeAtom(t, f)
			if doc.ID != tt.id {
				t.Errorf("id = %q, want %q", doc.ID, tt.id)
			}
			if len(doc.Authors) != 1 || doc.Authors[0].Name != tt.author {
				t.Errorf("authors = %+v, want one named %q", doc.Authors, tt.author)
			}
			var links []string
			for _, l := range doc.Links {
				links = append(links, strings.Join([]string{l.Rel, l.Type, l.Hreflang, l.Href}, " "))
			}
			if got := strings.Join(links, "|"); got != tt.links {
				t.Errorf("links =\n%s\nwant\n%s", got, tt.links)
			}
			if doc.Lang != "en" || doc.Updated != "2025-03-13T00:01:00+08:00" {
				t.Errorf("xml:lang = %q, updated = %q", doc.Lang, doc.Updated)
			}
		})
	}
}

func TestAtomEntry(t *testing.T) {
	tests := []struct {
		name                    string
		mod                     func(*Item)
		published, updated      string
		summary, content, links string
	}{
		{"content and summary", func(*Item) {},
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a"},
		{"updated later than published", func(it *Item) { it.Updated = it.Published.Add(90 * time.Minute) },
			"2025-03-13T00:01:00+08:00", "2025-03-13T01:31:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a"},
		{"updated falls back to published", func(it *Item) { it.Updated = time.Time{} },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a"},
		{"no date at all takes the feed's", func(it *Item) { it.Published, it.Updated = time.Time{}, time.Time{} },
			"", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a"},
		{"link but no content", func(it *Item) { it.Content = "" },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "", "alternate https://www.example.edu/news/a"},
		// RFC 4287 4.1.1: an entry without an alternate link must have content.
		{"neither content nor link", func(it *Item) { it.Content, it.Link = "", "" },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"", "text:Summary of T.", ""},
		{"enclosure", func(it *Item) { it.Enclosures = []Enclosure{{URL: "https://www.example.edu/a.mp3"}} },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a|enclosure https://www.example.edu/a.mp3"},
		{"image of a known type is an enclosure", func(it *Item) { it.Image = "https://www.example.edu/i/photo.JPG?w=640" },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a|enclosure https://www.example.edu/i/photo.JPG?w=640"},
		{"image of no known type is related", func(it *Item) { it.Image = "https://cdn.example.org/image?id=7" },
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a|related https://cdn.example.org/image?id=7"},
		{"image that is an enclosure already is not repeated", func(it *Item) {
			it.Image = "https://www.example.edu/i/a.png"
			it.Enclosures = []Enclosure{{URL: "https://www.example.edu/i/a.png", Type: "image/png"}}
		},
			"2025-03-13T00:01:00+08:00", "2025-03-13T00:01:00+08:00",
			"text:Summary of T.", "html:<p>T.</p>", "alternate https://www.example.edu/news/a|enclosure https://www.example.edu/i/a.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFeed("en/", "atom.xml")
			it := story("a", "T", at(13, 0, 1))
			it.Categories = []string{"News"}
			it.Language = "zh-Hant"
			tt.mod(&it)
			f.Items = []Item{it}
			_, doc := writeAtom(t, f)
			e := doc.Entries[0]
			var links []string
			for _, l := range e.Links {
				links = append(links, l.Rel+" "+l.Href)
			}
			checks := []struct{ name, got, want string }{
				{"xml:lang", e.Lang, "zh-Hant"},
				{"title", e.Title.String(), "text:T"},
				{"category", e.Categories[0].Term, "News"},
				{"published", e.Published, tt.published},
				{"updated", e.Updated, tt.updated},
				{"summary", e.Summary.String(), tt.summary},
				{"content", e.Content.String(), tt.content},
				{"links", strings.Join(links, "|"), tt.links},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
				}
			}
		})
	}
}

func BenchmarkWriteAtom(b *testing.B) { benchmarkWriter(b, WriteAtom, "atom.xml") }
