package publish

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// storyPage is the data of one permalink page.
type storyPage struct {
	Lang       string // the item's language
	Title      string
	URL        string // canonical
	Date       pageTime
	Authors    []string
	Categories []string
	Content    template.HTML // sanitized by normalize
	Summary    string
	Image      string // the item's picture, for link previews (og:image); "" for none
	Figure     bool   // show Image above the text: the text does not show it already
	Site       string
	SiteLang   string
	// Translations link the story in other languages, in the page's
	// (the story's) language; Only says instead that it has none.
	Translations []translationLink
	Only         string
}

// pageTime is a time as pages show it: RFC 3339 for machines, minutes for
// people, both in the site's zone.
type pageTime struct {
	Datetime template.HTMLAttr // datetime="…"; html/template would write + as &#43;
	Text     string
}

func (p *Publisher) pageTime(t time.Time) pageTime {
	t = feeds.InZone(t, p.opts.Zone)
	// RFC 3339 text holds only digits, letters, '-', ':' and '+': nothing
	// to escape in a quoted attribute.
	return pageTime{
		Datetime: template.HTMLAttr(`datetime="` + t.Format(time.RFC3339) + `"`),
		Text:     t.Format("2006-01-02 15:04 MST"),
	}
}

// The page is English-free apart from what the item itself says, so that a
// Chinese story's page is wholly in the item's language (its translation
// links too); the link back to the index carries the site's language.
var storyTemplate = template.Must(template.Must(template.New("story").Parse(translationsTemplate)).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="canonical" href="{{.URL}}">
{{- range .Translations}}
<link rel="alternate" hreflang="{{.Hreflang}}" href="{{.Href}}">
{{- end}}
{{- if .Image}}
<meta property="og:image" content="{{.Image}}">
{{- end}}
<style>
body{font:1.05rem/1.6 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem;line-height:1.3}
.meta,.tags{color:#555;font-size:.95rem}
.tags{list-style:none;padding:0}.tags li{display:inline;margin-right:.75rem}
a{color:#0645ad}img{max-width:100%;height:auto}
.translations{font-size:.95rem}.translations a{margin-right:.75rem}.translations.note{color:#555}
</style>
</head>
<body>
<nav><a href="../index.html" lang="{{.SiteLang}}">{{.Site}}</a></nav>
<main>
<article>
<h1>{{.Title}}</h1>
<p class="meta"><time {{.Date.Datetime}}>{{.Date.Text}}</time>
{{- range $i, $a := .Authors}}{{if $i}}, {{else}} · {{end}}{{$a}}{{end}}</p>
{{- template "translations" .}}
{{- if .Categories}}
<ul class="tags">
{{- range .Categories}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Figure}}
<figure><img src="{{.Image}}" alt=""></figure>
{{- end}}
{{- if .Content}}
<div class="content">
{{.Content}}
</div>
{{- else if .Summary}}
<p>{{.Summary}}</p>
{{- end}}
</article>
</main>
</body>
</html>
`))

// storyItems returns the items of unlinked (as the store holds them, links
// not yet filled, newest first) that get a permalink page: every item
// without a link of its own, except that a slug two items share shows the
// first (newest) of them.
func storyItems(unlinked []feeds.Item) []feeds.Item {
	var out []feeds.Item
	seen := make(map[string]bool, len(unlinked))
	for _, it := range unlinked {
		slug := pageSlug(it)
		if it.Link != "" || seen[slug] {
			continue
		}
		seen[slug] = true
		out = append(out, it)
	}
	return out
}

// storyPageSlack is about what the page adds around an item's text.
const storyPageSlack = 2048

// renderStory renders the permalink page of it.
func (p *Publisher) renderStory(it feeds.Item) ([]byte, error) {
	slug := pageSlug(it)
	// The link back names the site in the story's language when the site
	// has a feed in it, else in its first language.
	siteLang, site := "", p.opts.Title
	if len(p.opts.Languages) > 0 {
		siteLang = p.opts.Languages[0].Tag
	}
	for _, l := range p.opts.Languages {
		if feeds.MatchLang(it.Language, l.Tag) {
			siteLang, site = l.Tag, p.siteTitle(l.Tag)
			break
		}
	}
	page := storyPage{
		Lang:       it.Language,
		Title:      feeds.DisplayTitle(it, p.opts.Zone),
		URL:        p.opts.BaseURL + storiesDir + "/" + slug + ".html",
		Date:       p.itemTime(it, messagesFor(it.Language)),
		Categories: it.Categories,
		Content:    template.HTML(it.Content),
		Summary:    it.Summary,
		Image:      it.Image,
		Site:       site,
		SiteLang:   siteLang,
	}
	page.Translations, page.Only = p.pageTranslations(it, messagesFor(it.Language))
	for _, a := range it.Authors {
		if a.Name != "" {
			page.Authors = append(page.Authors, a.Name)
		}
	}
	// An image taken from the content (normalize's fallback) is there
	// already.
	page.Figure = page.Image != "" && !strings.Contains(it.Content, `src="`+html.EscapeString(page.Image)+`"`)
	var buf bytes.Buffer
	buf.Grow(len(it.Title) + len(it.Content) + len(it.Summary) + storyPageSlack)
	if err := storyTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("publish: render story %s: %w", slug, err)
	}
	return buf.Bytes(), nil
}
