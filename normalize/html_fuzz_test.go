package normalize

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// tokens is what a tokenizer reads in s, as the sanitizer reads it, with the
// URL attributes resolved against base when base is not nil.
func tokens(s string, base *url.URL) []string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var out []string
	for z.Next() != xhtml.ErrorToken {
		tok := z.Token()
		if base != nil && (tok.Type == xhtml.StartTagToken || tok.Type == xhtml.SelfClosingTagToken) {
			for i, a := range tok.Attr {
				switch {
				case isURLAttr(a.Key):
					tok.Attr[i].Val = resolve(base, a.Val)
				case a.Key == "srcset":
					tok.Attr[i].Val = resolveSrcset(base, a.Val)
				}
			}
		}
		out = append(out, tok.Type.String()+" "+tok.String())
	}
	return out
}

// FuzzResolveURLAttrs checks that the sanitizer reads in the rewritten HTML
// the very tokens of the original, with only their URLs resolved: the
// rewrite copies all but the tags it changes, so nothing else may move.
func FuzzResolveURLAttrs(f *testing.F) {
	for _, s := range []string{
		`<a href="story.html">s</a> <img src="/img/a.png" alt="a"> <a href="#top">t</a>`,
		`<img srcset="a.jpg 1x, /b.jpg 2x" src=c.png><a HREF='x y'>q</a><q cite=../c>x</q><video poster=p.png></video>`,
		`<a title="<script>alert(1)</script>" href="rel" data-x='a"b'>t</a><![CDATA[<b>x</b>]]><!-- <a href=y> -->`,
		`<textarea><a href=u></textarea><title><a href=v></title><noscript><a href=w></noscript><script>"<a href=s>"</script>`,
		`<a href=x/>y<a href="  a b  ">c</a><a href="http://[::1">d</a><a href="a&#13;b&amp;c">e</a>`,
		`<A HREF=a.html>X</A><base href=/z/><svg><a xlink:href="r" href=q>s</a></svg><plaintext><a href=d>`,
		`<p>x<a href="y`, `<a href=x`, `<a href="https://www.example.edu/ok">unchanged</a>`, `no tags`,
	} {
		f.Add(s)
	}
	base, err := url.Parse("https://www.example.edu/news/2025/")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var sc htmlScratch
		got := raw
		if sc.resolveURLAttrs(raw, base) {
			got = sc.resolved.String()
		}
		want := tokens(raw, base)
		have := tokens(got, nil)
		if len(have) != len(want) {
			t.Fatalf("%q rewritten as %q: %d tokens, want %d", raw, got, len(have), len(want))
		}
		for i := range want {
			if have[i] != want[i] {
				t.Fatalf("%q rewritten as %q: token %d is %q, want %q", raw, got, i, have[i], want[i])
			}
		}
	})
}

// FuzzTextWriter checks that the text gathered word by word is the text
// with its controls stripped and its white space collapsed.
func FuzzTextWriter(f *testing.F) {
	for _, s := range []string{"  a  b ", "a\x01b", "香港\u3000科技\u00a0大學", "x\u0085y\u2028z", "bad \xff utf8", "\v\f\r"} {
		f.Add(s, "tail ")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		want := collapse(stripControls(a + b))
		var w textWriter
		w.write(a + b)
		if got := w.buf.String(); got != want {
			t.Fatalf("write(%q) = %q, want %q", a+b, got, want)
		}
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // text nodes are whole runes; a rune cut in two is no case
		}
		w.reset()
		w.write(a)
		w.write(b)
		if got := w.buf.String(); got != want {
			t.Fatalf("write(%q), write(%q) = %q, want %q", a, b, got, want)
		}
	})
}
