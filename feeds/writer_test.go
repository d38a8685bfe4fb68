package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// writers are the three formats, with the file name publish gives each and
// the golden extension (.xml and .json, so feedcheck finds them).
var writers = []struct {
	name, file, ext string
	write           func(io.Writer, *Feed) error
}{
	{"rss", "rss.xml", ".rss.xml", WriteRSS},
	{"atom", "atom.xml", ".atom.xml", WriteAtom},
	{"json", "feed.json", ".json", WriteJSON},
}

// hongKong is the site zone of the fixtures (Asia/Hong_Kong has had no DST
// since 1979, so a fixed zone is the same instant and needs no tzdata).
func hongKong() *time.Location { return time.FixedZone("HKT", 8*60*60) }

// at is a time on a day of March 2025, Hong Kong time.
func at(day, hour, min int) time.Time {
	return time.Date(2025, time.March, day, hour, min, 0, 0, hongKong())
}

// baseFeed is a feed as publish builds it for the output file dir+file;
// every case starts from it and changes one thing.
func baseFeed(dir, file string) *Feed {
	return &Feed{
		Title:     "HKUST News",
		Link:      "https://www.example.edu/news",
		SelfURL:   "https://feeds.example.edu/" + dir + file,
		Language:  "en",
		Updated:   at(13, 0, 1),
		Zone:      hongKong(),
		Generator: "feedloom 0.1.0",
	}
}

// story is an English item with a tag: id, a link, a summary and content.
func story(key, title string, published time.Time) Item {
	return Item{
		ID:        "tag:feeds.example.edu,2025-03-13:newsroom/" + key,
		Source:    "newsroom",
		Title:     title,
		Link:      "https://www.example.edu/news/" + key,
		Summary:   "Summary of " + title + ".",
		Content:   "<p>" + title + ".</p>",
		Language:  "en",
		Published: published,
		Updated:   published,
	}
}

// chineseStory is a Traditional Chinese item from the sample listing.
func chineseStory(key, title, body string, published time.Time) Item {
	it := story(key, title, published)
	it.Summary = body
	it.Content = "<p>" + body + "</p>"
	it.Language = "zh-Hant"
	return it
}

const (
	netZeroTitle  = "The Race to Zero: HKUST Unveils First Comprehensive Net-Zero Action Plan Among Local Universities"
	netZeroBody   = "The Hong Kong University of Science and Technology (HKUST) today announces its Net-Zero Action Plan."
	ministerTitle = "Minister of Education Meets HKUST Delegation (Chinese Version Only)"
	ministerBody  = "3月13日,國家教育部部長懷進鵬在京會見香港科技大學校董會主席沈向洋、校長葉玉如一行。"
	healthTitle   = "Minister of National Health Commission Meets HKUST Delegation (Chinese Version Only)"
	healthBody    = "3月12日,國家衛生健康委員會主任雷海潮在北京會見香港科技大學(港科大)校董會主席沈向洋、校長葉玉如一行。"
	shanghaiTitle = "Opening of HKUST Shanghai Center in Xuhui District"
)

