package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

var caseFold = cases.Fold()

// CategoryKey is how categories (and channel phrases) are compared: NFC and
// case-folded, so "Research", "RESEARCH" and a decomposed "é" match.
func CategoryKey(s string) string {
	return caseFold.String(norm.NFC.String(strings.TrimSpace(s)))
}

// CategorySlug names a category in a path: its ASCII words, lower-case and
// joined by hyphens (at most 60 bytes), else, for a name with none
// ("研究"), the first 8 hex digits of the SHA-256 of its CategoryKey.
func CategorySlug(name string) string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range strings.ToLower(name) {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			w.WriteRune(r)
		} else {
			flush()
		}
	}
	flush()
	slug := strings.Join(words, "-")
	for len(slug) > 60 {
		i := strings.LastIndexByte(slug[:60], '-')
		if i <= 0 {
			slug = slug[:60]
			break
		}
		slug = slug[:i]
	}
	if slug == "" {
		sum := sha256.Sum256([]byte(CategoryKey(name)))
		return hex.EncodeToString(sum[:4])
	}
	return slug
}
