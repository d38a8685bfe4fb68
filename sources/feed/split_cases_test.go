package feed

import (
	"testing"
	"time"
)

// Documents whose entries a scan could take for others than gofeed's:
// each must parse, split or not, as a whole parse does (checkKnown).

func TestKnownRDFItemsBeforeChannel(t *testing.T) {
	// gofeed appends the root's items after the channel's; the scan lists
	// entries in document order, so entry i is not item i.
	doc := `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<item rdf:about="https://news.example.edu/r1"><title>R1</title><link>https://news.example.edu/r1</link></item>
<channel rdf:about="https://news.example.edu/"><title>T</title><link>https://news.example.edu/</link>
<item rdf:about="https://news.example.edu/c1"><title>C1</title><link>https://news.example.edu/c1</link></item>
</channel>
<item rdf:about="https://news.example.edu/r2"><title>R2</title><link>https://news.example.edu/r2</link></item>
</rdf:RDF>`
	checkKnown(t, New("up", splitURL, Options{}), []byte(doc), "application/rdf+xml")
}

func TestKnownAtomLinkWithContent(t *testing.T) {
	// An Atom <link> with content: the side reading of the whole document
	// and of the split one's skeleton (where the content is cut out) give
	// the same entries.
	doc := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>F</title><id>urn:f</id>
<entry><id>urn:1</id><title type="html">A &amp;lt;b&amp;gt;</title><link rel="alternate" href="https://news.example.edu/a">
</link><content type="text">one</content></entry>
<entry><id>urn:2</id><title type="html">B</title><link href="https://news.example.edu/b"/><content type="text">two</content></entry>
</feed>`
	checkKnown(t, New("up", splitURL, Options{}), []byte(doc), "application/atom+xml")
}

func TestKnownMaxItemsForeignEntry(t *testing.T) {
	// Past fetch.max_items nothing is compared: an entry gofeed does not
	// take (another namespace) misaligns the whole parse's side reading,
	// not the cut one's.
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id>
<entry><id>urn:1</id><title type="html">A</title><content type="text">one</content></entry>
<x:entry xmlns:x="urn:x"><x:id>urn:x</x:id></x:entry>
</feed>`
	checkKnown(t, New("up", splitURL, Options{MaxItems: 1}), []byte(doc), "application/atom+xml")
}

