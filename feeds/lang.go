package feeds

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// CanonicalLang checks that tag is a well-formed BCP 47 language tag and
// returns it in its canonical case (zh-hant → zh-Hant, EN-gb → en-GB).
// Underscores are not accepted: zh_TW is a locale name, not a language tag.
func CanonicalLang(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", fmt.Errorf("feeds: empty language tag")
	}
	if strings.Contains(tag, "_") {
		return "", fmt.Errorf("feeds: language tag %q: use - not _", tag)
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("feeds: language tag %q: %w", tag, err)
	}
	return t.String(), nil
}

// LangFolder is the output folder of a language's feeds: the tag in lower case.
func LangFolder(tag string) string { return strings.ToLower(tag) }

// MatchLang reports whether an item in language item belongs in a feed for
// language feed: equal, or feed is a prefix of item ending at a subtag
// boundary (RFC 4647 basic filtering), ignoring case. An empty feed matches
// everything.
func MatchLang(item, feed string) bool {
	if feed == "" {
		return true
	}
	item, feed = strings.ToLower(item), strings.ToLower(feed)
	return item == feed || strings.HasPrefix(item, feed+"-")
}
