package files

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
)

// sample returns the real listing DESIGN.md describes, read from the shared
// samples folder beside the repository; the test skips where it is absent.
func sample(t testing.TB) string {
	t.Helper()
	return string(testenv.Sample().Raw(t))
}

const sampleName = "000_4b135a03a8bb7209.txt"

func TestSampleListing(t *testing.T) {
	res := fetch(t, writeFiles(t, map[string]string{sampleName: sample(t)}), Options{})
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	want := []struct {
		title string
		line  int
		paras int
	}{
		{"The Race to Zero: HKUST Unveils First Comprehensive Net-Zero Action Plan Among Local Universities", 4, 1},
		{"Minister of Education Meets HKUST Delegation (Chinese Version Only)", 8, 4},
		{"Minister of National Health Commission Meets HKUST Delegation (Chinese Version Only)", 15, 3},
		{"HKUST and SIIC Launch Hong Kong Biotechnology Fund for HKUST and Hong Kong Life Science Ventures", 20, 1},
		{"Director of Hong Kong and Macao Work Office of CPC Central Committee and Hong Kong and Macao Affairs Office of State Council Meets HKUST Delegation (Chinese Version Only)", 24, 4},
		{"Vice Minister of Education Dr. WU Yan Leads Delegation to HKUST", 31, 4},
		{"Opening of HKUST Shanghai Center in Xuhui District", 37, 1},
		{"HKUST Launches Low Altitude Economy Research Center", 40, 1},
	}
	if len(res.Stories) != len(want) {
		t.Fatalf("got %d stories, want %d", len(res.Stories), len(want))
	}
	for i, w := range want {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			s := res.Stories[i]
			if s.Title != w.title || s.Line != w.line || len(s.Text) != w.paras {
				t.Errorf("story = %q line %d, %d paragraphs; want %q line %d, %d paragraphs",
					s.Title, s.Line, len(s.Text), w.title, w.line, w.paras)
			}
			if s.File != sampleName || s.Position != i || s.Year != 2025 || !reflect.DeepEqual(s.Categories, []string{"News"}) {
				t.Errorf("File %q Position %d Year %d Categories %q", s.File, s.Position, s.Year, s.Categories)
			}
			if s.Content != "" || s.Published != (sources.Story{}).Published || s.Language != "" || s.ID != "" {
				t.Errorf("listing story carries fields it does not have: %+v", s)
			}
		})
	}
	first := res.Stories[0].Text
	if want := []string{"The Hong Kong University of Science and Technology (HKUST) today announces its Net-Zero Action Plan (Action Plan), which is the first among higher education institutions in Hong Kong to have a comprehensive framework with multi-pronged strategies aimed at achieving net-zero emissions by 2045. This plan is supported by a commitment of HK$30 million earned from renewable energy generation to further accelerate research and adoption of innovative decarbonization solutions on campus."}; !reflect.DeepEqual(first, want) {
		t.Errorf("story 0 text = %q", first)
	}
	if got := res.Stories[1].Text[0]; !strings.HasPrefix(got, "3月13日,國家教育部部長懷進鵬") {
		t.Errorf("story 1 paragraph 0 = %.40q", got)
	}
	if got := res.Stories[7].Text[0]; !strings.HasSuffix(got, "within this framework.") {
		t.Errorf("last paragraph (no final newline) = …%q", got[len(got)-30:])
	}
}

// TestNewsroomListing reads the project's own listing: another label, the
// same shape as the sample (stories without a blank line before the next
// label, no final newline).
func TestNewsroomListing(t *testing.T) {
	l := testenv.Newsroom()
	res := fetch(t, writeFiles(t, map[string]string{l.Name: string(l.Raw(t))}), Options{})
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	lines := []int{4, 8, 13, 17, 21, 26, 31, 34}
	paras := []int{1, 2, 2, 1, 2, 2, 1, 1}
	if len(res.Stories) != len(l.Titles) {
		t.Fatalf("got %d stories, want %d", len(res.Stories), len(l.Titles))
	}
	for i, s := range res.Stories {
		if s.Title != l.Titles[i] || s.Line != lines[i] || len(s.Text) != paras[i] {
			t.Errorf("story %d = %q line %d, %d paragraphs; want %q line %d, %d paragraphs",
				i, s.Title, s.Line, len(s.Text), l.Titles[i], lines[i], paras[i])
		}
		if s.File != l.Name || s.Position != i || s.Year != 2025 || !reflect.DeepEqual(s.Categories, []string{"Press Release"}) {
			t.Errorf("story %d: File %q Position %d Year %d Categories %q", i, s.File, s.Position, s.Year, s.Categories)
		}
	}
	if got := res.Stories[2].Text[1]; got != "代表團對大學在基因檢測技術方面的進展表示讚賞。" {
		t.Errorf("story 2's last paragraph (no blank line after it) = %q", got)
	}
	if got := res.Stories[7].Text[0]; !strings.HasSuffix(got, "for marine monitoring by 2045.") {
		t.Errorf("last paragraph (no final newline) = %q", got)
	}
}

