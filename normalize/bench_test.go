package normalize

import (
	"fmt"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// benchStories are n stories, alternately English and Traditional Chinese,
// each with about 3 KB of HTML content holding links, images and markup to
// strip.
func benchStories(n int) []sources.Story {
	en := `<p>The Hong Kong University of Science and Technology (HKUST) today announces its <a href="/plan">Net-Zero Action Plan</a>, ` +
		`the first among higher education institutions in Hong Kong, <b onclick="x()">aimed at net-zero emissions by 2045</b>.</p>`
	zh := `<p>3月13日,國家教育部部長懷進鵬在京會見<a href="https://hkust.edu.hk/">香港科技大學</a>校董會主席沈向洋、校長葉玉如一行,` +
		`就推進高水準大學建設、高等教育交流與科研合作進行深入探討。<img src="img/a.png" alt="合照"></p>`
	stories := make([]sources.Story, n)
	for i := range stories {
		para, title := en, fmt.Sprintf("HKUST Launches Research Center %d", i)
		if i%2 == 1 {
			para, title = zh, fmt.Sprintf("國家教育部部長會見香港科技大學代表團 %d", i)
		}
		var b strings.Builder
		for b.Len() < 3000 {
			b.WriteString(para)
		}
		b.WriteString(`<script>alert(1)</script>`)
		stories[i] = sources.Story{
			File: fmt.Sprintf("f%d.md", i/50), Position: i % 50, Line: 1,
			Title: title, Content: b.String(), Year: 2025,
			Categories: []string{"News"},
		}
	}
	return stories
}

func BenchmarkItems(b *testing.B) {
	for _, size := range []int{1000, 10000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			n := newTestNormalizer(b)
			stories := benchStories(size)
			now := hkt(b, 2025, 3, 14, 10, 0, 0)
			src := Source{Name: "newsroom", Language: "en"}
			b.ReportAllocs()
			for b.Loop() {
				items, err := n.Items(src, now, stories, nil)
				if err != nil || len(items) != len(stories) {
					b.Fatalf("%d items, %v", len(items), err)
				}
			}
		})
	}
}
