package files

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func TestStructured(t *testing.T) {
	hk := hongKong(t)
	tests := []struct {
		name string
		file string
		body string
		want []sources.Story
	}{
		{
			name: "JSON list",
			file: "s.json",
			body: `[
  {
    "title": "Robots win a prize",
    "date": "2025-03-13",
    "language": "en",
    "id": "robots-2025",
    "link": "https://www.example.edu/news/robots",
    "author": {"name": "Ann Lee", "email": "ann@example.edu"},
    "categories": ["News"],
    "tags": "robotics",
    "summary": "The team won.",
    "image": "https://www.example.edu/robot.jpg",
    "content": "<p>The <b>team</b> won.</p>"
  },
  {"title": "A draft", "draft": true},
  {
    "title": "機械人奪獎",
    "lang": "zh-Hant",
    "authors": ["Bo Chan", {"name": "Cy Wu", "url": "https://cy.example/"}],
    "updated": "2025-03-14T08:00:00",
    "text": "第一段。\n\n第二段\n第二行。\n"
  }
]`,
			want: []sources.Story{
				{
					File: "s.json", Line: 2, Position: 0,
					ID: "robots-2025", Title: "Robots win a prize", Link: "https://www.example.edu/news/robots",
					Summary: "The team won.", Content: "<p>The <b>team</b> won.</p>",
					Authors:    []feeds.Person{{Name: "Ann Lee", Email: "ann@example.edu"}},
					Categories: []string{"News", "robotics"}, Language: "en", Image: "https://www.example.edu/robot.jpg",
					Published: time.Date(2025, 3, 13, 0, 0, 0, 0, hk), DateOnly: true,
				},
				{
					File: "s.json", Line: 16, Position: 1,
					Title: "機械人奪獎", Text: []string{"第一段。", "第二段\n第二行。"},
					Authors:  []feeds.Person{{Name: "Bo Chan"}, {Name: "Cy Wu", URL: "https://cy.example/"}},
					Language: "zh-Hant",
					Updated:  time.Date(2025, 3, 14, 8, 0, 0, 0, hk),
				},
			},
		},
		{
			name: "JSON object",
			file: "one.json",
			body: "\uFEFF{\"title\": \"One story\", \"date\": \"2025-03-13T09:30:00Z\", \"text\": \"Only paragraph.\"}\n",
			want: []sources.Story{{
				File: "one.json", Line: 1, Title: "One story", Text: []string{"Only paragraph."},
				Published: time.Date(2025, 3, 13, 9, 30, 0, 0, time.UTC),
			}},
		},
		{
			name: "YAML list",
			file: "s.yaml",
			body: `# Stories of the week
- title: Campus opens a new library
  date: 2025-03-13 09:30
  categories: [News, Campus]
  author: Ann Lee
  text: |
    The library opens on Monday.

    It has 2,000 seats.

- title: 新圖書館啟用
  language: zh-Hant
  content: <p>圖書館於星期一啟用。</p>
`,
			want: []sources.Story{
				{
					File: "s.yaml", Line: 2, Position: 0, Title: "Campus opens a new library",
					Text:       []string{"The library opens on Monday.", "It has 2,000 seats."},
					Authors:    []feeds.Person{{Name: "Ann Lee"}},
					Categories: []string{"News", "Campus"},
					Published:  time.Date(2025, 3, 13, 9, 30, 0, 0, hk),
				},
				{
					File: "s.yaml", Line: 11, Position: 1, Title: "新圖書館啟用",
					Content: "<p>圖書館於星期一啟用。</p>", Language: "zh-Hant",
				},
			},
		},
		{
			name: "translation key in JSON and YAML",
			file: "keyed.json",
			body: `[{"title": "Open Day", "translation_key": "open-day"}, {"title": "資訊日", "translationKey": "open-day"}]`,
			want: []sources.Story{
				{File: "keyed.json", Line: 1, Title: "Open Day", TranslationKey: "open-day"},
				{File: "keyed.json", Line: 1, Position: 1, Title: "資訊日", TranslationKey: "open-day"},
			},
		},
		{
			name: "translation key in YAML",
			file: "keyed.yaml",
			body: "title: Open Day\ntranslation_key: open-day\n",
			want: []sources.Story{{File: "keyed.yaml", Line: 1, Title: "Open Day", TranslationKey: "open-day"}},
		},
		{
			name: "YAML object",
			file: "one.yml",
			body: "---\r\ntitle: One story\r\nid: tag:example.edu,2025:one\r\n",
			want: []sources.Story{{File: "one.yml", Line: 2, ID: "tag:example.edu,2025:one", Title: "One story"}},
		},
		{
			name: "empty list",
			file: "none.json",
			body: "[]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := fetch(t, writeFiles(t, map[string]string{tt.file: tt.body}), Options{Zone: hk})
			if len(res.Problems) != 0 {
				t.Fatalf("problems: %v", res.Problems)
			}
			if len(res.Stories) != len(tt.want) {
				t.Fatalf("got %d stories, want %d: %+v", len(res.Stories), len(tt.want), res.Stories)
			}
			for i := range tt.want {
				t.Run(fmt.Sprint(i), func(t *testing.T) { sameStory(t, res.Stories[i], tt.want[i]) })
			}
		})
	}
}

