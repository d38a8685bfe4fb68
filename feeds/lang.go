package feeds

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// LangError is a language tag CanonicalLang refuses. Callers that word
// their own messages read its fields rather than its text.
type LangError struct {
	Tag string // as given, surrounding space trimmed; empty for an empty tag
	Err error  // why: the parser's error, or that _ separates the subtags; nil for an empty tag
}

// errLangUnderscore refuses a locale name (zh_TW) where a tag is wanted.
var errLangUnderscore = errors.New("use - not _")

func (e *LangError) Error() string {
	if e.Tag == "" {
		return "feeds: empty language tag"
	}
	return fmt.Sprintf("feeds: language tag %q: %v", e.Tag, e.Err)
}

func (e *LangError) Unwrap() error { return e.Err }

// CanonicalLang checks that tag is a well-formed BCP 47 language tag and
// returns it in its canonical case (zh-hant → zh-Hant, EN-gb → en-GB).
// Underscores are not accepted: zh_TW is a locale name, not a language tag.
// A refused tag's error is a *LangError.
func CanonicalLang(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", &LangError{}
	}
	if strings.Contains(tag, "_") {
		return "", &LangError{Tag: tag, Err: errLangUnderscore}
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", &LangError{Tag: tag, Err: err}
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
