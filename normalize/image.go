package normalize

import (
	"strings"

	xhtml "golang.org/x/net/html"

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
