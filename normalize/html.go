package normalize

import (
	"html"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// isURLAttr reports whether an attribute holds a URL that UGCPolicy may keep.
// Such URLs are made absolute before sanitizing, because bluemonday keeps
// relative URLs as they are and a feed reader has no base to resolve them
// against.
func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "cite", "poster":
		return true
	}
	return false
}

// bodyContext parses fragments as the children of <body>.
func bodyContext() *xhtml.Node {
	return &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
}

// contentHTML makes the URLs of raw absolute against base, sanitizes it with
// ugc (no script, event handlers, javascript: URLs, style, iframes) and
// re-serializes it so that every tag is balanced — bluemonday leaves
// "<p>unclosed <b>bold" as it is. It returns the HTML and its text.
func contentHTML(ugc *bluemonday.Policy, raw string, base *url.URL) (string, string) {
	raw = norm.NFC.String(stripControls(raw))
	if base != nil {
		nodes, err := xhtml.ParseFragment(strings.NewReader(raw), bodyContext())
		if err == nil {
			var b strings.Builder
			for _, n := range nodes {
				absolutize(n, base)
				if err := xhtml.Render(&b, n); err != nil {
					break
				}
			}
			raw = b.String()
		}
	}
	clean := ugc.Sanitize(raw)
	nodes, err := xhtml.ParseFragment(strings.NewReader(clean), bodyContext())
	if err != nil {
		// Unreachable with a strings.Reader; the sanitized HTML is still safe.
		return stripControls(clean), ""
	}
	var out, text strings.Builder
	for _, n := range nodes {
		if err := xhtml.Render(&out, n); err != nil {
			return stripControls(clean), ""
		}
		nodeText(&text, n)
	}
	return stripControls(out.String()), collapse(text.String())
}

// absolutize resolves the URL attributes of n and its descendants against base.
func absolutize(n *xhtml.Node, base *url.URL) {
	if n.Type == xhtml.ElementNode {
		for i, a := range n.Attr {
			switch {
			case a.Namespace != "":
			case isURLAttr(a.Key):
				n.Attr[i].Val = resolve(base, a.Val)
			case a.Key == "srcset":
				n.Attr[i].Val = resolveSrcset(base, a.Val)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		absolutize(c, base)
	}
}

// resolveSrcset resolves each candidate URL of a srcset attribute
// ("a.jpg 1x, b.jpg 2x").
func resolveSrcset(base *url.URL, v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		fields := strings.Fields(p)
		if len(fields) == 0 {
			continue
		}
		fields[0] = resolve(base, fields[0])
		parts[i] = strings.Join(fields, " ")
	}
	return strings.Join(parts, ", ")
}

// resolve makes ref absolute against base; a ref that does not parse is
// returned trimmed, for the sanitizer to judge.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}

// isBlock reports whether an element separates words in the text of a fragment.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Br, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Figcaption, atom.Figure, atom.Footer,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr,
		atom.Li, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Table, atom.Td,
		atom.Th, atom.Tr, atom.Ul:
		return true
	}
	return false
}

// nodeText appends the text of n to b, with a space around block elements.
func nodeText(b *strings.Builder, n *xhtml.Node) {
	switch n.Type {
	case xhtml.TextNode:
		b.WriteString(n.Data)
		return
	case xhtml.ElementNode:
		if isBlock(n.DataAtom) {
			b.WriteByte(' ')
			defer b.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		nodeText(b, c)
	}
}

// paragraphsHTML turns plain-text paragraphs into <p> elements. The text is
// escaped, never sanitized: a sanitizer reads "a < b & c" as markup and eats
// it. It returns the HTML and the text.
func paragraphsHTML(paras []string) (string, string) {
	var out, text strings.Builder
	for _, p := range paras {
		p = plainText(p)
		if p == "" {
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
			text.WriteByte(' ')
		}
		out.WriteString("<p>")
		out.WriteString(html.EscapeString(p))
		out.WriteString("</p>")
		text.WriteString(p)
	}
	return out.String(), text.String()
}