// goldenCases are the fixtures: one rule each, named for the rule. Each
// is written in every format to testdata/<name>.<format>.
var goldenCases = []struct {
	name string
	dir  string // output folder of the feed ("" for the merged feed)
	feed func(f *Feed)
}{
	{"language_feed_-_en_two_items", "en/", func(f *Feed) {
		net := story("net-zero", netZeroTitle, at(13, 0, 1))
		net.Summary = netZeroBody
		f.Items = []Item{net, story("shanghai-center", shanghaiTitle, at(12, 0, 0))}
	}},
	{"language_feed_-_zh-Hant_two_items", "zh-hant/", func(f *Feed) {
		f.Title = "香港科技大學新聞"
		f.Language = "zh-Hant"
		f.Items = []Item{
			chineseStory("minister", ministerTitle, ministerBody, at(13, 0, 0)),
			chineseStory("health", healthTitle, healthBody, at(12, 0, 5)),
		}
	}},
	{"merged_-_item_languages_and_hreflang_alternates", "", func(f *Feed) {
		f.Language = "" // en and zh-Hant items share no language
		f.Alternates = []Alternate{
			{Href: "https://feeds.example.edu/en/atom.xml", Language: "en", Title: "HKUST News"},
			{Href: "https://feeds.example.edu/zh-hant/atom.xml", Language: "zh-Hant", Type: "application/atom+xml", Title: "香港科技大學新聞"},
		}
		f.Items = []Item{
			story("net-zero", netZeroTitle, at(13, 0, 1)),
			chineseStory("minister", ministerTitle, ministerBody, at(13, 0, 0)),
			chineseStory("health", healthTitle, healthBody, at(12, 0, 5)),
			story("shanghai-center", shanghaiTitle, at(12, 0, 0)),
		}
	}},
	{"archive_-_current_links_its_newest_archive", "en/", func(f *Feed) {
		f.PrevArchive = archiveURL(f.SelfURL, "latest")
		f.Items = []Item{story("net-zero", netZeroTitle, at(13, 0, 1))}
	}},
	{"archive_-_numbered_document", "en/", func(f *Feed) {
		current := f.SelfURL
		f.ID, f.Current, f.SelfURL = current, current, archiveURL(current, "2")
		f.PrevArchive, f.NextArchive = archiveURL(current, "1"), archiveURL(current, "latest")
		f.Archived = true
		f.Items = []Item{story("shanghai-center", shanghaiTitle, at(12, 0, 0))}
	}},
	{"archive_-_the_only_document_is_complete", "en/", func(f *Feed) {
		current := f.SelfURL
		f.ID, f.SelfURL, f.Complete = current, archiveURL(current, "latest"), true
		f.Items = []Item{story("shanghai-center", shanghaiTitle, at(12, 0, 0))}
	}},
	{"item_id_-_guid_permalink", "en/", func(f *Feed) {
		it := story("a", "Upstream story whose id is its link", at(13, 0, 1))
		it.ID = it.Link
		f.Items = []Item{it}
	}},
	{"item_id_-_guid_not_permalink", "en/", func(f *Feed) {
		f.Items = []Item{story("a", "Story with a tag: id", at(13, 0, 1))}
	}},
	{"item_-_no_link", "en/", func(f *Feed) {
		it := story("a", "Story without a page of its own", at(13, 0, 1))
		it.Link = ""
		f.Items = []Item{it}
	}},
	{"item_-_no_link_no_content", "en/", func(f *Feed) {
		it := story("a", "Story with a summary only", at(13, 0, 1))
		it.Link, it.Content = "", ""
		f.Items = []Item{it}
	}},
	{"item_-_untitled_with_summary", "en/", func(f *Feed) {
		// RSS 2.0 and JSON Feed omit the title; Atom requires one and
		// writes the display title, the first sentence.
		it := story("a", "", at(13, 0, 1))
		it.Summary, it.Content = "Good morning! The sun is out.", "<p>Good morning! The sun is out.</p>"
		f.Items = []Item{it}
	}},
	{"item_-_untitled_image_only", "en/", func(f *Feed) {
		// No text: every format that needs a title gets the link's host
		// and path (RSS has no description to stand in for it).
		it := story("a", "", at(13, 0, 1))
		it.Summary, it.Content = "", `<p><img src="https://www.example.edu/i/a.jpg" alt=""></p>`
		f.Items = []Item{it}
	}},
	{"item_-_untitled_no_link_no_text", "en/", func(f *Feed) {
		// No text, no link: the date in the feed's zone.
		it := story("a", "", at(13, 0, 1))
		it.Link, it.Summary, it.Content = "", "", `<p><img src="https://www.example.edu/i/a.jpg" alt=""></p>`
		f.Items = []Item{it}
	}},
	{"item_-_summary_is_escaped_text", "en/", func(f *Feed) {
		it := story("a", `Q&A: is 1 < 2 & "<b>" bold?`, at(13, 0, 1))
		it.Summary = `Plain text with <script>alert(1)</script> & an ampersand.`
		it.Content = `<p>Q&amp;A: is 1 &lt; 2?</p>`
		it.Categories = []string{"R&D <Labs>"}
		f.Items = []Item{it}
	}},
	{"text_-_control_characters_stripped", "en/", func(f *Feed) {
		f.Title = "HKUST\x0b News"
		it := story("a", "Title with \x0bvertical tab and \x00NUL", at(13, 0, 1))
		it.Summary = "Summary\x0b with \x00 controls, \ufffe, \uffff and a bad byte \xff."
		it.Content = "<p>Content with \x0b and \x00 and a CDATA end ]]> inside.</p>"
		it.Authors = []Person{{Name: "Ann\x0b Lee"}}
		it.Categories = []string{"News\x00", "\x0b"}
		f.Items = []Item{it}
	}},
	{"feed_-_empty", "en/", func(f *Feed) {
		f.Updated = time.Time{}
	}},
	{"feed_-_nil_zone_is_utc", "en/", func(f *Feed) {
		f.Zone = nil
		f.Items = []Item{story("a", "Story written in UTC", at(13, 0, 1))}
	}},
	{"dates_-_truncated_to_seconds", "en/", func(f *Feed) {
		f.Updated = at(13, 9, 5).Add(7*time.Second + 123456789)
		it := story("a", "Story with a sub-second time", f.Updated)
		it.Updated = it.Published.Add(time.Hour)
		f.Items = []Item{it}
	}},
	{"authors_-_with_and_without_email", "en/", func(f *Feed) {
		f.Authors = []Person{{Name: "Newsroom", Email: "news@example.edu"}}
		both := story("a", "Story by two authors", at(13, 0, 1))
		both.Authors = []Person{
			{Name: "Ann Lee", Email: "ann@example.edu"},
			{Name: "陳大文", URL: "https://www.example.edu/people/chan"},
		}
		nameOnly := story("b", "Story by one author without e-mail", at(13, 0, 0))
		nameOnly.Authors = []Person{{Name: "Bob Wong"}}
		f.Items = []Item{both, nameOnly}
	}},
	{"categories_-_one_element_each", "en/", func(f *Feed) {
		it := story("a", "Story with categories", at(13, 0, 1))
		it.Categories = []string{"News", "Press Release", "新聞"}
		f.Items = []Item{it}
	}},
	{"enclosure_-_unknown_length_and_type", "en/", func(f *Feed) {
		it := story("a", "Story with an attachment", at(13, 0, 1))
		it.Enclosures = []Enclosure{{URL: "https://www.example.edu/files/report"}}
		f.Items = []Item{it}
	}},
	{"enclosure_-_rss_keeps_the_first", "en/", func(f *Feed) {
		it := story("a", "Story with two attachments", at(13, 0, 1))
		it.Enclosures = []Enclosure{
			{URL: "https://www.example.edu/files/talk.mp3", Type: "audio/mpeg", Length: 1234567},
			{URL: "https://www.example.edu/files/slides.pdf", Type: "application/pdf", Length: 89012},
		}
		it.Image = "https://www.example.edu/images/talk.jpg"
		f.Items = []Item{it}
	}},
	{"origin_-_upstream_feed_as_source", "en/", func(f *Feed) {
		it := story("a", "Story aggregated from a partner", at(13, 0, 1))
		it.Source = "partner"
		it.Origin = &Origin{
			Title: "Partner News",
			ID:    "https://partner.example.org/feed.xml",
			Link:  "https://partner.example.org/",
		}
		f.Items = []Item{it}
	}},
	{"origin_-_source_updated_is_the_newest_of_its_items", "en/", func(f *Feed) {
		partner := &Origin{Title: "Partner News", ID: "https://partner.example.org/feed.xml", Link: "https://partner.example.org/"}
		a := story("a", "Newest partner story", at(13, 0, 1))
		a.Origin = partner
		b := story("b", "Older partner story, updated since", at(12, 9, 0))
		b.Updated = at(13, 0, 30)
		b.Origin = partner
		c := story("c", "Wire story", at(12, 8, 0))
		c.Origin = &Origin{Title: "Wire", ID: "https://wire.example.org/feed.xml", Link: "https://wire.example.org/"}
		f.Updated = b.Updated
		f.Items = []Item{a, b, c}
	}},
	{"translations_-_linked_from_the_item", "en/", func(f *Feed) {
		// A story-file partner has an id; an upstream's alternate does not.
		it := story("open-day", "Open Day Draws 30,000 Visitors", at(13, 0, 1))
		it.TranslationKey = "open-day-2025"
		it.Translations = []Translation{
			{Language: "zh-Hant", ID: "tag:feeds.example.edu,2025-03-13:newsroom/open-day-zh", URL: "https://feeds.example.edu/stories/open-day-zh.html"},
			{Language: "zh-Hans", URL: "https://partner.example.org/zh-hans/open-day"},
		}
		f.Items = []Item{it}
	}},
	{"translations_-_one_link_per_language", "en/", func(f *Feed) {
		// RFC 4287 §4.1.1 allows one alternate per type and hreflang: the
		// first of a language stays; one without a URL or language is no link.
		it := story("a", "Story with repeated translations", at(13, 0, 1))
		it.Translations = []Translation{
			{Language: "zh-Hant", ID: "urn:zh-1", URL: "https://www.example.edu/zh/1"},
			{Language: "ZH-hant", ID: "urn:zh-2", URL: "https://www.example.edu/zh/2"},
			{Language: "fr", URL: ""},
			{Language: "", URL: "https://www.example.edu/unknown"},
		}
		f.Items = []Item{it}
	}},
	{"feed_-_stylesheet_pi", "en/", func(f *Feed) {
		f.Stylesheet = "/feed.xsl?v=1&lang=en"
		f.Items = []Item{story("a", "Story in a styled feed", at(13, 0, 1))}
	}},
	{"feed_-_websub_hub", "en/", func(f *Feed) {
		f.Hub = "https://hub.example.org/"
		f.Items = []Item{story("a", "Story in a feed with a hub", at(13, 0, 1))}
	}},
	{"feed_-_description_and_id", "en/", func(f *Feed) {
		f.Description = "News and stories from HKUST, in English."
		f.ID = "tag:feeds.example.edu,2025-03-13:en"
		f.Items = []Item{story("a", "Story in a described feed", at(13, 0, 1))}
	}},
}

