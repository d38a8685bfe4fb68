package normalize

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func TestContent(t *testing.T) {
	tests := []struct {
		name        string
		story       sources.Story
		content     string
		summary     string
		link, image string
	}{
		{"script, handlers, javascript:, iframe and style removed, text kept",
			sources.Story{Content: `<p onclick="steal()" style="color:red">Hello <script>alert(1)</script><a href="javascript:alert(1)">click</a></p>` +
				`<iframe src="https://evil.example/"></iframe><style>p{}</style><p>World</p>`},
			`<p>Hello click</p><p>World</p>`, "Hello click World", "", ""},
		{"unbalanced tags balanced",
			sources.Story{Content: `<p>unclosed <b>bold <i>both`},
			`<p>unclosed <b>bold <i>both</i></b></p>`, "unclosed bold both", "", ""},
		{"relative links made absolute against the base",
			sources.Story{Base: "https://www.example.edu/news/2025/", Content: `<a href="story.html">s</a> <img src="/img/a.png" alt="a"> <a href="#top">t</a>`},
			`<a href="https://www.example.edu/news/2025/story.html" rel="nofollow">s</a> <img src="https://www.example.edu/img/a.png" alt="a"/> <a href="https://www.example.edu/news/2025/#top" rel="nofollow">t</a>`,
			"s t", "", "https://www.example.edu/img/a.png"},
		{"relative links made absolute against the story link; a story file's image against the site",
			sources.Story{Link: "https://up.example.org/posts/1", Content: `<a href="2">next</a>`, Image: "i.png"},
			`<a href="https://up.example.org/posts/2" rel="nofollow">next</a>`, "next",
			"https://up.example.org/posts/1", "https://www.example.edu/news/i.png"},
		{"relative links made absolute against the site",
			sources.Story{Link: "/news/a.html", Content: `<a href="b.html">b</a>`},
			`<a href="https://www.example.edu/news/b.html" rel="nofollow">b</a>`, "b",
			"https://www.example.edu/news/a.html", ""},
		{"control characters stripped",
			sources.Story{Content: "<p>ctl \v char \x00 nul\x7f</p>"},
			`<p>ctl   char  nul</p>`, "ctl char nul", "", ""},
		{"plain text escaped, not eaten",
			sources.Story{Text: []string{"text & <not a tag", "a<b>c", "  ", "second\x0bline"}},
			"<p>text &amp; &lt;not a tag</p>\n<p>a&lt;b&gt;c</p>\n<p>second line</p>", "text & <not a tag a<b>c second line", "", ""},
		{"explicit summary as text",
			sources.Story{Summary: "  Short <b>summary</b> ", Text: []string{"Body"}},
			"<p>Body</p>", "Short <b>summary</b>", "", ""},
		{"explicit HTML summary stripped",
			sources.Story{Summary: "Short <b>summary</b> &amp; more", SummaryHTML: true, Text: []string{"Body"}},
			"<p>Body</p>", "Short summary & more", "", ""},
		{"javascript: link dropped",
			sources.Story{Link: "javascript:alert(1)", Text: []string{"x"}},
			"<p>x</p>", "x", "", ""},
		{"mailto: link dropped",
			sources.Story{Link: "mailto:news@example.edu", Text: []string{"x"}},
			"<p>x</p>", "x", "", ""},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.story
			st.Title = "T"
			items, err := n.Items(Source{Name: "s"}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if it.Content != tt.content {
				t.Errorf("content:\n got %q\nwant %q", it.Content, tt.content)
			}
			if it.Summary != tt.summary {
				t.Errorf("summary %q, want %q", it.Summary, tt.summary)
			}
			if it.Link != tt.link {
				t.Errorf("link %q, want %q", it.Link, tt.link)
			}
			if it.Image != tt.image {
				t.Errorf("image %q, want %q", it.Image, tt.image)
			}
		})
	}
}

