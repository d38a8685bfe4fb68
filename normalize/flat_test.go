package normalize

import (
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"
)

// TestRenderFlat shows which fragments renderFlat takes, and that each it
// takes comes out as the tree gives it.
func TestRenderFlat(t *testing.T) {
	for _, c := range []struct {
		clean string
		flat  bool
	}{
		{`<p>One <b>bold</b> and <a href="https://e.org/a" rel="nofollow">a link</a>.</p><p>Two</p>`, true},
		{`<p>unclosed <b>bold`, true},
		{`<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>`, true},
		{`<dl><dt>t</dt><dd>d</dd></dl>`, true},
		{`<figure><img src="http://e.org/i.jpg" alt="a&amp;b &#34;q&#34;"><figcaption>c</figcaption></figure>`, true},
		{`<img src="https://e.org/1.png" width="1" height="1"><img src="https://e.org/2.png">`, true},
		{`<b><b><b><b>x</b></b></b></b>`, true},
		{`<h2><a href="x">t</a></h2><p>a<br>b</p><hr>`, true},
		{`x &lt;&amp;&gt; &#39;` + "\r\n", true},
		{`<ul><li>a<li>b</ul>`, false},
		{`<ul><li>a</ul>`, false},                     // the </ul> closes the li first                // an li closes the open li
		{`<dl><dt>t<dd>d</dl>`, false},                // a dd closes the open dt
		{`<div><li>x</li></div>`, false},              // an li outside a list
		{`<p>a<div>b</div></p>`, false},               // a div closes the open p
		{`<p>a<hr>b`, false},                          // so does an hr
		{`<h2>a<h3>b</h3></h2>`, false},               // a heading closes the open one
		{`<a href=a>x<a href=b>y</a></a>`, false},     // an a closes the open a
		{`<b><i>x</b></i>`, false},                    // misnested
		{`<p>x</p></p>`, false},                       // a stray </p> makes a p
		{`</br>`, false},                              // a </br> makes a br
		{`<table><tr><td>x</td></tr></table>`, false}, // tables move text out
		{"<pre>\n\nx</pre>", false},                   // pre drops a first newline
		{`<div/>`, false},                             // read as <div>
		{"a\x00b", false},                             // the parser drops NULs
		{`<p>x<!-- c --></p>`, false},
		{`<span>x</div>`, false},
		{strings.Repeat("<span>", 511) + "x", true},
		{strings.Repeat("<span>", 510) + "<br>x", true},
		{strings.Repeat("<span>", 512) + "x", false},     // the parser's depth limit
		{strings.Repeat("<span>", 511) + "<br>x", false}, // a void counts while it is open
		{strings.Repeat("<div>", 512) + "x" + strings.Repeat("</div>", 512), false},
	} {
		if got := checkFlat(t, c.clean); got != c.flat {
			t.Errorf("renderFlat(%q) took it: %v, want %v", c.clean, got, c.flat)
		}
	}
}

// TestContentTooDeep: content nested deeper than the parser goes is kept
// as its words in one paragraph, with its first picture, and no tag of it.
func TestContentTooDeep(t *testing.T) {
	raw := strings.Repeat("<div>", 300) + "<p>deep <b>text</b></p>" + strings.Repeat("<span>", 300) +
		`<img src="https://e.org/a.png" alt="x">tail &amp; <a href="https://e.org/">end`
	html, text, image := contentHTML(&scratchPool{}, bluemonday.UGCPolicy(), raw, nil)
	if want := "<p>deep text tail &amp; end</p>"; html != want {
		t.Errorf("html = %q, want %q", html, want)
	}
	if want := "deep text tail & end"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	if want := "https://e.org/a.png"; image != want {
		t.Errorf("image = %q, want %q", image, want)
	}
}
