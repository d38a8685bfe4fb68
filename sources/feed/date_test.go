package feed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestZoneNames: RFC 822's US zones are read at their offsets wherever the
// source is; CST stays the source's own (China to a Hong Kong source); a
// zone name in lower case, which gofeed cannot read, is read all the same.
func TestZoneNames(t *testing.T) {
	dates := []struct{ raw, want string }{
		{"Thu, 13 Mar 2025 09:00:00 EST", "2025-03-13T22:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 EDT", "2025-03-13T21:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 CDT", "2025-03-13T22:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 MST", "2025-03-14T00:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 MDT", "2025-03-13T23:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 PST", "2025-03-14T01:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 PDT", "2025-03-14T00:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 CST", "2025-03-13T09:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 gmt", "2025-03-13T17:00:00+08:00"},
		{"Thu, 13 Mar 2025 09:00:00 utc", "2025-03-13T17:00:00+08:00"},
		// Forms gofeed misreads or cannot read.
		{"Thu, 1 Jan 2004 9:8:2 GMT", "2004-01-01T17:08:02+08:00"},
		{"Thu, 1 Jan 2004 19:48:2 GMT", "2004-01-02T03:48:02+08:00"},
		{"Thu, 1 Jan 2004 9:08 GMT", "2004-01-01T17:08:00+08:00"},
		{"2004-01-01t19:48:21z", "2004-01-02T03:48:21+08:00"},
	}
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://home.example/</link><description>d</description>`)
	for i, d := range dates {
		fmt.Fprintf(&doc, "<item><title>%d</title><link>https://home.example/%d</link><pubDate>%s</pubDate></item>", i, i, d.raw)
	}
	doc.WriteString("</channel></rss>")
	opts := testOptions(t)
	opts.Zone = mustZone(t, "Asia/Hong_Kong")
	res := mustFetch(t, serveBody(t, doc.String(), "application/rss+xml"), opts)
	if len(res.Stories) != len(dates) {
		t.Fatalf("%d stories, want %d", len(res.Stories), len(dates))
	}
	for i, d := range dates {
		if got := res.Stories[i].Published.Format(time.RFC3339); got != d.want {
			t.Errorf("%s: %s, want %s", d.raw, got, d.want)
		}
	}
}
