package feed

import (
	"testing"
	"time"
)

// TestLanguageLevels: item-level declarations (xml:lang on content, else
// summary, else title, else the entry or item; JSON Feed item language) go
// to Story.Language, the feed's declaration (<language>, the feed element's
// xml:lang, JSON Feed language) to Story.FeedLanguage, and neither is copied
// into the other.
func TestLanguageLevels(t *testing.T) {
	const feedURL = "https://feeds.example/x/feed"
	type want struct{ lang, feed string }
	tests := []struct {
		name, contentType, doc string
		want                   []want
	}{
		{"Atom 0.3 content xml:lang under feed xml:lang", "application/atom+xml",
			`<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="fr">
  <title>Le blog</title>
  <link rel="alternate" type="text/html" href="https://blog.example/"/>
  <modified>2025-03-14T10:00:00Z</modified>
  <entry>
    <title>Un billet</title>
    <link rel="alternate" type="text/html" href="https://blog.example/1"/>
    <id>tag:blog.example,2025:1</id>
    <issued>2025-03-14T10:00:00Z</issued>
    <modified>2025-03-14T10:00:00Z</modified>
    <content type="text/html" mode="escaped" xml:lang="en">&lt;p&gt;An English post.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Deuxième billet</title>
    <link rel="alternate" type="text/html" href="https://blog.example/2"/>
    <id>tag:blog.example,2025:2</id>
    <issued>2025-03-14T09:00:00Z</issued>
    <modified>2025-03-14T09:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;En français.&lt;/p&gt;</content>
  </entry>
</feed>`,
			[]want{{"en", "fr"}, {"", "fr"}}},
		{"Atom 1.0 content over summary over title over entry", "application/atom+xml",
			`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>T</title><id>urn:f</id><updated>2025-03-14T10:00:00Z</updated>
<entry xml:lang="de"><id>urn:1</id><title xml:lang="fr">t</title><summary xml:lang="es">s</summary><content xml:lang="it">c</content><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:2</id><title xml:lang="fr">t</title><summary xml:lang="es">s</summary><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:3</id><title xml:lang="fr">t</title><summary>s</summary><updated>2025-03-14T10:00:00Z</updated></entry>
<entry xml:lang="de"><id>urn:4</id><title>t</title><updated>2025-03-14T10:00:00Z</updated></entry>
<entry><id>urn:5</id><title>t</title><updated>2025-03-14T10:00:00Z</updated></entry>
</feed>`,
			[]want{{"it", "en"}, {"es", "en"}, {"fr", "en"}, {"de", "en"}, {"", "en"}}},
		{"RSS language and item xml:lang", "application/rss+xml",
			`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>港聞</title><link>https://news.example/</link>
<language>zh-hk</language>
<item><title>Government announces new policy</title><link>https://news.example/1</link><description>The government said on Friday.</description></item>
<item xml:lang="en"><title>Tagged item</title><link>https://news.example/2</link></item>
<item><title xml:lang="ja">見出し</title><description xml:lang="ko">설명</description><link>https://news.example/3</link></item>
<item><title>dc</title><dc:language>fr</dc:language><link>https://news.example/4</link></item>
</channel></rss>`,
			[]want{{"", "zh-hk"}, {"en", "zh-hk"}, {"ko", "zh-hk"}, {"fr", "zh-hk"}}},
		{"RSS channel xml:lang without <language>", "application/rss+xml",
			`<rss version="2.0"><channel xml:lang="fr"><title>T</title><link>https://news.example/</link>
<item><title>Un</title><link>https://news.example/1</link></item></channel></rss>`,
			[]want{{"", "fr"}}},
		{"JSON Feed item and feed language", "application/feed+json",
			`{"version":"https://jsonfeed.org/version/1.1","title":"T","language":"en",
"items":[{"id":"1","content_text":"x","language":"ja"},{"id":"2","content_text":"y"}]}`,
			[]want{{"ja", "en"}, {"", "en"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New("up", feedURL, testOptions(t))
			p, err := s.parse(feedURL, []byte(tt.doc), tt.contentType, nil)
			if err != nil {
				t.Fatal(err)
			}
			st := p.stories(time.UTC)
			if len(st) != len(tt.want) {
				t.Fatalf("got %d stories, want %d", len(st), len(tt.want))
			}
			for i, w := range tt.want {
				if st[i].Language != w.lang || st[i].FeedLanguage != w.feed {
					t.Errorf("story %d: Language %q FeedLanguage %q, want %q %q", i, st[i].Language, st[i].FeedLanguage, w.lang, w.feed)
				}
			}
		})
	}
}
