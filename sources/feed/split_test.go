package feed

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

const splitURL = "https://news.example.edu/feed.xml"

// entryTexts is what split found: each entry's bytes, nil when it could
// not follow the document.
func entryTexts(doc string) []string {
	l, ok := split([]byte(doc))
	if !ok {
		return nil
	}
	out := []string{}
	for _, e := range l.entries {
		out = append(out, doc[e.start:e.end])
	}
	return out
}

func TestSplitFindsEntries(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"rss 2.0, markup in text, CDATA, comments and attributes",
			`<?xml version="1.0"?><!-- <item>not one</item> --><rss version="2.0"><channel><title>T &amp; <![CDATA[</item>]]></title>
  <item><title><![CDATA[a </item> <item>]]></title><guid isPermaLink="false" x='>'>1</guid></item>
  <!-- <item> -->
  <item/>
  <item><description>&lt;item&gt;</description><?pi </item> ?></item>
</channel></rss>`,
			[]string{`<item><title><![CDATA[a </item> <item>]]></title><guid isPermaLink="false" x='>'>1</guid></item>`,
				`<item/>`,
				`<item><description>&lt;item&gt;</description><?pi </item> ?></item>`}},
		{"rss 1.0: items beside the channel",
			`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><items><rdf:Seq><rdf:li resource="a"/></rdf:Seq></items></channel><item rdf:about="a"><title>A</title></item><item rdf:about="b"><title>B</title></item></rdf:RDF>`,
			[]string{`<item rdf:about="a"><title>A</title></item>`, `<item rdf:about="b"><title>B</title></item>`}},
		{"atom; an entry inside an entry is part of it",
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><entry>x</entry></div></content></entry>
<entry><id>2</id></entry></feed>`,
			[]string{`<entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><entry>x</entry></div></content></entry>`, `<entry><id>2</id></entry>`}},
		{"a DOCTYPE without an internal subset",
			`<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><item><title>A</title></item></channel></rss>`,
			[]string{`<item><title>A</title></item>`}},
		{"json feed: brackets and quotes in strings, nested values",
			`{"version":"https://jsonfeed.org/version/1.1","title":"x]}","items":[ {"id":"1","title":"a \"]\" b","tags":["x",{"y":[1,2]}]} , {"id":"2","n":-1.5e3,"b":true,"z":null} ],"authors":[{"name":"n"}]}`,
			[]string{`{"id":"1","title":"a \"]\" b","tags":["x",{"y":[1,2]}]}`, `{"id":"2","n":-1.5e3,"b":true,"z":null}`}},
		{"json feed: encoding/json takes Items for items",
			`{"Items":[{"id":"1"}]}`, []string{`{"id":"1"}`}},
		{"json feed: no items", `{"version":"1","items":[]}`, []string{}},

		// What the scan cannot follow is parsed whole, and so is what
		// gofeed might take for an entry the scan would not.
		{"an item not the channel's", `<rss><channel><image><item>no</item></image></channel></rss>`, nil},
		{"an item of the root", `<rss><channel><item>a</item></channel><item>stray</item></rss>`, nil},
		{"an RDF channel's item", `<rdf:RDF xmlns:rdf="r"><channel><item>c</item></channel><item>r</item></rdf:RDF>`, nil},
		{"a capitalized item", `<rss><channel><Item>a</Item></channel></rss>`, nil},
		{"a prefixed entry", `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:id>1</a:id></a:entry></a:feed>`, nil},
		{"an entry in a namespace of its own", `<feed xmlns="http://www.w3.org/2005/Atom"><entry xmlns="urn:x"><id>1</id></entry></feed>`, nil},
		{"an entry in an RSS channel", `<rss><channel><entry>a</entry></channel></rss>`, nil},
		{"an internal subset", `<!DOCTYPE rss [<!ENTITY e "<item>x</item>">]><rss><channel><item>&e;</item></channel></rss>`, nil},
		{"an end tag that closes nothing open", `<rss><channel><item></channel></item></rss>`, nil},
		{"an unclosed root", `<rss><channel><item></item></channel>`, nil},
		{"an unterminated comment", `<rss><channel><!-- <item></item></channel></rss>`, nil},
		{"an unterminated CDATA section", `<rss><channel><item><![CDATA[x</item></channel></rss>`, nil},
		{"an unterminated attribute value", `<rss><channel><item a="x></item></channel></rss>`, nil},
		{"two roots", `<rss><channel/></rss><rss><channel/></rss>`, nil},
		{"markup declarations", `<rss><!ELEMENT x ANY><channel/></rss>`, nil},
		{"a lowercase doctype", `<!doctype rss><rss><channel/></rss>`, nil},
		{"too deep", strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1), nil},
		{"json: two items keys", `{"items":[{"id":"1"}],"ITEMS":[]}`, nil},
		{"json: an escaped key", `{"\u0069tems":[{"id":"1"}]}`, nil},
		{"json: items not an array", `{"items":{"id":"1"}}`, nil},
		{"json: no items key", `{"version":"1"}`, nil},
		{"json: trailing bytes", `{"items":[]} x`, nil},
		{"json: a missing comma", `{"items":[{"id":"1"} {"id":"2"}]}`, nil},
		{"json: an unterminated string", `{"items":[{"id":"1}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entryTexts(tt.doc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entries = %q\nwant %q", got, tt.want)
			}
		})
	}
}

// referenceParse is parse as it was before documents were split: gofeed
// and the side readings over the whole decoded body.
func referenceParse(s *Source, body []byte, ct string) (parsed, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return parsed{}, ErrEmpty
	}
	dec, err := decodeBody(body, ct)
	if err != nil {
		return parsed{}, err
	}
	if len(strings.TrimSpace(string(dec.body))) == 0 {
		return parsed{}, ErrEmpty
	}
	if isHTML(dec.body) {
		return parsed{}, ErrNotAFeed
	}
	p, err := gofeedParse(publicURL(splitURL), dec.body, nil, ct)
	if err != nil {
		return parsed{}, err
	}
	p.keepFirst(s.sh.opts.MaxItems)
	return p, nil
}

// storyFields is what of a story gofeed alone decides.
type storyFields struct {
	Position          int
	ID, Link, Summary string
	Published         time.Time
	Authors           []string
	Categories        []string
}

func gofeedFields(stories []sources.Story) []storyFields {
	var out []storyFields
	for _, st := range stories {
		f := storyFields{Position: st.Position, ID: st.ID, Link: st.Link, Summary: st.Summary, Published: st.Published, Categories: st.Categories}
		for _, a := range st.Authors {
			f.Authors = append(f.Authors, a.Name)
		}
		out = append(out, f)
	}
	return out
}

// knowing is a skip that knows the hashes in set.
func knowing(set map[string]bool) *skip {
	return &skip{known: func() (string, func(string) bool) {
		return "rules", func(h string) bool { return set[h] }
	}}
}

// knowingAll is a skip that holds every hash stored.
var knowingAll = &skip{known: func() (string, func(string) bool) {
	return "rules", func(string) bool { return true }
}}

// fixtures are the feed fixtures of testdata with their content types.
func fixtures(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range names {
		ct := "application/rss+xml"
		switch {
		case strings.HasSuffix(name, ".json"):
			ct = "application/feed+json"
		case strings.HasSuffix(name, ".html"):
			continue
		case strings.Contains(name, "_http"):
			ct = "application/xml; charset=" + strings.TrimSuffix(filepath.Base(name), "_http.xml")
		}
		out[name] = ct
	}
	return out
}

// checkKnown parses body whole, then with nothing known, then with each
// of several sets of its entries known, and checks that every parse gives
// the whole parse's stories, less those known.
func checkKnown(t *testing.T, s *Source, body []byte, ct string) {
	t.Helper()
	checkKnownWith(t, s, body, ct, false)
}

// checkKnownWith is checkKnown; quick, for fuzzing, it tries two sets of
// entries known rather than six, and takes the parse with nothing known
// for the whole parse (a fuzz input costs the parses it makes, and the
// fuzzer minimizes what it finds by running it thousands of times).
func checkKnownWith(t *testing.T, s *Source, body []byte, ct string, quick bool) {
	t.Helper()
	first, err := s.parse(splitURL, body, ct, knowing(nil))
	whole, werr := first, err
	if !quick {
		whole, werr = s.parse(splitURL, body, ct, nil)
	}
	ref, rerr := referenceParse(s, body, ct)
	if werr != nil || err != nil || rerr != nil {
		if (werr == nil) != (err == nil) || (rerr == nil) != (err == nil) ||
			errors.Is(err, ErrParse) != errors.Is(werr, ErrParse) || errors.Is(err, ErrParse) != errors.Is(rerr, ErrParse) {
			t.Fatalf("parse: %v; with nothing known: %v; whole, never split: %v", werr, err, rerr)
		}
		return
	}
	want := whole.stories(time.UTC)
	// Told every entry is stored, a parse's stories and known entries are
	// the whole parse's stories, however the document splits: an entry
	// gofeed never shows must not be told known.
	if p, err := s.parse(splitURL, body, ct, knowingAll); err != nil {
		t.Fatalf("every entry known: %v", err)
	} else if n := len(p.stories(time.UTC)) + len(p.known); n != len(want) {
		t.Fatalf("every entry known: %d stories and %d known, want %d in all (the whole parse's)", len(p.stories(time.UTC)), len(p.known), len(want))
	}
	// The entries are gofeed's items, in its order: what gofeed alone
	// decides of each story is what a parse that never splits gives (the
	// side readings may differ: they read the split document's entries
	// without their children's contents, see TestKnownAtomLinkWithContent).
	if got, wantRef := gofeedFields(want), gofeedFields(ref.stories(time.UTC)); !reflect.DeepEqual(got, wantRef) {
		t.Fatalf("stories differ from a parse that never splits:\n got %+v\nwant %+v", got, wantRef)
	}
	if got := first.stories(time.UTC); !reflect.DeepEqual(got, want) {
		t.Fatalf("nothing known: stories differ from the whole parse's\n got %+v\nwant %+v", got, want)
	}
	if first.hashes == nil {
		return // not split: parsed whole
	}
	if len(first.hashes) != len(want) || len(first.known) != 0 {
		t.Fatalf("nothing known: %d hashes, %d known for %d stories", len(first.hashes), len(first.known), len(want))
	}
	for i, h := range first.hashes {
		if len(h) != 32 {
			t.Fatalf("hash %d = %q", i, h)
		}
	}
	n := len(want)
	patterns := map[string]func(i int) bool{
		"all":          func(int) bool { return true },
		"all but 0":    func(i int) bool { return i != 0 },
		"all but 1":    func(i int) bool { return i != 1 },
		"all but last": func(i int) bool { return i != n-1 },
		"every other":  func(i int) bool { return i%2 == 0 },
		"the first":    func(i int) bool { return i == 0 },
	}
	if quick {
		for name := range patterns {
			if name != "all but 0" && name != "every other" {
				delete(patterns, name)
			}
		}
	}
	for name, known := range patterns {
		set := map[string]bool{}
		var wantStories []sources.Story
		var wantKnown, wantHashes []string
		for i, h := range first.hashes {
			if known(i) {
				set[h] = true
			}
		}
		for i, h := range first.hashes {
			if set[h] {
				wantKnown = append(wantKnown, h)
			} else {
				wantStories = append(wantStories, want[i])
				wantHashes = append(wantHashes, h)
			}
		}
		p, err := s.parse(splitURL, body, ct, knowing(set))
		if err != nil {
			t.Fatalf("%s known: %v", name, err)
		}
		got := p.stories(time.UTC)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, wantStories) {
			t.Errorf("%s known: stories\n got %+v\nwant %+v", name, got, wantStories)
		}
		if !slices.Equal(p.known, wantKnown) || !slices.Equal(p.hashes, wantHashes) {
			t.Errorf("%s known: known %q, hashes %q; want %q, %q", name, p.known, p.hashes, wantKnown, wantHashes)
		}
	}
}

func TestParseKnownFixtures(t *testing.T) {
	s := New("up", splitURL, Options{})
	var whole []string
	for name, ct := range fixtures(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			body, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			checkKnown(t, s, body, ct)
			if p, err := s.parse(splitURL, body, ct, knowing(nil)); err != nil || p.hashes == nil {
				whole = append(whole, filepath.Base(name))
			}
		})
	}
	// Every fixture is split but those with an internal subset and the
	// one cut short.
	slices.Sort(whole)
	if want := []string{"billion_laughs.xml", "truncated.xml", "xxe.xml"}; !slices.Equal(whole, want) {
		t.Errorf("fixtures parsed whole: %q, want %q", whole, want)
	}
}

func TestParseKnownMaxItems(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "bench20.xml"))
	if err != nil {
		t.Fatal(err)
	}
	// More entries than fetch.max_items: parsed whole, so that every
	// entry is read as gofeed reads it, and none is hashed.
	s := New("up", splitURL, Options{MaxItems: 5})
	checkKnown(t, s, body, "application/rss+xml")
	p, err := s.parse(splitURL, body, "", knowing(nil))
	if err != nil || p.hashes != nil || len(p.feed.Items) != 5 {
		t.Fatalf("parse: %v; %d hashes, %d items, want 5 items, no hash", err, len(p.hashes), len(p.feed.Items))
	}
	// As many as the cap: split.
	s = New("up", splitURL, Options{MaxItems: 20})
	if p, err := s.parse(splitURL, body, "", knowing(nil)); err != nil || len(p.hashes) != 20 {
		t.Fatalf("parse with a cap of 20: %v; %d hashes, want 20", err, len(p.hashes))
	}
}

// entryHashes is the hash of each entry of doc, read with opts and salt.
func entryHashes(t *testing.T, doc, salt string, opts Options) []string {
	t.Helper()
	p, err := New("up", splitURL, opts).parse(splitURL, []byte(doc), "", &skip{known: func() (string, func(string) bool) {
		return salt, func(string) bool { return false }
	}})
	if err != nil || p.hashes == nil {
		t.Fatalf("parse %q: %v, hashes %v", doc, err, p.hashes)
	}
	return p.hashes
}

// TestEntryHashes: an entry keeps its hash while the feed moves it, adds
// others and rewrites its own dates, and gets another when anything its
// story depends on changes.
func TestEntryHashes(t *testing.T) {
	rss := func(head, items string) string {
		return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <title>Campus News</title><link>https://news.example.edu/</link>` + head + `
` + items + `
</channel></rss>`
	}
	a := `  <item><title>A</title><link>/a</link></item>`
	b := `  <item><title>B</title><link>/b</link></item>`
	c := `  <item><title>C</title></item>`
	base := entryHashes(t, rss(`<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>`, a+"\n"+b), "r", Options{})

	same := map[string]string{
		"a new item on top":  rss(`<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>`, c+"\n"+a+"\n"+b),
		"the last item gone": rss(`<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>`, a),
		"new dates and ttl":  rss(`<lastBuildDate>Tue, 03 Nov 2026 10:00:00 GMT</lastBuildDate><pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate><ttl>60</ttl><dc:date>2026-11-03</dc:date><generator>x 2</generator>`, a+"\n"+b),
		"items on one line":  rss(`<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>`, a+b),
	}
	for name, doc := range same {
		got := entryHashes(t, doc, "r", Options{})
		if !slices.Contains(got, base[0]) {
			t.Errorf("%s: item A's hash changed: %q, want %q among them", name, got, base[0])
		}
	}

	other := map[string]struct {
		doc, salt string
		opts      Options
	}{
		"the item's own bytes":   {rss(``, `  <item><title>A!</title><link>/a</link></item>`), "r", Options{}},
		"the channel's title":    {strings.Replace(rss(``, a), "Campus News", "Campus", 1), "r", Options{}},
		"the channel's link":     {strings.Replace(rss(``, a), "https://news.example.edu/", "https://example.edu/", 1), "r", Options{}},
		"the channel's language": {rss(`<language>de</language>`, a), "r", Options{}},
		"a namespace":            {strings.Replace(rss(``, a), "elements/1.1/", "elements/1.0/", 1), "r", Options{}},
		"the salt":               {rss(``, a), "r2", Options{}},
		"the zone":               {rss(``, a), "r", Options{Zone: time.FixedZone("X", 3600)}},
	}
	for name, tt := range other {
		if got := entryHashes(t, tt.doc, tt.salt, tt.opts); got[0] == base[0] {
			t.Errorf("%s changed, the item's hash did not", name)
		}
	}
}

// TestSideDocument: the side readings get the entries' children without
// their contents, and none of the entries left out.
func TestSideDocument(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>F</title>
<entry xml:base="/a/"><title type="html">A &amp; <b>B</b></title><link href="x"/><content type="xhtml" xml:lang="de"><div xmlns="http://www.w3.org/1999/xhtml"><p>p</p></div></content></entry>
<entry><id>2</id></entry>
</feed>`
	l, ok := split([]byte(doc))
	if !ok {
		t.Fatal("not split")
	}
	got := string(l.side([]byte(doc), func(i int) bool { return i == 0 }))
	want := `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>F</title>
<entry xml:base="/a/"><title type="html"></title><link href="x"/><content type="xhtml" xml:lang="de"></content></entry>
</feed>`
	if got != want {
		t.Errorf("side document:\n%s\nwant\n%s", got, want)
	}
}

// TestSplitTwoChannels: a document of two channels, whose first one's
// items gofeed leaves out, is parsed whole, whichever holds the items.
func TestSplitTwoChannels(t *testing.T) {
	for _, doc := range []string{
		`<rss><channel><title>T</title><item>A</item></channel><channel></channel></rss>`,
		`<rss><channel><title>T</title></channel><channel><item>A</item></channel></rss>`,
		`<rss><channel><item>A</item></channel><Channel><item>B</item></Channel></rss>`,
	} {
		if l, ok := split([]byte(doc)); ok {
			t.Errorf("split %q: %d entries, want it parsed whole", doc, len(l.entries))
		}
	}
}

// TestHashKeys: the keys a HashKeys gives are readerVersion and zoneKey,
// made once per zone; a nil one makes them on every call.
func TestHashKeys(t *testing.T) {
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	keys := new(HashKeys)
	for range 3 {
		for _, z := range []*time.Location{hk, time.UTC} {
			reader, zone := keys.get(z)
			if reader != readerVersion() || zone != zoneKey(z) {
				t.Fatalf("get(%s) = %q, %q; want %q, %q", z, reader, zone, readerVersion(), zoneKey(z))
			}
		}
	}
	if len(keys.zones) != 2 {
		t.Errorf("%d zone keys kept, want 2", len(keys.zones))
	}
	if _, z1 := keys.get(hk); z1 == zoneKey(time.UTC) {
		t.Errorf("Hong Kong and UTC share the key %q", z1)
	}
	var none *HashKeys
	if reader, zone := none.get(hk); reader != readerVersion() || zone != zoneKey(hk) {
		t.Errorf("nil get = %q, %q", reader, zone)
	}
}
