package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/feedloom/feedloom/feeds"
)

// maxSlugLen caps a slug, in bytes (slugs are ASCII).
const maxSlugLen = 80

// hashKey is the first 16 lower-case hex digits of the SHA-256 of s.
func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// tagID builds the RFC 4151 tag URI of a story:
// tag:<host>,<first-run date>:<source>/<key>. Source names are checked at
// config load ([a-z0-9][a-z0-9-]*) and need no escaping.
func (n *Normalizer) tagID(source, key string) string {
	return "tag:" + n.opts.Host + "," + n.opts.FirstRun + ":" + source + "/" + key
}

// fileKey is the key of a story-file story: its explicit id (kept whole when
// it is an absolute URI, else escaped for a tag URI), else the hash of its
// title, already cleaned (NFC, white space collapsed).
func fileKey(explicit, title string) string {
	explicit = strings.TrimSpace(explicit)
	switch {
	case explicit == "":
		return hashKey(title)
	case isAbsoluteURI(explicit):
		return explicit
	}
	return escapeTagKey(explicit)
}

// upstreamID is the id of an upstream item: its guid when it is an http(s),
// tag or urn URI; else a tag URI keyed by the hash of the guid, of the link,
// or of the name, a newline and the RFC 3339 date (UTC, so the key does not
// depend on the offset the feed wrote; empty when the upstream states no
// date). The name is the title; for an untitled item, its content text, else
// its summary text, else its sanitized content HTML (an image-only post),
// else its first enclosure's URL (an episode with nothing else).
// Never the position or the run time.
func (n *Normalizer) upstreamID(source, guid, link, name string, published time.Time) string {
	guid = strings.TrimSpace(guid)
	var key string
	switch {
	case isIDURI(guid):
		return guid
	case guid != "":
		key = hashKey(guid)
	case link != "":
		key = hashKey(link)
	default:
		date := ""
		if !published.IsZero() {
			date = published.UTC().Format(time.RFC3339)
		}
		key = hashKey(name + "\n" + date)
	}
	return n.tagID(source, key)
}

// pageLinkKey is what a page item's id hashes of its link: the link
// normalized as for dedup (feeds.CanonicalLink) without its scheme, so that
// tracking parameters, a fragment or the site's move from http to https
// do not make a stored story new.
func pageLinkKey(link string) string {
	c := feeds.CanonicalLink(link)
	if _, rest, ok := strings.Cut(c, "://"); ok {
		return "//" + rest
	}
	return c
}

// isIDURI reports whether s is an absolute URI of a scheme kept as an id
// (http, https, tag, urn).
func isIDURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "tag", "urn":
		return true
	}
	return false
}

// isAbsoluteURI reports whether s is an absolute URI: a scheme, a colon, and
// only characters a URI may hold. "https://x/a b" is not one (the space) and
// is escaped like any other key.
func isAbsoluteURI(s string) bool {
	if !hasScheme(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !tagSafe(c) && strings.IndexByte("#[]%", c) < 0 {
			return false
		}
	}
	return true
}

// hasScheme reports whether s starts with a URI scheme and a colon
// (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":").
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// escapeTagKey percent-encodes the bytes a tag URI's specific part cannot
// hold (RFC 4151: pchar / "/" / "?"), including "%" itself.
func escapeTagKey(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if tagSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func tagSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}

// slugify is the permalink slug of an item without a link: the ASCII words
// of its title (accents folded), lower case, joined by "-", at most 80
// characters cut at a word boundary; when those words hold no letter (a
// Chinese title, or one whose only ASCII word is a year), the hash of the id.
func slugify(title, id string) string {
	var words []string
	letter := false
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range norm.NFD.String(title) {
		switch {
		case '0' <= r && r <= '9':
			w.WriteRune(r)
		case 'a' <= r && r <= 'z':
			w.WriteRune(r)
			letter = true
		case 'A' <= r && r <= 'Z':
			w.WriteRune(unicode.ToLower(r))
			letter = true
		case unicode.Is(unicode.Mn, r):
			// A combining mark of a decomposed letter: é → e.
		default:
			flush()
		}
	}
	flush()
	if !letter {
		return hashKey(id)
	}
	slug := words[0]
	if len(slug) > maxSlugLen {
		return slug[:maxSlugLen]
	}
	for _, w := range words[1:] {
		if len(slug)+1+len(w) > maxSlugLen {
			break
		}
		slug += "-" + w
	}
	return slug
}
