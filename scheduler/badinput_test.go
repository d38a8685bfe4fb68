package scheduler

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodStory = "---\ntitle: Good Story\ndate: 2025-03-13T09:00:00+08:00\nlanguage: en\n---\nIt is fine.\n"

// TestBadStoryFiles publishes a good story beside each bad file: the bad one
// is reported by name (and line) and skipped, the good one is published.
func TestBadStoryFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, text string
		problem          string // "" when the file is not a failure
	}{
		{"empty file", "empty.txt", "", "empty.txt"},
		{"header and no stories", "header.txt", "News & Stories\n2025\n", "header.txt"},
		{"invalid UTF-8", "latin1.txt", "Title\n2025\n\nNews\nCaf\xe9 opens\nBody\n", "latin1.txt:5"},
		{"binary file", "blob.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "blob.txt"},
		{"front matter YAML error", "broken.md", "---\ntitle: Fine\ndate: [2025\n---\nBody\n", "broken.md:3"},
		{"story with no title", "untitled.json", `{"text": "A body without a title."}`, "untitled.json:1"},
		{"Markdown with script", "script.md", "---\ntitle: Script Story\nlanguage: en\n---\nHello <script>alert(1)</script><b onclick=\"x()\">bold</b> [link](javascript:alert(2)) <iframe src=\"https://evil.example/\"></iframe>tail\n", ""},
		{"control characters in the title", "ctl.json", "{\"title\": \"Bell\\u000bDing\\u0000Dong\", \"text\": \"Body.\"}", ""},
		{"the same story in two files", "copy.md", goodStory, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			s.write("good.md", goodStory)
			s.write(tt.file, tt.text)
			rep := s.run()
			if tt.problem == "" {
				if rep.Failed() {
					t.Fatalf("reported a failure: %v", rep.Sources[0].Problems)
				}
			} else {
				probs := rep.Sources[0].Problems
				if len(probs) != 1 || !strings.HasPrefix(probs[0].Error(), tt.problem) {
					t.Fatalf("problems = %v, want one starting with %q", probs, tt.problem)
				}
			}
			titles := map[string]int{}
			for _, it := range s.feed("feed.json") {
				titles[it.Title]++
			}
			if titles["Good Story"] != 1 {
				t.Errorf("Good Story published %d times, want once (feed: %v)", titles["Good Story"], titles)
			}
			for _, f := range []string{"rss.xml", "atom.xml", "en/rss.xml", "en/atom.xml"} {
				wellFormed(t, filepath.Join(s.out, f))
			}
		})
	}
}

func TestSanitizedAndCleanOutput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.write("script.md", "---\ntitle: Script Story\nlanguage: en\nlink: https://www.example.edu/s\n---\nHello <script>alert(1)</script><b onclick=\"x()\">bold</b> [link](javascript:alert(2)) <iframe src=\"https://evil.example/\"></iframe>tail\n")
	s.write("ctl.json", "{\"title\": \"Bell\\u000bDing\\u0000Dong\", \"language\": \"en\", \"text\": \"Body.\"}")
	s.run()
	for _, f := range []string{"rss.xml", "atom.xml", "feed.json", "en/rss.xml", "en/atom.xml", "en/feed.json"} {
		b, err := os.ReadFile(filepath.Join(s.out, f))
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for _, bad := range []string{"<script", "&lt;script", "alert(", "onclick", "javascript:", "iframe", "evil.example", "\x0b", "\x00", "\uFFFD"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
		// \x0b is whitespace (collapsed to a space), \x00 is dropped.
		for _, good := range []string{"Hello", "bold", "tail", "Bell DingDong"} {
			if !strings.Contains(out, good) {
				t.Errorf("%s lost the text %q", f, good)
			}
		}
	}
}

func wellFormed(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
	}
}

// TestBrokenFileKeepsItsItems: a file that published before and is broken
// now keeps its items; a file that is gone loses them.
func TestBrokenFileKeepsItsItems(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.write("a.md", goodStory)
	s.write("b.md", strings.Replace(goodStory, "Good Story", "Second Story", 1))
	s.run()
	if n := len(s.feed("feed.json")); n != 2 {
		t.Fatalf("first run published %d items, want 2", n)
	}

	s.write("b.md", "---\ntitle: [broken\n---\n")
	s.now = s.now.Add(time.Hour)
	rep := s.run()
	if !rep.Failed() {
		t.Errorf("a broken file was not reported")
	}
	if got := titlesOf(s.feed("feed.json")); got != "Good Story|Second Story" && got != "Second Story|Good Story" {
		t.Errorf("after b.md broke: %s, want both stories", got)
	}

	if err := os.Remove(filepath.Join(s.stories, "b.md")); err != nil {
		t.Fatal(err)
	}
	rep = s.run()
	if rep.Failed() {
		t.Errorf("failed after removing the broken file: %v", rep.Sources[0].Problems)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Good Story" {
		t.Errorf("after b.md was removed: %s, want Good Story only", got)
	}
}

