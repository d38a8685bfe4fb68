package publish

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// TestCatalogues: every shipped catalogue sets every message, and the
// date layouts and counts are usable.
func TestCatalogues(t *testing.T) {
	for _, m := range catalogues {
		v := reflect.ValueOf(m)
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("catalogue %s: %s is missing", m.Tag, v.Type().Field(i).Name)
			}
		}
		if got := time.Date(2025, 3, 13, 9, 5, 0, 0, time.UTC).Format(m.DateLayout); got == m.DateLayout {
			t.Errorf("catalogue %s: date layout %q formats nothing", m.Tag, m.DateLayout)
		}
	}
}

func TestMessagesFor(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "en", "en-GB": "en", "zh-Hant": "zh-Hant", "zh-HK": "zh-Hant", "zh-Hant-HK": "zh-Hant", "zh-TW": "zh-Hant",
		"zh-Hans": "zh-Hans", "zh-CN": "zh-Hans", "zh": "zh-Hans", "fr": "en", "ja": "en", "": "en", "not a tag!": "en",
	} {
		if got := messagesFor(tag).Tag; got != want {
			t.Errorf("messagesFor(%q) = %s, want %s", tag, got, want)
		}
	}
	zh := messagesFor("zh-Hant")
	if got := zh.count(3); got != "3 則" {
		t.Errorf("count: %q", got)
	}
	if got := time.Date(2025, 3, 13, 9, 5, 0, 0, time.FixedZone("HKT", 8*3600)).Format(zh.DateLayout); got != "2025年3月13日 09:05 HKT" {
		t.Errorf("date: %q", got)
	}
}

// TestDayPrecision: a story whose date is known only to the day is shown
// without a time, in its page's language; an exact one with its time.
func TestDayPrecision(t *testing.T) {
	dir := t.TempDir()
	items := []feeds.Item{
		{ID: "tag:feeds.example.edu,2025-03-13:newsroom/day", Source: "newsroom", Title: "Day story", Slug: "day",
			Content: "<p>x</p>", Language: "zh-Hant", Published: at(13, 0, 2), Updated: at(13, 0, 2), Precision: feeds.PrecisionDay},
		{ID: "tag:feeds.example.edu,2025-03-13:newsroom/exact", Source: "newsroom", Title: "Exact story", Slug: "exact",
			Content: "<p>y</p>", Language: "en", Published: at(12, 9, 30), Updated: at(12, 9, 30)},
	}
	publish(t, &fakeStore{items: items}, testOptions(dir))
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for rel, want := range map[string]string{
		"stories/day.html":   `<time datetime="2025-03-13">2025年3月13日</time>`,
		"stories/exact.html": `<time datetime="2025-03-12T09:30:00+08:00">12 March 2025, 09:30 HKT</time>`,
		"zh-hant/feed.html":  `<time datetime="2025-03-13">2025年3月13日</time>`,
		"zh-hant/index.html": `<time datetime="2025-03-13">2025年3月13日</time>`,
	} {
		if got := read(rel); !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", rel, want)
		}
	}
	if strings.Contains(read("feed.json"), `"date_published": "2025-03-13T00:02:00+08:00"`) == false {
		t.Errorf("the feed lost the full timestamp of a day item")
	}
}
