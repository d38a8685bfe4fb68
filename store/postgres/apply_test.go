package postgres

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

func TestSlugFamily(t *testing.T) {
	for slug, want := range map[string]string{
		"news":        "news",
		"news-2":      "news",
		"news-2-3":    "news",
		"news-":       "news-",
		"-2":          "-2",
		"2026-12-05":  "2026",
		"news-2b":     "news-2b",
		"covid-19-10": "covid",
		"über-7":      "über",
	} {
		if got := slugFamily(slug); got != want {
			t.Errorf("slugFamily(%q) = %q, want %q", slug, got, want)
		}
	}
}

// TestApplyRoundTrips pins what a refresh costs the database in round
// trips: one for a state alone, two for items, the lease let go within them.
func TestApplyRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustClaim(t, s, "node-1", zeroDue("a", "b"), t0)
	st := sources.State{CheckedAt: at(time.Hour), ETag: `"1"`}
	items := []feeds.Item{
		{ID: "urn:1", Title: "One", Link: "https://a.example/1", Slug: "one", Language: "en", Published: t0, Updated: t0},
		{ID: "urn:2", Title: "Two", Link: "https://a.example/2", Slug: "two", Language: "en", Published: t0, Updated: t0},
	}
	cases := []struct {
		source string
		batch  store.Batch
		trips  uint64
	}{
		{"a", store.Batch{State: &st, Holder: "node-1", Release: true}, 1},
		{"b", store.Batch{Items: items, State: &st, Retain: &store.Retain{MaxItems: 10}, Holder: "node-1", Release: true}, 2},
	}
	for _, c := range cases {
		before := s.RoundTrips()
		if _, err := s.Apply(ctx, c.source, c.batch); err != nil {
			t.Fatalf("Apply %s: %v", c.source, err)
		}
		if got := s.RoundTrips() - before; got != c.trips {
			t.Errorf("Apply %s took %d round trips, want %d", c.source, got, c.trips)
		}
	}
	if n, err := s.Leases(ctx, "node-1", t0); err != nil || n != 0 {
		t.Errorf("node-1 holds %d leases (%v) after writes that let go, want 0", n, err)
	}
	got, err := s.State(ctx, "b")
	if err != nil || got.ETag != `"1"` {
		t.Errorf("state of b = %+v, %v", got, err)
	}
	stored, err := s.Items(ctx, store.Query{})
	if err != nil || len(stored) != 2 {
		t.Fatalf("items = %v, %v; want 2", stored, err)
	}
}

// TestApplyRelease: a write under a lease lets go of it only when asked,
// and a lost lease is neither written nor let go.
func TestApplyRelease(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	st := sources.State{CheckedAt: at(time.Hour)}
	item := []feeds.Item{{ID: "urn:r", Title: "R", Language: "en", Published: t0, Updated: t0}}
	for _, b := range []store.Batch{
		{State: &st, Holder: "node-1"},
		{Items: item, State: &st, Holder: "node-1"},
	} {
		mustClaim(t, s, "node-1", zeroDue("a"), t0)
		if _, err := s.Apply(ctx, "a", b); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Leases(ctx, "node-1", t0); n != 1 {
			t.Errorf("a write without Release let go of the lease (%d leases)", n)
		}
		if err := s.Unclaim(ctx, "node-1", "a"); err != nil {
			t.Fatal(err)
		}
	}
	mustClaim(t, s, "node-2", zeroDue("a"), t0)
	for _, b := range []store.Batch{
		{State: &st, Holder: "node-1", Release: true},
		{Items: item, State: &st, Holder: "node-1", Release: true},
		{Holder: "node-1", Release: true},
	} {
		if _, err := s.Apply(ctx, "a", b); err == nil {
			t.Errorf("a write of a lease another node holds succeeded")
		}
	}
	if n, _ := s.Leases(ctx, "node-2", t0); n != 1 {
		t.Errorf("node-2's lease was let go by node-1's write")
	}
}

// TestApplySideBySide writes many sources at once from two stores (two
// nodes), their items contending for one link and one slug family: every
// write lands, one item keeps the link, every slug stays unique and every
// sequence number is taken once.
func TestApplySideBySide(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	nodes := []*Store{openAt(t, dsn), openAt(t, dsn)}
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			src := fmt.Sprintf("s%02d", w)
			var items []feeds.Item
			for i := range 5 {
				it := feeds.Item{
					ID: fmt.Sprintf("urn:%s:%d", src, i), Title: "T", Language: "en",
					Link:      fmt.Sprintf("https://%s.example/%d", src, i),
					Slug:      "news",
					Published: t0.Add(time.Duration(i) * time.Minute), Updated: t0,
				}
				if i == 0 {
					it.Link = "https://shared.example/story"
				}
				if i == 1 {
					it.Slug = "news-2" // the family of "news"
				}
				items = append(items, it)
			}
			st := sources.State{CheckedAt: t0}
			if _, err := nodes[w%2].Apply(ctx, src, store.Batch{Items: items, State: &st}); err != nil {
				errs <- fmt.Errorf("%s: %w", src, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rows, err := nodes[0].pool.Query(ctx, `SELECT id, link, slug, seq FROM items ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n, shared int
	slugs := map[string]bool{}
	seqs := map[int64]bool{}
	for rows.Next() {
		var id, link, slug string
		var seq int64
		if err := rows.Scan(&id, &link, &slug, &seq); err != nil {
			t.Fatal(err)
		}
		n++
		if link == "https://shared.example/story" {
			shared++
		}
		if slugs[slug] {
			t.Errorf("slug %q given twice", slug)
		}
		slugs[slug] = true
		if seqs[seq] {
			t.Errorf("seq %d given twice", seq)
		}
		seqs[seq] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := writers*4 + 1; n != want || shared != 1 {
		t.Errorf("%d items stored, %d holding the shared link; want %d and 1", n, shared, want)
	}
	var list []string
	for s := range slugs {
		list = append(list, s)
	}
	sort.Strings(list)
	if list[0] != "news" || len(list) != n {
		t.Errorf("slugs = %v", list)
	}
}
