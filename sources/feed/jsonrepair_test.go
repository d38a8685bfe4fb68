package feed

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestJSONMistypedFields: a JSON Feed field whose value is not of the type
// the spec gives it fails gofeed's whole parse; it is left out where it
// has that type, and everything else of the feed and its items is read.
// A document that is not JSON still fails.
func TestJSONMistypedFields(t *testing.T) {
	const feedURL = "https://j.example/feed.json"
	tests := []struct {
		name, doc string
		titles    []string // the items'
		authors   []int    // how many authors each item keeps
		leftOut   []string
	}{
		{"an item's authors an object",
			`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
			{"id":"1","title":"Good","content_text":"ok","authors":[{"name":"A"}]},
			{"id":"2","title":"Bad authors","content_text":"x","authors":{"name":"B"}}]}`,
			[]string{"Good", "Bad authors"}, []int{1, 0}, []string{"items.authors"}},
		{"several, in items and the feed",
			`{"version":"https://jsonfeed.org/version/1.1","title":"J","language":7,"items":[
			{"id":"1","title":"One","content_text":"a","tags":"news"},
			{"id":"2","title":"Two","content_text":"b","tags":["x"],"authors":{"name":"B"}},
			{"id":"3","title":"Three","content_text":"c","image":42}]}`,
			[]string{"One", "Two", "Three"}, []int{0, 0, 0}, []string{"language", "items.tags", "items.authors", "items.image"}},
		{"well typed: nothing left out",
			`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","title":"One","content_text":"a"}]}`,
			[]string{"One"}, []int{0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New("up", feedURL, testOptions(t))
			p, err := s.parse(feedURL, []byte(tt.doc), "application/feed+json", nil)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for i, st := range p.stories(time.UTC) {
				titles = append(titles, st.Title)
				if i < len(tt.authors) && len(st.Authors) != tt.authors[i] {
					t.Errorf("item %d: authors %+v, want %d", i, st.Authors, tt.authors[i])
				}
			}
			if !slices.Equal(titles, tt.titles) {
				t.Errorf("titles %q, want %q", titles, tt.titles)
			}
			slices.Sort(p.leftOut)
			want := slices.Clone(tt.leftOut)
			slices.Sort(want)
			if !slices.Equal(p.leftOut, want) {
				t.Errorf("left out %q, want %q", p.leftOut, want)
			}
		})
	}
	s := New("up", feedURL, testOptions(t))
	if _, err := s.parse(feedURL, []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,}]}`), "application/feed+json", nil); !errors.Is(err, ErrParse) {
		t.Errorf("broken JSON: %v, want ErrParse", err)
	}
}