func TestPlainTextFields(t *testing.T) {
	tests := []struct {
		name       string
		story      sources.Story
		title      string
		authors    []feeds.Person
		categories []string
	}{
		{"control characters in the title", sources.Story{Title: "Bad\x0bTitle\x00Here\u0085"}, "Bad TitleHere", nil, nil},
		{"HTML title: tags stripped, entities decoded once", sources.Story{Title: "<b>Fish</b> &amp; Chips &lt;3 &amp;amp;", TitleHTML: true}, "Fish & Chips <3 &amp;", nil, nil},
		{"plain title kept literally", sources.Story{Title: "<b>Fish</b> &amp; Chips"}, "<b>Fish</b> &amp; Chips", nil, nil},
		{"white space collapsed, NFC", sources.Story{Title: "  Cafe\u0301\t\tnews\n"}, "Café news", nil, nil},
		{"authors and categories cleaned and deduplicated",
			sources.Story{Title: "T",
				Authors:    []feeds.Person{{Name: " Jane\x00  Doe ", Email: " jane@example.edu "}, {}, {Name: "Li", URL: "/people/li"}},
				Categories: []string{"News", " News ", "", "Research\x0b Lab", "News"}},
			"T",
			[]feeds.Person{{Name: "Jane Doe", Email: "jane@example.edu"}, {Name: "Li", URL: "https://www.example.edu/people/li"}},
			[]string{"News", "Research Lab"}},
		{"email addresses made bare, others dropped",
			sources.Story{Title: "T", Authors: []feeds.Person{
				{Name: "Simon St.Laurent", Email: "mailto:simonstl@simonstl.com"},
				{Name: "Query", Email: "MAILTO:news%40example.edu?subject=hi"},
				{Name: "Brackets", Email: "Ann <ann@example.edu>"},
				{Name: "Local", Email: "root@localhost"},
				{Name: "Text", Email: "not an address"},
				{Name: "Script", Email: "javascript:alert(1)"},
				{Email: "mailto:"},
			}},
			"T",
			[]feeds.Person{{Name: "Simon St.Laurent", Email: "simonstl@simonstl.com"}, {Name: "Query", Email: "news@example.edu"},
				{Name: "Brackets", Email: "ann@example.edu"}, {Name: "Local"}, {Name: "Text"}, {Name: "Script"}},
			nil},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(Source{Name: "s"}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{tt.story}, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if it.Title != tt.title {
				t.Errorf("title %q, want %q", it.Title, tt.title)
			}
			if len(it.Authors) != len(tt.authors) {
				t.Fatalf("authors %+v, want %+v", it.Authors, tt.authors)
			}
			for i := range it.Authors {
				if it.Authors[i] != tt.authors[i] {
					t.Errorf("author %d: %+v, want %+v", i, it.Authors[i], tt.authors[i])
				}
			}
			if strings.Join(it.Categories, "|") != strings.Join(tt.categories, "|") || len(it.Categories) != len(tt.categories) {
				t.Errorf("categories %q, want %q", it.Categories, tt.categories)
			}
		})
	}
}

func TestCutRunes(t *testing.T) {
	zh := strings.Repeat("香港科技大學", 10) // 60 runes, 3 bytes each
	tests := []struct {
		name, text string
		n          int
		want       string
	}{
		{"short text unchanged", "Hello world", 20, "Hello world"},
		{"exactly n unchanged", "Hello", 5, "Hello"},
		{"chinese cut on a rune boundary", zh, 10, "香港科技大學香港科技…"},
		{"chinese with an early space cut at n", "香港 " + zh, 20, "香港 香港科技大學香港科技大學香港科技大…"},
		{"english cut at the last space near the cut", "The quick brown fox jumps over the lazy dog", 22, "The quick brown fox…"},
		{"english cut where a space follows the cut", "The quick brown fox jumps", 19, "The quick brown fox…"},
		{"long word cut at n", "Supercalifragilisticexpialidocious", 10, "Supercalif…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cutRunes(tt.text, tt.n)
			if got != tt.want {
				t.Errorf("cutRunes(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("cutRunes(%q, %d) is not valid UTF-8", tt.text, tt.n)
			}
		})
	}
}

