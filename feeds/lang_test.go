package feeds

import "testing"

func TestCanonicalLang(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "en", want: "en"},
		{in: "zh-hant", want: "zh-Hant"},
		{in: "ZH-HANT", want: "zh-Hant"},
		{in: "en-gb", want: "en-GB"},
		{in: "zh-Hant-HK", want: "zh-Hant-HK"},
		{in: "zh_TW", bad: true},
		{in: "english", bad: true},
		{in: "", bad: true},
		{in: "x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CanonicalLang(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("CanonicalLang(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CanonicalLang(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
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
