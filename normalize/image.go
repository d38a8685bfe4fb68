package normalize

import (
	"strconv"
	"strings"

	xhtml "golang.org/x/net/html"
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
			if u := httpOnly(src); u != "" && !pixel(width, height) {
				return u
			}
		}
	}
}

// pixel reports an image declared 1×1 or 2×2: a tracking pixel, not a
// picture of the story.
func pixel(width, height string) bool {
	w, errW := strconv.Atoi(strings.TrimSpace(width))
	h, errH := strconv.Atoi(strings.TrimSpace(height))
	return errW == nil && errH == nil && w == h && (w == 1 || w == 2)
}
