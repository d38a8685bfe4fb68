package feeds

import (
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// displayTitleLen is the most characters (runes) a derived display title
// takes from an item's text before it is cut with "…".
const displayTitleLen = 80

// DisplayDateLayout is the layout of a display title derived from an item's
// date: "2 January 2006", in the site zone.
const DisplayDateLayout = "2 January 2006"

// DisplayTitle is the title shown for it wherever one must exist (Atom
// <title>, index.html, story pages): its Title when it has one; for an
// untitled item, derived — never stored — from, in order:
//   - its summary text up to and including the first sentence end ("." "!"
//     "?" followed by white space or the end of the text, or "。" "！" "？"
//     anywhere), when that is at most 80 characters; else the first 80
//     characters of the text, cut on a character boundary, with "…";
//   - its link's host and path ("example.com/photos/1"; a bare "/" path is
//     dropped);
//   - its published date in zone (DisplayDateLayout; nil zone means UTC).
//
// It returns "" only for an item with none of these.
func DisplayTitle(it Item, zone *time.Location) string {
	if t := cleanText(it.Title); strings.TrimSpace(t) != "" {
		return t
	}
	if text := cleanText(collapseSpace(it.Summary)); text != "" {
		return firstSentence(text)
	}
	if t := linkTitle(cleanText(it.Link)); t != "" {
		return t
	}
	if it.Published.IsZero() {
		return ""
	}
	if zone == nil {
		zone = time.UTC
	}
	return it.Published.In(zone).Format(DisplayDateLayout)
}

// firstSentence is text up to its first sentence end when that is at most
// displayTitleLen runes, else its first displayTitleLen runes and "…".
func firstSentence(text string) string {
	count := 0
	for i, r := range text {
		count++
		if count > displayTitleLen {
			return strings.TrimRightFunc(text[:i], unicode.IsSpace) + "…"
		}
		end := i + utf8.RuneLen(r)
		switch r {
		case '。', '！', '？':
			return text[:end]
		case '.', '!', '?':
			if next, _ := utf8.DecodeRuneInString(text[end:]); end == len(text) || unicode.IsSpace(next) {
				return text[:end]
			}
		}
	}
	return text
}

// linkTitle is the host and path of an absolute link, "" when it has no host.
func linkTitle(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return ""
	}
	path := u.Path
	if path == "/" {
		path = ""
	}
	return u.Host + path
}

// collapseSpace joins the words of s with single spaces.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
