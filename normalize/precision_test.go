package normalize

import (
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// TestPrecision: an item records how much of its date its story stated —
// a time, a day (explicit or written in its text), or nothing.
func TestPrecision(t *testing.T) {
	n := newTestNormalizer(t)
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	day := time.Date(2025, 3, 12, 0, 0, 0, 0, hongKong(t))
	files := []sources.Story{
		{File: "news.txt", Line: 1, Title: "Timed", Text: []string{"a"}, Published: hkt(t, 2025, 3, 13, 9, 30, 0)},
		{File: "news.txt", Line: 4, Position: 1, Title: "Day only", Text: []string{"b"}, Published: day, DateOnly: true},
		{File: "news.txt", Line: 7, Position: 2, Title: "Day in text", Text: []string{"On 11 March the team won."}},
		{File: "news.txt", Line: 10, Position: 3, Title: "Undated", Text: []string{"c"}},
	}
	items, err := n.Items(Source{Name: "newsroom", Language: "en"}, now, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{feeds.PrecisionExact, feeds.PrecisionDay, feeds.PrecisionDay, feeds.PrecisionDerived}
	for i, it := range items {
		if it.Precision != want[i] {
			t.Errorf("%s: precision %q, want %q", it.Title, it.Precision, want[i])
		}
	}
	up, err := n.Items(Source{Name: "up", Language: "en", Feed: true}, now, []sources.Story{
		{File: "https://up.example/feed", Title: "Dated", Link: "https://up.example/1", Published: hkt(t, 2025, 3, 13, 8, 0, 0)},
		{File: "https://up.example/feed", Position: 1, Title: "Undated", Link: "https://up.example/2"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up[0].Precision != feeds.PrecisionExact || up[1].Precision != feeds.PrecisionDerived {
		t.Errorf("upstream precisions %q, %q", up[0].Precision, up[1].Precision)
	}
}
