package normalize

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
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

// flatSeeds are sanitized-looking fragments near the edge of what
// renderFlat takes: each flat one beside a variant that is not.
var flatSeeds = []string{
	`<p>One <b>bold</b> and <a href="https://e.org/a" rel="nofollow">a link</a>.</p><p>Two</p>`,
	`<p>unclosed <b>bold`, `<ul><li>a</li><li>b<ul><li>c</ul></ul>`, `<ul><li>a<li>b</ul>`,
	`<dl><dt>t</dt><dd>d</dd></dl>`, `<dl><dt>t<dd>d</dl>`, `<div><li>x</li></div>`,
	`<p>a<div>b</div></p>`, `<div><p>a</p><div>b</div></div>`, `<p>x</p></p>`, `</br>`, `<br/><br><hr>`,
	`<p>a<hr>b`, `<h2>a<h3>b</h3></h2>`, `<h2><a href="x">t</a></h2>`, `<a href=a>x<a href=b>y</a></a>`,
	`<b><i>x</b></i>`, `<b><b><b><b>x</b></b></b></b>`, `<b><p>x</p></b>`, `<img src="https://e.org/1.png" width="1" height="1"><img src="https://e.org/2.png">`,
	`<figure><img src="http://e.org/i.jpg" alt="a&amp;b &#34;q&#34;"><figcaption>c</figcaption></figure>`,
	`<table><tr><td>x</td></tr></table>`, `<pre>` + "\n\nx</pre>", `<div/>`, "a\x00b", `x &lt;&amp;&gt; &#39;`,
	`<span title="a` + "\r" + `b">s</span>`, `<blockquote cite="https://e.org/">q<p>r</p></blockquote>`,
	`<video src="https://e.org/v.mp4" poster="https://e.org/p.png"><source src="https://e.org/v.webm"><track src="t.vtt"></video>`,
	`<p>x<!-- c --></p>`, `<!DOCTYPE html><p>x`, `<ruby>a<rt>b</rt></ruby>`, `<svg><p>x</p></svg>`, `<em>` + "\r\nline\rtwo</em>",
	`<p>a</P><B>b</B>`, `<a name="x" name="y">d</a>`, `<img src="https://e.org/a.png" src="https://e.org/b.png">`,
	`<span>x</div>`, `<li>orphan</li>`, `<ul>` + "\n" + `<li>a</li>` + "\n" + `</ul>`,
}

// FuzzRenderFlat checks renderFlat against the parser it stands in for:
// whatever HTML it takes, it must give the bytes, the text and the picture
// that parsing it into a tree and rendering that give.
func FuzzRenderFlat(f *testing.F) {
	for _, s := range flatSeeds {
		f.Add(s)
	}
	ugc := bluemonday.UGCPolicy()
	f.Fuzz(func(t *testing.T, s string) {
		checkFlat(t, s)
		checkFlat(t, ugc.Sanitize(s))
	})
}

// checkFlat fails t when renderFlat takes clean and gives other than the
// tree does, and reports whether it took it.
func checkFlat(t *testing.T, clean string) bool {
	t.Helper()
	var flat, tree htmlScratch
	image, ok := flat.renderFlat([]byte(clean))
	if !ok {
		if flat.out.Len() != 0 || flat.text.buf.Len() != 0 {
			t.Fatalf("renderFlat(%q) refused it but left %q, %q", clean, flat.out.String(), flat.text.buf.String())
		}
		return false
	}
	tree.clean.WriteString(clean)
	wantHTML, wantText, wantImage := tree.renderTree()
	if got := stripControls(flat.out.String()); got != wantHTML {
		t.Fatalf("renderFlat(%q) = %q, the tree renders %q", clean, got, wantHTML)
	}
	if got := flat.text.buf.String(); got != wantText {
		t.Fatalf("renderFlat(%q) text = %q, the tree's is %q", clean, got, wantText)
	}
	if image != wantImage {
		t.Fatalf("renderFlat(%q) picture = %q, the tree's is %q", clean, image, wantImage)
	}
	return true
}

// FuzzHTMLToText checks htmlToText's short cut for text with neither tags
// nor references against the sanitizer it skips.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"Plain title", "a > b \"q\" 'x'", "tab\there\r\nline", "x\x00y\x01", "香港 科技", "a < b", "&amp; &lt;b&gt;", "bad \xff utf8"} {
		f.Add(s)
	}
	strict := bluemonday.StrictPolicy()
	f.Fuzz(func(t *testing.T, s string) {
		want := plainText(html.UnescapeString(strict.Sanitize(stripControls(s))))
		if got := htmlToText(strict, s); got != want {
			t.Fatalf("htmlToText(%q) = %q, the sanitizer gives %q", s, got, want)
		}
	})
}
