package normalize

import (
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/feedloom/feedloom/sources"
)

// firstImage is the src of the first <img> of sanitized content that is
// an absolute http(s) URL and not a tracking pixel (declared 1×1 or 2×2);
// "" when there is none.
func firstImage(content string) string {
	if !strings.Contains(content, "<img") {
		return ""
	}
	z := xhtml.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return ""
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "img" {
				continue
			}
			var src, width, height string
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "src":
					src = string(v)
				case "width":
					width = string(v)
				case "height":
					height = string(v)
				}
			}
			if u := httpOnly(src); u != "" && !sources.TrackingPixel(width, height) {
				return u
			}
		}
	}
}

// treeImage is firstImage of the HTML nodes render to, read off the nodes:
// the first <img> in document order, its attributes as the rendered HTML,
// controls stripped, would give them back.
func treeImage(nodes []*xhtml.Node) string {
	for _, n := range nodes {
		if u := nodeImage(n); u != "" {
			return u
		}
	}
	return ""
}

func nodeImage(n *xhtml.Node) string {
	if n.Type == xhtml.ElementNode && n.DataAtom == atom.Img {
		var src, width, height string
		for _, a := range n.Attr {
			switch a.Key {
			case "src":
				src = a.Val
			case "width":
				width = a.Val
			case "height":
				height = a.Val
			}
		}
		if u, ok := imageOf(src, width, height); ok {
			return u
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if u := nodeImage(c); u != "" {
			return u
		}
	}
	return ""
}

// imageOf is an <img>'s picture as firstImage takes it from the rendered
// HTML, given the element's attributes before their controls are stripped:
// its src when that is an http(s) URL and the image is no tracking pixel.
func imageOf(src, width, height string) (string, bool) {
	u := httpOnly(stripControls(src))
	if u == "" || sources.TrackingPixel(stripControls(width), stripControls(height)) {
		return "", false
	}
	return u, true
}