// TestListingKeepsDatesAcrossRuns: a new story on top of a stored listing
// gets its first-seen time; dropping a story removes it; nothing else moves.
func TestListingKeepsDatesAcrossRuns(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	listing := "Campus News\n2025\n\nNews\nStory B\n3月13日,本校舉行典禮。\nNews\nStory C\nAn undated English body.\n"
	s.write("l.txt", listing)
	s.run()
	first := s.feed("feed.json")
	if got := datesOf(first); got != "Story B 2025-03-13T00:01:00+08:00|Story C 2025-03-13T00:00:00+08:00" {
		t.Fatalf("first run: %s", got)
	}
	s.now = time.Date(2026, 11, 26, 8, 30, 0, 0, hk)
	s.write("l.txt", "Campus News\n2025\n\nNews\nStory A\nSomething happened, no date given.\nNews\nStory B\n3月13日,本校舉行典禮。\n")
	s.run()
	if got := datesOf(s.feed("feed.json")); got != "Story A 2026-11-26T08:30:00+08:00|Story B 2025-03-13T00:01:00+08:00" {
		t.Fatalf("second run: %s", got)
	}
}

func titlesOf(items []jsonItem) string {
	var t []string
	for _, it := range items {
		t = append(t, it.Title)
	}
	return strings.Join(t, "|")
}

func datesOf(items []jsonItem) string {
	var t []string
	for _, it := range items {
		t = append(t, it.Title+" "+it.Published)
	}
	return strings.Join(t, "|")
}

// TestEmbargo: a story dated in the future is stored but held out of every
// feed, and released by the first run after its time.
func TestEmbargo(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.write("a.md", goodStory)
	s.write("later.md", "---\ntitle: Embargoed Story\ndate: 2026-11-25T12:00:00+08:00\nlanguage: en\n---\nNot yet.\n")
	s.run()
	if got := titlesOf(s.feed("feed.json")); got != "Good Story" {
		t.Fatalf("before the embargo: %s", got)
	}
	if _, err := os.Stat(filepath.Join(s.out, "stories", "embargoed-story.html")); !os.IsNotExist(err) {
		t.Errorf("an embargoed story's page was written")
	}
	s.now = time.Date(2026, 11, 25, 12, 0, 1, 0, hk)
	rep := s.run()
	if got := titlesOf(s.feed("feed.json")); got != "Embargoed Story|Good Story" {
		t.Fatalf("after the embargo: %s", got)
	}
	if rep.Failed() {
		t.Errorf("failed: %v", rep.Sources[0].Problems)
	}
}

// TestRetitledStoryKeepsItsLink: a story whose title is edited gets a new
// id (ids come from titles), but its link moves with it in the same pass:
// the story never drops out of the feeds.
func TestRetitledStoryKeepsItsLink(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	story := "---\ntitle: %s\ndate: 2025-03-13T09:00:00+08:00\nlanguage: en\nlink: https://www.example.edu/news/a\n---\nBody.\n"
	s.write("a.md", strings.Replace(story, "%s", "Old Title", 1))
	s.run()
	s.write("a.md", strings.Replace(story, "%s", "New Title", 1))
	s.now = s.now.Add(time.Hour)
	rep := s.run()
	if rep.Failed() {
		t.Fatalf("failed: %v", rep.Sources[0].Problems)
	}
	items := s.feed("feed.json")
	if len(items) != 1 || items[0].Title != "New Title" || items[0].URL != "https://www.example.edu/news/a" {
		t.Fatalf("feed = %+v, want New Title at its link", items)
	}
}

// TestStoryPagesAreSanitized: content reaches the permalink pages and the
// index only after sanitizing.
func TestStoryPagesAreSanitized(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.write("script.md", "---\ntitle: Script <b>Story</b>\nlanguage: en\n---\nHello <script>alert(1)</script><b onclick=\"x()\">bold</b> [link](javascript:alert(2)) <iframe src=\"https://evil.example/\"></iframe><a href=\"/about\" style=\"color:red\">about</a>\n")
	s.run()
	for _, f := range []string{"index.html", "stories/script-b-story-b.html"} {
		b, err := os.ReadFile(filepath.Join(s.out, f))
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for _, bad := range []string{"<script", "alert(", "onclick", "javascript:", "<iframe", "evil.example", "color:red", "<b>Story"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
		if !strings.Contains(out, "Script &lt;b&gt;Story&lt;/b&gt;") {
			t.Errorf("%s does not show the title as text", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(s.out, "stories", "script-b-story-b.html"))
	for _, good := range []string{"Hello", "<b>bold</b>", `href="https://www.example.edu/about"`} {
		if !strings.Contains(string(b), good) {
			t.Errorf("story page lacks %q:\n%s", good, b)
		}
	}
}
