package feeds_test

import (
	"log"
	"os"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// ExampleWriteJSON writes a feed of two items, newest first, as JSON Feed
// 1.1. Dates are written in the feed's zone. An item's Content (HTML the
// caller has sanitized) is written beside its Summary; an item with no
// Content carries its Summary as content_text.
func ExampleWriteJSON() {
	hk := time.FixedZone("HKT", 8*60*60)
	published := time.Date(2025, 3, 13, 9, 30, 0, 0, hk)
	f := &feeds.Feed{
		Title:    "Campus News",
		Link:     "https://news.example.edu/",
		SelfURL:  "https://news.example.edu/en/feed.json",
		Language: "en",
		Updated:  published,
		Zone:     hk,
		Items: []feeds.Item{
			{
				ID:         "https://news.example.edu/2025/net-zero",
				Title:      "Net-zero plan unveiled",
				Link:       "https://news.example.edu/2025/net-zero",
				Summary:    "The university sets out how it will reach net zero.",
				Content:    "<p>The university sets out how it will reach net zero.</p>",
				Authors:    []feeds.Person{{Name: "Press Office"}},
				Categories: []string{"Sustainability"},
				Language:   "en",
				Published:  published,
				Updated:    published,
			},
			{
				ID:        "https://news.example.edu/2025/open-day",
				Title:     "Open day on Saturday",
				Link:      "https://news.example.edu/2025/open-day",
				Summary:   "Labs and lecture halls open to visitors.",
				Language:  "en",
				Published: published.Add(-24 * time.Hour),
				Updated:   published.Add(-24 * time.Hour),
			},
		},
	}
	if err := feeds.WriteJSON(os.Stdout, f); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {
	//   "version": "https://jsonfeed.org/version/1.1",
	//   "title": "Campus News",
	//   "home_page_url": "https://news.example.edu/",
	//   "feed_url": "https://news.example.edu/en/feed.json",
	//   "language": "en",
	//   "items": [
	//     {
	//       "id": "https://news.example.edu/2025/net-zero",
	//       "url": "https://news.example.edu/2025/net-zero",
	//       "title": "Net-zero plan unveiled",
	//       "content_html": "<p>The university sets out how it will reach net zero.</p>",
	//       "summary": "The university sets out how it will reach net zero.",
	//       "date_published": "2025-03-13T09:30:00+08:00",
	//       "date_modified": "2025-03-13T09:30:00+08:00",
	//       "authors": [
	//         {
	//           "name": "Press Office"
	//         }
	//       ],
	//       "tags": [
	//         "Sustainability"
	//       ],
	//       "language": "en"
	//     },
	//     {
	//       "id": "https://news.example.edu/2025/open-day",
	//       "url": "https://news.example.edu/2025/open-day",
	//       "title": "Open day on Saturday",
	//       "content_text": "Labs and lecture halls open to visitors.",
	//       "date_published": "2025-03-12T09:30:00+08:00",
	//       "date_modified": "2025-03-12T09:30:00+08:00",
	//       "language": "en"
	//     }
	//   ]
	// }
}
