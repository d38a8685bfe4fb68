package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"

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
			"s t", "", ""},
		{"relative links made absolute against the story link",
			sources.Story{Link: "https://up.example.org/posts/1", Content: `<a href="2">next</a>`, Image: "i.png"},
			`<a href="https://up.example.org/posts/2" rel="nofollow">next</a>`, "next",
			"https://up.example.org/posts/1", "https://up.example.org/posts/i.png"},
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
