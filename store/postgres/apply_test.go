package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
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
		before, writes := s.RoundTrips(), s.RoundTripsFor()["write"]
		if _, err := s.Apply(ctx, c.source, c.batch); err != nil {
			t.Fatalf("Apply %s: %v", c.source, err)
		}
		if got := s.RoundTrips() - before; got != c.trips {
			t.Errorf("Apply %s took %d round trips, want %d", c.source, got, c.trips)
		}
		if got := s.RoundTripsFor()["write"] - writes; got != c.trips {
			t.Errorf("Apply %s counted %d round trips as writes, want %d", c.source, got, c.trips)
		}
	}
	// A caller's purpose holds for the calls it makes; the rest are other.
	pub, other := s.RoundTripsFor()["publish"], s.RoundTripsFor()["other"]
	if _, err := s.Items(store.WithPurpose(ctx, "publish"), store.Query{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Items(ctx, store.Query{}); err != nil {
		t.Fatal(err)
	}
	if got := s.RoundTripsFor(); got["publish"]-pub != 1 || got["other"]-other != 1 {
		t.Errorf("round trips by purpose %v, want one more publish and one more other", got)
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

// storedBySource is every item of s by source, in store order, with its
// slug.
func storedBySource(t *testing.T, s *Store) map[string][]string {
	return storetest.StoredBySource(t, s, func(it feeds.Item) string { return it.ID + " " + it.Slug })
}

// TestApplyGroup: a group stores what its batches, applied one by one,
// would — items and their store order, slugs, skipped duplicates of id and
// link, removals, pruning, states — in two round trips; a group with a
// lease lost or a failing batch stores none of it.
func TestApplyGroup(t *testing.T) {
	ctx := context.Background()
	item := func(id string, hour int, slug string) feeds.Item {
		return feeds.Item{ID: id, Title: id, Link: "https://www.example.edu/" + id, Slug: slug,
			Published: t0.Add(time.Duration(hour) * time.Hour), Language: "en"}
	}
	state := func(etag string) *sources.State { return &sources.State{ETag: etag, CheckedAt: t0} }
	seed := func(s *Store) {
		for _, b := range []store.SourceBatch{
			{Source: "a", Batch: store.Batch{Items: []feeds.Item{item("urn:a0", 0, "old")}}},
			{Source: "c", Batch: store.Batch{Items: []feeds.Item{item("urn:c0", 0, "c0"), item("urn:c1", 1, "c1")}}},
		} {
			if _, err := s.Apply(ctx, b.Source, b.Batch); err != nil {
				t.Fatal(err)
			}
		}
	}
	batches := []store.SourceBatch{
		{Source: "a", Batch: store.Batch{Remove: []string{"urn:a0"},
			Items: []feeds.Item{item("urn:a2", 2, "news"), item("urn:a1", 1, "news")}, State: state(`"a"`)}},
		// b repeats a's id and a's link, and its slug: the first keeps
		// them, within the group as across transactions; a's removed
		// item let go of its slug.
		{Source: "b", Batch: store.Batch{Items: []feeds.Item{item("urn:b1", 3, "news"), item("urn:a2", 4, "b"),
			{ID: "urn:b2", Link: "https://www.example.edu/urn:a1", Slug: "old", Published: t0.Add(5 * time.Hour), Language: "en"}},
			State: state(`"b"`)}},
		{Source: "c", Batch: store.Batch{Items: []feeds.Item{item("urn:c1", 1, "c1")}, Retain: &store.Retain{Keep: []string{"urn:c1"}, MaxItems: 1}, State: state(`"c"`)}},
		{Source: "d", Batch: store.Batch{State: state(`"d"`)}},
	}
	one, group := openTemp(t), openTemp(t)
	seed(one)
	seed(group)
	var want []store.Applied
	for _, b := range batches {
		done, err := one.Apply(ctx, b.Source, b.Batch)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, done)
	}
	before := group.RoundTrips()
	got, err := group.ApplyGroup(ctx, batches)
	if err != nil {
		t.Fatal(err)
	}
	if n := group.RoundTrips() - before; n != 2 {
		t.Errorf("ApplyGroup took %d round trips, want 2", n)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ApplyGroup applied %+v, one by one %+v", got, want)
	}
	if g, w := storedBySource(t, group), storedBySource(t, one); !reflect.DeepEqual(g, w) {
		t.Errorf("group stored %q, one by one %q", g, w)
	}
	wantIDs := map[string][]string{
		"a": {"urn:a1 news-2", "urn:a2 news"}, // slugs in the feed's order, store order oldest first
		"b": {"urn:b1 news-3"},
		"c": {"urn:c1 c1"},
	}
	if g := storedBySource(t, group); !reflect.DeepEqual(g, wantIDs) {
		t.Errorf("stored %q, want %q", g, wantIDs)
	}
	for _, b := range batches {
		st, err := group.State(ctx, b.Source)
		if err != nil || st.ETag != b.Batch.State.ETag {
			t.Errorf("state of %s: %+v, %v; want ETag %s", b.Source, st, err, b.Batch.State.ETag)
		}
	}

	// A lost lease, or a batch the database refuses, fails the whole group.
	mustClaim(t, group, "node-2", zeroDue("f"), t0)
	for _, bad := range [][]store.SourceBatch{
		{
			{Source: "e", Batch: store.Batch{Items: []feeds.Item{item("urn:e1", 5, "e")}, State: state(`"e"`)}},
			{Source: "f", Batch: store.Batch{Items: []feeds.Item{item("urn:f1", 6, "f")}, State: state(`"f"`), Holder: "node-1"}},
		},
		{
			{Source: "e", Batch: store.Batch{Items: []feeds.Item{item("urn:e1", 5, "e")}, State: state(`"e"`)}},
			{Source: "g", Batch: store.Batch{Items: []feeds.Item{{ID: "urn:g1", Title: "nul \x00 byte", Published: t0, Language: "en"}}, State: state(`"g"`)}},
		},
	} {
		before := storedBySource(t, group)
		_, err := group.ApplyGroup(ctx, bad)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad[1].Source)) {
			t.Fatalf("ApplyGroup with a bad batch: %v, want an error naming %s", err, bad[1].Source)
		}
		if bad[1].Source == "f" && !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("ApplyGroup with a lost lease: %v, want ErrLeaseLost", err)
		}
		if after := storedBySource(t, group); !reflect.DeepEqual(after, before) {
			t.Errorf("a failed group stored items: %q, before %q", after, before)
		}
		if st, err := group.State(ctx, "e"); err != nil || st.ETag != "" {
			t.Errorf("a failed group stored e's state: %+v, %v", st, err)
		}
	}
}

