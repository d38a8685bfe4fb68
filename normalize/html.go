package normalize

import (
	"bytes"
	"html"
	"io"
	"net/url"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// isURLAttr reports whether an attribute holds a URL that UGCPolicy may keep.
// Such URLs are made absolute before sanitizing, because bluemonday keeps
// relative URLs as they are and a feed reader has no base to resolve them
// against.
func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "cite", "poster":
		return true
	}
	return false
}

// bodyContext parses fragments as the children of <body>.
func bodyContext() *xhtml.Node {
	return &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
}

// maxPooledScratch is the largest buffer, in bytes, that goes back to the
// pool: one huge story must not pin its buffers for the life of the process.
const maxPooledScratch = 256 << 10

// htmlScratch holds the buffers of one contentHTML call. Content runs to
// kilobytes per item and a refresh handles thousands of items, so the
// buffers are pooled rather than grown from nothing each time.
type htmlScratch struct {
	resolved bytes.Buffer // raw with its URL attributes made absolute
	clean    bytes.Buffer // the sanitizer's output
	out      bytes.Buffer // the balanced HTML
	text     textWriter
	rawAttrs []rawAttr
	open     []flatOpen // renderFlat's open elements
}

// rawAttr is an attribute of the tag being read by resolveURLAttrs.
type rawAttr struct {
	key, val []byte // as the tokenizer gives them: key lower case, val unescaped
	resolved string // the absolute URL, for a URL attribute
	changed  bool   // resolved differs from val
}

// scratchPool is a pool of *htmlScratch.
type scratchPool struct{ p sync.Pool }

func (sp *scratchPool) get() *htmlScratch {
	if sc, ok := sp.p.Get().(*htmlScratch); ok {
		return sc
	}
	return new(htmlScratch)
}

func (sp *scratchPool) put(sc *htmlScratch) {
	if sc.resolved.Cap() > maxPooledScratch || sc.clean.Cap() > maxPooledScratch ||
		sc.out.Cap() > maxPooledScratch || sc.text.buf.Cap() > maxPooledScratch {
		return
	}
	sc.resolved.Reset()
	sc.clean.Reset()
	sc.out.Reset()
	sc.text.reset()
	clear(sc.rawAttrs[:cap(sc.rawAttrs)]) // let the last story's attributes be collected
	sc.rawAttrs = sc.rawAttrs[:0]
	sp.p.Put(sc)
}

// contentHTML makes the URLs of raw absolute against base, sanitizes it with
// ugc (no script, event handlers, javascript: URLs, style, iframes) and
// re-serializes it so that every tag is balanced — bluemonday leaves
// "<p>unclosed <b>bold" as it is. It returns the HTML, its text and its
// first picture (firstImage of the HTML).
//
// The HTML is read three times: a tokenizer pass that rewrites only the tags
// whose URLs change (skipped when no tag can hold a URL), the sanitizer's own
// pass, and one more that balances the tags and gives both the output and
// the text: a tokenizer pass when the sanitized HTML is flat (renderFlat),
// else a parse into a tree.
func contentHTML(sp *scratchPool, ugc *bluemonday.Policy, raw string, base *url.URL) (html, text, image string) {
	raw = norm.NFC.String(stripControls(raw))
	sc := sp.get()
	defer sp.put(sc)
	var in io.Reader = strings.NewReader(raw)
	if base != nil && mayHoldURLAttr(raw) && sc.resolveURLAttrs(raw, base) {
		in = bytes.NewReader(sc.resolved.Bytes())
	}
	if err := ugc.SanitizeReaderToWriter(in, &sc.clean); err != nil {
		// Policy.Sanitize gives "" for what it cannot tokenize.
		sc.clean.Reset()
	}
	sc.out.Grow(sc.clean.Len() + sc.clean.Len()/8)
	sc.text.buf.Grow(sc.clean.Len())
	if image, ok := sc.renderFlat(sc.clean.Bytes()); ok {
		return stripControls(sc.out.String()), sc.text.buf.String(), image
	}
	return sc.renderTree()
}

