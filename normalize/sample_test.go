package normalize

import (
	"os"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
)

const sampleName = "000_4b135a03a8bb7209.txt"

// sampleTitles are the 8 story titles of the sample listing, top first; the
// line before each is its category line.
var sampleTitles = []string{
	"The Race to Zero: HKUST Unveils First Comprehensive Net-Zero Action Plan Among Local Universities",
	"Minister of Education Meets HKUST Delegation (Chinese Version Only)",
	"Minister of National Health Commission Meets HKUST Delegation (Chinese Version Only)",
	"HKUST and SIIC Launch Hong Kong Biotechnology Fund for HKUST and Hong Kong Life Science Ventures",
	"Director of Hong Kong and Macao Work Office of CPC Central Committee and Hong Kong and Macao Affairs Office of State Council Meets HKUST Delegation (Chinese Version Only)",
	"Vice Minister of Education Dr. WU Yan Leads Delegation to HKUST",
	"Opening of HKUST Shanghai Center in Xuhui District",
	"HKUST Launches Low Altitude Economy Research Center",
}

// sampleStories reads the shared sample listing (<repo root>/../shared/samples)
// and splits it into its 8 stories, as the files source would: Text
// paragraphs, the category line, Year 2025, positions 0..7.
func sampleStories(t testing.TB) []sources.Story {
	t.Helper()
	raw, err := os.ReadFile(testenv.SamplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var stories []sources.Story
	next := 0
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if next < len(sampleTitles) && line == sampleTitles[next] {
			stories = append(stories, sources.Story{
				File:       sampleName,
				Line:       i, // 1-based line of the category line above
				Position:   next,
				Title:      line,
				Categories: []string{strings.TrimSpace(lines[i-1])},
				Year:       2025,
			})
			next++
			continue
		}
		if len(stories) == 0 || line == "" || next < len(sampleTitles) && line == "News" && strings.TrimSpace(lines[i+1]) == sampleTitles[next] {
			continue
		}
		s := &stories[len(stories)-1]
		s.Text = append(s.Text, line)
	}
	if len(stories) != len(sampleTitles) {
		t.Fatalf("split %d stories, want %d", len(stories), len(sampleTitles))
	}
	return stories
}
