package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// stamp is a fingerprint of path taken under rules.
func stamp(path string, size int64, mtime time.Time, hash, rules string) store.FileStamp {
	return store.FileStamp{FileStamp: sources.FileStamp{Path: path, Size: size, ModTime: mtime, Hash: hash}, Rules: rules}
}

// testFiles: file fingerprints round-trip to the nanosecond, in path
// order, per source; a save replaces a path's, Unfile deletes, and neither
// is a content change. A failed batch saves none.
func testFiles(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if files, err := s.Files(ctx, "newsroom"); err != nil || len(files) != 0 {
		t.Fatalf("new store: Files = %+v, %v; want none", files, err)
	}
	mtime := time.Date(2025, 3, 12, 9, 30, 15, 123456789, time.UTC)
	b := stamp("b/listing.txt", 2048, mtime, "beef", "r1")
	a := stamp("a.md", 10, mtime.Add(time.Nanosecond), "cafe", "r1")
	broken := stamp("c.json", 0, time.Time{}, "", "r1")
	mustApply(t, s, "newsroom", store.Batch{Files: []store.FileStamp{b, a, broken}})
	mustApply(t, s, "partner", store.Batch{Files: []store.FileStamp{stamp("a.md", 1, mtime, "00", "r2")}})
	got, err := s.Files(ctx, "newsroom")
	if want := []store.FileStamp{a, b, broken}; err != nil || !sameStamps(got, want) {
		t.Errorf("Files = %+v, %v; want %+v", got, err, want)
	}

	a2 := stamp("a.md", 11, mtime.Add(time.Second), "f00d", "r2")
	mustApply(t, s, "newsroom", store.Batch{Files: []store.FileStamp{a2}, Unfile: []string{"b/listing.txt", "unknown.md"}})
	got, err = s.Files(ctx, "newsroom")
	if want := []store.FileStamp{a2, broken}; err != nil || !sameStamps(got, want) {
		t.Errorf("after a save and an Unfile: Files = %+v, %v; want %+v", got, err, want)
	}
	if other, err := s.Files(ctx, "partner"); err != nil || len(other) != 1 || other[0].Rules != "r2" {
		t.Errorf("partner's Files = %+v, %v; want its own one", other, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 0 {
		t.Errorf("Version after fingerprints only = %d, %v; want 0", v, err)
	}

	// A batch that fails saves no fingerprint either.
	bad := store.Batch{
		Items: []feeds.Item{{ID: "", Title: "no id"}},
		Files: []store.FileStamp{stamp("z.md", 1, mtime, "11", "r1")},
	}
	if _, err := s.Apply(ctx, "newsroom", bad); err == nil {
		t.Fatal("Apply of an item without an id succeeded")
	}
	got, err = s.Files(ctx, "newsroom")
	if want := []store.FileStamp{a2, broken}; err != nil || !sameStamps(got, want) {
		t.Errorf("after a failed batch: Files = %+v, %v; want %+v", got, err, want)
	}
}

// sameStamps compares fingerprints by value, times by instant.
func sameStamps(got, want []store.FileStamp) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.ModTime.Equal(w.ModTime) {
			return false
		}
		g.ModTime, w.ModTime = time.Time{}, time.Time{}
		if g != w {
			return false
		}
	}
	return true
}

// testFilesHeldItem: a file one of whose items another source holds is
// saved without its hash, so that it is read again.
func testFilesHeldItem(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	mustUpsert(t, s, "partner", withLink(item("urn:p", at(1, 0, 0)), "https://www.example.edu/news/a"))
	mine := withLink(item("urn:n", at(2, 0, 0)), "https://www.example.edu/news/a")
	mine.File = "a.md"
	other := item("urn:m", at(3, 0, 0))
	other.File = "b.md"
	mtime := time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)
	mustApply(t, s, "newsroom", store.Batch{
		Items: []feeds.Item{mine, other},
		Files: []store.FileStamp{stamp("a.md", 5, mtime, "aa", "r"), stamp("b.md", 6, mtime, "bb", "r")},
	})
	got, err := s.Files(ctx, "newsroom")
	want := []store.FileStamp{stamp("a.md", 5, mtime, "", "r"), stamp("b.md", 6, mtime, "bb", "r")}
	if err != nil || !sameStamps(got, want) {
		t.Errorf("Files = %+v, %v; want %+v", got, err, want)
	}
}

