package page

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// Selectors are the CSS selectors of a page source, as configured: each a
// CSS selector, optionally followed by "@attr" to read that attribute
// instead of the text ("time@datetime", "a@href", or "@href" for the item
// element itself). Item and Title are required.
type Selectors struct {
	Item     string // one element per story
	Title    string
	Link     string // "" means the item itself when it is a link, else its first a[href]
	Summary  string
	Date     string // "" means the item's text is searched, as a listing's
	Category string // every match is a category
	Image    string
	Author   string // every match is an author
}

// Selector is one compiled "css@attr".
type Selector struct {
	Raw  string
	CSS  string          // "" selects the element it is applied to
	Attr string          // "" reads the text
	m    goquery.Matcher // nil when CSS is ""
}

// attrSuffix is "@name" at the end of a selector, name an HTML attribute
// name as a selector would write it.
var attrSuffix = regexp.MustCompile(`@([A-Za-z_:][-A-Za-z0-9_:.]*)\s*$`)

// ParseSelector compiles raw. The "@attr" suffix is split off only where it
// stands outside brackets and quotes, so an attribute selector's value
// ([href$="@example"]) is left alone. The error says why raw is not valid
// CSS, in cascadia's words.
func ParseSelector(raw string) (Selector, error) {
	s := Selector{Raw: raw, CSS: strings.TrimSpace(raw)}
	if loc := attrSuffix.FindStringSubmatchIndex(s.CSS); loc != nil && outside(s.CSS, loc[0]) {
		s.Attr = strings.ToLower(s.CSS[loc[2]:loc[3]])
		s.CSS = strings.TrimSpace(s.CSS[:loc[0]])
	}
	if s.CSS == "" {
		if s.Attr == "" {
			return Selector{}, fmt.Errorf("empty selector")
		}
		return s, nil
	}
	m, err := cascadia.Compile(s.CSS)
	if err != nil {
		return Selector{}, fmt.Errorf("not a valid CSS selector: %w", err)
	}
	s.m = m
	return s, nil
}

// outside reports whether byte i of s stands outside brackets, parentheses
// and quoted strings.
func outside(s string, i int) bool {
	depth := 0
	var quote byte
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == '\\' {
				j++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		}
	}
	return depth == 0 && quote == 0
}

// in is what s selects inside sel: sel itself when s has no CSS.
func (s Selector) in(sel *goquery.Selection) *goquery.Selection {
	if s.m == nil {
		return sel
	}
	return sel.FindMatcher(s.m)
}

// values are the texts (or attribute values) of every element s selects in
// sel, white space collapsed, empty ones left out.
func (s Selector) values(sel *goquery.Selection) []string {
	var out []string
	s.in(sel).Each(func(_ int, e *goquery.Selection) {
		if v := s.value(e); v != "" {
			out = append(out, v)
		}
	})
	return out
}

// first is the first non-empty value s selects in sel, and whether any
// element matched at all.
func (s Selector) first(sel *goquery.Selection) (v string, matched bool) {
	found := s.in(sel)
	for i := range found.Length() {
		if v := s.value(found.Eq(i)); v != "" {
			return v, true
		}
	}
	return "", found.Length() > 0
}

func (s Selector) value(e *goquery.Selection) string {
	if s.Attr != "" {
		v, _ := e.Attr(s.Attr)
		return strings.TrimSpace(v)
	}
	return collapse(e.Text())
}

// collapse joins the words of s with single spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
