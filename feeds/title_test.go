package feeds

import (
	"strings"
	"testing"
	"time"
)

func TestDisplayTitle(t *testing.T) {
	hk := time.FixedZone("HKT", 8*3600)
	date := time.Date(2025, 3, 13, 20, 0, 0, 0, time.UTC) // 14 March in Hong Kong
	long := strings.Repeat("word ", 20)                   // 100 runes, no sentence end
	for _, tc := range []struct {
		name string
		it   Item
		zone *time.Location
		want string
	}{
		{"title wins", Item{Title: "Open Day", Summary: "Come. See."}, hk, "Open Day"},
		{"sentence end within 80", Item{Summary: "Good morning! The sun is out."}, hk, "Good morning!"},
		{"question", Item{Summary: "Anyone up? Me."}, hk, "Anyone up?"},
		{"dot inside a word is no end", Item{Summary: "Version 3.5 is out. Try it."}, hk, "Version 3.5 is out."},
		{"no sentence end, short", Item{Summary: "Good morning"}, hk, "Good morning"},
		{"sentence end after 80", Item{Summary: long + "end."}, hk, strings.TrimSpace(strings.Repeat("word ", 16)) + "…"},
		{"over 80 cut", Item{Summary: strings.Repeat("a", 81)}, hk, strings.Repeat("a", 80) + "…"},
		{"exactly 80", Item{Summary: strings.Repeat("a", 80)}, hk, strings.Repeat("a", 80)},
		{"CJK full stop", Item{Summary: "今日開放。歡迎參觀"}, hk, "今日開放。"},
		{"CJK cut on a character", Item{Summary: strings.Repeat("開", 90)}, hk, strings.Repeat("開", 80) + "…"},
		{"no text: link", Item{Link: "https://up.example.org/photos/7?x=1#y", Published: date}, hk, "up.example.org/photos/7"},
		{"no text: bare host", Item{Link: "https://up.example.org/", Published: date}, hk, "up.example.org"},
		{"white space title and summary: link", Item{Title: " \n", Summary: "  ", Link: "https://up.example.org/a"}, hk, "up.example.org/a"},
		{"no link: date in the site zone", Item{Published: date}, hk, "14 March 2025"},
		{"no link: nil zone is UTC", Item{Published: date}, nil, "13 March 2025"},
		{"nothing", Item{}, hk, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DisplayTitle(tc.it, tc.zone); got != tc.want {
				t.Errorf("DisplayTitle = %q, want %q", got, tc.want)
			}
		})
	}
}
