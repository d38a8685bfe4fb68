package normalize

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/feedloom/feedloom/sources"
	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// FuzzDates reads a day in arbitrary text: when it finds one, it is a real
// calendar day, found where the text is, in the year given when the text
// writes none; and a listing never dates a story after today.
func FuzzDates(f *testing.F) {
	for _, s := range []string{
		"3月13日,國家教育部部長", "2024年3月13日舉行", "3 月 9 号", "On 13 March the team met.",
		"Held on March 13, 2024 in Hong Kong", "Sept. 3 launch", "the 2nd of May", "MARCH 13",
		"published 2024-12-31 online", "February 30 and then March 2", "2月30日",
		"《QS 世界大學學科排名2024》", "編號123月4日", "Omar 13 and Mayor 5", "launch on 3 ſept.",
		"xxMAYxx 1 and AUG 4", "A-1 on 2024-12-31", "29 February", "0000-00-00 9999-12-31",
	} {
		f.Add(s, 2025)
	}
	today := civil{2025, time.March, 14}
	f.Fuzz(func(t *testing.T, text string, year int) {
		year = 1000 + abs(year)%9000 // a listing's year line or first-seen year
		m, ok := findDay(text, year)
		if !ok {
			if d, ok := textDay(today, 0, year, text); ok {
				t.Fatalf("textDay(%q) = %v, findDay found none", text, d)
			}
			return
		}
		if m.start < 0 || m.end > len(text) || m.start >= m.end {
			t.Fatalf("findDay(%q): match [%d, %d)", text, m.start, m.end)
		}
		if _, real := makeCivil(m.day.year, m.day.month, m.day.day); !real {
			t.Fatalf("findDay(%q) = %v: no such day", text, m.day)
		}
		if m.yearless && m.day.year != year {
			t.Fatalf("findDay(%q, %d) = %v: yearless day in another year", text, year, m.day)
		}
		if !m.yearless && (m.day.year < 1000 || m.day.year > 9999) {
			t.Fatalf("findDay(%q) = %v: year out of bounds", text, m.day)
		}
		if d, ok := textDay(today, 0, year, text); ok && d.after(today) {
			t.Fatalf("textDay(%q) = %v, after today %v", text, d, today)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// scriptCapable returns what in s, read as HTML by a browser, could run
// script: a script element, an event handler attribute, a javascript: or
// vbscript: URL in an attribute that holds a URL (entities decoded, white
// space and controls dropped as URL parsers drop them), or an element the
// sanitizer must never let through. It returns "" when there is none.
func scriptCapable(s string) string {
	if strings.Contains(strings.ToLower(s), "<script") {
		return "<script"
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for z.Next() != xhtml.ErrorToken {
		tok := z.Token()
		if tok.Type != xhtml.StartTagToken && tok.Type != xhtml.SelfClosingTagToken {
			continue
		}
		switch tok.Data {
		case "script", "iframe", "object", "embed", "svg", "math", "style", "base", "form", "meta", "link":
			return "<" + tok.Data + ">"
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "style" || key == "formaction" {
				return key + "="
			}
			if !urlAttrs[key] {
				continue
			}
			// A scheme is only a scheme at the start of a URL: a fragment or
			// path that spells "javascript:" further on is inert.
			urls := []string{a.Val}
			if key == "srcset" {
				urls = strings.Split(a.Val, ",")
			}
			for _, u := range urls {
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if unicode.IsSpace(r) || unicode.IsControl(r) {
						return -1
					}
					return r
				}, html.UnescapeString(u)))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:text/html"} {
					if strings.HasPrefix(v, scheme) {
						return key + "=" + scheme
					}
				}
			}
		}
	}
	return ""
}

// urlAttrs are the attributes a browser follows or loads as a URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "action": true, "formaction": true,
	"cite": true, "longdesc": true, "poster": true, "background": true, "data": true,
	"codebase": true, "usemap": true, "manifest": true, "ping": true, "lowsrc": true,
	"dynsrc": true, "xlink:href": true, "profile": true, "icon": true, "archive": true,
}

var htmlSeeds = []string{
	`<p><img src="https://x.example/1.png" width="1" height="1"><img src="rel.png"><IMG SRC="https://x.example/&#x61;.png" width=" 2 "></p>`,
	`<img src="https://x.example/a.png" src="https://x.example/b.png"><table><img src="https://x.example/t.png"><tr><td>x</td></tr></table>`,
	"<img src=\"https://x.example/\x01c.png\"><a href=x><img src=https://x.example/d.png></a>",
	`<p>x <a href="story.html">s</a> <img src="/img/a.png" alt="a" onerror="alert(1)"></p>`,
	`<script>alert(1)</script><SCRIPT SRC=//x.js></SCRIPT><scr<script>ipt>alert(1)</script>`,
	`<a href="javascript:alert(1)">a</a><a href="JaVaScRiPt&#58;alert(1)">b</a><a href="java&#x09;script:x">c</a>`,
	`<a href=" &#x6A;avascript:x">d</a><img src=x onload=alert(1)><body onload=x><svg/onload=alert(1)>`,
	`<iframe src="data:text/html,<script>x</script>"></iframe><object data=x></object><style>*{}</style>`,
	`<a href="x" style="background:url(javascript:x)">s</a><form action=javascript:x><button formaction=javascript:x>`,
	`<img srcset="a.jpg 1x, javascript:x 2x"><a href="vbscript:msgbox">v</a><math><mi xlink:href="javascript:x">m</mi></math>`,
	`<!--<script>x</script>--><![CDATA[<script>x</script>]]><textarea><script>x</script></textarea>`,
	`<p>unclosed <b>bold <i>both`, `plain &lt;script&gt; text`, "<a href=\"\x00javascript:x\">n</a>",
}

