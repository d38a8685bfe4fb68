package sqlite

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

func groupItem(id string, hour int) feeds.Item {
	return feeds.Item{ID: id, Title: id, Link: "https://www.example.edu/" + id, Published: at(hour, 0, 0), Language: "en"}
}

// storedIDs is every item of s by source, in store order.
func storedIDs(t *testing.T, s *Store) map[string][]string {
	return storetest.StoredBySource(t, s, func(it feeds.Item) string { return it.ID })
}

// TestApplyGroup: a group stores what its batches, applied one by one,
// would (items, their store order, states, skipped duplicates), and a group
// with a failing batch stores none of it.
func TestApplyGroup(t *testing.T) {
	ctx := context.Background()
	state := func(etag string) *sources.State {
		return &sources.State{URL: "https://up.example.org/" + etag, ETag: etag}
	}
	// Every column, zero times (NULL) and text JSON could not carry as
	// it is (an ETag of bytes that are not UTF-8).
	full := &sources.State{URL: "https://up.example.org/full", ConfiguredURL: "https://up.example.org/f",
		ETag: "W/\"\xff\xfe\"", LastModified: "Tue, 01 Dec 2026 10:00:00 GMT", CheckedAt: at(7, 0, 0),
		LastSuccess: at(6, 30, 0), LastError: "HTTP 503 — «busy»", Failures: 3, NextDue: at(8, 15, 0)}
	batches := []store.SourceBatch{
		{Source: "full", Batch: store.Batch{State: full}},
		{Source: "full-utf8", Batch: store.Batch{State: &sources.State{URL: "https://up.example.org/u",
			ETag: `"v1"`, CheckedAt: at(7, 0, 0), LastError: "404 «gone»", Failures: 1}}},
		{Source: "a", Batch: store.Batch{Items: []feeds.Item{groupItem("urn:a2", 2), groupItem("urn:a1", 1)}, State: state(`"a"`)}},
		// b repeats a's link: the first stored keeps it, within the group
		// as across transactions.
		{Source: "b", Batch: store.Batch{Items: []feeds.Item{groupItem("urn:b1", 3), {ID: "urn:b2", Link: "https://www.example.edu/urn:a1", Published: at(4, 0, 0)}}, State: state(`"b"`)}},
		{Source: "c", Batch: store.Batch{State: state(`"c"`)}},
	}
	one, group := openTemp(t), openTemp(t)
	var want []store.Applied
	for _, b := range batches {
		done, err := one.Apply(ctx, b.Source, b.Batch)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, done)
	}
	got, err := group.ApplyGroup(ctx, batches)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ApplyGroup applied %+v, one by one %+v", got, want)
	}
	if g, w := storedIDs(t, group), storedIDs(t, one); !reflect.DeepEqual(g, w) {
		t.Errorf("group stored %q, one by one %q", g, w)
	}
	if g := storedIDs(t, group); !slices.Equal(g["b"], []string{"urn:b1"}) || !slices.Equal(g["a"], []string{"urn:a1", "urn:a2"}) {
		t.Errorf("stored %q, want a: urn:a1 urn:a2, b: urn:b1", g)
	}
	for _, b := range batches {
		st, err := group.State(ctx, b.Source)
		if err != nil || st.ETag != b.Batch.State.ETag {
			t.Errorf("state of %s: %+v, %v; want ETag %s", b.Source, st, err, b.Batch.State.ETag)
		}
		if w, _ := one.State(ctx, b.Source); st != w {
			t.Errorf("state of %s: group %+v, one by one %+v", b.Source, st, w)
		}
	}
	v1, _ := one.Version(ctx)
	v2, _ := group.Version(ctx)
	if v1 != v2 {
		t.Errorf("version %d after the group, %d one by one", v2, v1)
	}

	// A batch with an item without an id fails the whole group.
	bad := []store.SourceBatch{
		{Source: "d", Batch: store.Batch{Items: []feeds.Item{groupItem("urn:d1", 5)}, State: state(`"d"`)}},
		{Source: "e", Batch: store.Batch{Items: []feeds.Item{{Title: "no id", Published: at(6, 0, 0)}}, State: state(`"e"`)}},
	}
	before := storedIDs(t, group)
	if _, err := group.ApplyGroup(ctx, bad); err == nil || !strings.Contains(err.Error(), `apply "e"`) {
		t.Fatalf("ApplyGroup with a bad batch: %v, want an error naming e", err)
	}
	if after := storedIDs(t, group); !reflect.DeepEqual(after, before) {
		t.Errorf("a failed group stored items: %q, before %q", after, before)
	}
	if st, err := group.State(ctx, "d"); err != nil || st.ETag != "" {
		t.Errorf("a failed group stored d's state: %+v, %v", st, err)
	}
}