func TestSummaryLength(t *testing.T) {
	det, err := testDetector()
	if err != nil {
		t.Fatal(err)
	}
	n := New(Options{Host: testHost, FirstRun: testFirstRun, Zone: hongKong(t), SummaryLen: 12}, det)
	items, err := n.Items(Source{Name: "s"}, hkt(t, 2025, 3, 14, 10, 0, 0),
		[]sources.Story{{Title: "T", Text: []string{"國家教育部部長懷進鵬在京會見香港科技大學"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := items[0].Summary, "國家教育部部長懷進鵬在京…"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestContentHTMLPinned pins what contentHTML makes of documents that take
// every branch of the URL rewriting, the sanitizer and the balancing parse,
// so that no change to how the work is done can change its result unseen.
// Every case runs twice through one pool, so that a reused buffer cannot
// leak one story into the next.
func TestContentHTMLPinned(t *testing.T) {
	base, err := url.Parse("https://www.example.edu/news/2025/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		raw       string
		noBase    bool
		html, txt string
	}{
		{"nested unbalanced tags",
			`<div><p>One <b>two <i>three</p> four</b> five</i><ul><li>a<li>b</ul><table><tr><td>x<td>y</table>`, false,
			`<div><p>One <b>two <i>three</i></b></p><b><i> four</i></b><i> five</i><ul><li>a</li><li>b</li></ul><table><tbody><tr><td>x</td><td>y</td></tr></tbody></table></div>`,
			"One two three four five a b x y"},
		{"relative href, src and srcset; script inside an attribute",
			`<p>See <a href="../a.html" title="<script>alert(1)</script>">this</a> and <img srcset="s.jpg 1x, /l.jpg 2x" src="s.jpg" alt="&quot;A&quot; &amp; B"></p>`, false,
			`<p>See <a href="https://www.example.edu/news/a.html" rel="nofollow">this</a> and <img src="https://www.example.edu/news/2025/s.jpg"/></p>`,
			"See this and"},
		{"entities and cite URLs",
			`<blockquote cite="/src"><p>Q &lt;tag&gt; &amp;amp; &#169; &nbsp;end</blockquote><q cite=q.html>x</q>`, false,
			"<blockquote cite=\"https://www.example.edu/src\"><p>Q &lt;tag&gt; &amp;amp; © \u00a0end</p></blockquote><q cite=\"https://www.example.edu/news/2025/q.html\">x</q>",
			"Q <tag> &amp; © end x"},
		{"CDATA outside foreign content and comments dropped",
			`<p>a<![CDATA[<b>x</b>]]>b<!-- <a href="c"> -->c</p>`, false,
			`<p>ax]]&gt;bc</p>`, "ax]]>bc"},
		{"javascript: links and handlers dropped; protocol-relative and query-only links resolved",
			`<a href="javascript:alert(1)">j</a><a href="JaVaScRiPt:x">k</a><img src=x onerror="alert(1)"><a href="//cdn.example.org/p">p</a><a href="?page=2#s">q</a>`, false,
			`jk<img src="https://www.example.edu/news/2025/x"/><a href="https://cdn.example.org/p" rel="nofollow">p</a><a href="https://www.example.edu/news/2025/?page=2#s" rel="nofollow">q</a>`,
			"jkpq"},
		{"upper-case, unquoted and self-closing tags",
			`<P>Upper <A HREF=rel.html>case</A> and <IMG SRC='/i.png' ALT=i/> <a href=x/>self</a>`, false,
			`<p>Upper <a href="https://www.example.edu/news/2025/rel.html" rel="nofollow">case</a> and <img src="https://www.example.edu/i.png" alt="i/"/> <a href="https://www.example.edu/news/2025/x/" rel="nofollow">self</a></p>`,
			"Upper case and self"},
		{"URL with spaces escaped; unparseable and empty URLs dropped",
			`<a href="  a b?x=1&amp;y=2  ">spaced</a> <a href="http://[::1">bad</a> <a href="">empty</a>`, false,
			`<a href="https://www.example.edu/news/2025/a%20b?x=1&amp;y=2" rel="nofollow">spaced</a> bad empty`,
			"spaced bad empty"},
		{"tag cut off at the end",
			`<p>cut <a href="t.html`, false, `<p>cut </p>`, "cut"},
		{"entities that decode to controls",
			`<p>a&#1;b &#x80; &#0;</p>`, false, "<p>ab € \ufffd</p>", "ab € \ufffd"},
		{"block elements separate words",
			"<p>1<br>2<hr>3</p><pre>x\n  y</pre>", false,
			"<p>1<br/>2</p><hr/>3<p></p><pre>x\n  y</pre>", "1 2 3 x y"},
		{"chinese",
			`<ul><li>一<li>二</ul><p>香港<b>科技</b>大學 <a href="/zh/">連結</a></p>`, false,
			`<ul><li>一</li><li>二</li></ul><p>香港<b>科技</b>大學 <a href="https://www.example.edu/zh/" rel="nofollow">連結</a></p>`,
			"一 二 香港科技大學 連結"},
		{"svg and math dropped, their text kept",
			`<svg><script>alert(1)</script><a xlink:href="javascript:x">x</a></svg><math><mi>y</mi></math>`, false,
			"xy", "xy"},
		{"embedded content, forms, noscript, style and script dropped",
			`<iframe src="/e"></iframe><object data="/o"></object><form action="/f"><input value="v"></form><noscript><p>n</p></noscript><style>p{}</style><script src="/s.js"></script>end`, false,
			"end", "end"},
		{"no base: relative links kept",
			`<p>See <a href="../a.html">this</a> <img src="s.jpg" alt="s"></p>`, true,
			`<p>See <a href="../a.html" rel="nofollow">this</a> <img src="s.jpg" alt="s"/></p>`, "See this"},
		{"no URL attribute",
			`<p>no links &amp; <b>bold</b></p>`, false, `<p>no links &amp; <b>bold</b></p>`, "no links & bold"},
	}
	ugc := bluemonday.UGCPolicy()
	var pool scratchPool
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base
			if tt.noBase {
				b = nil
			}
			for round := 1; round <= 2; round++ {
				html, txt, _ := contentHTML(&pool, ugc, tt.raw, b)
				if html != tt.html {
					t.Errorf("round %d: html\n got %q\nwant %q", round, html, tt.html)
				}
				if txt != tt.txt {
					t.Errorf("round %d: text\n got %q\nwant %q", round, txt, tt.txt)
				}
			}
		})
	}
}
