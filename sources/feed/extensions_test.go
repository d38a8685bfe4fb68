package feed

import (
	"strings"
	"testing"
)

// TestItemFallbacks: what readers show where gofeed's item is empty — a
// permalink guid or an atom:link as the link, itunes:title and
// itunes:summary for an episode, Media RSS's description as the text — and
// nothing of it where the item has its own.
func TestItemFallbacks(t *testing.T) {
	const rssDoc = `<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>T</title><link>https://home.example/</link><description>d</description>
<item><title>Guid</title><guid>https://home.example/guid</guid></item>
<item><title>Explicit</title><guid isPermaLink="true">https://home.example/explicit</guid></item>
<item><title>Opaque</title><guid isPermaLink="false">https://home.example/opaque</guid></item>
<item><title>Not a URL</title><guid>item-4</guid></item>
<item><title>Atom link</title><atom:link rel="self" href="https://home.example/self"/><atom:link href="https://home.example/atom"/></item>
<item><title>Own link</title><link>https://home.example/own</link><guid>https://home.example/guid-own</guid></item>
<item><itunes:title>Episode 2</itunes:title><itunes:subtitle>Short subtitle</itunes:subtitle>
  <enclosure url="https://home.example/ep2.mp3" length="900" type="audio/mpeg"/></item>
<item><title>&lt;b&gt;Own&lt;/b&gt; title</title><itunes:title>Other</itunes:title><description>Own text</description><itunes:summary>Other text</itunes:summary></item>
<item><title>Media</title><media:group><media:description>Plain &lt;b&gt; text.</media:description></media:group></item>
</channel></rss>`
	res := mustFetch(t, serveBody(t, rssDoc, "application/rss+xml"), testOptions(t))
	type want struct{ title, link, summary, text string }
	wants := []want{
		{"Guid", "https://home.example/guid", "", ""},
		{"Explicit", "https://home.example/explicit", "", ""},
		{"Opaque", "", "", ""},
		{"Not a URL", "", "", ""},
		{"Atom link", "https://home.example/atom", "", ""},
		{"Own link", "https://home.example/own", "", ""},
		{"Episode 2", "", "", "Short subtitle"},
		{"&lt;b&gt;Own&lt;/b&gt; title", "", "Own text", ""},
		{"Media", "", "", "Plain <b> text."},
	}
	if len(res.Stories) != len(wants) {
		t.Fatalf("%d stories, want %d", len(res.Stories), len(wants))
	}
	for i, w := range wants {
		st := res.Stories[i]
		title := strings.ReplaceAll(strings.ReplaceAll(st.Title, "<", "&lt;"), ">", "&gt;")
		if title != w.title || st.Link != w.link || st.Summary != w.summary || strings.Join(st.Text, "|") != w.text {
			t.Errorf("story %d: title %q link %q summary %q text %q; want %+v", i, title, st.Link, st.Summary, st.Text, w)
		}
	}
	if st := res.Stories[6]; st.TitleHTML {
		t.Error("itunes:title is plain text, read as HTML")
	}

	const youtube = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
<title>Cam</title><id>yt:channel:1</id><updated>2025-06-09T02:11:40+00:00</updated>
<entry><id>yt:video:1</id><title>Storm</title><link rel="alternate" href="https://video.example/watch?v=1"/>
<updated>2025-06-09T02:11:40+00:00</updated>
<media:group><media:title>Storm</media:title><media:description>Four hours of the storm.

Filmed from the pier.</media:description></media:group></entry>
<entry><id>yt:video:2</id><title>Calm</title><updated>2025-06-09T02:11:40+00:00</updated>
<media:group><media:description type="html">&lt;p&gt;Calm &lt;b&gt;sea&lt;/b&gt;&lt;/p&gt;</media:description></media:group></entry>
</feed>`
	res = mustFetch(t, serveBody(t, youtube, "application/atom+xml"), testOptions(t))
	if got := strings.Join(res.Stories[0].Text, "|"); got != "Four hours of the storm.|Filmed from the pier." {
		t.Errorf("YouTube entry text %q", got)
	}
	if got := res.Stories[1].Content; got != "<p>Calm <b>sea</b></p>" {
		t.Errorf("HTML media:description content %q", got)
	}
}
