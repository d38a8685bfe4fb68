package normalize

import (
	"net/url"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func TestURIString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://any.test/À", "http://any.test/%C3%80"},
		{"https://Bücher.example:8443/ä?q=é&r=a b#ü", "https://xn--bcher-kva.example:8443/%C3%A4?q=%C3%A9&r=a%20b#%C3%BC"},
		{"http://例え.テスト/パス", "http://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9"},
		{"https://example.org/a%20b?x=%C3%A9&y=1", "https://example.org/a%20b?x=%C3%A9&y=1"},
		{`https://example.org/?q="<x>"|{}`, "https://example.org/?q=%22%3Cx%3E%22%7C%7B%7D"},
		{"https://example.org/plain?x=1", "https://example.org/plain?x=1"},
	} {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := uriString(u); got != tc.want {
			t.Errorf("uriString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestIRILinks: an IRI in an item's link, image, enclosure or content is
// kept and published as a URI; an item stored under the id its link gave
// before keeps that id.
func TestIRILinks(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	st := sources.Story{
		File: "https://up.example.org/feed", Title: "Café", Base: "https://up.example.org/",
		Origin: &feeds.Origin{Title: "Up", ID: "https://up.example.org/", Link: "https://up.example.org/ü"},
		Link:   "http://any.test/À?q=é", Image: "/ïmage.png",
		Content:    `<p><a href="/é">e</a></p>`,
		Enclosures: []feeds.Enclosure{{URL: "https://cdn.example/ép.mp3", Type: "audio/mpeg"}},
	}
	src := Source{Name: "up", Language: "en", Feed: true}
	items, err := n.Items(src, now, []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	for _, c := range []struct{ what, got, want string }{
		{"link", it.Link, "http://any.test/%C3%80?q=%C3%A9"},
		{"image", it.Image, "https://up.example.org/%C3%AFmage.png"},
		{"enclosure", it.Enclosures[0].URL, "https://cdn.example/%C3%A9p.mp3"},
		{"content", it.Content, `<p><a href="https://up.example.org/%C3%A9" rel="nofollow">e</a></p>`},
		{"origin link", it.Origin.Link, "https://up.example.org/%C3%BC"},
		{"id", it.ID, upID("http://any.test/%C3%80?q=%C3%A9")},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}

	// Stored when the query was written as it came.
	old := upID("http://any.test/%C3%80?q=é")
	known := []feeds.Item{{ID: old, Source: "up", File: st.File, Link: "http://any.test/%C3%80?q=é", Published: now.Add(-time.Hour), FirstSeen: now.Add(-time.Hour)}}
	items, err = n.Items(src, now, []sources.Story{st}, known)
	if err != nil {
		t.Fatal(err)
	}
	if items[0].ID != old || items[0].Link != "http://any.test/%C3%80?q=%C3%A9" {
		t.Errorf("id %q link %q; want the stored id %q and the URI link", items[0].ID, items[0].Link, old)
	}
}

// FuzzURIString: any URL Go parses is written as an ASCII URI that parses
// again to the same place.
func FuzzURIString(f *testing.F) {
	for _, s := range []string{"http://any.test/À", "https://Bücher.example:8443/ä?q=é&r=a b#ü", "http://例え.テスト/パス", "https://example.org/a%20b?x=%C3%A9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		host := u.Hostname()
		got := uriString(u)
		if !isASCII(got) && isASCII(host) {
			t.Fatalf("uriString(%q) = %q: not ASCII", s, got)
		}
		v, err := url.Parse(got)
		if err != nil {
			t.Fatalf("uriString(%q) = %q, which does not parse: %v", s, got, err)
		}
		if v.Scheme != u.Scheme || v.Path != u.Path {
			t.Fatalf("uriString(%q) = %q: scheme or path changed (%q %q)", s, got, v.Scheme, v.Path)
		}
	})
}