// Each listing saved with a byte order mark and CRLF or CR line ends gives
// the same stories.
func TestListingEncodings(t *testing.T) {
	testenv.EachListing(t, func(t *testing.T, l testenv.Listing) {
		plain := string(l.Raw(t))
		base := fetch(t, writeFiles(t, map[string]string{l.Name: plain}), Options{}).Stories
		for name, body := range map[string]string{
			"bom+crlf": "\uFEFF" + strings.ReplaceAll(plain, "\n", "\r\n"),
			"cr":       strings.ReplaceAll(plain, "\n", "\r"),
			"crlf+nl":  strings.ReplaceAll(plain, "\n", "\r\n") + "\r\n",
		} {
			got := fetch(t, writeFiles(t, map[string]string{l.Name: body}), Options{})
			if len(got.Problems) != 0 {
				t.Fatalf("%s: problems: %v", name, got.Problems)
			}
			if !reflect.DeepEqual(got.Stories, base) {
				t.Errorf("%s: stories differ from the LF listing:\n%+v\nwant\n%+v", name, got.Stories, base)
			}
		}
	})
}

func TestListingLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels []string
		body   string
		want   []sources.Story
	}{
		{
			name:   "configured labels",
			labels: []string{"News", "Press Release"},
			body: "Press Room\n2024\nNews\nCampus opens a new library\nNews from the library: it opens on Monday.\n" +
				"  Press Release  \nRobots win a prize\n\nThe team won.\nNews\nLast story\n",
			want: []sources.Story{
				{File: "l.txt", Line: 3, Position: 0, Title: "Campus opens a new library", Text: []string{"News from the library: it opens on Monday."}, Categories: []string{"News"}, Year: 2024},
				{File: "l.txt", Line: 6, Position: 1, Title: "Robots win a prize", Text: []string{"The team won."}, Categories: []string{"Press Release"}, Year: 2024},
				{File: "l.txt", Line: 10, Position: 2, Title: "Last story", Categories: []string{"News"}, Year: 2024},
			},
		},
		{
			name: "learned label",
			body: "Releases\n\nPress Release\nFirst title\nFirst body.\nNews\nPress Release\nSecond title\nSecond body.",
			want: []sources.Story{
				{File: "l.txt", Line: 3, Position: 0, Title: "First title", Text: []string{"First body.", "News"}, Categories: []string{"Press Release"}},
				{File: "l.txt", Line: 7, Position: 1, Title: "Second title", Text: []string{"Second body."}, Categories: []string{"Press Release"}},
			},
		},
		{
			name: "a year only when exactly four digits",
			body: "Archive\n20255\nNews\nTitle\n",
			want: []sources.Story{
				{File: "l.txt", Line: 2, Position: 0, Title: "News", Text: []string{"Title"}, Categories: []string{"20255"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := fetch(t, writeFiles(t, map[string]string{"l.txt": tt.body}), Options{Labels: tt.labels})
			if len(res.Problems) != 0 {
				t.Fatalf("problems: %v", res.Problems)
			}
			if !reflect.DeepEqual(res.Stories, tt.want) {
				t.Errorf("stories:\n%+v\nwant\n%+v", res.Stories, tt.want)
			}
		})
	}
}

func TestListingErrors(t *testing.T) {
	press := []string{"News", "Press Release"}
	tests := []struct {
		name   string
		labels []string
		body   string
		want   string
	}{
		{"empty file", nil, "", "l.txt:1: empty file"},
		{"only whitespace", nil, " \n\t\r\n  ", "l.txt:1: empty file"},
		{"header, no stories", nil, "News & Stories\n2025\n\n", "l.txt:2: listing has a header but no stories"},
		{"title only", nil, "News & Stories", "l.txt:1: listing has a header but no stories"},
		{"label at the end", nil, "T\n2025\nNews\nA title\nBody.\n\nNews\n", `l.txt:7: label "News" has no title line after it`},
		{"label after label", nil, "T\nNews\n\nNews\nA title\n", `l.txt:2: label "News" has no title line after it`},
		{"invalid UTF-8", nil, "T\n2025\nNews\nA\xff title\n", "l.txt:4:2: invalid UTF-8 (byte 0xff)"},
		{"invalid UTF-8 after CRLF", nil, "T\r\n2025\r\nNews\r\n標題\xe6\r\n", "l.txt:4:3: invalid UTF-8 (byte 0xe6)"},
		{"binary", nil, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "l.txt:3: binary file, not a story listing"},
		{"UTF-16", nil, "\xff\xfeT\x00\n\x00", "l.txt:1: UTF-16 text; save the file as UTF-8"},
		{"configured labels absent", press, "T\n2025\nEvents\nA title\nBody.\n", `l.txt:3: no label found (labels: "News", "Press Release")`},
		{"text before the first label", press, "T\nIntro.\nNews\nA title\n", `l.txt:2: expected a label ("News", "Press Release"), found "Intro."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := problemOf(t, "l.txt", tt.body, Options{Labels: tt.labels})
			if got := fe.Error(); got != tt.want {
				t.Errorf("problem = %q, want %q", got, tt.want)
			}
		})
	}
}

func BenchmarkListing(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("News & Stories\n2025\n\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "News\nStory number %d about the campus\n", i)
		sb.WriteString("The Hong Kong University of Science and Technology (HKUST) today announces a plan.\n")
		sb.WriteString("3月13日,國家教育部部長懷進鵬在北京會見香港科技大學校董會主席沈向洋。\n\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		l, err := parseListing(data, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(l.stories()); n != 1000 {
			b.Fatalf("%d stories", n)
		}
	}
}