// renderTree balances sc.clean by parsing it into a tree and rendering that,
// and gives the HTML, its text and its first picture.
func (sc *htmlScratch) renderTree() (html, text, image string) {
	nodes, err := xhtml.ParseFragment(bytes.NewReader(sc.clean.Bytes()), bodyContext())
	if err != nil {
		// x/net/html refuses a fragment that opens more than 512 elements.
		return sc.wordsOnly()
	}
	for _, n := range nodes {
		if err := xhtml.Render(&sc.out, n); err != nil {
			return sc.wordsOnly()
		}
		sc.text.node(n)
	}
	return stripControls(sc.out.String()), sc.text.buf.String(), treeImage(nodes)
}

// wordsOnly is what is kept of sc.clean when the parser refuses it: its
// words in one paragraph, and its first picture. None of its tags can be
// balanced, and published unbalanced they would leave a reader's page
// inside them.
func (sc *htmlScratch) wordsOnly() (content, text, image string) {
	sc.out.Reset()
	sc.text.reset()
	z := xhtml.NewTokenizer(bytes.NewReader(sc.clean.Bytes()))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if text = sc.text.buf.String(); text != "" {
				content = "<p>" + html.EscapeString(text) + "</p>"
			}
			return content, text, firstImage(stripControls(sc.clean.String()))
		case xhtml.TextToken:
			sc.text.write(string(z.Text()))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			if name, _ := z.TagName(); isBlock(atom.Lookup(name)) {
				sc.text.space = true
			}
		}
	}
}

// mayHoldURLAttr reports whether s holds, in any case, the name of an
// attribute that resolveURLAttrs rewrites; a text or a tag without one needs
// no closer look.
func mayHoldURLAttr[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		var name string
		switch s[i] | 0x20 {
		case 'h':
			name = "href"
		case 's':
			name = "src" // and srcset
		case 'c':
			name = "cite"
		case 'p':
			name = "poster"
		default:
			continue
		}
		if hasASCIIFoldPrefix(s[i:], name) {
			return true
		}
	}
	return false
}

// hasASCIIFoldPrefix reports whether s begins with lower, ignoring ASCII case
// (the tokenizer lowercases attribute names in ASCII only).
func hasASCIIFoldPrefix[T string | []byte](s T, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// resolveURLAttrs writes to sc.resolved raw with the URL attributes of its
// tags made absolute against base, and reports whether any changed (when
// none does, sc.resolved is left empty and raw is the text to use). A tag
// whose URLs change is written anew from its token; every other byte of raw
// is copied as it is, so that the sanitizer's tokenizer reads the same
// tokens as in raw, with the new URLs.
func (sc *htmlScratch) resolveURLAttrs(raw string, base *url.URL) bool {
	z := xhtml.NewTokenizer(strings.NewReader(raw))
	pos, copied := 0, 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		// Raw tokens are contiguous, so their lengths give their offsets in raw.
		start := pos
		pos += len(z.Raw())
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken || !mayHoldURLAttr(z.Raw()) {
			continue
		}
		name, more := z.TagName()
		if !more {
			continue
		}
		attrs, changed := sc.rawAttrs[:0], false
		for more {
			var a rawAttr
			a.key, a.val, more = z.TagAttr()
			switch {
			case isURLAttr(string(a.key)):
				a.resolved = resolve(base, string(a.val))
			case string(a.key) == "srcset":
				a.resolved = resolveSrcset(base, string(a.val))
			default:
				attrs = append(attrs, a)
				continue
			}
			a.changed = a.resolved != string(a.val)
			changed = changed || a.changed
			attrs = append(attrs, a)
		}
		sc.rawAttrs = attrs
		if !changed {
			continue
		}
		if copied == 0 {
			sc.resolved.Grow(len(raw) + len(raw)/8)
		}
		sc.resolved.WriteString(raw[copied:start])
		writeTag(&sc.resolved, tt == xhtml.SelfClosingTagToken, name, attrs)
		copied = pos
	}
	if copied == 0 {
		return false
	}
	sc.resolved.WriteString(raw[copied:])
	return true
}

// writeTag writes a start tag as html.Token.String does, so that a tokenizer
// reads back the same name and attribute values.
func writeTag(b *bytes.Buffer, selfClosing bool, name []byte, attrs []rawAttr) {
	b.WriteByte('<')
	b.Write(name)
	for _, a := range attrs {
		b.WriteByte(' ')
		b.Write(a.key)
		b.WriteString(`="`)
		if a.changed {
			escapeHTML(b, []byte(a.resolved))
		} else {
			escapeHTML(b, a.val)
		}
		b.WriteByte('"')
	}
	if selfClosing {
		b.WriteByte('/')
	}
	b.WriteByte('>')
}