// archiveURL is where publish puts archive document n of the feed at
// current: archive/<format>/<n>.<ext> beside it.
func archiveURL(current, n string) string {
	dir, file := path.Split(current)
	name, ext, _ := strings.Cut(file, ".")
	if name == "feed" {
		name = ext
	}
	return dir + "archive/" + name + "/" + n + "." + ext
}

// goldenFeed is the base feed for the file in dir, changed by mod.
func goldenFeed(dir, file string, mod func(*Feed)) *Feed {
	f := baseFeed(dir, file)
	mod(f)
	return f
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, w := range writers {
			t.Run(c.name+w.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.write(&buf, goldenFeed(c.dir, w.file, c.feed)); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", c.name+w.ext), buf.Bytes())
			})
		}
	}
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./feeds -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, firstDiff(got, want))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(same lines, different bytes)"
}

// TestWellFormed parses every output: XML with encoding/xml in strict mode,
// JSON with encoding/json, and checks both carry no character XML 1.0
// forbids and no U+FFFD (which would mean text was altered).
func TestWellFormed(t *testing.T) {
	for _, c := range goldenCases {
		for _, w := range writers {
			t.Run(c.name+w.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.write(&buf, goldenFeed(c.dir, w.file, c.feed)); err != nil {
					t.Fatal(err)
				}
				out := buf.Bytes()
				if w.name == "json" {
					var doc map[string]any
					if err := json.Unmarshal(out, &doc); err != nil {
						t.Fatalf("not JSON: %v", err)
					}
				} else if err := parseXML(out); err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				if i := illegalAt(out); i >= 0 {
					t.Errorf("character XML 1.0 forbids at byte %d", i)
				}
				for _, bad := range []string{"\ufffd", `\u000b`, `\u0000`} {
					if bytes.Contains(out, []byte(bad)) {
						t.Errorf("output holds %q", bad)
					}
				}
			})
		}
	}
}

