package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/feeds"
)

// TestStoryPageImage: a story page shows its item's picture above the text
// and names it for link previews; a picture the text shows already (the
// content's first, taken as the item's image) is not shown twice.
func TestStoryPageImage(t *testing.T) {
	dir := t.TempDir()
	items := []feeds.Item{
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/photo", Source: "newsroom", Title: "Photo of the Day", Slug: "photo",
			Content: "<p>The harbour at dawn.</p>", Language: "en", Image: "https://www.example.edu/images/dawn.jpg?w=1&h=2",
			Published: at(13, 0, 0), Updated: at(13, 0, 0),
		},
		{
			ID: "tag:feeds.example.edu,2025-03-13:newsroom/inline", Source: "newsroom", Title: "Inline Picture", Slug: "inline",
			Content: `<p><img src="https://www.example.edu/images/a.jpg?w=1&amp;h=2"/> Caption.</p>`, Language: "en",
			Image:     "https://www.example.edu/images/a.jpg?w=1&h=2",
			Published: at(12, 0, 0), Updated: at(12, 0, 0),
		},
	}
	publish(t, &fakeStore{items: items}, testOptions(dir))
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, "stories", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	photo, inline := read("photo.html"), read("inline.html")
	for _, want := range []string{
		`<meta property="og:image" content="https://www.example.edu/images/dawn.jpg?w=1&amp;h=2">`,
		`<figure><img src="https://www.example.edu/images/dawn.jpg?w=1&amp;h=2" alt=""></figure>`,
	} {
		if !strings.Contains(photo, want) {
			t.Errorf("photo page lacks %s:\n%s", want, photo)
		}
	}
	if !strings.Contains(inline, `<meta property="og:image" content="https://www.example.edu/images/a.jpg?w=1&amp;h=2">`) || strings.Contains(inline, "<figure>") {
		t.Errorf("inline page: want og:image and no figure:\n%s", inline)
	}
}