// testStoryHashes: an item keeps the hash of its story; the same content
// with a new hash takes the hash without counting as a change or moving
// Version; new content moves both.
func testStoryHashes(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if h, err := s.StoryHashes(ctx, "partner"); err != nil || len(h) != 0 {
		t.Fatalf("new store: StoryHashes = %v, %v; want none", h, err)
	}
	a, b := item("urn:a", at(1, 0, 0)), item("urn:b", at(2, 0, 0))
	done := mustApply(t, s, "partner", store.Batch{Items: []feeds.Item{a, b}, Hashes: map[string]string{"urn:a": "h1"}})
	if done.Changed != 2 {
		t.Errorf("first batch changed %d, want 2", done.Changed)
	}
	mustUpsert(t, s, "newsroom", item("urn:c", at(3, 0, 0)))
	if h, err := s.StoryHashes(ctx, "partner"); err != nil || !reflect.DeepEqual(h, map[string]string{"h1": "urn:a"}) {
		t.Errorf("StoryHashes = %v, %v; want h1 → urn:a", h, err)
	}
	v0, _ := s.Version(ctx)

	done = mustApply(t, s, "partner", store.Batch{Items: []feeds.Item{a, b}, Hashes: map[string]string{"urn:a": "h2", "urn:b": "h3"}})
	if done.Changed != 0 {
		t.Errorf("new hashes, same content: changed %d, want 0", done.Changed)
	}
	if v, err := s.Version(ctx); err != nil || v != v0 {
		t.Errorf("new hashes, same content: Version %d, %v; want %d", v, err, v0)
	}
	if h, err := s.StoryHashes(ctx, "partner"); err != nil || !reflect.DeepEqual(h, map[string]string{"h2": "urn:a", "h3": "urn:b"}) {
		t.Errorf("StoryHashes = %v, %v; want h2 → urn:a, h3 → urn:b", h, err)
	}

	a.Title = "A new title"
	done = mustApply(t, s, "partner", store.Batch{Items: []feeds.Item{a}, Hashes: map[string]string{"urn:a": "h4"}})
	if done.Changed != 1 {
		t.Errorf("new content: changed %d, want 1", done.Changed)
	}
	if v, err := s.Version(ctx); err != nil || v != v0+1 {
		t.Errorf("new content: Version %d, %v; want %d", v, err, v0+1)
	}
	if h, err := s.StoryHashes(ctx, "partner"); err != nil || !reflect.DeepEqual(h, map[string]string{"h4": "urn:a", "h3": "urn:b"}) {
		t.Errorf("StoryHashes = %v, %v; want h4 → urn:a, h3 → urn:b", h, err)
	}
	if got := mustItems(t, s, store.Query{Source: "partner"}); len(got) != 2 || got[1].Title != "A new title" {
		t.Errorf("items %+v, want urn:a retitled", got)
	}
}

// testItemsByIDsLinksFiles: Query.IDs and Query.LinkKeys select items by
// id and canonical link, an empty list selecting none; ExceptFiles leaves
// out the items of those files; each combines with the other filters.
func testItemsByIDsLinksFiles(t *testing.T, open Opener) {
	s := open(t)
	in := func(id, file, link string, hour int) feeds.Item {
		it := withLink(item(id, at(hour, 0, 0)), link)
		it.File = file
		return it
	}
	mustUpsert(t, s, "newsroom",
		in("urn:a", "a.md", "https://www.example.edu/news/a", 1),
		in("urn:b", "b/listing.txt", "", 2),
		held(in("urn:c", "b/listing.txt", "https://www.example.edu/news/c", 3)),
		in("urn:d", "d.json", "", 4))
	mustUpsert(t, s, "partner", in("urn:p", "https://wire.example.org/feed", "https://wire.example.org/p", 5))
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"ids", store.Query{IDs: []string{"urn:a", "urn:d", "urn:p", "urn:none"}}, []string{"urn:p", "urn:d", "urn:a"}},
		{"ids of a source, held ones too", store.Query{Source: "newsroom", IncludeHeld: true, IDs: []string{"urn:c", "urn:p"}}, []string{"urn:c"}},
		{"no ids", store.Query{IDs: []string{}}, []string{}},
		{"link keys", store.Query{IncludeHeld: true, LinkKeys: []string{feeds.CanonicalLink("https://www.example.edu/news/c"), feeds.CanonicalLink("https://wire.example.org/p")}}, []string{"urn:p", "urn:c"}},
		{"no link keys", store.Query{LinkKeys: []string{}}, []string{}},
		{"except files", store.Query{Source: "newsroom", IncludeHeld: true, ExceptFiles: []string{"b/listing.txt", "x.md"}}, []string{"urn:d", "urn:a"}},
		{"except files and ids", store.Query{Source: "newsroom", IDs: []string{"urn:a", "urn:b"}, ExceptFiles: []string{"a.md"}}, []string{"urn:b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustItems(t, s, tt.q)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Items(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

// testItemsByTranslationKeys: Query.TranslationKeys selects the items
// carrying one of the keys, released ones unless held ones are asked for,
// an empty list selecting none; items without a key are never selected.
func testItemsByTranslationKeys(t *testing.T, open Opener) {
	s := open(t)
	keyed := func(id, key string, hour int) feeds.Item {
		it := item(id, at(hour, 0, 0))
		it.TranslationKey = key
		return it
	}
	mustUpsert(t, s, "newsroom",
		keyed("urn:open-day-en", "open-day", 1),
		keyed("urn:open-day-zh", "open-day", 2),
		held(keyed("urn:open-day-fr", "open-day", 3)),
		keyed("urn:robotics-en", "robotics", 4),
		keyed("urn:quote", `it's "50%_off"`, 5),
		item("urn:none", at(6, 0, 0)))
	mustUpsert(t, s, "partner", keyed("urn:robotics-zh", "robotics", 7))
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"one key", store.Query{TranslationKeys: []string{"open-day"}}, []string{"urn:open-day-zh", "urn:open-day-en"}},
		{"held ones too", store.Query{IncludeHeld: true, TranslationKeys: []string{"open-day"}}, []string{"urn:open-day-fr", "urn:open-day-zh", "urn:open-day-en"}},
		{"two keys across sources", store.Query{TranslationKeys: []string{"robotics", "open-day", "gone"}},
			[]string{"urn:robotics-zh", "urn:robotics-en", "urn:open-day-zh", "urn:open-day-en"}},
		{"a key is matched whole, quotes and wildcards literal", store.Query{TranslationKeys: []string{`it's "50%_off"`, "open"}}, []string{"urn:quote"}},
		{"no keys", store.Query{TranslationKeys: []string{}}, []string{}},
		{"with a source", store.Query{Source: "newsroom", TranslationKeys: []string{"robotics"}}, []string{"urn:robotics-en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustItems(t, s, tt.q)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Items(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}
