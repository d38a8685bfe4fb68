// Package storetest holds the behaviour suite that every store.Store must
// pass, so that the SQLite and PostgreSQL stores keep the same items, ids,
// slugs, dates and order. A backend's tests call Run with a function that
// opens an empty store.
package storetest

import (
	"context"
	"path"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// Opener opens an empty store for one test and closes it when the test
// ends.
type Opener func(t *testing.T) store.Store

// Run runs every behaviour of the suite as a subtest. open is called once
// for each store a subtest needs and must return an empty one.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"ItemRoundTrip", testItemRoundTrip},
		{"UpsertKeepsFirstValues", testUpsertKeepsFirstValues},
		{"UpsertChangedCount", testUpsertChangedCount},
		{"UpsertFirstSourceKeeps", testUpsertFirstSourceKeeps},
		{"UpsertWithinOneBatch", testUpsertWithinOneBatch},
		{"Slugs", testSlugs},
		{"SlugsAcrossSources", testSlugsAcrossSources},
		{"ItemsLanguage", testItemsLanguage},
		{"ItemsOrderLimitSource", testItemsOrderLimitSource},
		{"ItemsByteOrder", testItemsByteOrder},
		{"ItemsUnlinked", testItemsUnlinked},
		{"Newest", testNewest},
		{"HeldAndRelease", testHeldAndRelease},
		{"HeldItemFollowsItsDate", testHeldItemFollowsItsDate},
		{"Remove", testRemove},
		{"FailedUpsertWritesNothing", testFailedUpsertWritesNothing},
		{"ApplyOrder", testApplyOrder},
		{"ApplyRetain", testApplyRetain},
		{"FailedApplyWritesNothing", testFailedApplyWritesNothing},
		{"Version", testVersion},
		{"Manifest", testManifest},
		{"Sequence", testSequence},
		{"Values", testValues},
		{"Files", testFiles},
		{"FilesHeldItem", testFilesHeldItem},
		{"StoryHashes", testStoryHashes},
		{"ItemsByIDsLinksFiles", testItemsByIDsLinksFiles},
		{"ItemsByTranslationKeys", testItemsByTranslationKeys},
		{"StateRoundTrip", testStateRoundTrip},
		{"StateUnknownSource", testStateUnknownSource},
		{"StateBesideItems", testStateBesideItems},
		{"SubscriptionsNames", testSubscriptionsNames},
		{"SubscriptionsStable", testSubscriptionsStable},
		{"FirstRunRecordedOnce", testFirstRunRecordedOnce},
		{"FirstRunRejectsBadDay", testFirstRunRejectsBadDay},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentSlugs", testConcurrentSlugs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open) })
	}
}

// at is a UTC time on 12 March 2025.
func at(hour, min, sec int) time.Time {
	return time.Date(2025, time.March, 12, hour, min, sec, 0, time.UTC)
}

// item is a small released item of a listing.
func item(id string, published time.Time) feeds.Item {
	return feeds.Item{
		ID:        id,
		Source:    "newsroom",
		Title:     "Title of " + id,
		Language:  "en",
		Published: published,
		Updated:   published,
		FirstSeen: published,
	}
}

// fullItem sets every field of feeds.Item.
func fullItem() feeds.Item {
	return feeds.Item{
		ID:      "tag:example.edu,2025-03-12:newsroom/minister",
		Source:  "newsroom",
		Title:   "Minister of Education Meets HKUST Delegation",
		Link:    "https://www.example.edu/news/minister?id=7",
		Summary: "教育部長 met the delegation.",
		Content: "<p>教育部長 met the <b>delegation</b>.</p>",
		Authors: []feeds.Person{
			{Name: "Newsroom", Email: "news@example.edu", URL: "https://www.example.edu/"},
			{Name: "陳大文"},
		},
		Categories: []string{"News", "Press Release"},
		Language:   "zh-Hant",
		Image:      "https://www.example.edu/img/minister.jpg",
		Enclosures: []feeds.Enclosure{
			{URL: "https://www.example.edu/a.mp3", Type: "audio/mpeg", Length: 1234567},
			{URL: "https://www.example.edu/b.jpg", Type: "image/jpeg"},
		},
		Published:      time.Date(2025, time.March, 12, 16, 1, 0, 0, time.UTC),
		Updated:        time.Date(2025, time.March, 13, 2, 30, 15, 0, time.UTC),
		Precision:      feeds.PrecisionDay,
		TranslationKey: "minister-2025",
		Translations: []feeds.Translation{
			{Language: "en", ID: "https://engineering.example.edu/en/minister", URL: "https://engineering.example.edu/en/minister"},
			{Language: "zh-Hans", URL: "https://engineering.example.edu/zh-hans/minister"},
		},
		Origin: &feeds.Origin{
			Title: "Engineering News",
			ID:    "https://engineering.example.edu/feed.xml",
			Link:  "https://engineering.example.edu/",
		},
		File:      "listings/2025-03.txt",
		Position:  3,
		FirstSeen: time.Date(2025, time.March, 14, 9, 0, 0, 0, time.UTC),
		Slug:      "minister-of-education-meets-hkust-delegation",
		Held:      true,
	}
}

func withLink(it feeds.Item, link string) feeds.Item {
	it.Link = link
	return it
}

func withSlug(it feeds.Item, slug string) feeds.Item {
	it.Slug = slug
	return it
}

func held(it feeds.Item) feeds.Item {
	it.Held = true
	return it
}

// backend is the name of the package that implements s ("sqlite",
// "postgres"): the prefix of every error it returns.
func backend(s store.Store) string {
	t := reflect.TypeOf(s)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return path.Base(t.PkgPath())
}

// ids lists the items' ids; never nil, so an empty result compares equal
// to []string{}.
func ids(items []feeds.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// slugs maps every stored item's id, held ones included, to its slug.
func slugs(t *testing.T, s store.Store) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, it := range mustItems(t, s, store.Query{IncludeHeld: true}) {
		got[it.ID] = it.Slug
	}
	return got
}

func mustUpsert(t *testing.T, s store.Store, source string, items ...feeds.Item) int {
	t.Helper()
	n, err := Upsert(context.Background(), s, source, items)
	if err != nil {
		t.Fatalf("Upsert(%q): %v", source, err)
	}
	return n
}

// mustItems reads q's items without Seq and Rev, which every write moves:
// the suite compares items by what they hold, and testSequence tests the
// two numbers.
func mustItems(t *testing.T, s store.Store, q store.Query) []feeds.Item {
	t.Helper()
	items, err := s.Items(context.Background(), q)
	if err != nil {
		t.Fatalf("Items(%+v): %v", q, err)
	}
	for i := range items {
		items[i].Seq, items[i].Rev = 0, 0
	}
	return items
}

func mustApply(t *testing.T, s store.Store, source string, b store.Batch) store.Applied {
	t.Helper()
	done, err := s.Apply(context.Background(), source, b)
	if err != nil {
		t.Fatalf("Apply(%q): %v", source, err)
	}
	return done
}