func TestKnownMaxItemsParseError(t *testing.T) {
	// Past fetch.max_items an entry gofeed cannot parse fails the whole
	// parse, not the cut one.
	for name, doc := range map[string]string{
		"xml comment": `<rss version="2.0"><channel><title>T</title>
<item><title>A</title></item>
<item><title>B</title><!-- a -- b --></item>
</channel></rss>`,
		"json": `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","title":"A"},{"id":"2","title":nope}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			checkKnown(t, New("up", splitURL, Options{MaxItems: 1}), []byte(doc), "")
		})
	}
}

func TestKnownForeignAndCapitalEntries(t *testing.T) {
	// The scan takes entries of any namespace, case-sensitively; gofeed
	// takes native ones, case-insensitively. With as many of each the
	// counts agree and positions drift.
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id>
<x:entry xmlns:x="urn:x"><x:id>urn:x</x:id></x:entry>
<entry><id>urn:a</id><title>A</title></entry>
<Entry><id>urn:q</id><title>Q</title></Entry>
</feed>`
	checkKnown(t, New("up", splitURL, Options{}), []byte(doc), "application/atom+xml")
}

func rdfDoc(r1 string) string {
	return `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<item rdf:about="https://news.example.edu/r1"><title>` + r1 + `</title><link>https://news.example.edu/r1</link></item>
<channel rdf:about="https://news.example.edu/"><title>T</title><link>https://news.example.edu/</link>
<item rdf:about="https://news.example.edu/c1"><title>C1</title><link>https://news.example.edu/c1</link></item>
</channel>
<item rdf:about="https://news.example.edu/r2"><title>R2</title><link>https://news.example.edu/r2</link></item>
</rdf:RDF>`
}

// TestKnownRDFRetention: an RDF channel holding items of its own, which
// gofeed lists before the root's, is parsed whole, its stories without
// hashes: the scheduler hashes them as stories, and nothing is left out.
func TestKnownRDFRetention(t *testing.T) {
	s := New("up", splitURL, Options{})
	p, err := s.parse(splitURL, []byte(rdfDoc("R1")), "", knowing(nil))
	if err != nil || p.hashes != nil || len(p.feed.Items) != 3 {
		t.Fatalf("parse: %v; hashes %q, %d items; want 3 items, parsed whole", err, p.hashes, len(p.feed.Items))
	}
}

func TestKnownRDFMaxItems(t *testing.T) {
	// With the cap nothing is compared past it: nothing known, and the
	// one story kept is R1 where a whole parse keeps C1.
	checkKnown(t, New("up", splitURL, Options{MaxItems: 1}), []byte(rdfDoc("R1")), "")
}

// TestEntryHashZone: the zone enters the hash by name only; two zones of
// one name (a tzdata change under a Go upgrade does the same to a
// LoadLocation zone) give one hash for two different stories.
func TestEntryHashZone(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>T</title><link>https://news.example.edu/</link>
<item><title>A</title><pubDate>Mon, 02 Nov 2026 10:00:00</pubDate></item></channel></rss>`
	z1, z2 := time.FixedZone("Campus", 3600), time.FixedZone("Campus", 7200)
	h1, h2 := entryHashes(t, doc, "r", Options{Zone: z1}), entryHashes(t, doc, "r", Options{Zone: z2})
	p1, _ := New("up", splitURL, Options{Zone: z1}).parse(splitURL, []byte(doc), "", nil)
	p2, _ := New("up", splitURL, Options{Zone: z2}).parse(splitURL, []byte(doc), "", nil)
	s1, s2 := p1.stories(z1)[0].Published, p2.stories(z2)[0].Published
	if h1[0] == h2[0] && !s1.Equal(s2) {
		t.Errorf("one hash %s for stories published at %v and %v", h1[0], s1, s2)
	}
}

func TestKnownTwoChannels(t *testing.T) {
	// gofeed keeps the last channel's items only: with every entry known,
	// the first channel's must not be told known, nor stay in the window.
	doc := `<rss version="2.0"><channel><title>A</title><link>https://news.example/</link>
<item><title>A1</title><link>https://news.example/a1</link></item>
<item><title>A2</title><link>https://news.example/a2</link></item></channel>
<channel><title>B</title><link>https://news.example/</link>
<item><title>B1</title><link>https://news.example/b1</link></item></channel></rss>`
	s := New("up", splitURL, Options{})
	whole, err := s.parse(splitURL, []byte(doc), "application/rss+xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.parse(splitURL, []byte(doc), "application/rss+xml", knowingAll)
	if err != nil {
		t.Fatal(err)
	}
	n := len(whole.stories(time.UTC))
	if got := len(p.stories(time.UTC)) + len(p.known); got != n {
		t.Errorf("with every entry known: %d stories and %d known, want %d in all (the whole parse's)", len(p.stories(time.UTC)), len(p.known), n)
	}
	checkKnown(t, s, []byte(doc), "application/rss+xml")
}

func TestKnownDefaultNamespaces(t *testing.T) {
	// The default namespace in scope at an entry decides whether gofeed
	// takes it: the scan splits only where it is one gofeed reads as the
	// format's own, and leaves the rest (a foreign one, one written
	// without a value, which gofeed's lenient decoder takes for the
	// namespace "xmlns", one given twice) to the whole parse.
	atom := func(root string) string {
		return root + `<title>F</title><id>urn:f</id>
<entry><id>urn:1</id><title>A</title><content type="text">one</content></entry>
<entry><id>urn:2</id><title>B</title><content type="text">two</content></entry></feed>`
	}
	rss := func(root, channel string) string {
		return root + channel + `<title>T</title><link>https://news.example.edu/</link>
<item><title>A</title><link>https://news.example.edu/a</link></item>
<item><title>B</title><link>https://news.example.edu/b</link></item></channel></rss>`
	}
	for _, tt := range []struct {
		name, doc string
		split     bool
	}{
		{"atom", atom(`<feed xmlns="http://www.w3.org/2005/Atom">`), true},
		{"atom 0.3, padded", atom(`<feed version="0.3" xmlns = ' http://purl.org/atom/ns# '>`), true},
		{"atom in no namespace", atom(`<feed>`), true},
		{"xmlns without a value", atom(`<feed xmlns>`), false},
		{"xmlns without quotes", atom(`<feed xmlns=http://www.w3.org/2005/Atom>`), false},
		{"xmlns twice", atom(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns="urn:x">`), false},
		{"atom in another namespace", atom(`<feed xmlns="urn:other">`), false},
		{"an attribute without a value beside", atom(`<feed checked xmlns="http://www.w3.org/2005/Atom">`), false},
		{"rss", rss(`<rss version="2.0">`, `<channel>`), true},
		{"rss, its root in a namespace", rss(`<rss version="2.0" xmlns="http://backend.userland.com/rss2">`, `<channel>`), false},
		{"rss, its channel in a namespace", rss(`<rss version="2.0">`, `<channel xmlns="urn:x">`), false},
		{"rss, its channel back in none", rss(`<rss version="2.0" xmlns="urn:x">`, `<channel xmlns="">`), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := split([]byte(tt.doc)); ok != tt.split {
				t.Errorf("split = %v, want %v", ok, tt.split)
			}
			checkKnown(t, New("up", splitURL, Options{}), []byte(tt.doc), "")
		})
	}
}
