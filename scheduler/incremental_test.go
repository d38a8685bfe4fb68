package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store"
)

// folderRun is one pass over s's story folder with the given rules'
// version ("" for this release's) and source language.
func (s *site) folderRun(rules, language string) (SourceReport, Report) {
	s.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := publish.New(s.store, publish.Options{
		Dir: s.out, BaseURL: "https://feeds.example.edu/", Title: "HKUST News",
		Link: "https://www.example.edu/news", Zone: hk,
		Languages: []publish.Language{{Tag: "en", Title: "HKUST News", MaxItems: 50}},
		MaxItems:  50,
	}, log)
	jobs := []Job{{
		Source: files.New("newsroom", s.stories, files.Options{Zone: hk}),
		Norm:   normalize.Source{Name: "newsroom", Language: language},
	}}
	sched := New(s.store, pub, normalize.NewLazyDetector(), jobs, Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news", Rules: rules},
		Now:       func() time.Time { return s.now },
	}, log)
	rep, err := sched.RunOnce(context.Background())
	if err != nil {
		s.t.Fatalf("RunOnce: %v", err)
	}
	return rep.Sources[0], rep
}

// stored is every stored item of the folder, held ones included, in the
// store's order.
func (s *site) stored() []feeds.Item {
	s.t.Helper()
	items, err := s.store.Items(context.Background(), store.Query{Source: "newsroom", IncludeHeld: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return items
}

func (s *site) version() int64 {
	s.t.Helper()
	v, err := s.store.Version(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (s *site) touch(name string, t time.Time) {
	s.t.Helper()
	if err := os.Chtimes(filepath.Join(s.stories, name), t, t); err != nil {
		s.t.Fatal(err)
	}
}

// byFile keeps the stored items of one file.
func byFile(items []feeds.Item, file string) []feeds.Item {
	var out []feeds.Item
	for _, it := range items {
		if it.File == file {
			out = append(out, it)
		}
	}
	return out
}

const (
	listingA = "Campus News\n2026\n\nCampus\nLibrary Opens Study Floors\nOn 20 November the library opens two floors.\n\n" +
		"Campus\nRepair Café Comes to the Piazza\nVolunteers fix appliances.\n\n" +
		"Campus\nBike Clinic Returns\nOn 18 November the bike clinic returns.\n"
	storyB = "---\ntitle: Open Day Draws Thirty Thousand\ndate: 2026-11-22\n---\n\nVisitors toured the campus.\n"
	jsonC  = `[{"title": "Alumni Mentorship Grows", "date": "2026-11-19T10:00:00+08:00", "text": "Five hundred pairs."},
 {"title": "Scholarship Fund Opens", "date": "2026-11-17", "text": "A new fund."}]`
)

// TestFolderUnchangedCostsNothing: a pass over a folder whose files did not
// change reads none of them (NotModified, like a 304), writes no item and
// leaves the content version, so publish has nothing to do; touching every
// file (new times, the same bytes) changes nothing either.
func TestFolderUnchangedCostsNothing(t *testing.T) {
	s := newSite(t)
	s.write("a.txt", listingA)
	s.write("b.md", storyB)
	s.write("c.json", jsonC)
	first, _ := s.folderRun("", "en")
	if first.Read != 3 || first.Stories != 6 || first.Changed != 6 {
		t.Fatalf("first pass: %+v, want 3 files read, 6 stories stored", first)
	}
	items, v := s.stored(), s.version()

	s.now = s.now.Add(time.Hour)
	again, rep := s.folderRun("", "en")
	if !again.NotModified || again.Read != 0 || again.Changed != 0 || again.Removed != 0 || len(rep.Published) != 0 {
		t.Errorf("no change: %+v, published %v; want not modified, nothing read or written", again, rep.Published)
	}
	if got := s.stored(); !reflect.DeepEqual(got, items) || s.version() != v {
		t.Errorf("no change moved the store: version %d → %d", v, s.version())
	}

	// Set an hour back: a time in the last seconds, or ahead, is not kept
	// (see files.FetchChanged).
	touchedAt := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, name := range []string{"a.txt", "b.md", "c.json"} {
		s.touch(name, touchedAt)
	}
	touched, rep := s.folderRun("", "en")
	if !touched.NotModified || touched.Read != 0 || touched.Changed != 0 || len(rep.Published) != 0 {
		t.Errorf("touched: %+v, published %v; want not modified, nothing read or written", touched, rep.Published)
	}
	if got := s.stored(); !reflect.DeepEqual(got, items) || s.version() != v {
		t.Errorf("touching moved the store: version %d → %d", v, s.version())
	}
	stamps, err := s.store.Files(context.Background(), "newsroom")
	if err != nil || len(stamps) != 3 {
		t.Fatalf("Files = %+v, %v; want 3", stamps, err)
	}
	for _, st := range stamps {
		if !st.ModTime.Equal(touchedAt) || st.Hash == "" {
			t.Errorf("fingerprint %+v: want the new time %v and a hash", st, touchedAt)
		}
	}
}

// TestFolderOneFileChanged: a changed listing among unchanged files is the
// only file read; a story added between stored ones is dated by DESIGN's
// rule against its stored neighbours (the midpoint); the other files'
// items stay exactly as stored.
func TestFolderOneFileChanged(t *testing.T) {
	s := newSite(t)
	s.write("a.txt", listingA)
	s.write("b.md", storyB)
	s.write("c.json", jsonC)
	s.folderRun("", "en")
	before := s.stored()

	s.now = s.now.Add(24 * time.Hour)
	s.write("a.txt", strings.Replace(listingA, "Campus\nBike Clinic", "Campus\nNew Lecture Series Announced\nThe series starts soon.\n\nCampus\nBike Clinic", 1))
	sr, _ := s.folderRun("", "en")
	if sr.Read != 1 || sr.Changed != 1 || sr.Removed != 0 || sr.NotModified {
		t.Fatalf("one file changed: %+v, want 1 file read, 1 item changed", sr)
	}
	after := s.stored()
	for _, file := range []string{"b.md", "c.json"} {
		if got, want := byFile(after, file), byFile(before, file); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: items %+v, want them as stored %+v", file, got, want)
		}
	}
	listing := byFile(after, "a.txt")
	var titles []string
	var added feeds.Item
	for _, it := range listing {
		titles = append(titles, it.Title)
		if it.Title == "New Lecture Series Announced" {
			added = it
		}
	}
	old := byFile(before, "a.txt")
	var above, below feeds.Item
	for _, it := range old {
		switch it.Title {
		case "Repair Café Comes to the Piazza":
			above = it
		case "Bike Clinic Returns":
			below = it
		}
	}
	mid := time.Unix((above.Published.Unix()+below.Published.Unix())/2, 0)
	if !added.Published.Equal(mid) {
		t.Errorf("added story dated %v, want the midpoint %v of its neighbours %v and %v (titles %q)", added.Published, mid, above.Published, below.Published, titles)
	}
	for _, it := range old {
		for _, now := range listing {
			if now.ID == it.ID && !reflect.DeepEqual(now, it) {
				t.Errorf("stored story %q moved: %+v, was %+v", it.Title, now, it)
			}
		}
	}
}

// TestFolderFileRemoved: the items of a file that is gone go, and nothing
// else is read.
func TestFolderFileRemoved(t *testing.T) {
	s := newSite(t)
	s.write("a.txt", listingA)
	s.write("b.md", storyB)
	s.write("c.json", jsonC)
	s.folderRun("", "en")
	before := s.stored()
	if err := os.Remove(filepath.Join(s.stories, "c.json")); err != nil {
		t.Fatal(err)
	}
	sr, _ := s.folderRun("", "en")
	if sr.Read != 0 || sr.Removed != 2 || sr.NotModified {
		t.Fatalf("file removed: %+v, want nothing read, 2 items removed", sr)
	}
	after := s.stored()
	if len(after) != 4 || len(byFile(after, "c.json")) != 0 {
		t.Errorf("after removal: %d items, %d of c.json; want 4, none", len(after), len(byFile(after, "c.json")))
	}
	for _, file := range []string{"a.txt", "b.md"} {
		if got, want := byFile(after, file), byFile(before, file); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: items %+v, want them as stored %+v", file, got, want)
		}
	}
	if stamps, _ := s.store.Files(context.Background(), "newsroom"); len(stamps) != 2 {
		t.Errorf("fingerprints %+v, want a.txt and b.md", stamps)
	}
	if again, _ := s.folderRun("", "en"); !again.NotModified {
		t.Errorf("next pass: %+v, want not modified", again)
	}
}

// TestFolderParseError: a file that no longer parses keeps its stored
// items, is reported on every pass (it is read each time), and once fixed
// is read as any changed file.
func TestFolderParseError(t *testing.T) {
	s := newSite(t)
	s.write("b.md", storyB)
	s.write("c.json", jsonC)
	s.folderRun("", "en")
	before := s.stored()
	s.write("c.json", `[{"title": "Broken`)
	for pass := range 2 {
		sr, _ := s.folderRun("", "en")
		var fe *sources.FileError
		if len(sr.Problems) != 1 || !errors.As(sr.Problems[0], &fe) || fe.Path != "c.json" || sr.Read != 1 || sr.Removed != 0 {
			t.Fatalf("pass %d with a broken file: %+v, want c.json's problem, it read, nothing removed", pass, sr)
		}
		if got := s.stored(); !reflect.DeepEqual(got, before) {
			t.Errorf("pass %d: stored items changed with a broken file", pass)
		}
	}
	s.write("c.json", strings.Replace(jsonC, "A new fund.", "A new fund for students.", 1))
	sr, _ := s.folderRun("", "en")
	if len(sr.Problems) != 0 || sr.Read != 1 || sr.Changed != 1 {
		t.Errorf("fixed: %+v, want c.json read, one item changed", sr)
	}
	if again, _ := s.folderRun("", "en"); !again.NotModified {
		t.Errorf("next pass: %+v, want not modified", again)
	}
}

// TestFolderRulesAndSettingsReachEveryItem: a new version of the
// normalizer's rules, or a changed source setting (its default language),
// reads every file again, so that every stored item is made by the rules
// and settings in force.
func TestFolderRulesAndSettingsReachEveryItem(t *testing.T) {
	s := newSite(t)
	s.write("a.txt", listingA)
	s.write("b.md", storyB)
	s.write("n.md", "---\ntitle: 2026 · 11 · 25\n---\n\n100 200 300\n")
	s.folderRun("", "en")
	if sr, _ := s.folderRun("", "en"); !sr.NotModified {
		t.Fatalf("second pass: %+v, want not modified", sr)
	}
	if sr, _ := s.folderRun("test-next", "en"); sr.Read != 3 || sr.NotModified {
		t.Errorf("new rules: %+v, want every file read", sr)
	}
	if sr, _ := s.folderRun("test-next", "en"); !sr.NotModified {
		t.Errorf("after new rules: %+v, want not modified", sr)
	}
	sr, _ := s.folderRun("test-next", "zh-Hant")
	if sr.Read != 3 || sr.Changed != 1 {
		t.Errorf("new default language: %+v, want every file read, the undetectable story changed", sr)
	}
	for _, it := range s.stored() {
		if it.File == "n.md" && it.Language != "zh-Hant" {
			t.Errorf("n.md's item is %q, want the new default zh-Hant", it.Language)
		}
	}
}

// TestFolderSameStoryTwice: a story in two files is one item, the first
// file's; the second file is read on every pass, and since its story is
// one an unchanged file holds, the whole folder with it, so that the
// outcome is a whole read's: when the first file drops the story the
// second's takes its place.
func TestFolderSameStoryTwice(t *testing.T) {
	s := newSite(t)
	s.write("a.md", storyB)
	s.write("b.md", storyB)
	s.write("c.json", jsonC)
	sr, _ := s.folderRun("", "en")
	if sr.Stories != 3 || len(sr.Problems) != 0 {
		t.Fatalf("first pass: %+v, want 3 items, no problem", sr)
	}
	if again, _ := s.folderRun("", "en"); again.Read != 3 || again.Changed != 0 || again.NotModified {
		t.Errorf("second pass: %+v, want the folder read again, nothing changed", again)
	}
	if err := os.Remove(filepath.Join(s.stories, "a.md")); err != nil {
		t.Fatal(err)
	}
	s.folderRun("", "en")
	items := s.stored()
	if got := byFile(items, "b.md"); len(got) != 1 || got[0].Title != "Open Day Draws Thirty Thousand" || len(items) != 3 {
		t.Errorf("after a.md went: %d items, b.md's %+v; want the story kept, now b.md's", len(items), got)
	}

	// A new file repeating c.json's story with another body: a duplicate,
	// reported as a whole read reports it.
	s.write("d.json", `[{"title": "Scholarship Fund Opens", "date": "2026-11-17", "text": "Another body."}]`)
	sr, _ = s.folderRun("", "en")
	if sr.Read != 3 || len(sr.Problems) != 1 || !errors.Is(sr.Problems[0], normalize.ErrDuplicate) {
		t.Errorf("clash: %+v, want the folder read whole and the duplicate reported", sr)
	}
}

// wireItems is n RSS items of an upstream, published a day apart from
// 2025-01-01 on, newest first: older than the retention's max_age below.
func wireItems(n int) []upItem {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	items := make([]upItem, n)
	for i := range items {
		items[i] = upItem{fmt.Sprintf("Wire Story %d", n-i), fmt.Sprintf("https://wire.example.org/%d", n-i), t0.Add(time.Duration(n-i) * 24 * time.Hour), ""}
	}
	return items
}

// TestFeedOneItemChanged: an upstream answering 200 with one of its 20
// items changed normalizes and writes that one; the 19 others are kept as
// stored and still count as the upstream's window for retention (all are
// older than max_age); an item the upstream drops is pruned as before.
func TestFeedOneItemChanged(t *testing.T) {
	s := newSite(t)
	items := wireItems(20)
	up := newUpstream(t, rssType, rssDoc("Wire", items...))
	spec := feedSpec{name: "wire", url: up.url(), retention: Retention{MaxAge: 90 * 24 * time.Hour, MaxItems: 500}}
	jobs := s.feedJobs(spec)
	first := sourceReport(t, s.runWith(true, jobs...), "wire")
	if first.Stories != 20 || first.Kept != 0 || first.Changed != 20 {
		t.Fatalf("first pass: %+v, want 20 stories normalized and stored", first)
	}
	before := s.storedOf("wire")
	v := s.version()

	s.now = s.now.Add(time.Hour)
	changed := slices.Clone(items)
	changed[5].title = "Wire Story 15, corrected"
	up.set(func(u *upstream) { u.body = rssDoc("Wire", changed...) })
	sr := sourceReport(t, s.runWith(true, jobs...), "wire")
	if sr.Stories != 20 || sr.Kept != 19 || sr.Changed != 1 || sr.Removed != 0 {
		t.Errorf("one item changed: %+v, want 19 kept, 1 changed, none removed", sr)
	}
	after := s.storedOf("wire")
	if len(after) != 20 || s.version() != v+1 {
		t.Fatalf("after: %d items, version %d → %d; want 20, one step", len(after), v, s.version())
	}
	for i := range after {
		want := before[i]
		if want.Title == "Wire Story 15" {
			want.Title = "Wire Story 15, corrected"
			if after[i].Title != want.Title || !after[i].Published.Equal(want.Published) {
				t.Errorf("changed item %+v, want the new title and its stored date", after[i])
			}
			continue
		}
		if !reflect.DeepEqual(after[i], want) {
			t.Errorf("kept item %d: %+v, want it as stored %+v", i, after[i], want)
		}
	}

	// Dropped by the upstream: out of the window, and older than max_age.
	s.now = s.now.Add(time.Hour)
	up.set(func(u *upstream) { u.body = rssDoc("Wire", changed[1:]...) })
	sr = sourceReport(t, s.runWith(true, jobs...), "wire")
	if sr.Kept != 19 || sr.Removed != 1 || sr.Changed != 0 {
		t.Errorf("one item dropped: %+v, want 19 kept, the dropped one pruned", sr)
	}
}

// TestFeedRulesAndSettingsReachEveryItem: a new version of the rules or a
// changed source setting normalizes every story again; items whose content
// is the same take the new hash without counting as changed.
func TestFeedRulesAndSettingsReachEveryItem(t *testing.T) {
	s := newSite(t)
	up := newUpstream(t, rssType, rssDoc("Wire", wireItems(20)...))
	job := s.feedJobs(feedSpec{name: "wire", url: up.url()})[0]
	run := func(rules, language string) SourceReport {
		t.Helper()
		job.Norm.Language = language
		sched := s.scheduler(true, job)
		sched.opts.Normalize.Rules = rules
		rep, err := sched.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sourceReport(t, rep, "wire")
	}
	run("", "en")
	if sr := run("", "en"); sr.Kept != 20 || sr.Changed != 0 {
		t.Fatalf("again: %+v, want all 20 kept", sr)
	}
	v := s.version()
	if sr := run("test-next", "en"); sr.Kept != 0 || sr.Changed != 0 {
		t.Errorf("new rules: %+v, want every story normalized again, nothing changed", sr)
	}
	if s.version() != v {
		t.Errorf("new rules, same items: version %d → %d, want it left", v, s.version())
	}
	if sr := run("test-next", "en"); sr.Kept != 20 {
		t.Errorf("after new rules: %+v, want all 20 kept", sr)
	}
	if sr := run("test-next", "zh-Hant"); sr.Kept != 0 {
		t.Errorf("new default language: %+v, want every story normalized again", sr)
	}
	if sr := run("test-next", "zh-Hant"); sr.Kept != 20 {
		t.Errorf("after a new default language: %+v, want all 20 kept", sr)
	}
}

// storedOf is every stored item of source, held ones included.
func (s *site) storedOf(source string) []feeds.Item {
	s.t.Helper()
	items, err := s.store.Items(context.Background(), store.Query{Source: source, IncludeHeld: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return items
}
