package files

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// strictPanics makes the fuzz targets fail on a parser panic that was
// recovered too, to find the panics worth avoiding rather than catching:
// go test -fuzz FuzzYAML -strict-panics ./sources/files
var strictPanics = flag.Bool("strict-panics", false, "fuzz targets fail on a recovered parser panic")

// fuzzFile fuzzes the parsing of a story file named name, as Fetch parses
// each file it reads, with every source in srcs.
func fuzzFile(f *testing.F, name string, srcs []*Source, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, src := range srcs {
			stories, err := src.parseFile(name, data) // a panic escaping fails the target
			checkParsed(t, name, stories, err)
		}
	})
}

// checkParsed checks what parseFile returned for the file name: either
// stories, each titled and in order, or a problem that is a located
// *sources.FileError.
func checkParsed(t *testing.T, name string, stories []sources.Story, err error) {
	t.Helper()
	if err != nil {
		var fe *sources.FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error %T %v is not a *sources.FileError", err, err)
		}
		if fe.Line < 0 || fe.Col < 0 || fe.Err == nil {
			t.Fatalf("malformed problem %#v", fe)
		}
		if stories != nil {
			t.Fatalf("%d stories with the problem %v", len(stories), err)
		}
		if *strictPanics && errors.Is(err, errPanic) {
			t.Fatalf("recovered panic: %v", err)
		}
		return
	}
	for i, st := range stories {
		if st.File != name || st.Position != i || st.Line < 1 || strings.TrimSpace(st.Title) == "" {
			t.Fatalf("story %d: file %q position %d line %d title %q", i, st.File, st.Position, st.Line, st.Title)
		}
	}
}

func FuzzListing(f *testing.F) {
	srcs := []*Source{New("learned", "", Options{}), New("labelled", "", Options{Labels: []string{"News", "Events"}})}
	fuzzFile(f, "s.txt", srcs,
		"Page\n2025\nNews\nFirst\nBody one.\nNews\nSecond\n",
		"Page\r\nEvents\r\nThird\r\n",
		"Page\nNews\n",
		"\uFEFFPage\n\n\nNews\nTitle\n\n\nPara\n",
		"",
		"\xff\xfeP\x00",
		"Page\n1999\n",
	)
}

func FuzzMarkdown(f *testing.F) {
	fuzzFile(f, "s.md", []*Source{New("newsroom", "", Options{})},
		fullMarkdown,
		"# Title *with* emphasis\nBody.\n",
		"---\ntitle: A\ntags: !x 0\n---\nBody.\n",
		"---\ntitle: A\nauthors: !x 0\ncategories: !x\n---\n",
		"---\ntitle: D\nx: &a !x 0\ntags: *a\n---\n",
		"---\nbase: &b {tags: !x 0}\n<<: [*b, *b]\ntitle: A\n---\n",
		"---\nb: &b {<<: *b}\n<<: *b\ntitle: A\n---\n",
		"---\n<<: &s [*s]\ntitle: A\n---\n",
		"---\ntitle: A\ndraft: true\n---\n",
		"---\n- a\n---\n",
		"---\ntitle: A\n",
		"+++\ntitle = 'A'\n+++\n",
		"No heading.\n",
		"# A\n"+strings.Repeat(">", 100)+"\n",
		"# A\n| a | b |\n|---|---|\n| 1 | 2 |\n<script>x</script>\n",
	)
}

func FuzzJSON(f *testing.F) {
	fuzzFile(f, "s.json", []*Source{New("newsroom", "", Options{})},
		`[{"title": "A", "date": "2025-03-13", "author": {"name": "Ann"}, "categories": ["News"], "tags": "x", "content": "<p>x</p>"}, {"title": "B", "draft": true}]`,
		`{"title": "One", "authors": ["Bo", {"name": "Cy", "url": "https://cy.example/"}], "text": "a\n\nb"}`,
		`{"title": "A", "summmary": "x"}`,
		`{"title": "A", "author": {"emial": "y"}}`,
		`[{"title": "A"}, 3]`,
		`{"title": "A", "date": "soon"}`,
		`{"title": 5}`,
		`{"title": "A"} {}`,
		`[{"title": "A"},`,
		`{"title": "A", "summary": `+strings.Repeat("[", 50)+`}`,
		"\uFEFF[]",
		"",
	)
}

func FuzzYAML(f *testing.F) {
	fuzzFile(f, "s.yaml", []*Source{New("newsroom", "", Options{})},
		"- title: A\n  date: 2025-03-13 09:30\n  categories: [News, Campus]\n  author: Ann Lee\n  text: |\n    One.\n\n    Two.\n",
		"title: One\nauthors:\n  - Bo\n  - {name: Cy, email: cy@example.edu}\n",
		"title: A\ntags: !x 0\n",
		"- title: B\n  authors: !x 0\n",
		"title: C\ncategories: &c !!str News\n",
		"title: A\ntags: !x [a, b]\n",
		"title: A\nsummmary: x\n",
		"title: A\n---\ntitle: B\n",
		"- title: A\n- 3\n",
		"title: A\nsummary: a: b\n",
		"# nothing\n",
		"&a [*a]\n",
		"title: A\nsummary: &a !x 0\ntags: *a\n",
		"title: A\ntags: &a *a\n",
		"",
	)
}
