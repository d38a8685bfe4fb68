package feeds

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func writeJSON(t *testing.T, f *Feed) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestJSONEmptyFeed(t *testing.T) {
	// JSON Feed 1.1: items is required, so an empty feed writes [].
	f := baseFeed("en/", "feed.json")
	want := `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "HKUST News",
  "home_page_url": "https://www.example.edu/news",
  "feed_url": "https://feeds.example.edu/en/feed.json",
  "language": "en",
  "items": []
}
`
	if got := writeJSON(t, f); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONItem(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Item)
		want string
	}{
		{"content_html with summary", func(*Item) {}, `{
      "id": "tag:feeds.example.edu,2025-03-13:newsroom/a",
      "url": "https://www.example.edu/news/a",
      "title": "T & <T>",
      "content_html": "<p>T & <T>.</p>",
      "summary": "Summary of T & <T>.",
      "date_published": "2025-03-13T00:01:00+08:00",
      "date_modified": "2025-03-13T00:01:00+08:00",
      "language": "en"
    }`},
		// One of content_html and content_text is required.
		{"no content: summary as content_text", func(it *Item) { it.Content = "" }, `{
      "id": "tag:feeds.example.edu,2025-03-13:newsroom/a",
      "url": "https://www.example.edu/news/a",
      "title": "T & <T>",
      "content_text": "Summary of T & <T>.",
      "date_published": "2025-03-13T00:01:00+08:00",
      "date_modified": "2025-03-13T00:01:00+08:00",
      "language": "en"
    }`},
		{"no content nor summary: empty content_text", func(it *Item) { it.Content, it.Summary = "", "" }, `{
      "id": "tag:feeds.example.edu,2025-03-13:newsroom/a",
      "url": "https://www.example.edu/news/a",
      "title": "T & <T>",
      "content_text": "",
      "date_published": "2025-03-13T00:01:00+08:00",
      "date_modified": "2025-03-13T00:01:00+08:00",
      "language": "en"
    }`},
		{"dates truncated to seconds, no link", func(it *Item) {
			it.Link = ""
			it.Published = it.Published.Add(999 * time.Millisecond)
			it.Updated = time.Time{}
		}, `{
      "id": "tag:feeds.example.edu,2025-03-13:newsroom/a",
      "title": "T & <T>",
      "content_html": "<p>T & <T>.</p>",
      "summary": "Summary of T & <T>.",
      "date_published": "2025-03-13T00:01:00+08:00",
      "language": "en"
    }`},
		{"authors, tags and attachments", func(it *Item) {
			it.Authors = []Person{{Name: "Ann Lee", Email: "ann@example.edu"}, {Email: "bob@example.edu"}, {}}
			it.Categories = []string{"News", "\x0b"}
			it.Enclosures = []Enclosure{{URL: "https://www.example.edu/a.mp3", Type: "audio/mpeg", Length: 42}, {URL: "https://www.example.edu/b"}}
		}, `{
      "id": "tag:feeds.example.edu,2025-03-13:newsroom/a",
      "url": "https://www.example.edu/news/a",
      "title": "T & <T>",
      "content_html": "<p>T & <T>.</p>",
      "summary": "Summary of T & <T>.",
      "date_published": "2025-03-13T00:01:00+08:00",
      "date_modified": "2025-03-13T00:01:00+08:00",
      "authors": [
        {
          "name": "Ann Lee",
          "url": "mailto:ann@example.edu"
        },
        {
          "name": "bob@example.edu",
          "url": "mailto:bob@example.edu"
        }
      ],
      "tags": [
        "News"
      ],
      "language": "en",
      "attachments": [
        {
          "url": "https://www.example.edu/a.mp3",
          "mime_type": "audio/mpeg",
          "size_in_bytes": 42
        },
        {
          "url": "https://www.example.edu/b",
          "mime_type": "application/octet-stream"
        }
      ]
    }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFeed("en/", "feed.json")
			it := story("a", "T & <T>", at(13, 0, 1))
			tt.mod(&it)
			f.Items = []Item{it}
			got := writeJSON(t, f)
			_, items, ok := strings.Cut(got, `"items": [`+"\n    ")
			if !ok {
				t.Fatalf("no items in\n%s", got)
			}
			items = strings.TrimSuffix(items, "\n  ]\n}\n")
			if items != tt.want {
				t.Errorf("item =\n%s\nwant\n%s", items, tt.want)
			}
		})
	}
}

func TestJSONHub(t *testing.T) {
	f := baseFeed("en/", "feed.json")
	f.Hub = "https://hub.example.org/"
	want := `  "hubs": [
    {
      "type": "WebSub",
      "url": "https://hub.example.org/"
    }
  ],
  "items": []`
	if got := writeJSON(t, f); !strings.Contains(got, want) {
		t.Errorf("got\n%s\nwant it to hold\n%s", got, want)
	}
}

func BenchmarkWriteJSON(b *testing.B) { benchmarkWriter(b, WriteJSON, "feed.json") }

// TestJSONStreamsAsWhole: WriteJSON, which encodes an item at a time, writes
// the bytes encoding/json writes for the whole document, for every golden
// case (the empty feed among them) and for a large feed.
func TestJSONStreamsAsWhole(t *testing.T) {
	feedsOf := map[string]*Feed{"bench": benchFeed("feed.json")}
	for _, c := range goldenCases {
		feedsOf[c.name] = goldenFeed(c.dir, "feed.json", c.feed)
	}
	for name, f := range feedsOf {
		t.Run(name, func(t *testing.T) {
			whole := f.jsonHead()
			for i := range f.Items {
				whole.Items = append(whole.Items, f.jsonItem(&f.Items[i]))
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(whole); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteJSON(&got, f); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed document differs from the whole one: %s", firstDiff(got.Bytes(), want.Bytes()))
			}
		})
	}
}
