package publish

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
)

// widgetJS turns <div data-feedloom="…/feed.json"> on a partner's page into
// a list of headlines, from the CORS-enabled JSON Feed: dependency-free,
// and feed text only ever becomes text nodes or single attributes.
//
//go:embed widget.js
var widgetJS string

const (
	embedDir   = "embed"
	widgetFile = embedDir + "/widget.js"
	// embedItems is how many headlines the snippets and embed pages ask for.
	embedItems = 5
)

// jsonFeedURL is the address of a feed set's JSON Feed.
func (p *Publisher) jsonFeedURL(s feedSet) string {
	return p.opts.BaseURL + s.dir + "feed.json"
}

// snippet is the copy-paste HTML that shows a feed set's headlines on
// another site.
func (p *Publisher) snippet(s feedSet) string {
	// Config checks base_url as a URL: no quote can end an attribute here.
	return fmt.Sprintf(`<div data-feedloom="%s" data-items="%d"></div>`+"\n"+`<script src="%s" async></script>`,
		p.jsonFeedURL(s), embedItems, p.opts.BaseURL+widgetFile)
}

// embedPage is the data of embed/<name>.html: the widget alone, for an
// iframe.
type embedPage struct {
	Lang, Title, Feed, Failure string
	Items                      int
}

var embedTemplate = template.Must(template.New("embed").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:1rem/1.5 system-ui,sans-serif;margin:0;padding:.5rem;color:#1a1a1a;background:#fff}
ul{list-style:none;margin:0;padding:0}li{margin:.4rem 0}
a{color:#0645ad}time{color:#555;font-size:.9rem}
</style>
</head>
<body>
<div data-feedloom="{{.Feed}}" data-items="{{.Items}}" data-error="{{.Failure}}"></div>
<script src="widget.js" async></script>
</body>
</html>
`))

// renderEmbed renders a feed set's embed page.
func (p *Publisher) renderEmbed(s feedSet) ([]byte, error) {
	// Relative, like the script: the page reads the feed beside it,
	// wherever the folder is served.
	page := embedPage{Lang: s.tag, Title: s.title, Feed: "../" + s.dir + "feed.json", Items: embedItems}
	if page.Lang == "" && len(p.opts.Languages) > 0 {
		page.Lang = p.opts.Languages[0].Tag
	}
	page.Failure = messagesFor(page.Lang).WidgetFailure
	var buf bytes.Buffer
	if err := embedTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("publish: render %s/%s: %w", embedDir, s.embed, err)
	}
	return buf.Bytes(), nil
}

// hasJSON reports whether the feeds are written as JSON Feed, which the
// widget reads.
func (p *Publisher) hasJSON() bool {
	for _, fm := range p.formats {
		if fm.file == "feed.json" {
			return true
		}
	}
	return false
}
