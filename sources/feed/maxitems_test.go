package feed

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestMaxItems: one response yields at most MaxItems stories, the first in
// document order, and a warning counts the rest.
func TestMaxItems(t *testing.T) {
	t.Run("100,000 JSON items, default cap", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"Flood","items":[`)
		for i := range 100_000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"item-%d","content_text":"x"}`, i)
		}
		b.WriteString("]}")
		var logs bytes.Buffer
		u := serveBytes(t, []byte(b.String()), "application/feed+json")
		res := mustFetch(t, u, loggedTo(t, &logs))
		if len(res.Stories) != 1000 {
			t.Fatalf("got %d stories, want 1000", len(res.Stories))
		}
		for i, s := range res.Stories {
			if want := fmt.Sprintf("item-%d", i); s.ID != want || s.Position != i {
				t.Fatalf("story %d: ID %q Position %d, want %q %d", i, s.ID, s.Position, want, i)
			}
		}
		want := fmt.Sprintf("level=WARN msg=\"feed has more items than fetch.max_items; kept the first\" source=up url=%s kept=1000 dropped=99000\n", u)
		if logs.String() != want {
			t.Errorf("log = %q\nwant  %q", logs.String(), want)
		}
	})

	t.Run("5 RSS items, MaxItems 3", func(t *testing.T) {
		var logs bytes.Buffer
		opts := loggedTo(t, &logs)
		opts.MaxItems = 3
		u := serveBytes(t, []byte(newsRSS("", "香港新聞", big5News[:5])), "application/rss+xml")
		checkNews(t, mustFetch(t, u, opts), "香港新聞", big5News[:3])
		want := fmt.Sprintf("level=WARN msg=\"feed has more items than fetch.max_items; kept the first\" source=up url=%s kept=3 dropped=2\n", u)
		if logs.String() != want {
			t.Errorf("log = %q\nwant  %q", logs.String(), want)
		}
	})

	// The Atom attributes read beside gofeed are cut with the entries, so
	// each kept entry keeps its own text-construct types.
	t.Run("Atom, MaxItems 2", func(t *testing.T) {
		opts := testOptions(t)
		opts.MaxItems = 2
		u := serveBytes(t, []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>`+
			`<entry><id>urn:1</id><title type="html">&lt;b&gt;one&lt;/b&gt;</title></entry>`+
			`<entry><id>urn:2</id><title type="text">&lt;b&gt;two&lt;/b&gt;</title></entry>`+
			`<entry><id>urn:3</id><title type="html">three</title></entry></feed>`), "application/atom+xml")
		var got []string
		for _, s := range mustFetch(t, u, opts).Stories {
			got = append(got, fmt.Sprintf("%s|%s|%v", s.ID, s.Title, s.TitleHTML))
		}
		want := []string{"urn:1|<b>one</b>|true", "urn:2|<b>two</b>|false"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("stories:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("at the cap, nothing dropped or logged", func(t *testing.T) {
		var logs bytes.Buffer
		opts := loggedTo(t, &logs)
		opts.MaxItems = 5
		u := serveBytes(t, []byte(newsRSS("", "香港新聞", big5News[:5])), "application/rss+xml")
		checkNews(t, mustFetch(t, u, opts), "香港新聞", big5News[:5])
		if logs.Len() != 0 {
			t.Errorf("log = %q, want none", logs.String())
		}
	})
}
