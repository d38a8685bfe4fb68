package publish

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/feedloom/feedloom/feeds"
)

const (
	indexFile     = "index.html"
	indexHeadings = 5 // latest headlines shown per feed
)

// indexPage is the data of index.html. It holds nothing that depends on the
// clock or the run, so an unchanged store renders the same bytes.
type indexPage struct {
	Lang  string
	Title string
	Feeds []indexFeed
	M     messages
}

type indexFeed struct {
	M         messages
	Anchor    string
	Title     string
	Label     string // "All languages" or the language tag
	Lang      string // the language of its titles; "" for the merged feed
	Links     []indexLink
	Count     string // "3 items"
	Newest    pageTime
	Headlines []headline
	Snippet   string // HTML that shows the headlines on another site; "" without JSON Feed
	Embed     string // the embed page, for an iframe
	// EmbedFrame is the catalogue's sentence with the link to the embed
	// page in it, both escaped.
	EmbedFrame template.HTML
}

type indexLink struct {
	Href     string
	Type     template.HTMLAttr // type="…"; html/template would write + as &#43;, which naive autodiscovery misses
	Name     string            // "RSS", "Atom", "JSON Feed"
	Title    string            // autodiscovery title, unique among the feeds
	Hreflang string
}

type headline struct {
	Title string
	Link  string
	Lang  string
	Date  pageTime
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{- range .Feeds}}{{range .Links}}
<link rel="alternate" {{.Type}} title="{{.Title}}" href="{{.Href}}"{{if .Hreflang}} hreflang="{{.Hreflang}}"{{end}}>
{{- end}}{{end}}
<style>
body{font:1rem/1.55 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.7rem}h2{font-size:1.3rem;margin-bottom:.25rem}
section{border-top:1px solid #ccc;padding:.5rem 0 1rem}
.label,.meta,time{color:#555}.label{font-size:.9rem;font-weight:normal}
.subscribe a{display:inline-block;margin-right:.75rem;padding:.1rem .5rem;border:1px solid #0645ad;border-radius:.25rem;text-decoration:none}
a{color:#0645ad}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>{{.M.IndexIntro}}</p>
</header>
<main>
{{- range .Feeds}}
<section aria-labelledby="{{.Anchor}}">
<h2 id="{{.Anchor}}"><span{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Title}}</span> <span class="label">({{.Label}})</span></h2>
<p class="subscribe">
{{- range .Links}}
<a href="{{.Href}}" {{.Type}}>{{.Name}}</a>
{{- end}}
</p>
<p class="meta">{{.Count}}{{if .Newest.Datetime}}, {{.M.Newest}} <time {{.Newest.Datetime}}>{{.Newest.Text}}</time>{{end}}</p>
{{- if .Headlines}}
<ul>
{{- range .Headlines}}
<li><a href="{{.Link}}"{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Title}}</a> <time {{.Date.Datetime}}>{{.Date.Text}}</time></li>
{{- end}}
</ul>
{{- end}}
{{- if .Snippet}}
<details class="embed">
<summary>{{.M.EmbedSummary}}</summary>
<p>{{.M.EmbedPaste}}</p>
<pre><code>{{.Snippet}}</code></pre>
{{- if .Embed}}
<p>{{.EmbedFrame}} <code>&lt;iframe src="{{.Embed}}" title="{{.Title}}"&gt;&lt;/iframe&gt;</code></p>
{{- end}}
</details>
{{- end}}
</section>
{{- end}}
</main>
</body>
</html>
`))

// renderIndex renders index.html: one section per feed set, merged first.
func (p *Publisher) renderIndex(sets []feedSet) ([]byte, error) {
	// The page is written in the site's first language; the merged feed
	// declares one only when its items share it.
	page := indexPage{Title: p.opts.Title}
	if len(p.opts.Languages) > 0 {
		page.Lang = p.opts.Languages[0].Tag
	}
	m := messagesFor(page.Lang)
	page.M = m
	for _, s := range sets {
		label := m.label(s)
		f := indexFeed{
			M:      m,
			Anchor: "feed-" + strings.ReplaceAll(strings.TrimSuffix(s.dir, "/"), "/", "-"),
			Title:  s.title,
			Label:  label,
			Lang:   s.tag,
			Count:  m.count(len(s.items)),
		}
		if s.dir == "" {
			f.Anchor = "feed-all"
		}
		if t := newest(s.items); !t.IsZero() {
			f.Newest = p.pageTimeIn(t, m)
		}
		for _, fm := range p.formats {
			f.Links = append(f.Links, indexLink{
				Href:     p.opts.BaseURL + s.dir + fm.file,
				Type:     template.HTMLAttr(`type="` + fm.mime + `"`), // a constant of ours
				Name:     fm.name,
				Title:    s.title + " · " + label + " · " + fm.name,
				Hreflang: s.tag,
			})
		}
		if p.hasJSON() {
			f.Snippet = p.snippet(s)
			if s.embed != "" {
				f.Embed = p.opts.BaseURL + embedDir + "/" + s.embed
				link := `<a href="` + template.HTMLEscapeString(f.Embed) + `">` + template.HTMLEscapeString(m.EmbedPage) + `</a>`
				f.EmbedFrame = template.HTML(fmt.Sprintf(template.HTMLEscapeString(m.EmbedFrame), link)) // escaped parts of ours
			}
		}
		for _, it := range s.items[:min(len(s.items), indexHeadings)] {
			f.Headlines = append(f.Headlines, headline{Title: feeds.DisplayTitle(it, p.opts.Zone), Link: it.Link, Lang: it.Language, Date: p.pageTimeIn(it.Published, m)})
		}
		page.Feeds = append(page.Feeds, f)
	}
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("publish: render %s: %w", indexFile, err)
	}
	return buf.Bytes(), nil
}

// label names a feed set on a page of m's language: the merged feed, a
// language's tag, a channel, or a category.
func (m messages) label(s feedSet) string {
	switch {
	case s.dir == "":
		return m.AllLanguages
	case s.language:
		return s.tag
	case strings.HasPrefix(s.dir, channelsDir+"/"):
		return m.ChannelLabel
	}
	return m.CategoryPrefix + s.label
}
