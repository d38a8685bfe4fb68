package normalize

import (
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

func TestIDs(t *testing.T) {
	const prefix = "tag:" + testHost + "," + testFirstRun + ":"
	hk := hongKong(t)
	tests := []struct {
		name  string
		feed  bool
		story sources.Story
		want  string
	}{
		// RFC 4151: the specific part is pchar / "/" / "?"; space, "#", "%"
		// and non-ASCII bytes must be percent-encoded.
		{"explicit relative key escaped", false,
			sources.Story{ID: "2025/03 news#1 é%", Title: "T"},
			prefix + "newsroom/2025/03%20news%231%20%C3%A9%25"},
		{"explicit key with tag-safe punctuation", false,
			sources.Story{ID: "a-b_c.d~e:f@g!$&'()*+,;=?", Title: "T"},
			prefix + "newsroom/a-b_c.d~e:f@g!$&'()*+,;=?"},
		{"explicit absolute URI kept whole", false,
			sources.Story{ID: "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", Title: "T"},
			prefix + "newsroom/urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"},
		{"explicit http URI kept whole", false,
			sources.Story{ID: "https://www.example.edu/news/a%20b?x=1#top", Title: "T"},
			prefix + "newsroom/https://www.example.edu/news/a%20b?x=1#top"},
		{"explicit key with a scheme but not a URI escaped", false,
			sources.Story{ID: "note:a b", Title: "T"},
			prefix + "newsroom/note:a%20b"},
		{"title hash", false,
			sources.Story{Title: "Café news"},
			prefix + "newsroom/" + hash16("Café news")},
		{"title hash with odd white space", false,
			sources.Story{Title: "  Café\t\n news \u00a0"},
			prefix + "newsroom/" + hash16("Café news")},
		{"title hash of NFD input is that of NFC", false,
			sources.Story{Title: "Cafe\u0301 news"},
			prefix + "newsroom/" + hash16("Café news")},
		{"title hash of HTML title is that of its text", false,
			sources.Story{Title: "<b>Café</b> news", TitleHTML: true},
			prefix + "newsroom/" + hash16("Café news")},
		{"upstream https guid kept", true,
			sources.Story{ID: "https://up.example.org/p/1", Title: "T", Link: "https://up.example.org/other"},
			"https://up.example.org/p/1"},
		{"upstream tag guid kept", true,
			sources.Story{ID: "tag:up.example.org,2020:post-1", Title: "T"},
			"tag:up.example.org,2020:post-1"},
		{"upstream urn guid kept", true,
			sources.Story{ID: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", Title: "T"},
			"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"},
		{"upstream opaque guid hashed", true,
			sources.Story{ID: "12345", Title: "T", Link: "https://up.example.org/p/1"},
			prefix + "up/" + hash16("12345")},
		{"upstream mailto guid hashed", true,
			sources.Story{ID: "mailto:a@example.org", Title: "T"},
			prefix + "up/" + hash16("mailto:a@example.org")},
		{"upstream link hashed", true,
			sources.Story{Title: "T", Link: "https://up.example.org/p/2"},
			prefix + "up/" + hash16("https://up.example.org/p/2")},
		{"upstream title and date hashed", true,
			sources.Story{Title: "Up title", Published: time.Date(2025, 3, 14, 10, 0, 0, 0, hk)},
			prefix + "up/" + hash16("Up title\n2025-03-14T02:00:00Z")},
		{"upstream title without date hashed", true,
			sources.Story{Title: "Up title"},
			prefix + "up/" + hash16("Up title\n")},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Source{Name: "newsroom"}
			if tt.feed {
				src = Source{Name: "up", Feed: true}
			}
			for _, now := range []time.Time{hkt(t, 2025, 3, 14, 10, 0, 0), hkt(t, 2026, 1, 1, 0, 0, 0)} {
				for _, pos := range []int{0, 7} {
					st := tt.story
					st.Position = pos
					items, err := n.Items(src, now, []sources.Story{st}, nil)
					if err != nil {
						t.Fatal(err)
					}
					if got := items[0].ID; got != tt.want {
						t.Errorf("now %v position %d: id = %q, want %q", now, pos, got, tt.want)
					}
				}
			}
		})
	}
}

func TestSlug(t *testing.T) {
	long := "The Hong Kong University of Science and Technology today announces its Net-Zero Action Plan for all"
	tests := []struct {
		name, title, id, want string
	}{
		{"ascii words", "Minister of Education Meets HKUST Delegation (Chinese Version Only)", "x",
			"minister-of-education-meets-hkust-delegation-chinese-version-only"},
		{"punctuation splits words", "HK$30 million: Net-Zero!", "x", "hk-30-million-net-zero"},
		{"accents folded", "Café Crème", "x", "cafe-creme"},
		{"cut at a word boundary", long, "x",
			"the-hong-kong-university-of-science-and-technology-today-announces-its-net-zero"},
		{"one long word cut at 80", "a" + strings.Repeat("b", 99), "x", "a" + strings.Repeat("b", 79)},
		{"no ascii word: hash of the id", "香港科技大學新聞", "tag:x,2025-03-14:s/abc", hash16("tag:x,2025-03-14:s/abc")},
		{"ascii words without a letter: hash of the id", "2026 年資訊日吸引逾三萬人次參觀", "tag:x,2025-03-14:s/def", hash16("tag:x,2025-03-14:s/def")},
		{"digits only: hash of the id", "2025 - 2026", "tag:x,2025-03-14:s/ghi", hash16("tag:x,2025-03-14:s/ghi")},
		{"digits beside a letter", "2026 年 Info Day 資訊日", "x", "2026-info-day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slugify(tt.title, tt.id)
			if got != tt.want {
				t.Errorf("slugify(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if len(got) > 80 {
				t.Errorf("slug has %d characters, more than 80", len(got))
			}
		})
	}
}
