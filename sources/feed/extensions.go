package feed

import (
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
)

// What gofeed's universal item leaves out but readers show: a permalink
// guid or an atom:link as an RSS item's link, iTunes' title and summary for
// a podcast episode, and Media RSS's description (YouTube's only text).
// Each is used only where the item's own field is empty.

// permalinkGUID is an RSS item's guid when it is its permalink: RSS 2.0
// says a guid is one unless isPermaLink="false", and only an http(s) URL
// can be followed.
func permalinkGUID(it *rss.Item) string {
	if it == nil || it.GUID == nil || strings.EqualFold(strings.TrimSpace(it.GUID.IsPermalink), "false") {
		return ""
	}
	g := strings.TrimSpace(it.GUID.Value)
	lower := strings.ToLower(g)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return ""
	}
	return g
}

// atomLink is the href of an RSS item's atom:link to its page (rel
// "alternate", or none).
func atomLink(it *gofeed.Item) string {
	for _, l := range it.Extensions["atom"]["link"] {
		rel := strings.ToLower(strings.TrimSpace(l.Attrs["rel"]))
		if href := strings.TrimSpace(l.Attrs["href"]); href != "" && (rel == "" || rel == "alternate") {
			return href
		}
	}
	return ""
}

// itunesText is the item's itunes:<name>, trimmed.
func itunesText(it *gofeed.Item, name string) string {
	for _, e := range it.Extensions["itunes"][name] {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v
		}
	}
	return ""
}

// mediaDescription is the item's Media RSS description, on the item or in
// its media:group, and whether it is HTML (type="html"; plain text is the
// default).
func mediaDescription(it *gofeed.Item) (string, bool) {
	media := it.Extensions["media"]
	if d, isHTML := firstDescription(media["description"]); d != "" {
		return d, isHTML
	}
	for _, g := range media["group"] {
		if d, isHTML := firstDescription(g.Children["description"]); d != "" {
			return d, isHTML
		}
	}
	return "", false
}

func firstDescription(es []ext.Extension) (string, bool) {
	for _, e := range es {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v, strings.EqualFold(strings.TrimSpace(e.Attrs["type"]), "html")
		}
	}
	return "", false
}