// waitingOnLocks waits until n backends of s's database wait for a lock.
func waitingOnLocks(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var got int
		err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("fewer than %d backends wait for a lock", n)
}

// TestReleaseBesideRefresh: a refresh that updates a held item due for
// release locks the item's row, then the content version's (BumpContent);
// Release takes the content version's row first. Release queues for the
// version row first (behind a transaction holding it), the refresh second:
// neither deadlocks, and Release passes the refresh's item by, for the
// next Release to lift.
func TestReleaseBesideRefresh(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := openTemp(t)
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	held := feeds.Item{ID: "urn:h", Title: "Embargoed", Language: "en", Published: past, Updated: past, Held: true}
	if _, err := s.Apply(ctx, "a", store.Batch{Items: []feeds.Item{held}}); err != nil {
		t.Fatal(err)
	}

	blocker, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec(ctx, lockContentVersion); err != nil {
		t.Fatal(err)
	}

	released := make(chan error, 1)
	go func() {
		_, err := s.Release(ctx, time.Now())
		released <- err
	}()
	waitingOnLocks(t, s, 1)

	applied := make(chan error, 1)
	go func() {
		changed := held
		changed.Held, changed.Title = false, "Released by the refresh"
		_, err := s.Apply(ctx, "a", store.Batch{Items: []feeds.Item{changed}})
		applied <- err
	}()
	waitingOnLocks(t, s, 2)

	if err := blocker.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-released; err != nil {
		t.Errorf("Release: %v", err)
	}
	if err := <-applied; err != nil {
		t.Errorf("Apply: %v", err)
	}
	items, err := s.Items(ctx, store.Query{})
	if err != nil || len(items) != 1 || items[0].Title != "Released by the refresh" {
		t.Errorf("items = %+v, %v; want the refresh's", items, err)
	}
}

