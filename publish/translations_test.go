package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

const (
	openDayEN = "tag:feeds.example.edu,2025-03-13:newsroom/open-day-en"
	openDayZH = "tag:feeds.example.edu,2025-03-13:newsroom/open-day-zh"
	// openDayPage is the Chinese story's permalink page: it has no link of
	// its own, so its translation links there.
	openDayPage = "https://feeds.example.edu/stories/open-day-zh.html"
	openDayLink = "https://www.example.edu/news/open-day"
)

// openDay is one story in English (with a page of its own) and in
// Traditional Chinese (with a permalink page), sharing a translation key.
func openDay() []feeds.Item {
	return []feeds.Item{
		{
			ID: openDayEN, Source: "newsroom", Title: "Open Day Draws 30,000 Visitors", Link: openDayLink,
			Summary: "Thirty thousand visitors came.", Language: "en", TranslationKey: "open-day",
			Published: at(13, 0, 1), Updated: at(13, 0, 1),
		},
		{
			ID: openDayZH, Source: "newsroom", Title: "資訊日吸引逾三萬人次參觀", Slug: "open-day-zh",
			Summary: "逾三萬人到訪。", Content: "<p>逾三萬人到訪。</p>", Language: "zh-Hant", TranslationKey: "open-day",
			Published: at(13, 0, 0), Updated: at(13, 0, 0),
		},
	}
}

// keyQueries is a fakeStore that records the TranslationKeys of every
// query that selects by them.
type keyQueries struct {
	*fakeStore
	mu      sync.Mutex
	queries [][]string
}

func (k *keyQueries) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	if q.TranslationKeys != nil {
		k.mu.Lock()
		k.queries = append(k.queries, q.TranslationKeys)
		k.mu.Unlock()
	}
	return k.fakeStore.Items(ctx, q)
}

// contains fails the test unless the file rel under dir holds every one
// of want.
func contains(t *testing.T, dir, rel string, want ...string) {
	t.Helper()
	got := string(readFile(t, filepath.Join(dir, rel)))
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %s", rel, w)
		}
	}
}

// lacks fails the test if the file rel under dir holds any of notWant.
func lacks(t *testing.T, dir, rel string, notWant ...string) {
	t.Helper()
	got := string(readFile(t, filepath.Join(dir, rel)))
	for _, w := range notWant {
		if strings.Contains(got, w) {
			t.Errorf("%s holds %s", rel, w)
		}
	}
}

