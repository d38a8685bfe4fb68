package feed

import (
	"testing"
)

// TestItemImage: an item's image is the first the feed declares, in the
// order media:thumbnail, media:content (images), image enclosures,
// itunes:image, JSON Feed image and banner_image; tracking pixels are
// skipped, relative URLs resolved; none declared is "" (normalize then
// takes the content's first picture).
func TestItemImage(t *testing.T) {
	const rssDoc = `<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>T</title><link>https://home.example/</link><description>d</description>
<item><title>thumbnail first</title>
  <enclosure url="https://home.example/e.jpg" type="image/jpeg" length="1"/>
  <media:content url="https://home.example/c.jpg" medium="image"/>
  <media:thumbnail url="/t.jpg"/></item>
<item><title>thumbnail in a group</title><media:group><media:thumbnail url="https://home.example/g.jpg" width="640" height="360"/></media:group></item>
<item><title>image content only</title>
  <media:content url="https://home.example/v.mp4" type="video/mp4"/>
  <media:content url="https://home.example/c2.png" type="image/png"/></item>
<item><title>pixel skipped</title>
  <media:thumbnail url="https://track.example/p.gif" width="1" height="1"/>
  <enclosure url="https://home.example/e2.jpg" type="image/jpeg" length="1"/></item>
<item><title>audio is no image</title><enclosure url="https://home.example/a.mp3" type="audio/mpeg" length="1"/>
  <itunes:image href="https://home.example/cover.jpg"/></item>
<item><title>content image left to normalize</title><description>&lt;img src="https://home.example/in.jpg"&gt;</description></item>
</channel></rss>`
	res := mustFetch(t, serveBody(t, rssDoc, "application/rss+xml"), testOptions(t))
	want := []string{
		"https://home.example/t.jpg",
		"https://home.example/g.jpg",
		"https://home.example/c2.png",
		"https://home.example/e2.jpg",
		"https://home.example/cover.jpg",
		"",
	}
	if len(res.Stories) != len(want) {
		t.Fatalf("%d stories, want %d", len(res.Stories), len(want))
	}
	for i, w := range want {
		if got := res.Stories[i].Image; got != w {
			t.Errorf("%s: image %q, want %q", res.Stories[i].Title, got, w)
		}
	}

	const atomDoc = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry><title>enclosure link</title><id>urn:1</id><updated>2025-03-14T10:00:00Z</updated>
  <link rel="enclosure" type="audio/mpeg" href="https://home.example/a.mp3"/>
  <link rel="enclosure" type="image/webp" href="https://home.example/w.webp"/></entry>
</feed>`
	res = mustFetch(t, serveBody(t, atomDoc, "application/atom+xml"), testOptions(t))
	if got := res.Stories[0].Image; got != "https://home.example/w.webp" {
		t.Errorf("Atom image enclosure: %q", got)
	}

	const jsonDoc = `{"version":"https://jsonfeed.org/version/1.1","title":"T","home_page_url":"https://home.example/",
"items":[{"id":"1","content_text":"x","image":"https://home.example/i.png","banner_image":"https://home.example/b.png"},
{"id":"2","content_text":"y","banner_image":"/b2.png"}]}`
	res = mustFetch(t, serveBody(t, jsonDoc, "application/feed+json"), testOptions(t))
	if a, b := res.Stories[0].Image, res.Stories[1].Image; a != "https://home.example/i.png" || b != "https://home.example/b2.png" {
		t.Errorf("JSON Feed images %q %q", a, b)
	}
}
