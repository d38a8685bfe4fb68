package feed

import (
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	jsonfeed "github.com/mmcdole/gofeed/json"

	"github.com/feedloom/feedloom/sources"
)

// itemImage is the item's representative image as its feed declares it,
// first found of: Media RSS's media:thumbnail, then media:content of an
// image type or medium (on the item or in its media:group), an enclosure
// of an image type (RSS enclosure, Atom link rel="enclosure"),
// itunes:image, JSON Feed's image, then banner_image. Images declared
// 1×1 or 2×2 are tracking pixels and skipped. "" when the feed declares
// none: normalize then takes the first image of the content.
func itemImage(it *gofeed.Item, js *jsonfeed.Item) string {
	media := it.Extensions["media"]
	groups := media["group"]
	if u := mediaImage(media["thumbnail"], groups, "thumbnail", false); u != "" {
		return u
	}
	if u := mediaImage(media["content"], groups, "content", true); u != "" {
		return u
	}
	for _, e := range it.Enclosures {
		if e != nil && isImageType(e.Type) && strings.TrimSpace(e.URL) != "" {
			return strings.TrimSpace(e.URL)
		}
	}
	if it.ITunesExt != nil && strings.TrimSpace(it.ITunesExt.Image) != "" {
		return strings.TrimSpace(it.ITunesExt.Image)
	}
	for _, e := range it.Extensions["itunes"]["image"] {
		if u := strings.TrimSpace(e.Attrs["href"]); u != "" {
			return u
		}
	}
	if js != nil {
		for _, u := range []string{js.Image, js.BannerImage} {
			if u = strings.TrimSpace(u); u != "" {
				return u
			}
		}
	}
	return ""
}

// mediaImage is the first usable Media RSS element of name among items and
// then inside groups; content elements count only when they are images.
func mediaImage(items []ext.Extension, groups []ext.Extension, name string, imagesOnly bool) string {
	all := items
	for _, g := range groups {
		all = append(all[:len(all):len(all)], g.Children[name]...)
	}
	for _, e := range all {
		u := strings.TrimSpace(e.Attrs["url"])
		if u == "" || sources.TrackingPixel(e.Attrs["width"], e.Attrs["height"]) {
			continue
		}
		if imagesOnly && !isImageType(e.Attrs["type"]) && !strings.EqualFold(strings.TrimSpace(e.Attrs["medium"]), "image") {
			continue
		}
		return u
	}
	return ""
}

// isImageType reports a MIME type of an image.
func isImageType(t string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "image/")
}
