package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadPage: a page source keeps its selectors as written, its local
// url made absolute; a page on a private host warns as a feed does.
func TestLoadPage(t *testing.T) {
	path := writeConfig(t, `site: {title: T, link: 'https://e.org/', base_url: 'https://f.e.org/'}
languages: [{tag: en}]
sources:
  - name: news
    kind: page
    url: examples/page/news.html
    select:
      item: article.news-item
      title: h3
      link: "h3 a@href"
      date: "time@datetime"
      author: .byline
    content: .article-body
    retention: {max_items: 20}
  - name: intranet
    kind: page
    url: http://127.0.0.1:8000/news
    select: {item: li, title: a}
`)
	c, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources[0]
	want := Select{Item: "article.news-item", Title: "h3", Link: "h3 a@href", Date: "time@datetime", Author: ".byline"}
	if s.Kind != "page" || s.Select != want || s.Content != ".article-body" {
		t.Errorf("source %+v", s)
	}
	if s.URL != filepath.Join(filepath.Dir(path), "examples/page/news.html") {
		t.Errorf("url %q", s.URL)
	}
	if c.RetentionOf(s).MaxItems != 20 {
		t.Errorf("retention %+v", c.RetentionOf(s))
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "sources[1].url: http://127.0.0.1:8000/news is a loopback address; fetching it needs allow_private: true") {
		t.Errorf("warnings %q", c.Warnings)
	}
}