// jsonTranslations are the _feedloom translations of every item of a JSON
// Feed file, by item id; items without them are left out.
func jsonTranslations(t *testing.T, dir, rel string) map[string][]map[string]string {
	t.Helper()
	var doc struct {
		Items []struct {
			ID       string `json:"id"`
			Feedloom *struct {
				Translations []map[string]string `json:"translations"`
			} `json:"_feedloom"`
		} `json:"items"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, rel)), &doc); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	out := map[string][]map[string]string{}
	for _, it := range doc.Items {
		if it.Feedloom != nil {
			out[it.ID] = it.Feedloom.Translations
		}
	}
	return out
}

// TestTranslationsLinked: two items with one key in en and zh-Hant link
// each other both ways, in every format and on the pages, which word the
// links in their own language; the partners are read in one query.
func TestTranslationsLinked(t *testing.T) {
	dir := t.TempDir()
	st := &keyQueries{fakeStore: &fakeStore{items: append(testItems(), openDay()...)}}
	publishTo(t, st, testOptions(dir))
	if want := [][]string{{"open-day"}}; !reflect.DeepEqual(st.queries, want) {
		t.Errorf("translation queries %q, want %q", st.queries, want)
	}

	toZH := `<link href="` + openDayPage + `" rel="alternate" hreflang="zh-Hant"></link>`
	toEN := `<link href="` + openDayLink + `" rel="alternate" hreflang="en"></link>`
	contains(t, dir, "en/atom.xml", toZH)
	contains(t, dir, "zh-hant/atom.xml", toEN)
	contains(t, dir, "atom.xml", toZH, toEN)
	contains(t, dir, "en/rss.xml", `<atom:link href="`+openDayPage+`" rel="alternate" hreflang="zh-Hant"></atom:link>`)
	contains(t, dir, "zh-hant/rss.xml", `<atom:link href="`+openDayLink+`" rel="alternate" hreflang="en"></atom:link>`)
	want := map[string][]map[string]string{
		openDayEN: {{"language": "zh-Hant", "id": openDayZH, "url": openDayPage}},
		openDayZH: {{"language": "en", "id": openDayEN, "url": openDayLink}},
	}
	if got := jsonTranslations(t, dir, "feed.json"); !reflect.DeepEqual(got, want) {
		t.Errorf("feed.json translations\n got %v\nwant %v", got, want)
	}

	readZH := `<p class="translations">` + "\n" + `<a href="` + openDayPage + `" hreflang="zh-Hant">Read in Traditional Chinese</a>` + "\n</p>"
	readEN := `<a href="` + openDayLink + `" hreflang="en">閱讀英文版本</a>`
	contains(t, dir, "stories/open-day-zh.html", readEN, `<link rel="alternate" hreflang="en" href="`+openDayLink+`">`)
	contains(t, dir, "index.html", readZH, `<a href="`+openDayLink+`" hreflang="en">Read in English</a>`)
	contains(t, dir, "en/index.html", readZH)
	contains(t, dir, "zh-hant/index.html", readEN)
	contains(t, dir, "en/feed.html", readZH)
	// Other stories have no translations: no link, and nothing said.
	lacks(t, dir, "stories/library-extends-opening-hours.html", `class="translations`)

	// A store without keys costs no query.
	st = &keyQueries{fakeStore: &fakeStore{items: testItems()}}
	publishTo(t, st, testOptions(t.TempDir()))
	if len(st.queries) != 0 {
		t.Errorf("translation queries %q without a key", st.queries)
	}
}

// TestTranslationKeyTwiceInOneLanguage: two items with one key in one
// language are reported, naming the key and both ids, and kept; neither
// they nor the key's item in another language are linked. Another key
// still links.
func TestTranslationKeyTwiceInOneLanguage(t *testing.T) {
	dir := t.TempDir()
	items := openDay()
	second := items[0]
	second.ID, second.Title, second.Link = openDayEN+"-again", "Open Day, Again", openDayLink+"-again"
	items = append(items, second,
		feeds.Item{ID: "urn:robotics-en", Source: "newsroom", Title: "Robotics", Link: "https://www.example.edu/news/robotics",
			Language: "en", TranslationKey: "robotics", Published: at(12, 0, 0), Updated: at(12, 0, 0)},
		feeds.Item{ID: "urn:robotics-zh", Source: "newsroom", Title: "機械人", Link: "https://www.example.edu/news/zh/robotics",
			Language: "zh-Hant", TranslationKey: "robotics", Published: at(12, 0, 1), Updated: at(12, 0, 1)},
	)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	if _, err := New(&fakeStore{items: items}, testOptions(dir), log).Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := `level=WARN msg="stories share a translation key in one language; none of them is linked as a translation" translation_key=open-day language=en ids="[` +
		openDayEN + " " + openDayEN + `-again]"` + "\n"
	var warns []string
	for line := range strings.Lines(logs.String()) {
		if strings.HasPrefix(line, "level=WARN") {
			warns = append(warns, line)
		}
	}
	if !slices.Equal(warns, []string{want}) {
		t.Errorf("warnings %q, want %q", warns, want)
	}
	wantJSON := map[string][]map[string]string{
		"urn:robotics-en": {{"language": "zh-Hant", "id": "urn:robotics-zh", "url": "https://www.example.edu/news/zh/robotics"}},
		"urn:robotics-zh": {{"language": "en", "id": "urn:robotics-en", "url": "https://www.example.edu/news/robotics"}},
	}
	if got := jsonTranslations(t, dir, "feed.json"); !reflect.DeepEqual(got, wantJSON) {
		t.Errorf("feed.json translations\n got %v\nwant %v", got, wantJSON)
	}
	for _, id := range []string{openDayEN, openDayEN + "-again", openDayZH} {
		contains(t, dir, "feed.json", `"id": "`+id+`"`) // both kept
	}
	lacks(t, dir, "stories/open-day-zh.html", `class="translations`)
	lacks(t, dir, "atom.xml", `href="`+openDayLink+`" rel="alternate" hreflang`, `href="`+openDayPage+`" rel="alternate" hreflang`)
}

// TestTranslationEmbargoedPartner: a partner still held is not linked, and
// nothing points at its page; once released, both link each other.
func TestTranslationEmbargoedPartner(t *testing.T) {
	dir := t.TempDir()
	items := openDay()
	items[1].Held = true
	st := &fakeStore{items: items}
	publish(t, st, testOptions(dir))
	for _, f := range []string{"atom.xml", "rss.xml", "feed.json", "index.html", "en/index.html"} {
		lacks(t, dir, f, openDayPage, "Read in")
	}
	if got := jsonTranslations(t, dir, "feed.json"); len(got) != 0 {
		t.Errorf("translations while held: %v", got)
	}

	st.items[1].Held = false
	publish(t, st, testOptions(dir))
	contains(t, dir, "en/atom.xml", `<link href="`+openDayPage+`" rel="alternate" hreflang="zh-Hant"></link>`)
	contains(t, dir, "zh-hant/atom.xml", `<link href="`+openDayLink+`" rel="alternate" hreflang="en"></link>`)
	contains(t, dir, "stories/open-day-zh.html", `<a href="`+openDayLink+`" hreflang="en">閱讀英文版本</a>`)
	contains(t, dir, "en/index.html", `<a href="`+openDayPage+`" hreflang="zh-Hant">Read in Traditional Chinese</a>`)
}

// TestTranslationDeletedPartner: once a partner is gone from the store, the
// next publish links it nowhere: no file of the output names it.
func TestTranslationDeletedPartner(t *testing.T) {
	dir := t.TempDir()
	st := newManifestStore(openDay())
	publishTo(t, st, testOptions(dir))
	contains(t, dir, "en/atom.xml", openDayPage)

	st.change(openDay()[:1])
	publishTo(t, st, testOptions(dir))
	if _, err := os.Stat(filepath.Join(dir, "stories", "open-day-zh.html")); !os.IsNotExist(err) {
		t.Errorf("the deleted partner's page: %v", err)
	}
	for rel, data := range readTree(t, dir) {
		if bytes.Contains(data, []byte(openDayPage)) || bytes.Contains(data, []byte(openDayZH)) {
			t.Errorf("%s still names the deleted partner", rel)
		}
	}
	lacks(t, dir, "en/index.html", "Read in")
}

// TestTranslationOnlyMarker: a story whose title ends in its source's
// marker says on every page that it exists in its own language only, in
// the page's language, and links nothing, even with a key its English
// namesake shares; the title keeps its marker.
func TestTranslationOnlyMarker(t *testing.T) {
	dir := t.TempDir()
	items := openDay()
	items[1].Title = "Minister Meets Delegation (Chinese Version Only)"
	items = append(items, feeds.Item{
		ID: "urn:partner-zh", Source: "partner", Title: "Partner Story (Chinese Version Only)", Link: "https://partner.example.org/zh/1",
		Language: "zh-Hant", Published: at(12, 0, 0), Updated: at(12, 0, 0),
	})
	opts := testOptions(dir)
	opts.TranslationOnly = map[string][]string{"newsroom": {"(Chinese Version Only)"}}
	publish(t, &fakeStore{items: items}, opts)

	contains(t, dir, "stories/open-day-zh.html", `<p class="translations note">只有繁體中文版本</p>`,
		"<h1>Minister Meets Delegation (Chinese Version Only)</h1>")
	contains(t, dir, "index.html", `<p class="translations note">Only in Traditional Chinese</p>`)
	contains(t, dir, "zh-hant/index.html", `<p class="translations note">只有繁體中文版本</p>`)
	contains(t, dir, "zh-hant/feed.html", `<p class="translations note">只有繁體中文版本</p>`)
	// An entry's translation is an alternate with hreflang and no type.
	for _, f := range []string{"atom.xml", "rss.xml", "feed.json", "index.html", "en/index.html", "stories/open-day-zh.html"} {
		lacks(t, dir, f, `rel="alternate" hreflang`, "_feedloom", `class="translations"`, "Read in", "閱讀")
	}
	// The marker is the newsroom's: the partner's story is not marked.
	if got := strings.Count(string(readFile(t, filepath.Join(dir, "index.html"))), "translations note"); got != 1 {
		t.Errorf("index.html says %d stories are in one language only, want 1", got)
	}
}

// TestUpstreamTranslations: an upstream's own alternates, kept by the
// store, are written as translations are: without an id.
func TestUpstreamTranslations(t *testing.T) {
	dir := t.TempDir()
	up := feeds.Item{
		ID: "https://partner.example.org/en/open-day", Source: "partner", Title: "Partner Open Day",
		Link: "https://partner.example.org/en/open-day", Language: "en", Published: at(13, 0, 2), Updated: at(13, 0, 2),
		Translations: []feeds.Translation{{Language: "zh-Hans", URL: "https://partner.example.org/zh-hans/open-day"}},
	}
	publish(t, &fakeStore{items: append(openDay(), up)}, testOptions(dir))
	contains(t, dir, "en/atom.xml", `<link href="https://partner.example.org/zh-hans/open-day" rel="alternate" hreflang="zh-Hans"></link>`)
	contains(t, dir, "en/rss.xml", `<atom:link href="https://partner.example.org/zh-hans/open-day" rel="alternate" hreflang="zh-Hans"></atom:link>`)
	contains(t, dir, "en/index.html", `<a href="https://partner.example.org/zh-hans/open-day" hreflang="zh-Hans">Read in Simplified Chinese</a>`)
	got := jsonTranslations(t, dir, "en/feed.json")[up.ID]
	if want := []map[string]string{{"language": "zh-Hans", "url": "https://partner.example.org/zh-hans/open-day"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("translations %v, want %v", got, want)
	}
}

// TestLanguageNames: the languages a link names, in each catalogue's own
// words; a tag with no name is shown as it is.
func TestLanguageNames(t *testing.T) {
	for _, c := range []struct{ page, tag, want string }{
		{"en", "zh-Hant", "Traditional Chinese"},
		{"en", "en", "English"},
		{"zh-Hant", "en", "英文"},
		{"zh-Hant", "zh-Hans", "簡體中文"},
		{"zh-Hans", "zh-Hant", "繁体中文"},
		{"zh-Hans", "en", "英语"},
		{"fr", "zh-Hant", "Traditional Chinese"}, // English words on a page without a catalogue
		{"en", "not a tag!", "not a tag!"},
	} {
		if got := messagesFor(c.page).languageName(c.tag); got != c.want {
			t.Errorf("%s page: name of %s = %q, want %q", c.page, c.tag, got, c.want)
		}
	}
}

// TestTranslationNoLanguage: a keyed story of no known language is left
// out of its key, so no link goes one way only (writers drop a link to a
// story of no language).
func TestTranslationNoLanguage(t *testing.T) {
	dir := t.TempDir()
	items := openDay()
	items[1].Language = ""
	publish(t, &fakeStore{items: items}, testOptions(dir))
	if got := jsonTranslations(t, dir, "feed.json"); len(got) != 0 {
		t.Errorf("links with a story of no language: %v", got)
	}
}

// TestTranslationRegionsAreOneLanguage: en and en-GB sharing a key are one
// language twice, reported and not linked, not each other's translation.
func TestTranslationRegionsAreOneLanguage(t *testing.T) {
	dir := t.TempDir()
	items := openDay()
	items[1].Language = "en-GB"
	publish(t, &fakeStore{items: items}, testOptions(dir))
	if got := jsonTranslations(t, dir, "feed.json"); len(got) != 0 {
		t.Errorf("en and en-GB linked as translations: %v", got)
	}
	for tag, want := range map[string]string{"en-GB": "en", "zh-Hant-HK": "zh-Hant", "zh-Hans": "zh-Hans", "fr": "fr"} {
		if got, base := sameLanguage(tag), sameLanguage(want); got != base {
			t.Errorf("sameLanguage(%q) = %q, want that of %q (%q)", tag, got, want, base)
		}
	}
	if sameLanguage("zh-Hant") == sameLanguage("zh-Hans") {
		t.Error("zh-Hant and zh-Hans taken for one language")
	}
}