func TestStructuredErrors(t *testing.T) {
	const dateFormats = "want RFC 3339 (2006-01-02T15:04:05Z07:00), 2006-01-02T15:04:05, 2006-01-02 15:04[:05] or 2006-01-02"
	tests := []struct {
		name string
		file string
		body string
		want string
	}{
		{"JSON unknown key", "s.json", "[\n  {\"title\": \"A\", \"summmary\": \"x\"}\n]", `s.json:2:18: unknown field "summmary"`},
		{"JSON unknown author key", "s.json", "{\"title\": \"A\",\n \"author\": {\"name\": \"x\", \"emial\": \"y\"}}", `s.json:2:26: unknown field "emial"`},
		{"JSON unknown key of a listed author", "s.json", "{\"title\": \"A\",\n \"authors\": [\"x\", {\"nme\": \"y\"}]}", `s.json:2:20: unknown field "nme"`},
		{"JSON duplicate key", "s.json", "{\"title\": \"A\",\n\"title\": \"B\"}", `s.json:2:1: duplicate key "title"`},
		{"JSON syntax error", "s.json", "{\"title\": \"A\",\n \"date\": }", "s.json:2:10: invalid character '}' looking for beginning of value"},
		{"JSON cut short", "s.json", "[{\"title\": \"A\"},\n", "s.json:2:1: unexpected end of JSON input"},
		{"JSON trailing data", "s.json", "{\"title\": \"A\"}\n{}", "s.json:2:1: unexpected data after the stories"},
		{"JSON type error", "s.json", "{\"title\": 5}", "s.json:1:2: title: cannot use a JSON number as a string"},
		{"JSON author type error", "s.json", "{\"title\": \"A\",\n  \"author\": 5}", "s.json:2:3: author: cannot use a JSON number as an author (a name or {name, email, url})"},
		{"JSON nested type error", "s.json", "{\"title\": \"A\",\n  \"authors\": [{\"name\": 2}]}", "s.json:2:3: authors.name: cannot use a JSON number as a string"},
		{"JSON scalar", "s.json", `"hello"`, "s.json:1:1: want a story object or an array of them"},
		{"JSON list of non-objects", "s.json", "[{\"title\": \"A\"},\n 3]", "s.json:2:2: story at index 1 is not an object"},
		{"JSON story without title", "s.json", "[{\"title\": \"A\"},\n {\"summary\": \"no title\"}]", "s.json:2:2: story at index 1 has no title"},
		{"JSON single story without title", "s.json", "{\n  \"title\": \"\"\n}", "s.json:2:3: story has no title"},
		{"JSON bad date", "s.json", "[{\"title\": \"A\",\n  \"date\": \"soon\"}]", `s.json:2:3: story at index 0: date: cannot read "soon" as a date: ` + dateFormats},
		{"JSON content and text", "s.json", "{\"title\": \"A\", \"content\": \"<p>x</p>\",\n \"text\": \"y\"}", "s.json:2:2: text: a story has either content or text, not both"},
		{"JSON empty", "s.json", " \n", "s.json:1: empty file"},
		{"JSON invalid UTF-8", "s.json", "{\"title\": \"\xc3(\"}", "s.json:1:12: invalid UTF-8 (byte 0xc3)"},
		{"JSON binary", "s.json", "{\x00}", "s.json:1: binary file, not a JSON story"},
		{"YAML unknown key", "s.yaml", "- title: A\n  summmary: x\n", `s.yaml:2:3: unknown field "summmary"`},
		{"YAML unknown author key", "s.yaml", "- title: A\n  author: {name: B, emial: c}\n", `s.yaml:2:21: unknown field "emial"`},
		{"YAML type error", "s.yaml", "title: A\ndraft: maybe\n", "s.yaml:2:8: cannot use a string as true or false"},
		{"YAML syntax error", "s.yml", "title: A\nsummary: a: b\n", "s.yml:2:10: mapping value is not allowed in this context"},
		{"YAML story without title", "s.yaml", "- title: A\n- summary: no title\n  date: 2025-01-01\n", "s.yaml:2:3: story at index 1 has no title"},
		{"YAML bad date", "s.yaml", "title: A\ndate: 2025-13-01\n", `s.yaml:2:1: date: cannot read "2025-13-01" as a date: ` + dateFormats},
		{"YAML several documents", "s.yaml", "title: A\n---\ntitle: B\n", "s.yaml:3:1: several YAML documents; put the stories in one list"},
		{"YAML scalar", "s.yaml", "hello\n", "s.yaml:1:1: want a story (a mapping of keys to values) or a list of stories"},
		{"YAML list of non-mappings", "s.yaml", "- title: A\n- 3\n", "s.yaml:2:3: story at index 1 is not a mapping of keys to values"},
		{"YAML only a comment", "s.yaml", "# nothing yet\n", "s.yaml:1: no story in the file"},
		{"YAML empty", "s.yaml", "", "s.yaml:1: empty file"},
		{"YAML binary", "s.yml", "\x00\x01", "s.yml:1: binary file, not a YAML story"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problemOf(t, tt.file, tt.body, Options{}).Error(); got != tt.want {
				t.Errorf("problem = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMinifiedJSONErrors: in a minified file, all one line, a problem is
// still located at its line and column, the column in characters — though
// positions are worked out only for the message.
func TestMinifiedJSONErrors(t *testing.T) {
	const dateFormats = "want RFC 3339 (2006-01-02T15:04:05Z07:00), 2006-01-02T15:04:05, 2006-01-02 15:04[:05] or 2006-01-02"
	// 200 stories of wide characters before the bad one, at index 200.
	prefix := "[" + strings.Repeat(`{"title":"機械人奪獎","text":"第一段。"},`, 200)
	col := func(before string) int { return utf8.RuneCountInString(prefix+before) + 1 }
	tests := []struct {
		name string
		bad  string
		want string
	}{
		{"unknown key", `{"title":"B","sumary":"x"}]`, fmt.Sprintf(`s.json:1:%d: unknown field "sumary"`, col(`{"title":"B",`))},
		{"no title", `{"summary":"x"}]`, fmt.Sprintf("s.json:1:%d: story at index 200 has no title", col(""))},
		{"bad date", `{"title":"B","date":"soon"}]`, fmt.Sprintf(`s.json:1:%d: story at index 200: date: cannot read "soon" as a date: %s`, col(`{"title":"B",`), dateFormats)},
		{"type error", `{"title":"B","text":5}]`, fmt.Sprintf("s.json:1:%d: text: cannot use a JSON number as a string", col(`{"title":"B",`))},
		{"syntax error", `{"title":}]`, fmt.Sprintf("s.json:1:%d: invalid character '}' looking for beginning of value", col(`{"title":`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problemOf(t, "s.json", prefix+tt.bad, Options{}).Error(); got != tt.want {
				t.Errorf("problem = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMinifiedJSONLines: stories of a file of several minified lines keep
// the line they start on.
func TestMinifiedJSONLines(t *testing.T) {
	body := `[{"title":"A"},{"title":"B"},` + "\n" + `{"title":"C"},` + "\n\n" + `{"title":"D"},{"title":"E"}]`
	res := fetch(t, writeFiles(t, map[string]string{"s.json": body}), Options{})
	var got []int
	for _, s := range res.Stories {
		got = append(got, s.Line)
	}
	if want := []int{1, 1, 2, 4, 4}; !slices.Equal(got, want) || len(res.Problems) != 0 {
		t.Errorf("lines = %v, problems %v; want %v", got, res.Problems, want)
	}
}

// TestJSONNestingLimit: arrays nested deeper than encoding/json allows are
// the file's problem. A file of ten million "[", under the default size
// cap, overflowed the walk's stack, which is fatal to the whole process.
func TestJSONNestingLimit(t *testing.T) {
	const head = `{"title": "A", "summary": `
	tests := []struct {
		name   string
		levels int
		closed bool
		want   string
	}{
		{"within", 9999, true, `s.json:1:16: summary: cannot use a JSON array as a string`},
		{"over", 10000, true, `s.json:1:10026: nested more than 10000 levels deep`},
		{"bomb", 10_000_000, false, `s.json:1:10026: nested more than 10000 levels deep`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := head + strings.Repeat("[", tt.levels)
			if tt.closed {
				body += strings.Repeat("]", tt.levels) + "}"
			}
			if got := problemOf(t, "s.json", body, Options{}).Error(); got != tt.want {
				t.Errorf("problem = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMinifiedJSONExport: a minified export of 5,000 stories (5 MB on one
// line) reads whole, every story on line 1 and in order. How fast is
// BenchmarkMinifiedJSON's to say: when every key's column was counted from
// the start of the line, this took minutes.
func TestMinifiedJSONExport(t *testing.T) {
	dir := writeFiles(t, map[string]string{"export.json": string(minifiedJSON(5000))})
	res, err := New("newsroom", dir, Options{}).Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stories) != 5000 || len(res.Problems) != 0 {
		t.Fatalf("%d stories, problems %v; want 5000, none", len(res.Stories), res.Problems)
	}
	for _, i := range []int{0, 2500, 4999} {
		s := res.Stories[i]
		if want := fmt.Sprintf("Story %d", i); s.Title != want || s.ID != fmt.Sprintf("story-%d", i) || s.Line != 1 || s.Position != i {
			t.Errorf("story %d = %q id %q line %d position %d, want %q on line 1", i, s.Title, s.ID, s.Line, s.Position, want)
		}
	}
}