// FuzzSanitize checks the content a story's HTML becomes: nothing in it
// can run script, whatever the input and base.
func FuzzSanitize(f *testing.F) {
	for _, s := range htmlSeeds {
		f.Add(s, "https://www.example.edu/news/2025/")
	}
	f.Add(`<a href="x">x</a>`, "javascript:alert(1)//")
	f.Add(`<a href="x">x</a>`, "")
	ugc := bluemonday.UGCPolicy()
	var pool scratchPool
	f.Fuzz(func(t *testing.T, raw, base string) {
		var b *url.URL
		if u, err := url.Parse(base); err == nil && u.IsAbs() {
			b = u
		}
		out, _, img := contentHTML(&pool, ugc, raw, b)
		if bad := scriptCapable(out); bad != "" {
			t.Fatalf("contentHTML(%q, %q) = %q: holds %s", raw, base, out, bad)
		}
		// The picture read off the tree is the one the HTML shows first.
		if want := firstImage(out); img != want {
			t.Fatalf("contentHTML(%q, %q) = %q: picture %q, firstImage of it %q", raw, base, out, img, want)
		}
	})
}

// FuzzItems normalizes an upstream story made of arbitrary strings: every
// item has an id and a date, and nothing in its content can run script.
func FuzzItems(f *testing.F) {
	for i, s := range htmlSeeds {
		f.Add("Title "+s, s, "summary "+s, "story.html", "guid-1", "", int64(1741900000+i*86400), i%2 == 0)
	}
	f.Add("", "", "", "", "", "", int64(0), false)
	f.Add("3月13日 news", "", "", "https://www.example.edu/a", "", "https://www.example.edu/", int64(-62135596800), true)
	f.Add("<b>x</b>", "<p>y</p>", "<script>z</script>", "javascript:alert(1)", "javascript:x", "javascript:y", int64(253402300799), true)
	// A scheme's name in a fragment is not a scheme.
	f.Add("t", `<a href="0#jAvAsCript:">x</a>`, "", "https://www.example.edu/news/", "", "https://www.example.edu/news/", int64(1741900000), true)
	n := newTestNormalizer(f)
	now := time.Date(2025, time.March, 14, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, content, summary, link, id, base string, published int64, feed bool) {
		st := sources.Story{
			File: "https://up.example.org/feed.xml", ID: id, Title: title, TitleHTML: feed, Link: link, Base: base,
			Summary: summary, SummaryHTML: feed, Content: content,
		}
		if published != 0 {
			st.Published = time.Unix(published%(400*365*86400), 0).UTC()
		}
		src := Source{Name: "up", Feed: true}
		if !feed {
			st.File, st.Line, st.Text = "news.txt", 1, []string{summary}
			src.Feed = false
		}
		items, _ := n.Items(src, now, []sources.Story{st}, nil)
		for _, it := range items {
			if it.ID == "" {
				t.Fatalf("item %+v has no id", it)
			}
			if it.Published.IsZero() {
				t.Fatalf("item %+v has no date", it)
			}
			if bad := scriptCapable(it.Content); bad != "" {
				t.Fatalf("item content %q holds %s", it.Content, bad)
			}
			names := []string{it.Title, it.Summary}
			for _, p := range it.Authors {
				names = append(names, p.Name)
			}
			for _, name := range append(names, it.Categories...) {
				if _, changed := cutRuns(name); changed {
					t.Fatalf("name %q keeps a run that could script a page", name)
				}
			}
		}
	})
}

// The fuzz oracle itself: it must flag what runs and pass what is inert, or
// the fuzzers prove nothing (or fail on safe output).
func TestScriptCapable(t *testing.T) {
	for _, c := range []struct{ html, want string }{
		{`<a href="https://x.example/#javascript:">a</a>`, ""},
		{`<a href="/javascript:/x" title="javascript:x">a</a>`, ""},
		{`<img srcset="a.png 1x, b.png#javascript: 2x">`, ""},
		{`<a href=" JaVa&#x09;Script&#58;x">a</a>`, "href=javascript:"},
		{`<img srcset="a.png 1x, javascript:x 2x">`, "srcset=javascript:"},
		{`<a href="vbscript:x">a</a>`, "href=vbscript:"},
		{`<iframe src="data:text/html,x"></iframe>`, "<iframe>"},
		{`<p onclick="x">a</p>`, "onclick="},
		{`<SCRIPT>x</SCRIPT>`, "<script"},
	} {
		if got := scriptCapable(c.html); got != c.want {
			t.Errorf("scriptCapable(%q) = %q, want %q", c.html, got, c.want)
		}
	}
}