// escapeHTML writes s escaped as html.EscapeString escapes it, and as the
// renderer escapes text and attribute values. The carriage return is
// escaped too, as the tokenizer would read a raw one as a newline.
func escapeHTML(b *bytes.Buffer, s []byte) {
	for {
		i := bytes.IndexAny(s, "&'<>\"\r")
		if i < 0 {
			b.Write(s)
			return
		}
		b.Write(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\r':
			b.WriteString("&#13;")
		}
		s = s[i+1:]
	}
}

// resolveSrcset resolves each candidate URL of a srcset attribute
// ("a.jpg 1x, b.jpg 2x").
func resolveSrcset(base *url.URL, v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		fields := strings.Fields(p)
		if len(fields) == 0 {
			continue
		}
		fields[0] = resolve(base, fields[0])
		parts[i] = strings.Join(fields, " ")
	}
	return strings.Join(parts, ", ")
}

// resolve makes ref absolute against base; a ref that does not parse is
// returned trimmed, for the sanitizer to judge.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return uriString(u)
}

// isBlock reports whether an element separates words in the text of a fragment.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Br, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Figcaption, atom.Figure, atom.Footer,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr,
		atom.Li, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Table, atom.Td,
		atom.Th, atom.Tr, atom.Ul:
		return true
	}
	return false
}

// textWriter gathers the text of a fragment with its words joined by single
// spaces, as collapse would leave it, without first building the text with
// all its white space.
type textWriter struct {
	buf   bytes.Buffer
	space bool // white space or a block boundary since the last word
}

func (w *textWriter) reset() {
	w.buf.Reset()
	w.space = false
}

// node appends the text of n, with a word break around block elements.
func (w *textWriter) node(n *xhtml.Node) {
	if n.Type == xhtml.TextNode {
		w.write(n.Data)
		return
	}
	block := n.Type == xhtml.ElementNode && isBlock(n.DataAtom)
	if block {
		w.space = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	if block {
		w.space = true
	}
}

// write appends the words of s. White space is what strings.Fields splits
// on: ASCII white space and unicode.IsSpace. Controls, which entities such as
// &#1; can put in the text, are dropped as stripControls drops them from the
// HTML, without breaking the word.
func (w *textWriter) write(s string) {
	word := -1 // start of the run being read; -1 between runs
	for i := 0; i < len(s); {
		c, size := s[i], 1
		var space, control bool
		if c < utf8.RuneSelf {
			space = c == ' ' || '\t' <= c && c <= '\r'
			control = !space && isControl(rune(c))
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			// Past U+3000, the last white space, only U+FFFE and U+FFFF
			// are controls: CJK text needs no table look-up.
			if size == 1 || r <= 0x3000 || r >= 0xFFFE {
				control = isControl(r) || size == 1 // U+0085 too, though Unicode calls it a space
				space = !control && unicode.IsSpace(r)
			}
		}
		switch {
		case (space || control) && word >= 0:
			w.word(s[word:i])
			word = -1
		case word < 0 && !space && !control:
			word = i
		}
		if space {
			w.space = true
		}
		i += size
	}
	if word >= 0 {
		w.word(s[word:])
	}
}

// word appends a run of non-space text, after one space if white space
// separates it from the text before. A run may continue the previous one
// ("bo<b>ld</b>" is one word).
func (w *textWriter) word(s string) {
	if w.space && w.buf.Len() > 0 {
		w.buf.WriteByte(' ')
	}
	w.space = false
	w.buf.WriteString(s)
}

// paragraphsHTML turns plain-text paragraphs into <p> elements. The text is
// escaped, never sanitized: a sanitizer reads "a < b & c" as markup and eats
// it. It returns the HTML and the text.
func paragraphsHTML(paras []string) (string, string) {
	var out, text strings.Builder
	for _, p := range paras {
		p = plainText(p)
		if p == "" {
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
			text.WriteByte(' ')
		}
		out.WriteString("<p>")
		out.WriteString(html.EscapeString(p))
		out.WriteString("</p>")
		text.WriteString(p)
	}
	return out.String(), text.String()
}