// illegalAt is the offset of the first byte of b that is not part of an
// XML 1.0 character, or -1.
func illegalAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if !xmlChar(r, size) {
			return i
		}
		i += size
	}
	return -1
}

// parseXML reads every token of doc.
func parseXML(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestDeterministic writes each case twice, from two separately built
// feeds, and expects the same bytes.
func TestDeterministic(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			for _, c := range goldenCases {
				var a, b bytes.Buffer
				if err := w.write(&a, goldenFeed(c.dir, w.file, c.feed)); err != nil {
					t.Fatal(err)
				}
				if err := w.write(&b, goldenFeed(c.dir, w.file, c.feed)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a.Bytes(), b.Bytes()) {
					t.Errorf("%s: two writes differ", c.name)
				}
			}
		})
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			f := baseFeed("en/", w.file)
			err := w.write(failWriter{}, f)
			want := "feeds: " + w.name + ` "https://feeds.example.edu/en/` + w.file + `": write: disk full`
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v, want %s", err, want)
			}
		})
	}
}

// benchFeed is a merged feed of 50 items with every field set.
func benchFeed(file string) *Feed {
	f := baseFeed("", file)
	f.Authors = []Person{{Name: "Newsroom", Email: "news@example.edu"}}
	f.Alternates = []Alternate{{Href: "https://feeds.example.edu/zh-hant/atom.xml", Language: "zh-Hant"}}
	for i := range 50 {
		it := chineseStory("s"+strings.Repeat("x", i), ministerTitle, strings.Repeat(ministerBody, 4), at(13, 0, 0).Add(-time.Duration(i)*time.Minute))
		it.Authors = []Person{{Name: "Ann Lee", Email: "ann@example.edu"}}
		it.Categories = []string{"News", "Press Release"}
		f.Items = append(f.Items, it)
	}
	return f
}

func benchmarkWriter(b *testing.B, write func(io.Writer, *Feed) error, file string) {
	f := benchFeed(file)
	for b.Loop() {
		if err := write(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
}
