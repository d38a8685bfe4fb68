package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchFeed is an RSS file of n items of about a kilobyte each, the size of
// a published feed with summaries.
func benchFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>News</title>` + "\n")
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Headline %d of the newsroom</title><link>https://www.example.edu/news/%d</link>"+
			"<guid>https://www.example.edu/news/%d</guid><pubDate>Sun, 01 Mar 2026 10:%02d:00 +0800</pubDate>"+
			"<description>%s</description></item>\n", i, i, i, i%60, strings.Repeat(fmt.Sprintf("Paragraph %d of story %d. ", i%9, i), 30))
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// BenchmarkFeed serves a 50-item feed through the handler: full responses
// (identity and the precompressed gzip) and conditional ones answered 304.
func BenchmarkFeed(b *testing.B) {
	f := newFixture(b)
	data := benchFeed(50)
	f.write(b, "en/rss.xml", data)
	h := New(f.dir, Options{}, nil)
	for _, bc := range []struct {
		name   string
		header []string
		code   int
	}{
		{"full", nil, http.StatusOK},
		{"full-gzip", []string{"Accept-Encoding", "gzip"}, http.StatusOK},
		{"304", []string{"If-None-Match", tagOf(data, "")}, http.StatusNotModified},
		{"304-gzip", []string{"Accept-Encoding", "gzip", "If-None-Match", tagOf(data, "-gzip")}, http.StatusNotModified},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/en/rss.xml", nil)
			for i := 0; i+1 < len(bc.header); i += 2 {
				req.Header.Set(bc.header[i], bc.header[i+1])
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != bc.code {
					b.Fatalf("status %d, want %d", rec.Code, bc.code)
				}
			}
		})
	}
}
