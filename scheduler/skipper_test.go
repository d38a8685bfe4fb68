package scheduler

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/store"
)

// spySkipper is a feed source that records what its FetchKnown did.
type spySkipper struct {
	*feed.Source
	asked  int // calls of the store test (known)
	known  []int
	parsed []int
}

func (s *spySkipper) FetchKnown(ctx context.Context, prev sources.State, known func() (string, func(string) bool)) (sources.Result, error) {
	res, err := s.Source.FetchKnown(ctx, prev, func() (string, func(string) bool) {
		s.asked++
		return known()
	})
	s.known = append(s.known, len(res.Known))
	s.parsed = append(s.parsed, len(res.Stories))
	return res, err
}

// TestFeedKnownEntriesNotRead: the feed source is told which entries are
// stored and reads only the others; a 304 asks the store nothing.
func TestFeedKnownEntriesNotRead(t *testing.T) {
	s := newSite(t)
	items := wireItems(20)
	up := newUpstream(t, rssType, rssDoc("Wire", items...))
	up.set(func(u *upstream) { u.etag = `"v1"` })
	job := s.feedJobs(feedSpec{name: "wire", url: up.url()})[0]
	spy := &spySkipper{Source: job.Source.(*feed.Source)}
	job.Source = spy
	run := func() SourceReport {
		t.Helper()
		rep, err := s.scheduler(false, job).RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sourceReport(t, rep, "wire")
	}
	if sr := run(); sr.Changed != 20 || spy.asked != 1 || spy.known[0] != 0 || spy.parsed[0] != 20 {
		t.Fatalf("first pass: %+v; asked %d, known %v, parsed %v", sr, spy.asked, spy.known, spy.parsed)
	}
	hashes, err := s.store.StoryHashes(context.Background(), "wire")
	if err != nil || len(hashes) != 20 {
		t.Fatalf("stored hashes: %v, %v; want 20", hashes, err)
	}

	s.now = s.now.Add(2 * time.Hour)
	if sr := run(); !sr.NotModified || spy.asked != 1 {
		t.Errorf("304: %+v; the store asked %d times, want once in all", sr, spy.asked)
	}

	s.now = s.now.Add(2 * time.Hour)
	changed := slices.Clone(items)
	changed[3].title = "Wire Story 17, corrected"
	up.set(func(u *upstream) { u.body, u.etag = rssDoc("Wire", changed...), `"v2"` })
	sr := run()
	if sr.Stories != 20 || sr.Kept != 19 || sr.Changed != 1 || spy.known[2] != 19 || spy.parsed[2] != 1 {
		t.Errorf("one changed: %+v; known %v, parsed %v; want 19 left out, 1 read and stored", sr, spy.known, spy.parsed)
	}
	after, err := s.store.StoryHashes(context.Background(), "wire")
	if err != nil || len(after) != 20 {
		t.Fatalf("stored hashes: %v, %v", after, err)
	}
	same := 0
	for h, id := range hashes {
		if after[h] == id {
			same++
		}
	}
	if same != 19 {
		t.Errorf("%d stored hashes kept, want 19", same)
	}
	got := s.storedOf("wire")
	if !slices.ContainsFunc(got, func(it feeds.Item) bool { return it.Title == "Wire Story 17, corrected" }) {
		t.Errorf("the changed item is not stored: %+v", got)
	}
}

// TestKnownEntryGone: when a stored item the source was told of is gone
// by the time the refresh is normalized again, the answer is read whole.
func TestKnownEntryGone(t *testing.T) {
	s := newSite(t)
	items := wireItems(3)
	up := newUpstream(t, rssType, rssDoc("Wire", items...))
	job := s.feedJobs(feedSpec{name: "wire", url: up.url()})[0]
	sched := s.scheduler(true, job)
	ctx := context.Background()
	if _, err := sched.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	changed := slices.Clone(items)
	changed[0].title += ", corrected"
	up.set(func(u *upstream) { u.body = rssDoc("Wire", changed...) })

	norm, err := sched.normalizer(ctx, s.now)
	if err != nil {
		t.Fatal(err)
	}
	f := sched.fetch(ctx, norm, job, s.now)
	if f.report.Err != nil || f.err != nil || len(f.res.Known) != 2 || len(f.res.Stories) != 1 || len(f.kept) != 2 {
		t.Fatalf("fetch: %v, %v; known %d, stories %d, kept %d", f.report.Err, f.err, len(f.res.Known), len(f.res.Stories), len(f.kept))
	}
	// One of the two left out goes before the refresh is prepared again.
	gone := f.kept[1]
	if _, err := s.store.Apply(ctx, "wire", store.Batch{Remove: []string{gone}}); err != nil {
		t.Fatal(err)
	}
	sched.prepare(ctx, norm, job, s.now, &f)
	if f.err != nil || len(f.res.Stories) != 3 || len(f.kept) != 1 || len(f.items) != 2 {
		t.Fatalf("prepare again: %v; %d stories, kept %q, %d items; want all 3 read, 1 kept, 2 normalized",
			f.err, len(f.res.Stories), f.kept, len(f.items))
	}
	if slices.Contains(f.kept, gone) || !slices.ContainsFunc(f.items, func(it feeds.Item) bool { return it.ID == gone }) {
		t.Errorf("the gone item %q: kept %q; want it normalized again", gone, f.kept)
	}
}
