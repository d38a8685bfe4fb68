package normalize

import (
	"net/mail"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
)

// runElements are the elements whose tags a name never keeps: they run
// script, load a document or restyle the page they are inserted into.
// Partner widgets insert titles as HTML, so a plain-text title that
// literally holds one of these would run there.
var runElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true,
	"object": true, "embed": true, "applet": true, "base": true, "link": true, "meta": true,
	"noscript": true, "template": true, "portal": true, "fencedframe": true,
}

// bodyElements are those of runElements whose content goes with them: the
// tokenizer reads it as raw text (script source, a style sheet), which no
// reader wants in a name.
var bodyElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "noscript": true, "frameset": true, "template": true,
}

// safeName removes from a name every tag-shaped run a sanitizer would strip
// (DESIGN "names"): the elements of runElements (with the content of
// script and style), and any tag with an on* handler or a javascript:,
// vbscript: or data: URL. Everything else stays literal, since a plain-text
// name such as "Using <div> in HTML" means what it says. What counts as a
// tag is what a browser's tokenizer reads as one, so that a run hidden from
// a simpler reading ("<svg/onload=x>") is found too.
func safeName(s string) string {
	// Cutting a run can join the text around it into a new one
	// ("<<script></script>script>"): cut until nothing changes. Every pass
	// that changes something shortens the name, so this ends.
	for {
		cut, changed := cutRuns(s)
		if !changed {
			return s
		}
		s = cut
	}
}

// cutRuns is one pass of safeName.
func cutRuns(s string) (string, bool) {
	if !strings.Contains(s, "<") {
		return s, false
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := ""                   // the element whose content is being dropped
	var skipped []byte           // that content, given back if the element never ends
	open := make(map[string]int) // dropped start tags whose end tag goes too
	changed := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := z.Raw()
		switch tt {
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, dangerous := tagRuns(z)
			if skip != "" {
				if tt == xhtml.EndTagToken && name == skip {
					skip, skipped = "", skipped[:0]
				} else {
					skipped = append(skipped, raw...)
				}
				continue
			}
			if tt == xhtml.EndTagToken && open[name] > 0 {
				open[name]--
				dangerous = true
			}
			if dangerous {
				switch {
				case tt == xhtml.StartTagToken && bodyElements[name]:
					skip = name
				case tt == xhtml.StartTagToken:
					open[name]++
				}
				changed = true
				continue
			}
			if tt == xhtml.StartTagToken {
				// A kept <title>, <textarea> or <xmp> would make the
				// tokenizer read what follows as raw text, hiding a run
				// inside it from this reading but not from a page that
				// inserts the name somewhere else.
				z.NextIsNotRawText()
			}
		default:
			if skip != "" {
				skipped = append(skipped, raw...)
				continue
			}
		}
		b.Write(raw)
	}
	// A script or style never closed is a title that names the tag
	// ("Using <script> tags safely"): the tag goes, the words stay. The
	// next pass reads them again.
	b.Write(skipped)
	if !changed {
		return s, false
	}
	return collapse(b.String()), true
}

// tagRuns reads the current tag of z and reports its name and whether it
// can run script or load something: one of runElements, an on* attribute,
// or an attribute whose value is a script or data URL (also in a style,
// url(javascript:…)).
func tagRuns(z *xhtml.Tokenizer) (string, bool) {
	n, more := z.TagName()
	name := string(n)
	// A name with '<' in it ("<scr<script>") is no element a page would
	// know, but would read as one to a simpler filter downstream.
	dangerous := runElements[name] || strings.Contains(name, "<")
	for more {
		var key, val []byte
		key, val, more = z.TagAttr()
		if len(key) > 2 && key[0] == 'o' && key[1] == 'n' || scriptURL(string(val)) {
			dangerous = true
		}
	}
	return name, dangerous
}

// scriptURL reports whether an attribute value holds a URL that runs
// script or carries a document: browsers drop tabs, newlines and leading
// spaces from a URL before reading its scheme, so those are dropped first.
func scriptURL(v string) bool {
	if v == "" {
		return false
	}
	v = strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v))
	return strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") || strings.HasPrefix(v, "data:")
}

// emailAddress is a person's email as a feed gives it, made the bare
// address every output format wants (Atom <email>, the RSS author, JSON
// Feed's mailto: URL): without the mailto: some feeds write before it
// ("Jane (mailto:jane@example.org)") and the angle brackets or name around
// it; "" when what is left is not one address whose domain has a dot, as
// no reader could write to it.
func emailAddress(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > len("mailto:") && strings.EqualFold(s[:len("mailto:")], "mailto:") {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = u.Opaque
		if p, err := url.PathUnescape(s); err == nil {
			s = p
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return ""
	}
	at := strings.LastIndexByte(a.Address, '@')
	domain := a.Address[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return ""
	}
	return a.Address
}
