package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"testing"
	"time"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/store"
)

// TestPreview: a preview normalizes on a refresh's path — the store's
// first-run date in ids, stored items keep their dates — and writes
// nothing; without a store, ids take today's date.
func TestPreview(t *testing.T) {
	const one = `{"version":"https://jsonfeed.org/version/1.1","title":"Wire","items":[{"id":"1","title":"One","content_text":"One."}]}`
	const two = `{"version":"https://jsonfeed.org/version/1.1","title":"Wire","items":[{"id":"2","title":"Two","content_text":"Two."},{"id":"1","title":"One","content_text":"One."}]}`
	up := newUpstream(t, "application/feed+json", one)
	s := newSite(t)
	jobs := s.feedJobs(feedSpec{name: "wire", url: up.url()})
	if rep := s.runWith(false, jobs...); rep.Failed() {
		t.Fatalf("first run failed: %+v", rep.Sources)
	}
	stored, err := s.store.Items(context.Background(), store.Query{Source: "wire"})
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	up.set(func(u *upstream) { u.body = two })
	version, err := s.store.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	state := s.state("wire")

	later := s.now.Add(48 * time.Hour)
	det, err := normalize.NewDetector()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news"},
		Now:       func() time.Time { return later },
	}
	log := slog.New(slog.DiscardHandler)
	p, err := Preview(context.Background(), s.store, det, jobs[0], opts, log)
	if err != nil {
		t.Fatal(err)
	}
	if p.Report.Err != nil || len(p.Items) != 2 {
		t.Fatalf("preview: err %v, %d items; want 2", p.Report.Err, len(p.Items))
	}
	if p.Items[0].ID != tagID("wire", "2") || p.Items[1].ID != tagID("wire", "1") {
		t.Errorf("ids %s, %s; want the store's first-run date", p.Items[0].ID, p.Items[1].ID)
	}
	if !p.Items[1].Published.Equal(stored[0].Published) || !p.Items[0].Published.Equal(later) {
		t.Errorf("dates %v, %v; want the new item at now and the stored one at %v", p.Items[0].Published, p.Items[1].Published, stored[0].Published)
	}
	if v, err := s.store.Version(context.Background()); err != nil || v != version {
		t.Errorf("content version %d → %d (%v): the preview wrote items", version, v, err)
	}
	if got := s.state("wire"); got != state {
		t.Errorf("state after the preview:\n%v\nwant\n%v", got, state)
	}

	// No store yet: the first run is today, in the site's zone.
	p, err = Preview(context.Background(), nil, det, jobs[0], opts, log)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("1"))
	if want := "tag:feeds.example.edu,2026-11-27:wire/" + hex.EncodeToString(sum[:8]); len(p.Items) != 2 || p.Items[1].ID != want {
		t.Errorf("without a store: %+v, want item 1 as %s", p.Items, want)
	}
}
