package normalize

import (
	"strings"
	"testing"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
)

// sampleName is the file name of sampleStories' listing.
const sampleName = "listing.txt"

// sampleStories are the stories of the project's own news listing, which
// has the shared sample's shape and dates (testenv.Newsroom), so the tests
// of the ordering rules run wherever the repository is.
func sampleStories(t testing.TB) []sources.Story {
	t.Helper()
	return listingStories(t, testenv.Newsroom())
}

// listingStories reads a listing and splits it into its stories as the
// files source would: Text paragraphs, the category line, Year 2025,
// positions 0..7.
func listingStories(t testing.TB, l testenv.Listing) []sources.Story {
	t.Helper()
	lines := strings.Split(string(l.Raw(t)), "\n")
	var stories []sources.Story
	next := 0
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if next < len(l.Titles) && line == l.Titles[next] {
			stories = append(stories, sources.Story{
				File:       l.Name,
				Line:       i, // 1-based line of the category line above
				Position:   next,
				Title:      line,
				Categories: []string{strings.TrimSpace(lines[i-1])},
				Year:       2025,
			})
			next++
			continue
		}
		if len(stories) == 0 || line == "" || next < len(l.Titles) && line == l.Label && strings.TrimSpace(lines[i+1]) == l.Titles[next] {
			continue
		}
		s := &stories[len(stories)-1]
		s.Text = append(s.Text, line)
	}
	if len(stories) != len(l.Titles) {
		t.Fatalf("%s: split %d stories, want %d", l.Name, len(stories), len(l.Titles))
	}
	return stories
}
