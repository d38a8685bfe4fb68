package page_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/page"
)

// listingHTML is a news listing of n items shaped like english.html, each
// with a link, a date, a teaser, a label, an image and a byline, about
// 1 KB an item.
func listingHTML(n int) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News</title></head><body><main>`)
	teaser := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 10)
	for i := range n {
		fmt.Fprintf(&b, `<article class="news-item"><span class="label">Research</span>`+
			`<h3><a href="/news/%d?utm_source=home">Story number %d about the campus</a></h3>`+
			`<time datetime="2025-03-%02dT09:30:00+08:00">%d March 2025</time>`+
			`<p class="teaser">%s</p><img src="/img/%d.jpg" alt=""><span class="byline">Ann Lee</span></article>`,
			i, i, 1+i%28, 1+i%28, teaser, i)
	}
	b.WriteString(`</main></body></html>`)
	return []byte(b.String())
}

// BenchmarkPage200 fetches a page of 200 items from a loopback server and
// reads it with every selector: the cost of one refresh of a page source
// whose page changed (without item pages, which cost their own fetches).
func BenchmarkPage200(b *testing.B) {
	body := listingHTML(200)
	srv := site(b, map[string]http.HandlerFunc{"/news": html(body)})
	src := newSource(b, srv.URL+"/news", page.Options{Fetch: fetchOptions(b, nil), Select: english})
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Stories) != 200 {
			b.Fatalf("%d stories", len(res.Stories))
		}
	}
}

// BenchmarkPage200Normalized is BenchmarkPage200 followed by normalize,
// as a refresh runs them.
func BenchmarkPage200Normalized(b *testing.B) {
	body := listingHTML(200)
	srv := site(b, map[string]http.HandlerFunc{"/news": html(body)})
	src := newSource(b, srv.URL+"/news", page.Options{Fetch: fetchOptions(b, nil), Select: english})
	for b.Loop() {
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			b.Fatal(err)
		}
		if items := normalized(b, res.Stories, nil, now); len(items) != 200 {
			b.Fatalf("%d items", len(items))
		}
	}
}
