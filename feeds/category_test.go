package feeds

import "testing"

func TestCategorySlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Research", "research"},
		{"Campus & Community", "campus-community"},
		{"  R&D / AI  ", "r-d-ai"},
		{"Café Talks", "caf-talks"},
		{"研究", ""}, // no ASCII words: a hash, checked below
	} {
		got := CategorySlug(tc.in)
		if tc.in == "研究" {
			if len(got) != 8 || got != CategorySlug("研究") {
				t.Errorf("CategorySlug(%q) = %q, want 8 stable hex digits", tc.in, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("CategorySlug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if CategoryKey("RESEARCH") != CategoryKey(" research ") || CategoryKey("Cafe\u0301") != CategoryKey("Café") {
		t.Error("CategoryKey does not fold case and normalize")
	}
}
