package normalize

import (
	"bytes"
	"cmp"
	"io"
	"slices"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// flatKind is how the HTML parser treats a start tag in body, for the
// elements renderFlat takes; the others are not flat.
type flatKind uint8

const (
	notFlat        flatKind = iota
	flatPlain               // inserted where it stands
	flatFormatting          // inserted where it stands, its attributes sorted
	flatBlock               // closes an open <p> first
	flatHeading             // a block that also closes an open heading
	flatItem                // li: closes an open li; dd, dt: an open dd or dt
	flatAnchor              // a: closes an open a
	flatVoid                // no content and no end tag
	flatVoidBlock           // hr: a void that closes an open <p>
)

// flatKinds holds the elements of sanitized content whose start and end
// tags the parser takes literally while the conditions of renderFlat hold.
// Every element whose start tag changes the parser's mode, its scopes or
// its tokenizer (tables, pre, forms, ruby, raw text, SVG, MathML) is left
// out, and so is every element the sanitizer does not keep.
var flatKinds = func() map[atom.Atom]flatKind {
	m := map[atom.Atom]flatKind{
		atom.A: flatAnchor, atom.Hr: flatVoidBlock,
		atom.Li: flatItem, atom.Dd: flatItem, atom.Dt: flatItem,
	}
	for _, a := range []atom.Atom{
		atom.Abbr, atom.Acronym, atom.Audio, atom.Bdi, atom.Bdo, atom.Cite,
		atom.Data, atom.Del, atom.Dfn, atom.Ins, atom.Kbd, atom.Mark,
		atom.Picture, atom.Q, atom.Samp, atom.Span, atom.Sub, atom.Sup,
		atom.Time, atom.Var, atom.Video,
	} {
		m[a] = flatPlain
	}
	// The parser sorts the attributes of these and of a (x/net/html's
	// addFormattingElement), and so its output shows them sorted.
	for _, a := range []atom.Atom{
		atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.S,
		atom.Small, atom.Strike, atom.Strong, atom.Tt, atom.U,
	} {
		m[a] = flatFormatting
	}
	for _, a := range []atom.Atom{
		atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center,
		atom.Details, atom.Div, atom.Dl, atom.Figcaption, atom.Figure,
		atom.Footer, atom.Header, atom.Hgroup, atom.Main, atom.Nav, atom.Ol,
		atom.P, atom.Section, atom.Summary, atom.Ul,
	} {
		m[a] = flatBlock
	}
	for _, a := range []atom.Atom{atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6} {
		m[a] = flatHeading
	}
	for _, a := range []atom.Atom{atom.Br, atom.Img, atom.Source, atom.Track, atom.Wbr} {
		m[a] = flatVoid
	}
	return m
}()

// maxFlatDepth is how many elements renderFlat keeps open at most: the
// parser refuses a fragment that opens more than 512 with the root it adds
// (x/net/html's insertOpenElement, which counts a void element too), and
// contentHTML then keeps only its words (wordsOnly).
const maxFlatDepth = 511

// flatOpen is an element renderFlat has open.
type flatOpen struct {
	a    atom.Atom
	kind flatKind
}

// renderFlat writes to sc.out and sc.text what rendering the parsed
// fragment of clean writes and gathers, and returns its first picture, with
// no tree: when clean is made only of text and of the tags of flatKinds,
// each end tag closing the element open last, and no start tag among them
// that the parser would take to close an open element first, its tree is
// the nesting of its tags. Elements left open at the end are closed, as the
// parser leaves them open and the renderer closes them. It reports false,
// with sc.out and sc.text left empty, for any other HTML, which then needs
// the parser. Sanitized content from feeds is nearly always flat.
func (sc *htmlScratch) renderFlat(clean []byte) (image string, ok bool) {
	z := xhtml.NewTokenizer(bytes.NewReader(clean))
	open := sc.open[:0]
	defer func() { sc.open = open[:0] }()
	var inP, inA, inHeading int // how many of each are open
	var found bool              // image holds the first picture
	fail := func() (string, bool) {
		sc.out.Reset()
		sc.text.reset()
		return "", false
	}
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if z.Err() != io.EOF {
				return fail()
			}
			for i := len(open) - 1; i >= 0; i-- {
				writeEndTag(&sc.out, open[i].a.String())
			}
			return image, true
		case xhtml.TextToken:
			text := z.Text()
			if bytes.IndexByte(text, 0) >= 0 {
				return fail() // the parser drops NULs
			}
			escapeHTML(&sc.out, text)
			sc.text.write(string(text))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			if len(open) >= maxFlatDepth {
				return fail()
			}
			name, more := z.TagName()
			a := atom.Lookup(name)
			kind := flatKinds[a]
			switch kind {
			case notFlat:
				return fail()
			case flatBlock, flatVoidBlock, flatHeading:
				if inP > 0 || kind == flatHeading && inHeading > 0 {
					return fail()
				}
			case flatItem:
				if inP > 0 || len(open) == 0 || !itemParent(a, open[len(open)-1].a) {
					return fail()
				}
			case flatAnchor:
				if inA > 0 {
					return fail()
				}
			}
			void := kind == flatVoid || kind == flatVoidBlock
			if tt == xhtml.SelfClosingTagToken && !void {
				return fail() // the parser reads <div/> as <div>
			}
			attrs := sc.rawAttrs[:0]
			for more {
				var at rawAttr
				at.key, at.val, more = z.TagAttr()
				attrs = append(attrs, at)
			}
			sc.rawAttrs = attrs
			if kind == flatFormatting || kind == flatAnchor {
				slices.SortFunc(attrs, func(x, y rawAttr) int {
					return cmp.Or(bytes.Compare(x.key, y.key), bytes.Compare(x.val, y.val))
				})
			}
			sc.out.WriteByte('<')
			sc.out.Write(name)
			for _, at := range attrs {
				sc.out.WriteByte(' ')
				sc.out.Write(at.key)
				sc.out.WriteString(`="`)
				escapeHTML(&sc.out, at.val)
				sc.out.WriteByte('"')
			}
			if a == atom.Img && !found {
				image, found = attrsImage(attrs)
			}
			if isBlock(a) {
				sc.text.space = true
			}
			if void {
				sc.out.WriteString("/>")
				continue
			}
			sc.out.WriteByte('>')
			open = append(open, flatOpen{a, kind})
			switch {
			case a == atom.P:
				inP++
			case kind == flatAnchor:
				inA++
			case kind == flatHeading:
				inHeading++
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if len(open) == 0 || a == 0 || open[len(open)-1].a != a {
				return fail()
			}
			top := open[len(open)-1]
			open = open[:len(open)-1]
			switch {
			case a == atom.P:
				inP--
			case top.kind == flatAnchor:
				inA--
			case top.kind == flatHeading:
				inHeading--
			}
			writeEndTag(&sc.out, a.String())
			if isBlock(a) {
				sc.text.space = true
			}
		default: // comments and doctypes, which the sanitizer drops
			return fail()
		}
	}
}

// attrsImage is imageOf an <img> with attrs, its last src, width and
// height counting, as they do on the element the parser makes.
func attrsImage(attrs []rawAttr) (string, bool) {
	var src, width, height []byte
	for _, at := range attrs {
		switch string(at.key) {
		case "src":
			src = at.val
		case "width":
			width = at.val
		case "height":
			height = at.val
		}
	}
	return imageOf(string(src), string(width), string(height))
}

// itemParent reports whether the parser puts item straight into parent
// without closing anything: li into a list, dd and dt into a dl.
func itemParent(item, parent atom.Atom) bool {
	if item == atom.Li {
		return parent == atom.Ul || parent == atom.Ol
	}
	return parent == atom.Dl
}

func writeEndTag(b *bytes.Buffer, name string) {
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}