// TestApplyGroupRegroups: a group whose sources decide on items another
// source of it removes (later in the group) or may prune (earlier) is
// refused, storing nothing, so that its sources are written one by one
// and each sees the others' removals and pruning as one after the other
// would; written one by one they store what one by one always does.
func TestApplyGroupRegroups(t *testing.T) {
	ctx := context.Background()
	old := feeds.Item{ID: "urn:a0", Title: "old", Link: "https://www.example.edu/x", Slug: "x", Published: t0, Language: "en"}
	for _, tt := range []struct {
		name    string
		seed    store.SourceBatch
		batches []store.SourceBatch
		want    map[string][]string
	}{
		{
			name: "an earlier source prunes the item holding a later one's link and slug",
			seed: store.SourceBatch{Source: "a", Batch: store.Batch{Items: []feeds.Item{old}}},
			batches: []store.SourceBatch{
				{Source: "a", Batch: store.Batch{Items: []feeds.Item{{ID: "urn:a1", Title: "new", Link: "https://www.example.edu/a1",
					Slug: "a1", Published: t0.Add(time.Hour), Language: "en"}}, Retain: &store.Retain{Keep: []string{"urn:a1"}, MaxItems: 1}}},
				{Source: "b", Batch: store.Batch{Items: []feeds.Item{
					{ID: "urn:b1", Title: "same link", Link: "https://www.example.edu/x", Slug: "b1", Published: t0.Add(2 * time.Hour), Language: "en"},
					{ID: "urn:b2", Title: "same slug", Link: "https://www.example.edu/b2", Slug: "x", Published: t0.Add(2 * time.Hour), Language: "en"},
				}}},
			},
			want: map[string][]string{"a": {"urn:a1 a1"}, "b": {"urn:b1 b1", "urn:b2 x"}},
		},
		{
			name: "a later source removes the item holding an earlier one's link and slug",
			seed: store.SourceBatch{Source: "b", Batch: store.Batch{Items: []feeds.Item{{ID: "urn:b0", Title: "b0",
				Link: "https://www.example.edu/x", Slug: "x", Published: t0, Language: "en"}}}},
			batches: []store.SourceBatch{
				{Source: "a", Batch: store.Batch{Items: []feeds.Item{
					{ID: "urn:a1", Title: "same link", Link: "https://www.example.edu/x", Slug: "a1", Published: t0.Add(time.Hour), Language: "en"},
					{ID: "urn:a2", Title: "same slug", Link: "https://www.example.edu/a2", Slug: "x", Published: t0.Add(time.Hour), Language: "en"},
				}}},
				{Source: "b", Batch: store.Batch{Remove: []string{"urn:b0"}}},
			},
			want: map[string][]string{"a": {"urn:a2 x-2"}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			if _, err := s.Apply(ctx, tt.seed.Source, tt.seed.Batch); err != nil {
				t.Fatal(err)
			}
			before := storedBySource(t, s)
			v0, _ := s.Version(ctx)
			if _, err := s.ApplyGroup(ctx, tt.batches); !errors.Is(err, errRegroup) {
				t.Fatalf("ApplyGroup: %v, want errRegroup", err)
			}
			if got := storedBySource(t, s); !reflect.DeepEqual(got, before) {
				t.Errorf("a refused group stored %q, before %q", got, before)
			}
			if v, _ := s.Version(ctx); v != v0 {
				t.Errorf("a refused group moved the content version %d → %d", v0, v)
			}
			for _, b := range tt.batches {
				if _, err := s.Apply(ctx, b.Source, b.Batch); err != nil {
					t.Fatal(err)
				}
			}
			if got := storedBySource(t, s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("one by one stored %q, want %q", got, tt.want)
			}
		})
	}
}
