package normalize

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func TestDuplicatesInOneBatch(t *testing.T) {
	const prefix = "normalize: duplicate story: "
	tests := []struct {
		name    string
		feed    bool
		stories []sources.Story
		want    []string // titles kept, in order
		wantErr string   // "" for none
	}{
		{"same title, another body: the first kept, the second reported", false, []sources.Story{
			{File: "news.txt", Line: 12, Title: "Same", Text: []string{"first"}},
			{File: "news.txt", Line: 16, Position: 1, Title: "Other"},
			{File: "b.txt", Line: 3, Title: " Same ", Text: []string{"second"}},
		}, []string{"Same", "Other"},
			"b.txt:3: " + prefix + "same id as the story at news.txt:12 (same title); give one an explicit id"},
		{"same title and body in two files: one item, silently", false, []sources.Story{
			{File: "a.txt", Line: 4, Title: "Same", Text: []string{"body"}},
			{File: "b.txt", Line: 9, Title: "Same", Text: []string{"body"}},
		}, []string{"Same"}, ""},
		{"same canonical link, no body: one item, silently", false, []sources.Story{
			{File: "a.txt", Title: "One", Link: "https://www.example.edu/news/x?utm_source=feed"},
			{File: "a.txt", Position: 1, Title: "Two", Link: "HTTPS://WWW.EXAMPLE.EDU:443/news/x#top"},
		}, []string{"One"}, ""},
		{"same canonical link, another body: reported", false, []sources.Story{
			{File: "a.txt", Line: 1, Title: "One", Link: "https://www.example.edu/news/x", Text: []string{"one"}},
			{File: "a.txt", Line: 5, Position: 1, Title: "Two", Link: "https://www.example.edu/news/x#top", Text: []string{"two"}},
		}, []string{"One"},
			"a.txt:5: " + prefix + "same link as the story at a.txt:1"},
		{"same explicit id, no body: one item, silently", false, []sources.Story{
			{File: "a.md", Title: "One", ID: "story-1"},
			{File: "b.md", Title: "Two", ID: "story-1"},
		}, []string{"One"}, ""},
		{"same explicit id, another body: reported", false, []sources.Story{
			{File: "a.md", Title: "One", ID: "story-1", Content: "<p>one</p>"},
			{File: "b.md", Title: "Two", ID: "story-1", Content: "<p>two</p>"},
		}, []string{"One"},
			"b.md: " + prefix + "same id as the story at a.md (same explicit id)"},
		{"upstream repeats are the feed's affair", true, []sources.Story{
			{File: "https://up.example.org/feed.xml", ID: "https://up.example.org/p/1", Title: "One", Content: "<p>one</p>"},
			{File: "https://up.example.org/feed.xml", Position: 1, ID: "https://up.example.org/p/1", Title: "One", Content: "<p>one, edited</p>"},
		}, []string{"One"}, ""},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(Source{Name: "s", Feed: tt.feed}, hkt(t, 2025, 3, 14, 10, 0, 0), tt.stories, nil)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("error %q, want %q", gotErr, tt.wantErr)
			}
			if tt.wantErr != "" {
				var fe *sources.FileError
				if !errors.As(err, &fe) || !errors.Is(err, ErrDuplicate) {
					t.Errorf("error %#v is not a FileError wrapping ErrDuplicate", err)
				}
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Title)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("titles %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStoryWithoutTitle(t *testing.T) {
	n := newTestNormalizer(t)
	stories := []sources.Story{
		{File: "news.txt", Line: 4, Title: "Kept", Text: []string{"x"}},
		{File: "news.txt", Line: 9, Position: 1, Title: " \x00 ", Text: []string{"no title"}},
		{File: "news.txt", Line: 12, Position: 2, Title: "<b></b>", TitleHTML: true},
		{File: "news.txt", Line: 15, Position: 3, Title: "Also kept"},
	}
	items, err := n.Items(Source{Name: "s"}, hkt(t, 2025, 3, 14, 10, 0, 0), stories, nil)
	if len(items) != 2 || items[0].Title != "Kept" || items[1].Title != "Also kept" {
		t.Errorf("items %+v, want Kept and Also kept", items)
	}
	if err == nil {
		t.Fatal("no error for stories without a title")
	}
	want := "news.txt:9: normalize: story has no title\nnews.txt:12: normalize: story has no title"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	var fe *sources.FileError
	if !errors.As(err, &fe) || fe.Path != "news.txt" || fe.Line != 9 || !errors.Is(err, ErrNoTitle) {
		t.Errorf("error %#v is not a FileError for news.txt:9 wrapping ErrNoTitle", err)
	}
}

func TestKnownItemKeepsSlugAndFirstSeen(t *testing.T) {
	n := newTestNormalizer(t)
	src := Source{Name: "s"}
	st := sources.Story{File: "a.txt", Title: "Open Day", Text: []string{"3月13日"}, Year: 2025}
	first, err := n.Items(src, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Slug != "open-day" {
		t.Fatalf("slug %q, want open-day", first[0].Slug)
	}
	// The store made the slug unique; the next run keeps it.
	first[0].Slug = "open-day-2"
	st.Text = []string{"3月10日, edited"}
	st.Updated = hkt(t, 2025, 3, 15, 8, 0, 0)
	again, err := n.Items(src, hkt(t, 2025, 3, 16, 10, 0, 0), []sources.Story{st}, first)
	if err != nil {
		t.Fatal(err)
	}
	it := again[0]
	if it.Slug != "open-day-2" || !it.FirstSeen.Equal(first[0].FirstSeen) || !it.Published.Equal(first[0].Published) {
		t.Errorf("slug %q first seen %v published %v, want the stored ones", it.Slug, it.FirstSeen, it.Published)
	}
	if !it.Updated.Equal(st.Updated) || it.Content != "<p>3月10日, edited</p>" {
		t.Errorf("updated %v content %q", it.Updated, it.Content)
	}
}

func TestCopiedFields(t *testing.T) {
	n := newTestNormalizer(t)
	origin := &feeds.Origin{Title: "Partner", ID: "urn:partner", Link: "https://partner.example.org/"}
	st := sources.Story{
		File: "https://partner.example.org/feed.xml", Position: 2, ID: "https://partner.example.org/p/7",
		Title: "Podcast", Link: "https://partner.example.org/p/7", Base: "https://partner.example.org/media/",
		Image:      "cover.jpg",
		Enclosures: []feeds.Enclosure{{URL: "ep7.mp3", Type: " audio/mpeg ", Length: 1234}, {URL: "javascript:x"}},
		Origin:     origin,
		Published:  time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	items, err := n.Items(Source{Name: "partner", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.File != st.File || it.Position != 2 || it.Source != "partner" || it.Origin != origin {
		t.Errorf("file %q position %d source %q origin %v", it.File, it.Position, it.Source, it.Origin)
	}
	if it.Image != "https://partner.example.org/media/cover.jpg" {
		t.Errorf("image %q", it.Image)
	}
	want := []feeds.Enclosure{{URL: "https://partner.example.org/media/ep7.mp3", Type: "audio/mpeg", Length: 1234}}
	if len(it.Enclosures) != 1 || it.Enclosures[0] != want[0] {
		t.Errorf("enclosures %+v, want %+v", it.Enclosures, want)
	}
	if it.Slug != "" {
		t.Errorf("slug %q for an item with a link", it.Slug)
	}
}

// TestContentBase: links in the body resolve against the base its element
// declares (xml:base on an Atom content or RSS description); the item's
// link and image keep the item's base.
func TestContentBase(t *testing.T) {
	n := newTestNormalizer(t)
	st := sources.Story{
		File: "https://up.example.org/feed", Title: "T", Link: "post.html", Image: "i.png",
		Base: "https://up.example.org/blog/", ContentBase: "https://cdn.example.org/c/",
		Content: `<p><a href="x.html">x</a> <img src="/y.png"></p>`,
	}
	items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if want := `<p><a href="https://cdn.example.org/c/x.html" rel="nofollow">x</a> <img src="https://cdn.example.org/y.png"/></p>`; it.Content != want {
		t.Errorf("content %s\nwant    %s", it.Content, want)
	}
	if it.Link != "https://up.example.org/blog/post.html" || it.Image != "https://up.example.org/blog/i.png" {
		t.Errorf("link %q image %q", it.Link, it.Image)
	}
}

// TestImageFromContent: with no image declared, the first picture of the
// sanitized content stands in, tracking pixels and scripts' URLs skipped.
func TestImageFromContent(t *testing.T) {
	n := newTestNormalizer(t)
	for _, tc := range []struct{ content, want string }{
		{`<p><img src="/p.gif" width="1" height="1"><img src="javascript:x"><img src="pic.jpg" width="640"></p>`, "https://up.example.org/blog/pic.jpg"},
		{`<p><img src="data:image/png;base64,AAAA"></p>`, ""},
		{`<p>No picture</p>`, ""},
	} {
		st := sources.Story{File: "https://up.example.org/feed", Title: "T", Link: "https://up.example.org/blog/1", Base: "https://up.example.org/blog/", Content: tc.content}
		items, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{st}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := items[0].Image; got != tc.want {
			t.Errorf("content %s: image %q, want %q", tc.content, got, tc.want)
		}
	}
}

// TestTranslations: a story file's translation key is kept trimmed; an
// upstream's alternates keep a valid tag, written canonically, and an
// absolute http(s) URL (a relative one against the item's base), but not
// the item's own language or link, nor a second of one language.
func TestTranslations(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	files, err := n.Items(Source{Name: "newsroom"}, now, []sources.Story{
		{File: "a.md", Title: "Open Day", Language: "en", TranslationKey: "  open-day-2025\n"},
		{File: "b.md", Title: "No key", Language: "en"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if files[0].TranslationKey != "open-day-2025" || files[1].TranslationKey != "" {
		t.Errorf("keys %q and %q, want open-day-2025 and none", files[0].TranslationKey, files[1].TranslationKey)
	}
	st := sources.Story{
		File: "https://partner.example.org/feed.xml", ID: "urn:open-day", Title: "Open Day",
		Link: "https://partner.example.org/en/open-day", Base: "https://partner.example.org/en/", Language: "en-GB",
		Published: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC),
		Translations: []feeds.Translation{
			{Language: "zh-hant", URL: "../zh/open-day"},
			{Language: "ZH-Hant", URL: "https://partner.example.org/zh/other"},
			{Language: "en-gb", URL: "https://partner.example.org/uk/open-day"},
			{Language: "fr", URL: "https://partner.example.org/en/open-day"},
			{Language: "de", URL: "javascript:alert(1)"},
			{Language: "not a tag!", URL: "https://partner.example.org/x"},
			{Language: "zh-Hans", ID: "urn:ignored", URL: "https://partner.example.org/zh-hans/open-day"},
		},
	}
	up, err := n.Items(Source{Name: "partner", Feed: true}, now, []sources.Story{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []feeds.Translation{
		{Language: "zh-Hant", URL: "https://partner.example.org/zh/open-day"},
		{Language: "zh-Hans", URL: "https://partner.example.org/zh-hans/open-day"},
	}
	if got := up[0].Translations; !reflect.DeepEqual(got, want) {
		t.Errorf("translations\n got %+v\nwant %+v", got, want)
	}
}
