package normalize

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/text/unicode/norm"
)

// defaultSummaryLen is the summary length in runes when Options leaves it 0.
const defaultSummaryLen = 280

// stripControls removes what XML 1.0 cannot carry and what no reader wants:
// C0 and C1 controls, DEL, U+FFFE/U+FFFF and invalid UTF-8. Whitespace
// controls (tab, newline, vertical tab, form feed, carriage return) become a
// space or newline, since they separate words.
func stripControls(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalidAt(s, i):
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case isControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isClean reports whether stripControls would return s unchanged. Most text
// is clean, so this scan is the whole cost of stripControls; ASCII bytes are
// judged without decoding.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size <= 1 || isControl(r) {
			return false // invalid UTF-8, or a C1 control or noncharacter
		}
		i += size
	}
	return true
}

func isControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7F && r <= 0x9F || r == 0xFFFE || r == 0xFFFF
}

func isInvalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size <= 1
}

// collapse joins the words of s with single spaces (Unicode white space,
// including NBSP and the ideographic space).
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// plainText cleans a plain-text field (title, author name, category):
// controls stripped, white space collapsed, NFC.
func plainText(s string) string {
	return norm.NFC.String(collapse(stripControls(s)))
}

// htmlToText turns a fragment that may hold markup and entities into plain
// text. StrictPolicy drops every tag but returns the text HTML-escaped, so it
// is unescaped once afterwards (else titles read "&amp;amp;").
func htmlToText(strict *bluemonday.Policy, s string) string {
	s = stripControls(s)
	if !strings.ContainsAny(s, "<&") {
		// One text token, which the sanitizer escapes and UnescapeString
		// gives back as it was: most titles.
		return plainText(s)
	}
	return plainText(html.UnescapeString(strict.Sanitize(s)))
}

// cutRunes shortens s to at most n runes plus "…". Where a space falls in
// the last quarter of the cut the text is cut there, so that no word is
// split; text without spaces near the cut (Chinese) is cut at n runes.
func cutRunes(s string, n int) string {
	if n <= 0 {
		n = defaultSummaryLen
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	end, count := 0, 0
	lastSpace, spaceRunes := -1, 0
	for i, r := range s {
		if count == n {
			end = i
			break
		}
		if unicode.IsSpace(r) {
			lastSpace, spaceRunes = i, count
		}
		count++
	}
	next, _ := utf8.DecodeRuneInString(s[end:])
	if !unicode.IsSpace(next) && lastSpace > 0 && spaceRunes >= n-n/4 {
		end = lastSpace
	}
	return strings.TrimRightFunc(s[:end], unicode.IsSpace) + "…"
}
