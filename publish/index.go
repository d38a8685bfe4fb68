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
	Lang      string
	Title     string
	Feeds     []indexFeed
	M         messages
	Front     []viewItem // the newest stories, as the feed pages show them
	Older     string     // the newest numbered page, relative; "" when there is none
	Languages []langLink // the other front pages
}

// langLink is a link to a language's front page.
type langLink struct {
	Href, Lang, Title string
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

var indexTemplate = template.Must(template.Must(template.New("index").Parse(translationsTemplate)).Parse(`<!DOCTYPE html>
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
header nav a{margin-right:.75rem}
.front article{display:flex;gap:1rem;padding:.6rem 0;border-top:1px solid #eee}
.front article img{width:7rem;height:5rem;object-fit:cover;flex:none}
.front h3{font-size:1.1rem;margin:0 0 .2rem}.front p{margin:.25rem 0}
.badge{font-size:.8rem;border:1px solid #999;border-radius:.2rem;padding:0 .3rem;color:#444}
.translations{font-size:.95rem}.translations a{margin-right:.75rem}.translations.note{color:#555}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{- if .Languages}}
<nav aria-label="{{.M.Languages}}">
{{- range .Languages}}
<a href="{{.Href}}" lang="{{.Lang}}" hreflang="{{.Lang}}">{{.Title}}</a>
{{- end}}
</nav>
{{- end}}
</header>
<main>
{{- if .Front}}
<section class="front" aria-labelledby="latest">
<h2 id="latest">{{.M.Latest}}</h2>
{{- range .Front}}
<article>
{{- if .Image}}
<img src="{{.Image}}" alt="" loading="lazy">
{{- end}}
<div>
<h3><a href="{{.Link}}"{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Title}}</a></h3>
<p class="meta"><time {{.Date.Datetime}}>{{.Date.Text}}</time>{{if .Source}} · {{.Source}}{{end}}{{if .Badge}} <span class="badge">{{.Badge}}</span>{{end}}</p>
{{- if .Summary}}
<p{{if .Lang}} lang="{{.Lang}}"{{end}}>{{.Summary}}</p>
{{- end}}
{{- template "translations" .}}
</div>
</article>
{{- end}}
{{- if .Older}}
<p class="older"><a href="{{.Older}}">{{.M.Older}}</a></p>
{{- end}}
</section>
{{- end}}
<h2 class="directory">{{.M.Feeds}}</h2>
<p>{{.M.IndexIntro}}</p>
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

// frontItems is how many stories a front page shows.
const frontItems = 20

// renderIndex renders index.html: the newest stories of every language,
// then one section per feed set, merged first. home is "" for the root
// page, else the language set whose front page (<folder>/index.html) it is:
// that language's stories and feeds, in its words.
func (p *Publisher) renderIndex(sets []feedSet, home *feedSet) ([]byte, error) {
	// The root page is written in the site's first language; the merged
	// feed declares one only when its items share it.
	page := indexPage{Title: p.opts.Title}
	if len(p.opts.Languages) > 0 {
		page.Lang = p.opts.Languages[0].Tag
	}
	front, prefix := sets[0], ""
	if home != nil {
		page.Lang, page.Title, front, prefix = home.tag, home.title, *home, "../"
	}
	m := messagesFor(page.Lang)
	page.M = m
	if older := newestPage(&front); older != "" {
		page.Older = older
	}
	for _, it := range front.items[:min(len(front.items), frontItems)] {
		page.Front = append(page.Front, p.listItem(it, m, front.tag))
	}
	for _, s := range sets[1:] {
		if s.language && (home == nil || s.dir != home.dir) {
			page.Languages = append(page.Languages, langLink{Href: prefix + s.dir + indexFile, Lang: s.tag, Title: s.title})
		}
	}
	if home != nil {
		page.Languages = append([]langLink{{Href: prefix + indexFile, Lang: page.Lang, Title: m.AllLanguages}}, page.Languages...)
	}
	for _, s := range sets {
		if home != nil && !strings.EqualFold(s.tag, home.tag) {
			continue // a language's page lists the feeds in it
		}
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
		if len(s.items) > 0 {
			// The newest story's date, at the precision it was stated.
			f.Newest = p.itemTime(s.items[0], m)
		}
		f.Links = p.feedLinks(s, s.title+" · "+label, s.tag)
		if p.hasJSON() {
			f.Snippet = p.snippet(s)
			if s.embed != "" {
				f.Embed = p.opts.BaseURL + embedDir + "/" + s.embed
				link := `<a href="` + template.HTMLEscapeString(f.Embed) + `">` + template.HTMLEscapeString(m.EmbedPage) + `</a>`
				f.EmbedFrame = template.HTML(fmt.Sprintf(template.HTMLEscapeString(m.EmbedFrame), link)) // escaped parts of ours
			}
		}
		for _, it := range s.items[:min(len(s.items), indexHeadings)] {
			f.Headlines = append(f.Headlines, headline{Title: feeds.DisplayTitle(it, p.opts.Zone), Link: it.Link, Lang: it.Language, Date: p.itemTime(it, m)})
		}
		page.Feeds = append(page.Feeds, f)
	}
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, page); err != nil {
		where := indexFile
		if home != nil {
			where = home.dir + indexFile
		}
		return nil, fmt.Errorf("publish: render %s: %w", where, err)
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
