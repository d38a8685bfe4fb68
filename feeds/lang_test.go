package feeds

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalLang(t *testing.T) {
	tests := []struct {
		in, want string
		err      string // the refusal's text; its *LangError names the trimmed tag
	}{
		{in: "en", want: "en"},
		{in: "zh-hant", want: "zh-Hant"},
		{in: "ZH-HANT", want: "zh-Hant"},
		{in: "en-gb", want: "en-GB"},
		{in: "zh-Hant-HK", want: "zh-Hant-HK"},
		{in: "zh_TW", err: `feeds: language tag "zh_TW": use - not _`},
		{in: "english", err: `feeds: language tag "english": language: tag is not well-formed`},
		{in: "", err: "feeds: empty language tag"},
		{in: " \t", err: "feeds: empty language tag"},
		{in: " x ", err: `feeds: language tag "x": language: tag is not well-formed`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CanonicalLang(tt.in)
			if tt.err == "" {
				if err != nil || got != tt.want {
					t.Fatalf("CanonicalLang(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var le *LangError
			if !errors.As(err, &le) {
				t.Fatalf("CanonicalLang(%q) = %q, %v; want a *LangError", tt.in, got, err)
			}
			if err.Error() != tt.err || le.Tag != strings.TrimSpace(tt.in) || (le.Tag != "") != (le.Err != nil) {
				t.Errorf("CanonicalLang(%q) error %q, Tag %q, Err %v; want %q", tt.in, err, le.Tag, le.Err, tt.err)
			}
		})
	}
}

func TestMatchLang(t *testing.T) {
	tests := []struct {
		item, feed string
		want       bool
	}{
		{"en", "en", true},
		{"en-GB", "en", true},
		{"EN", "en", true},
		{"zh-Hant", "zh-hant", true},
		{"zh-Hant-HK", "zh-Hant", true},
		{"zh", "zh-Hant", false},
		{"zh-Hans", "zh-Hant", false},
		{"eng", "en", false},
		{"anything", "", true},
	}
	for _, tt := range tests {
		if got := MatchLang(tt.item, tt.feed); got != tt.want {
			t.Errorf("MatchLang(%q, %q) = %v, want %v", tt.item, tt.feed, got, tt.want)
		}
	}
}
