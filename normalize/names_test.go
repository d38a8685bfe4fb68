package normalize

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func TestSafeName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Plain text stays literal, tags that cannot run included.
		{"Using <div> in HTML", "Using <div> in HTML"},
		{"a < b && c > d", "a < b && c > d"},
		{"Tom &amp; Jerry", "Tom &amp; Jerry"},
		{"<b>bold</b> <img src=x.png>", "<b>bold</b> <img src=x.png>"},
		{"1 <2> 3", "1 <2> 3"},
		// Runs that could script a page go, with script and style bodies.
		{"Hello <script>alert(1)</script> world", "Hello world"},
		{"Hello <SCRIPT SRC=//x.js></SCRIPT>", "Hello"},
		{"unclosed <script>alert(1)", "unclosed alert(1)"},
		{"Using <script> tags safely, a tutorial", "Using tags safely, a tutorial"},
		{"<style>unclosed <img src=x onerror=y> after", "unclosed after"},
		{"<style>*{display:none}</style>Styled", "Styled"},
		{"Photo <img src=x onerror=alert(1)>", "Photo"},
		{"<svg/onload=alert(1)>Vector", "Vector"},
		{`<a href="java&#x09;script:alert(1)">click</a> here`, "click here"},
		{`<a href=" JaVaScRiPt:x">j</a><a href="vbscript:x">v</a>`, "jv"},
		{`<a href="data:text/html,x">d</a>`, "d"},
		{`<a href="https://example.org/">kept</a>`, `<a href="https://example.org/">kept</a>`},
		{`<p style="background:url(javascript:x)">s</p>`, "s"},
		{`<iframe src="https://evil.example/"></iframe>Framed`, "Framed"},
		{`<object data=x>fallback</object>`, "fallback"},
		{`<title><script>x</script></title>`, "<title></title>"},
		{`<textarea><img src=x onerror=y></textarea>`, "<textarea></textarea>"},
		{`<scr<script>ipt>alert(1)</script>`, "ipt>alert(1)"},
		{"<<script></script>script>alert(1)</script>", "alert(1)"},
		{"<math><mi xlink:href=\"javascript:x\">m</mi></math>", "<math>m</math>"},
	} {
		if got := safeName(tc.in); got != tc.want {
			t.Errorf("safeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// scriptRun matches what no published name may hold.
var scriptRun = regexp.MustCompile(`(?i)<\s*/?\s*(script|style|iframe|object|embed)\b|\bon[a-z]+\s*=|javascript:|vbscript:`)

// TestNamesRule: names typed as HTML are decoded and stripped of tags;
// plain-text names stay literal; no name keeps a run that could script a
// page, whatever its type or field.
func TestNamesRule(t *testing.T) {
	n := newTestNormalizer(t)
	const bad = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	st := sources.Story{
		File: "https://up.example.org/feed", Link: "https://up.example.org/n/1",
		Title:      "Using <div> in HTML " + bad,
		Summary:    "Summary " + bad,
		Content:    "<p>Body</p>",
		Authors:    []feeds.Person{{Name: "Ann " + bad}},
		Categories: []string{"Tips " + bad, "Tips"},
		Origin:     &feeds.Origin{Title: "Up <b>North</b> " + bad, ID: "https://up.example.org/", Link: "https://up.example.org/"},
	}
	htmlTyped := st
	htmlTyped.TitleHTML, htmlTyped.SummaryHTML, htmlTyped.OriginHTML = true, true, true
	// RSS titles come from gofeed with entities decoded once: a title
	// written &amp;lt;script&amp;gt; arrives as &lt;script&gt;.
	htmlTyped.Title = "Tips &amp; tricks &lt;script&gt;alert(1)&lt;/script&gt;"
	htmlTyped.Link = "https://up.example.org/n/2"

	items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st, htmlTyped}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	plain, typed := items[0], items[1]
	for _, c := range []struct{ field, got, want string }{
		{"plain title", plain.Title, "Using <div> in HTML"},
		{"plain summary", plain.Summary, "Summary"},
		{"author", plain.Authors[0].Name, "Ann"},
		{"origin title", plain.Origin.Title, "Up <b>North</b>"},
		{"html title", typed.Title, "Tips & tricks"},
		{"html origin title", typed.Origin.Title, "Up North"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if len(plain.Categories) != 1 || plain.Categories[0] != "Tips" {
		t.Errorf("categories = %q, want [Tips]", plain.Categories)
	}
	if st.Origin.Title != "Up <b>North</b> "+bad {
		t.Errorf("the story's shared origin was changed: %q", st.Origin.Title)
	}
	for _, it := range items {
		for _, name := range []string{it.Title, it.Summary, it.Origin.Title, it.Authors[0].Name, it.Categories[0]} {
			if scriptRun.MatchString(name) {
				t.Errorf("name %q keeps a script-capable run", name)
			}
		}
	}
}

// TestNamesRuleKeepsStoredIDs: an item stored before its title lost a
// script run keeps its id, found by the id the uncut title gave, or by
// its link.
func TestNamesRuleKeepsStoredIDs(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	const title = "Budget day <script>alert(1)</script>"
	day := time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC)

	t.Run("upstream item without guid or link", func(t *testing.T) {
		old := upID(title + "\n" + day.Format(time.RFC3339))
		st := sources.Story{File: "https://up.example.org/feed", Title: title, Content: "<p>x</p>", Published: day}
		known := []feeds.Item{{ID: old, Source: "up", File: st.File, Title: title, Published: day, FirstSeen: day}}
		items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, now, []sources.Story{st}, known)
		if err != nil {
			t.Fatal(err)
		}
		if items[0].ID != old || items[0].Title != "Budget day" || !items[0].FirstSeen.Equal(day) {
			t.Errorf("got id %q title %q first seen %v; want the stored id %q, the cut title, the stored first seen", items[0].ID, items[0].Title, items[0].FirstSeen, old)
		}
		// A new item gets the id of its cut title.
		items, err = n.Items(Source{Name: "up", Language: "en", Feed: true}, now, []sources.Story{st}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := upID("Budget day\n" + day.Format(time.RFC3339)); items[0].ID != want {
			t.Errorf("new item id %q, want %q", items[0].ID, want)
		}
	})

	t.Run("story file matched by link", func(t *testing.T) {
		const link = "https://www.example.edu/news/budget"
		stored := "tag:" + testHost + "," + testFirstRun + ":newsroom/stored-elsewhere"
		st := sources.Story{File: "news.md", Line: 1, Title: title, Link: link, Content: "<p>x</p>", Published: day}
		known := []feeds.Item{{ID: stored, Source: "newsroom", File: "news.md", Link: link, Published: day, FirstSeen: day}}
		items, err := n.Items(Source{Name: "newsroom", Language: "en"}, now, []sources.Story{st}, known)
		if err != nil {
			t.Fatal(err)
		}
		if items[0].ID != stored {
			t.Errorf("id %q, want the stored %q", items[0].ID, stored)
		}
	})
}

// FuzzSafeName: whatever the name, what safeName leaves holds no run it
// would cut again, and a name without '<' is never touched.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"Using <div> in HTML", "a <script>x</script> b", "<svg/onload=x>", "<<script></script>script>x", "<title><script>", "<a href=' java\tscript:x'>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeName(s)
		if _, changed := cutRuns(got); changed {
			t.Fatalf("safeName(%q) = %q, which still holds a run", s, got)
		}
		if !strings.Contains(s, "<") && got != s {
			t.Fatalf("safeName(%q) = %q: a name without tags changed", s, got)
		}
	})
}

// TestOriginTitleFallback: an upstream without a title is named by the host
// of its link, else of its id (the feed URL when it has nothing else), so
// that Atom's <source> has the title readers and validators look for.
func TestOriginTitleFallback(t *testing.T) {
	n := newTestNormalizer(t)
	tests := []struct {
		origin feeds.Origin
		want   string
	}{
		{feeds.Origin{Title: " ", ID: "https://feeds.up.example/x.xml", Link: "https://www.up.example/news/"}, "www.up.example"},
		{feeds.Origin{ID: "https://feeds.up.example/x.xml"}, "feeds.up.example"},
		{feeds.Origin{ID: "urn:up", Link: "javascript:alert(1)"}, ""},
		{feeds.Origin{Title: "Up", ID: "urn:up"}, "Up"},
	}
	for _, tt := range tests {
		st := sources.Story{File: "https://feeds.up.example/x.xml", Title: "T", Link: "https://www.up.example/1", Origin: &tt.origin}
		items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := items[0].Origin.Title; got != tt.want {
			t.Errorf("origin %+v: title %q, want %q", tt.origin, got, tt.want)
		}
	}
}
