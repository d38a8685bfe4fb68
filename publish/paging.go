package publish

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"
)

// Numbered pages: the stories of a front page's feed set (the merged one,
// each language's) beyond what the front page shows, in pages of
// Options.PageSize cut like archive documents, in the order the stories
// were first stored: page/1.html holds the oldest. The partial part is
// the newest numbered page, and keeps its number when it fills, so a new
// story rewrites only the front page and that page.

const pageDir = "page"

// pageNumber is the number of d among s's pages: a full document's own,
// and the next one for the partial rest.
func pageNumber(s *feedSet, d *doc) int {
	if d.n == 0 {
		return len(s.paged)
	}
	return d.n
}

// pageList is s's numbered pages, oldest first: its full documents and,
// when it holds stories, the partial one.
func pageList(s *feedSet) []*doc {
	var out []*doc
	for i := range s.paged {
		d := &s.paged[i]
		if d.n == 0 && len(d.ids) == 0 {
			continue
		}
		out = append(out, d)
	}
	return out
}

// newestPage is the path of s's newest numbered page, relative to s's
// folder; "" when it has none.
func newestPage(s *feedSet) string {
	list := pageList(s)
	if len(list) == 0 {
		return ""
	}
	return pageDir + "/" + strconv.Itoa(pageNumber(s, list[len(list)-1])) + ".html"
}

// pageFiles lists the numbered pages of every set that has them, with
// their docHash.
func (p *Publisher) pageFiles(sets []feedSet, newestAll time.Time) []docFile {
	var out []docFile
	for i := range sets {
		s := &sets[i]
		list := pageList(s)
		for j, d := range list {
			n := pageNumber(s, d)
			in := docHash("page", d, 0)
			if j == len(list)-1 {
				in = docHash("newest page "+strconv.Itoa(n), d, 0)
			}
			mod := d.newest // an empty page keeps its file's time
			older := ""
			if j > 0 {
				older = strconv.Itoa(pageNumber(s, list[j-1])) + ".html"
			}
			newer := "../" + indexFile
			if j < len(list)-1 {
				newer = strconv.Itoa(pageNumber(s, list[j+1])) + ".html"
			}
			path := s.dir + pageDir + "/" + strconv.Itoa(n) + ".html"
			out = append(out, docFile{
				file: file{path: path, mod: mod, cost: len(d.ids) + 1, write: func(w io.Writer) error {
					data, err := p.renderPage(s, d, n, newer, older)
					if err == nil {
						_, err = w.Write(data)
					}
					return err
				}},
				in: in, doc: d,
			})
		}
	}
	return out
}

// numberedPage is the data of one numbered page.
type numberedPage struct {
	Lang    string
	Title   string // the site's title in the page's language
	Heading string // "Page 3"
	M       messages
	Front   string // the front page, relative
	Newer   string // the next newer page, relative; the front page from the newest
	Older   string // "" on page 1
	Items   []viewItem
}

var pageTemplate = template.Must(template.Must(template.New("page").Parse(translationsTemplate + storiesTemplate)).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}} · {{.Title}}</title>
<style>
body{font:1rem/1.55 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.1rem;margin:0 0 .2rem}
article{display:flex;gap:1rem;border-top:1px solid #eee;padding:.6rem 0}
article img{width:7rem;height:5rem;object-fit:cover;flex:none}
.meta,time{color:#555}p{margin:.25rem 0}a{color:#0645ad}
.badge{font-size:.8rem;border:1px solid #999;border-radius:.2rem;padding:0 .3rem;color:#444}
nav.pages{display:flex;justify-content:space-between;border-top:1px solid #ccc;padding-top:.75rem;margin-top:1rem}
</style>
</head>
<body>
<header>
<nav><a href="{{.Front}}">{{.Title}}</a></nav>
<h1>{{.Heading}}</h1>
</header>
<main>
{{- template "stories" .Items}}
</main>
<nav class="pages" aria-label="{{.Heading}}">
<a href="{{.Newer}}" rel="prev">{{.M.Newer}}</a>
{{- if .Older}}
<a href="{{.Older}}" rel="next">{{.M.Older}}</a>
{{- end}}
</nav>
</body>
</html>
`))

// renderPage renders page n of s, whose stories are d's, newest first.
func (p *Publisher) renderPage(s *feedSet, d *doc, n int, newer, older string) ([]byte, error) {
	page := numberedPage{Lang: s.tag, Title: s.title, Front: "../" + indexFile, Newer: newer, Older: older}
	if s.tag == "" && len(p.opts.Languages) > 0 {
		page.Lang = p.opts.Languages[0].Tag
	}
	m := messagesFor(page.Lang)
	page.M, page.Heading = m, fmt.Sprintf(m.PageTitle, n)
	for _, it := range d.items {
		page.Items = append(page.Items, p.listItem(it, m, s.tag))
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("publish: render %s%s/%d.html: %w", s.dir, pageDir, n, err)
	}
	return buf.Bytes(), nil
}
