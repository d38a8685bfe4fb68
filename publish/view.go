package publish

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/feedloom/feedloom/feeds"
)

// viewFile is the page of a feed folder's current items that a browser
// navigating to one of its feeds is shown (server: Sec-Fetch-Dest
// document): browsers are dropping XSLT, and a feed shown as raw XML
// loses a reader before the first story.
const viewFile = "feed.html"

// viewPage is the data of a feed folder's feed.html.
type viewPage struct {
	Lang     string // the feed's language; the site's first for a feed of several
	Title    string
	Index    string // relative link to index.html
	Links    []indexLink
	Items    []viewItem
	Empty    bool
	SiteLang string
	Site     string
	M        messages
}

type viewItem struct {
	Title   string
	Link    string
	Lang    string
	Date    pageTime
	Summary string
	Image   string
	Source  string // the upstream's title, for an aggregated story; "" for the newsroom's own
	Badge   string // the story's language, on a page of several
	// Translations link the story in other languages; Only says instead
	// that it exists in its own alone. Both are in the page's language.
	Translations []translationLink
	Only         string
}

var viewTemplate = template.Must(template.Must(template.New("view").Parse(translationsTemplate + storiesTemplate)).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{- range .Links}}
<link rel="alternate" {{.Type}} title="{{.Title}}" href="{{.Href}}">
{{- end}}
<style>
body{font:1rem/1.55 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin:0 0 .2rem}
.subscribe{border:1px solid #ccc;border-radius:.4rem;padding:.5rem 1rem;margin:1rem 0}
.subscribe code{display:block;overflow-wrap:anywhere;margin:.2rem 0 .5rem}
article{display:flex;gap:1rem;border-top:1px solid #ddd;padding:.8rem 0}
article img{width:7rem;height:5rem;object-fit:cover;flex:none}
time,.meta,.note{color:#555;font-size:.95rem}a{color:#0645ad}p{margin:.3rem 0}
.badge{font-size:.8rem;border:1px solid #999;border-radius:.2rem;padding:0 .3rem;color:#444}
.translations{font-size:.95rem}.translations a{margin-right:.75rem}
</style>
</head>
<body>
<nav><a href="{{.Index}}" lang="{{.SiteLang}}">{{.Site}}</a></nav>
<header>
<h1>{{.Title}}</h1>
<div class="subscribe">
<p class="note">{{.M.FeedNote}}</p>
{{- range .Links}}
<p>{{.Name}} <code>{{.Href}}</code></p>
{{- end}}
</div>
</header>
<main>
{{- template "stories" .Items}}
{{- if .Empty}}
<p class="note">{{.M.NoStories}}</p>
{{- end}}
</main>
</body>
</html>
`))

// storiesTemplate lists stories (viewItems) on a feed's page and a
// numbered page: picture, title, date, source and language badge when
// set, summary and translations.
const storiesTemplate = `{{define "stories"}}
{{- range .}}
<article>
{{- if .Image}}
<img src="{{.Image}}" alt="" loading="lazy">
{{- end}}
<div>
<h2><a href="{{.Link}}"{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Title}}</a></h2>
<p class="meta"><time {{.Date.Datetime}}>{{.Date.Text}}</time>{{if .Source}} · {{.Source}}{{end}}{{if .Badge}} <span class="badge">{{.Badge}}</span>{{end}}</p>
{{- if .Summary}}
<p{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Summary}}</p>
{{- end}}
{{- template "translations" .}}
</div>
</article>
{{- end}}
{{- end}}`

// translationsTemplate shows a listed story's translations (a viewItem's),
// or that it has none, in the page's language; the links' text is in it
// too, so they carry hreflang but no lang.
const translationsTemplate = `{{define "translations"}}
{{- if .Translations}}
<p class="translations">
{{- range .Translations}}
<a href="{{.Href}}" hreflang="{{.Hreflang}}">{{.Text}}</a>
{{- end}}
</p>
{{- else if .Only}}
<p class="translations note">{{.Only}}</p>
{{- end}}
{{- end}}`

// renderView renders a feed set's feed.html.
func (p *Publisher) renderView(s feedSet) ([]byte, error) {
	page := viewPage{Lang: s.lang, Title: s.title, Index: strings.Repeat("../", strings.Count(s.dir, "/")) + indexFile,
		Site: p.opts.Title, Empty: len(s.items) == 0}
	if len(p.opts.Languages) > 0 {
		page.SiteLang = p.opts.Languages[0].Tag
		if page.Lang == "" {
			page.Lang = page.SiteLang
		}
	}
	// The page speaks the feed's language, and its link back names the
	// site in it.
	page.M = messagesFor(page.Lang)
	if s.lang != "" {
		page.Site, page.SiteLang = p.siteTitle(s.lang), s.lang
	}
	page.Links = p.feedLinks(s, s.title, "")
	for _, it := range s.items {
		page.Items = append(page.Items, p.listItem(it, page.M, s.tag))
	}
	var buf bytes.Buffer
	if err := viewTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("publish: render %s%s: %w", s.dir, viewFile, err)
	}
	return buf.Bytes(), nil
}

// viewItem is it as a page of m's language lists it.
func (p *Publisher) viewItem(it feeds.Item, m messages) viewItem {
	v := viewItem{Title: feeds.DisplayTitle(it, p.opts.Zone), Link: it.Link, Lang: it.Language,
		Date: p.itemTime(it, m), Summary: it.Summary, Image: it.Image}
	v.Translations, v.Only = p.pageTranslations(it, m)
	return v
}

// listItem is it as a list of stories shows it: with the upstream it came
// from, and with a language badge in a list of several languages (tag
// "", when more than one is configured).
func (p *Publisher) listItem(it feeds.Item, m messages, tag string) viewItem {
	v := p.viewItem(it, m)
	if it.Origin != nil {
		v.Source = it.Origin.Title
	}
	if tag == "" && len(p.opts.Languages) > 1 {
		v.Badge = it.Language
	}
	return v
}

// feedLinks are the addresses of a feed set's files, in every format,
// titled title · format for autodiscovery.
func (p *Publisher) feedLinks(s feedSet, title, hreflang string) []indexLink {
	var out []indexLink
	for _, fm := range p.formats {
		out = append(out, indexLink{
			Href:     p.opts.BaseURL + s.dir + fm.file,
			Type:     template.HTMLAttr(`type="` + fm.mime + `"`), // a constant of ours
			Name:     fm.name,
			Title:    title + " · " + fm.name,
			Hreflang: hreflang,
		})
	}
	return out
}
