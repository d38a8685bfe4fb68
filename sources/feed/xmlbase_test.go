package feed

import (
	"testing"
	"time"
)

// TestXMLBaseLegacyCharset: the xml:base values of a document in a legacy
// charset, read whole (more entries than fetch.max_items), nest as in any
// other: the entry's relative base resolves against the feed's.
func TestXMLBaseLegacyCharset(t *testing.T) {
	const feedURL = "https://docs.example/x/feed.xml"
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://feed.example/f/\"><title>Caf\xe9</title><id>urn:f</id>" +
		"<updated>2025-03-14T10:00:00Z</updated>" +
		"<entry xml:base=\"e/\"><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated><link href=\"one.html\"/></entry>" +
		"<entry><title>Two</title><id>urn:2</id><updated>2025-03-14T10:00:00Z</updated><link href=\"two.html\"/></entry></feed>"
	opts := testOptions(t)
	opts.MaxItems = 1
	s := New("up", feedURL, opts)
	p, err := s.parse(feedURL, []byte(doc), "application/atom+xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	st := p.stories(time.UTC)
	if len(st) != 1 {
		t.Fatalf("%d stories", len(st))
	}
	if want := "https://feed.example/f/e/one.html"; st[0].Link != want {
		t.Errorf("link %q, want %q", st[0].Link, want)
	}
}

// TestXMLBaseEntryID: a relative Atom entry id resolves against xml:base
// as gofeed resolves it, so the item keeps the absolute id it was stored
// under.
func TestXMLBaseEntryID(t *testing.T) {
	const feedURL = "https://docs.example/x/feed.xml"
	doc := `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/"><title>T</title><id>urn:f</id>` +
		`<updated>2025-03-14T10:00:00Z</updated>` +
		`<entry><title>One</title><id>posts/1</id><updated>2025-03-14T10:00:00Z</updated><link href="posts/1.html"/></entry></feed>`
	st := parseStories(t, feedURL, doc, "application/atom+xml")
	if len(st) != 1 || st[0].ID != "https://blog.example/posts/1" {
		t.Errorf("stories %d, id %q; want the id as before, https://blog.example/posts/1", len(st), st[0].ID)
	}
}

// TestXMLBaseOnLink: an xml:base on the Atom <link> element itself is the
// base of its href (XML Base §3), for the entry's link and its enclosures.
func TestXMLBaseOnLink(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id>` +
		`<entry><title>One</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated>` +
		`<link xml:base="https://l.example/d/" href="one.html"/>` +
		`<link rel="enclosure" xml:base="https://m.example/m/" href="a.mp3" type="audio/mpeg" length="1"/></entry></feed>`
	st := parseStories(t, "https://up.example/x/feed", doc, "application/atom+xml")
	if len(st) != 1 {
		t.Fatalf("%d stories", len(st))
	}
	if want := "https://l.example/d/one.html"; st[0].Link != want {
		t.Errorf("link %q, want %q", st[0].Link, want)
	}
	if len(st[0].Enclosures) != 1 || st[0].Enclosures[0].URL != "https://m.example/m/a.mp3" {
		t.Errorf("enclosures %+v, want https://m.example/m/a.mp3", st[0].Enclosures)
	}
}