// TestApplyGroupStates: a group's states alone (304s, failures), written
// together in statements of up to 32, leave every column as Apply one by
// one does (a state at a time): for sources saved before and a new one
// among them, beside batches with items, and for a source the group writes
// twice. The second group's 43 deferred states go in statements of 32, 8
// (feed-38's among them), 2 and 1.
func TestApplyGroupStates(t *testing.T) {
	ctx := context.Background()
	state := func(i, pass int) *sources.State {
		st := &sources.State{URL: fmt.Sprintf("https://up.example.org/%d", i), ETag: fmt.Sprintf(`"%d-%d"`, i, pass),
			CheckedAt: at(7, pass, i), LastSuccess: at(7, pass, 0), NextDue: at(8, pass, i)}
		switch i % 4 {
		case 1:
			st.ConfiguredURL, st.LastModified = "https://up.example.org/c", "Tue, 01 Dec 2026 10:00:00 GMT"
		case 2:
			st.LastSuccess, st.LastError, st.Failures = time.Time{}, "HTTP 503 — «busy»", pass+1
		case 3:
			st.ETag, st.NextDue = "W/\"\xff\xfe\"", time.Time{}
		}
		return st
	}
	one, group := openTemp(t), openTemp(t)
	var first, second []store.SourceBatch
	for i := range 45 {
		name := fmt.Sprintf("feed-%02d", i)
		if i != 38 { // new in the second group, in its third statement of states
			first = append(first, store.SourceBatch{Source: name, Batch: store.Batch{State: state(i, 0)}})
		}
		second = append(second, store.SourceBatch{Source: name, Batch: store.Batch{State: state(i, 1)}})
	}
	second[10].Batch.Items = []feeds.Item{groupItem("urn:ten", 3)}
	// feed-20's 304 and then its items; feed-30's items and then its 304.
	second = slices.Insert(second, 20, store.SourceBatch{Source: "feed-20", Batch: store.Batch{State: state(20, 2)}})
	second[21].Batch.Items = []feeds.Item{groupItem("urn:twenty", 4)}
	second = append(second, store.SourceBatch{Source: "feed-30", Batch: store.Batch{State: state(30, 3)}})
	second[31].Batch.Items = []feeds.Item{groupItem("urn:thirty", 5)}
	for _, g := range [][]store.SourceBatch{first, second} {
		for _, b := range g {
			if _, err := one.Apply(ctx, b.Source, b.Batch); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := group.ApplyGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 45 {
		name := fmt.Sprintf("feed-%02d", i)
		got, err := group.State(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := one.State(ctx, name)
		if got != want {
			t.Errorf("state of %s: group %+v, one by one %+v", name, got, want)
		}
	}
	if got, _ := group.State(ctx, "feed-30"); got.ETag != `"30-3"` {
		t.Errorf("feed-30's state has ETag %s, want its last batch's \"30-3\"", got.ETag)
	}
	if got, _ := group.State(ctx, "feed-20"); got.ETag != `"20-1"` {
		t.Errorf("feed-20's state has ETag %s, want its last batch's \"20-1\"", got.ETag)
	}
	if g, w := storedIDs(t, group), storedIDs(t, one); !reflect.DeepEqual(g, w) {
		t.Errorf("group stored %q, one by one %q", g, w)
	}
}

// TestStates: States reads what State reads, for every name that has a
// state, names with quotes and other scripts included, and leaves out the
// others.
func TestStates(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	names := []string{"a", `quo"te's`, "新聞"}
	for i, n := range names {
		st := &sources.State{URL: "https://up.example.org/" + n, ETag: n, Failures: i, CheckedAt: at(i, 0, 0), LastSuccess: at(i, 30, 0)}
		if _, err := s.Apply(ctx, n, store.Batch{State: st}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.States(ctx, append([]string{"never-saved"}, names...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Errorf("States: %d states, want %d: %+v", len(got), len(names), got)
	}
	for _, n := range names {
		want, err := s.State(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[n], want) {
			t.Errorf("States[%q] = %+v, State %+v", n, got[n], want)
		}
	}
	if _, ok := got["never-saved"]; ok {
		t.Error("States returned a state for a source never saved")
	}
	if got, err := s.States(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("States(nil) = %v, %v; want none", got, err)
	}
}

// TestDated: Dated answers, for each range, what a Query for the source's
// items published in that range would, in one read.
func TestDated(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for src, hours := range map[string][]int{"a": {1, 3}, `b "q"`: {2}} {
		var items []feeds.Item
		for _, h := range hours {
			items = append(items, groupItem(fmt.Sprintf("urn:%s-%d", src, h), h))
		}
		if _, err := s.Apply(ctx, src, store.Batch{Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	half := 500 * time.Millisecond
	ranges := []store.Dated{
		{Source: "a", From: at(2, 0, 0), Before: at(4, 0, 0)},
		{Source: "a", From: at(4, 0, 0), Before: at(5, 0, 0)},
		{Source: `b "q"`, Before: at(2, 0, 0).Add(half)},                    // no lower bound; the item is before the bound
		{Source: `b "q"`, From: at(2, 0, 0).Add(half), Before: at(5, 0, 0)}, // the item is before the range
		{Source: "c", Before: at(9, 0, 0)},
	}
	for _, r := range ranges {
		got, err := s.Dated(ctx, []store.Dated{r})
		if err != nil {
			t.Fatal(err)
		}
		items, err := s.Items(ctx, store.Query{Source: r.Source, IncludeHeld: true, PublishedFrom: r.From, PublishedBefore: r.Before})
		if err != nil {
			t.Fatal(err)
		}
		if got[r.Source] != (len(items) > 0) {
			t.Errorf("Dated(%+v) = %v, the query found %d items", r, got, len(items))
		}
	}
	got, err := s.Dated(ctx, ranges)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"a": true, `b "q"`: true}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dated(all) = %v, want %v", got, want)
	}
	if got, err := s.Dated(ctx, ranges[1:2]); err != nil || len(got) != 0 {
		t.Errorf("Dated(a, 4–5h) = %v, %v; want none", got, err)
	}
}

// TestStatementsBeyondCache: once the cache holds maxStatements texts, other
// texts still run, prepared each time, in and out of transactions.
func TestStatementsBeyondCache(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for i := range maxStatements {
		var n int
		if err := s.queryRow(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("SELECT %d: %d, %v", i, n, err)
		}
	}
	if len(s.stmts.m) != maxStatements {
		t.Fatalf("%d statements cached, want %d", len(s.stmts.m), maxStatements)
	}
	if _, err := s.ApplyGroup(ctx, []store.SourceBatch{{Source: "a", Batch: store.Batch{Items: []feeds.Item{groupItem("urn:a1", 1)}, State: &sources.State{ETag: "a"}}}}); err != nil {
		t.Fatal(err)
	}
	if got := storedIDs(t, s); !slices.Equal(got["a"], []string{"urn:a1"}) {
		t.Errorf("stored %q, want a: urn:a1", got)
	}
	if st, err := s.State(ctx, "a"); err != nil || st.ETag != "a" {
		t.Errorf("state %+v, %v", st, err)
	}
	if len(s.stmts.m) != maxStatements {
		t.Errorf("%d statements cached after more texts, want %d", len(s.stmts.m), maxStatements)
	}
}

// TestWriteWaitHeedsContext: a write waiting for another of the same Store
// gives up when its context ends, storing nothing, and the next write after
// the first goes through.
func TestWriteWaitHeedsContext(t *testing.T) {
	s := openTemp(t)
	release, err := s.write(context.Background()) // a write in progress
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	batch := store.Batch{Items: []feeds.Item{groupItem("urn:w1", 1)}, State: &sources.State{ETag: "w"}}
	if _, err := s.Apply(ctx, "w", batch); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `apply "w"`) {
		t.Fatalf("Apply while another write holds the store: %v, want the deadline, naming w", err)
	}
	if _, err := s.Release(ctx, at(9, 0, 0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Release while another write holds the store: %v, want the deadline", err)
	}
	release()
	if got := storedIDs(t, s); len(got) != 0 {
		t.Errorf("a write that gave up stored %q", got)
	}
	if _, err := s.Apply(context.Background(), "w", batch); err != nil {
		t.Fatal(err)
	}
	if got := storedIDs(t, s); !slices.Equal(got["w"], []string{"urn:w1"}) {
		t.Errorf("stored %q after the slot was let go, want w: urn:w1", got)
	}
}

// BenchmarkApplyGroupStates writes groups of 32 sources' 304s, their
// states alone, as a warm pass does: in a table of those 32 sources, and
// in one of 100,000, every group other sources'.
func BenchmarkApplyGroupStates(b *testing.B) {
	state := func(i int) store.SourceBatch {
		return store.SourceBatch{Source: fmt.Sprintf("feed-%06d", i), Batch: store.Batch{State: &sources.State{
			URL: fmt.Sprintf("https://up.example.org/%d.xml", i), ETag: fmt.Sprintf(`"feed-%06d-r0"`, i),
			LastModified: "Tue, 01 Dec 2026 10:00:00 GMT", CheckedAt: at(7, 0, 0), LastSuccess: at(7, 0, 0),
			NextDue: at(8, 0, 0)}}}
	}
	for _, n := range []int{32, 100_000} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			// A pass's context can be cancelled, and the driver then
			// watches it during each statement.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := openTemp(b)
			for i := 0; i < n; i += 1000 {
				var group []store.SourceBatch
				for j := i; j < min(i+1000, n); j++ {
					group = append(group, state(j))
				}
				if _, err := s.ApplyGroup(ctx, group); err != nil {
					b.Fatal(err)
				}
			}
			group, next := make([]store.SourceBatch, 32), 0
			for b.Loop() {
				for i := range group {
					group[i] = state(next % n)
					next++
				}
				if _, err := s.ApplyGroup(ctx, group); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(group))/1e3, "µs/state")
		})
	}
}

// BenchmarkStatesDated reads the states of a chunk of 256 sources of 20
// items each at a time, and answers expiring for them, none of which ages
// out: what a pass of 304s reads ahead. In a store of 256 sources and in one
// of 20,000, whose pages a connection's cache cannot hold; the sources'
// horizons unknown (written before schema 6, or without an age cutoff), so
// that each is a seek of the items, or known (written by a refresh under
// retention.max_age).
func BenchmarkStatesDated(b *testing.B) {
	for _, n := range []int{256, 20_000} {
		for _, known := range []bool{false, true} {
			b.Run(fmt.Sprintf("sources=%d/horizon=%v", n, known), func(b *testing.B) {
				benchDated(b, n, known)
			})
		}
	}
}

func benchDated(b *testing.B, n int, known bool) {
	ctx := context.Background()
	s := openTemp(b)
	ranges := make([]store.Dated, n)
	var group []store.SourceBatch
	for i := range ranges {
		src := fmt.Sprintf("feed-%06d", i)
		batch := store.Batch{Items: make([]feeds.Item, 20), State: &sources.State{ETag: src, LastSuccess: at(9, 0, 0)}}
		for j := range batch.Items {
			batch.Items[j] = groupItem(fmt.Sprintf("urn:%s-%d", src, j), 10+j%10)
		}
		if known {
			batch.Retain = &store.Retain{Before: at(0, 0, 0)}
		}
		if group = append(group, store.SourceBatch{Source: src, Batch: batch}); len(group) == 500 || i == n-1 {
			if _, err := s.ApplyGroup(ctx, group); err != nil {
				b.Fatal(err)
			}
			group = group[:0]
		}
		ranges[i] = store.Dated{Source: src, From: at(1, 0, 0), Before: at(9, 0, 0)}
	}
	names := make([]string, n)
	for i, r := range ranges {
		names[i] = r.Source
	}
	next := 0
	for b.Loop() {
		chunk := ranges[next : next+256]
		states, got, err := s.StatesDated(ctx, names[next:next+256], func(i int, _ sources.State) (store.Dated, bool) {
			return chunk[i], true
		})
		if err != nil || len(got) != 0 || len(states) != 256 {
			b.Fatalf("StatesDated = %d states, %v, %v; want 256 and none dated", len(states), got, err)
		}
		if next += 256; next+256 > n {
			next = 0
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*256)/1e3, "µs/source")
}
