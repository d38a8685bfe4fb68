package opml

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlug bounds a slug, so that a feed's source name stays readable in
// logs and on /status.
const maxSlug = 40

// Slug is the part of a listed feed's source name after "<list>-": the
// ASCII words of its title (accents folded), lower case, joined by "-",
// at most 40 characters cut at a word boundary; else the same of its
// host, without "www."; else, for a local file, of its file name; else
// "feed-" and a hash of feedURL. A slug holds only [a-z0-9-], starts with
// a letter or digit, and never ends with "-".
func Slug(title, feedURL string) string {
	if s := words(title); s != "" {
		return s
	}
	if u, err := url.Parse(feedURL); err == nil && u.Host != "" {
		if s := words(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")); s != "" {
			return s
		}
	} else if err == nil || !strings.Contains(feedURL, "://") {
		p := feedURL
		if err == nil && u.Scheme == "file" {
			p = u.Path
		}
		if s := words(strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))); s != "" {
			return s
		}
	}
	sum := sha256.Sum256([]byte(feedURL))
	return "feed-" + hex.EncodeToString(sum[:4])
}

// words joins the ASCII letters and digits of s, as words, into a slug of
// at most maxSlug characters; "" when s has none.
func words(s string) string {
	var b strings.Builder
	pending := false // a separator is owed before the next character
	for _, r := range norm.NFD.String(s) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', 'A' <= r && r <= 'Z':
			if pending && b.Len() > 0 {
				b.WriteByte('-')
			}
			pending = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// A combining mark of a decomposed letter: é → e.
		default:
			pending = true
		}
	}
	return cut(b.String())
}

// cut shortens a slug to maxSlug characters at the last word boundary that
// fits, or mid-word when its first word alone is longer.
func cut(s string) string {
	if len(s) <= maxSlug {
		return s
	}
	if i := strings.LastIndexByte(s[:maxSlug+1], '-'); i > 0 {
		return s[:i]
	}
	return s[:maxSlug]
}
