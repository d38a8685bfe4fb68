package feeds

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone's history, on machines without a zoneinfo folder
)

// elementTexts reads an XML document and returns the text of each element
// that holds text alone, by its path of local names ("feed/entry/title").
func elementTexts(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	out := map[string][]string{}
	var path []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the document does not parse: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			path = append(path, tk.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			key := strings.Join(path, "/")
			out[key] = append(out[key], text.String())
			path = path[:len(path)-1]
			text.Reset()
		}
	}
}

// TestPlainTextReferences: in RSS and Atom, & and < of every plain-text
// element (titles, subtitles, names, categories, the source's title, text
// summaries) are written as hexadecimal references, never &amp; or &lt;,
// and the documents read back as the same text.
func TestPlainTextReferences(t *testing.T) {
	f := &Feed{
		Title: "R&D <News>", Description: "Q&A & more", Link: "https://news.example.edu/", SelfURL: "https://feeds.example.edu/x",
		Authors: []Person{{Name: "Desk <R&D>", Email: "desk@example.edu"}}, Generator: "gen & co",
		Items: []Item{{
			ID: "urn:1", Title: "1&1 wird 1&1 Ionos <tag>", Link: "https://news.example.edu/1",
			Summary:    "x < y & z",
			Categories: []string{"R&D"},
			Authors:    []Person{{Name: "Ann <A&B>", Email: "ann@example.edu"}, {Name: "Bo & Co"}},
			Origin:     &Origin{Title: "AT&T <Wire>", ID: "urn:wire"},
			Published:  time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC),
		}},
	}
	for _, w := range []struct {
		name  string
		write func(io.Writer, *Feed) error
		want  map[string]string // element path: its text
	}{
		{"rss", WriteRSS, map[string]string{
			"rss/channel/title":            "R&D <News>",
			"rss/channel/description":      "Q&A & more",
			"rss/channel/managingEditor":   "desk@example.edu (Desk <R&D>)",
			"rss/channel/generator":        "gen & co",
			"rss/channel/item/title":       "1&1 wird 1&1 Ionos <tag>",
			"rss/channel/item/author":      "ann@example.edu (Ann <A&B>)",
			"rss/channel/item/creator":     "Bo & Co",
			"rss/channel/item/category":    "R&D",
			"rss/channel/item/description": "x &lt; y &amp; z", // HTML: the summary's text escaped
		}},
		{"atom", WriteAtom, map[string]string{
			"feed/title":              "R&D <News>",
			"feed/subtitle":           "Q&A & more",
			"feed/author/name":        "Desk <R&D>",
			"feed/generator":          "gen & co",
			"feed/entry/title":        "1&1 wird 1&1 Ionos <tag>",
			"feed/entry/summary":      "x < y & z",
			"feed/entry/author/name":  "Ann <A&B>",
			"feed/entry/source/title": "AT&T <Wire>",
			"feed/entry/source/id":    "urn:wire",
		}},
	} {
		t.Run(w.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b, f); err != nil {
				t.Fatal(err)
			}
			got := elementTexts(t, b.Bytes())
			for path, want := range w.want {
				if vals := got[path]; !slices.Contains(vals, want) {
					t.Errorf("%s = %q, want %q among them", path, vals, want)
				}
			}
			// The plain-text elements' contents hold no &amp; or &lt;:
			// only the RSS description, which is HTML, may (attributes
			// are written as encoding/xml writes them).
			for _, line := range strings.Split(b.String(), "\n") {
				open, end := strings.IndexByte(line, '>'), strings.LastIndexByte(line, '<')
				if open < 0 || end <= open || strings.Contains(line, "<description>x ") {
					continue
				}
				if content := line[open+1 : end]; strings.Contains(content, "&amp;") || strings.Contains(content, "&lt;") {
					t.Errorf("a plain-text element written with &amp; or &lt;: %s", strings.TrimSpace(line))
				}
			}
			if !strings.Contains(b.String(), "1&#x26;1 wird 1&#x26;1 Ionos &#x3C;tag&gt;") {
				t.Errorf("the item title is not written with hexadecimal references:\n%s", b.String())
			}
		})
	}
}

// TestLocalMeanTime: a date from before its zone kept standard time (Hong
// Kong's local mean time, +7:36:42, until 1904) is written in UTC in every
// format, since an RFC 3339 or RFC 822 offset holds whole minutes and
// cutting off the seconds would name another instant; later dates stay in
// the zone.
func TestLocalMeanTime(t *testing.T) {
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	f := baseFeed("en/", "x")
	f.Zone = hk
	old := story("a", "Old", time.Date(1890, 5, 1, 12, 0, 0, 0, time.UTC))
	f.Items = []Item{old, story("b", "New", at(13, 9, 5))}
	f.Updated = at(13, 9, 5)
	for _, w := range []struct {
		name       string
		write      func(io.Writer, *Feed) error
		oldD, newD string
	}{
		{"rss", WriteRSS, "Thu, 01 May 1890 12:00:00 +0000", "Thu, 13 Mar 2025 09:05:00 +0800"},
		{"atom", WriteAtom, "1890-05-01T12:00:00Z", "2025-03-13T09:05:00+08:00"},
		{"json", WriteJSON, "1890-05-01T12:00:00Z", "2025-03-13T09:05:00+08:00"},
	} {
		var b bytes.Buffer
		if err := w.write(&b, f); err != nil {
			t.Fatal(err)
		}
		if out := b.String(); !strings.Contains(out, w.oldD) || !strings.Contains(out, w.newD) || strings.Contains(out, "+0736") || strings.Contains(out, "+07:36") {
			t.Errorf("%s: want %q and %q, no +07:36:\n%s", w.name, w.oldD, w.newD, out)
		}
	}
}
