package publish

import (
	"reflect"
	"testing"
	"time"
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
