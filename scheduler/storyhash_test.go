package scheduler

import (
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// TestStoryHashCoversEveryField: changing any field of a story but its
// position and line changes its hash. A field added to sources.Story fails
// here until storyHash writes it.
func TestStoryHashCoversEveryField(t *testing.T) {
	base := sources.Story{
		File: "https://wire.example.org/feed", Line: 3, Position: 2, ID: "urn:a", Title: "T", TitleHTML: true,
		Link: "https://wire.example.org/a", Base: "https://wire.example.org/", ContentBase: "https://wire.example.org/c/",
		Summary: "S", SummaryHTML: true, Content: "<p>C</p>", Text: []string{"p1", "p2"},
		Authors: []feeds.Person{{Name: "N", Email: "e@example.org", URL: "https://example.org/"}}, Categories: []string{"c1"},
		Language: "en", FeedLanguage: "en-us", Image: "https://wire.example.org/i.png",
		Enclosures: []feeds.Enclosure{{URL: "https://wire.example.org/a.mp3", Type: "audio/mpeg", Length: 10}},
		Published:  time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC), DateOnly: true, Updated: time.Date(2025, 3, 13, 9, 0, 0, 0, time.UTC),
		Year: 2025, DateText: "12 March", Origin: &feeds.Origin{Title: "O", ID: "urn:o", Link: "https://wire.example.org/"},
		TranslationKey: "k", Translations: []feeds.Translation{{Language: "zh-Hant", URL: "https://wire.example.org/zh/a"}},
	}
	want := storyHash("key", &base)
	if storyHash("other key", &base) == want {
		t.Error("another key gives the same hash")
	}
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		c := base
		c.Text = append([]string(nil), base.Text...)
		c.Authors = append([]feeds.Person(nil), base.Authors...)
		c.Categories = append([]string(nil), base.Categories...)
		c.Enclosures = append([]feeds.Enclosure(nil), base.Enclosures...)
		c.Translations = append([]feeds.Translation(nil), base.Translations...)
		o := *base.Origin
		c.Origin = &o
		f := reflect.ValueOf(&c).Elem().Field(i)
		switch name {
		case "Text", "Categories":
			f.Index(0).SetString("changed")
		case "Authors":
			c.Authors[0].Email = "changed@example.org"
		case "Enclosures":
			c.Enclosures[0].Length = 11
		case "Translations":
			c.Translations[0].Language = "zh-Hans"
		case "Origin":
			c.Origin.Link = "https://changed.example.org/"
		case "Published", "Updated":
			f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Second)))
		default:
			switch f.Kind() {
			case reflect.String:
				f.SetString(f.String() + "x")
			case reflect.Bool:
				f.SetBool(!f.Bool())
			case reflect.Int:
				f.SetInt(f.Int() + 1)
			default:
				t.Fatalf("field %s of kind %s: teach this test and storyHash about it", name, f.Kind())
			}
		}
		got := storyHash("key", &c)
		if moves := name != "Line" && name != "Position"; moves == (got == want) {
			t.Errorf("changing %s: hash changed %v, want %v", name, got != want, moves)
		}
	}
}
