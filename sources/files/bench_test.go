package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// minifiedJSON returns a JSON array of n stories on one line, as a CMS
// exports them, about 1 KB a story.
func minifiedJSON(n int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	body := strings.Repeat("Lorem ipsum dolor sit amet, 中文 consectetur adipiscing elit. ", 12)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"title":"Story %d","date":"2025-03-13T09:30:00Z","id":"story-%d","link":"https://www.example.edu/news/%d",`+
			`"author":{"name":"Ann Lee","email":"ann@example.edu"},"categories":["News","Campus"],"tags":"robotics",`+
			`"summary":"Summary of story %d.","text":%q}`, i, i, i, i, body)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// BenchmarkMinifiedJSON reads a 5 MB single-line JSON file of 5,000
// stories through the source: positions must cost nothing until an error
// needs one, or a minified file takes quadratic time.
func BenchmarkMinifiedJSON(b *testing.B) {
	benchmarkMinifiedJSON(b, 5000)
}

func benchmarkMinifiedJSON(b *testing.B, n int) {
	dir := b.TempDir()
	data := minifiedJSON(n)
	if err := os.WriteFile(filepath.Join(dir, "export.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	src := New("newsroom", dir, Options{})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Stories) != n || len(res.Problems) != 0 {
			b.Fatalf("%d stories, problems %v", len(res.Stories), res.Problems)
		}
	}
}
