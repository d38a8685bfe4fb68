package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// t0 is the clock of the claim tests.
var t0 = time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// zeroDue lists names as due whenever they were last checked.
func zeroDue(names ...string) []store.Due {
	due := make([]store.Due, len(names))
	for i, n := range names {
		due[i] = store.Due{Source: n}
	}
	return due
}

// mustClaim claims due for node at now until now+5m and returns the names.
func mustClaim(t *testing.T, s *Store, node string, due []store.Due, now time.Time) []string {
	t.Helper()
	return names(mustClaimed(t, s, node, due, now))
}

// mustClaimed is mustClaim with the orphans the claim took over.
func mustClaimed(t *testing.T, s *Store, node string, due []store.Due, now time.Time) []store.Claimed {
	t.Helper()
	got, err := s.Claim(context.Background(), node, due, now, now.Add(5*time.Minute))
	if err != nil {
		t.Fatalf("Claim(%s): %v", node, err)
	}
	return got
}

func names(cs []store.Claimed) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Source)
	}
	return out
}

func mustSave(t *testing.T, s *Store, source string, st sources.State) {
	t.Helper()
	if err := storetest.SaveState(context.Background(), s, source, st); err != nil {
		t.Fatal(err)
	}
}

// leaseTable lists every source row as "name claimed_by lease_until", with
// "-" for NULL and the lease as an offset from t0.
func leaseTable(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(),
		`SELECT name, coalesce(claimed_by, '-'), lease_until FROM sources ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var name, by string
		var until *time.Time
		if err := rows.Scan(&name, &by, &until); err != nil {
			t.Fatal(err)
		}
		lease := "-"
		if until != nil {
			lease = "t0+" + until.Sub(t0).String()
		}
		lines = append(lines, name+" "+by+" "+lease)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestClaim(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, s *Store)
		node      string
		due       []store.Due
		now       time.Time
		want      []string
		wantTable string
	}{
		{
			name: "missing rows are created and claimed in input order",
			node: "node-2", due: zeroDue("c", "a", "b", "a"), now: t0,
			want:      []string{"c", "a", "b"},
			wantTable: "a node-2 t0+5m0s\nb node-2 t0+5m0s\nc node-2 t0+5m0s",
		},
		{
			name: "a live lease of another node blocks",
			setup: func(t *testing.T, s *Store) {
				mustClaim(t, s, "node-1", zeroDue("a"), t0)
			},
			node: "node-2", due: zeroDue("a", "b"), now: at(time.Minute),
			want:      []string{"b"},
			wantTable: "a node-1 t0+5m0s\nb node-2 t0+6m0s",
		},
		{
			name: "a lease blocks up to its last second",
			setup: func(t *testing.T, s *Store) {
				mustClaim(t, s, "node-1", zeroDue("a"), t0)
			},
			node: "node-2", due: zeroDue("a"), now: at(5 * time.Minute),
			want:      nil,
			wantTable: "a node-1 t0+5m0s",
		},
		{
			name: "now is taken to the second",
			setup: func(t *testing.T, s *Store) {
				mustClaim(t, s, "node-1", zeroDue("a"), t0)
			},
			node: "node-2", due: zeroDue("a"), now: at(5*time.Minute + 900*time.Millisecond),
			want:      nil,
			wantTable: "a node-1 t0+5m0s",
		},
		{
			name: "an expired lease is claimable by another node",
			setup: func(t *testing.T, s *Store) {
				mustClaim(t, s, "node-1", zeroDue("a"), t0)
			},
			node: "node-2", due: zeroDue("a"), now: at(5*time.Minute + time.Second),
			want:      []string{"a"},
			wantTable: "a node-2 t0+10m1s",
		},
		{
			name: "a live lease blocks its own node too",
			setup: func(t *testing.T, s *Store) {
				mustClaim(t, s, "node-1", zeroDue("a"), t0)
			},
			node: "node-1", due: zeroDue("a"), now: at(time.Minute),
			want:      nil,
			wantTable: "a node-1 t0+5m0s",
		},
		{
			name: "a source checked at or after the due time is not claimed",
			setup: func(t *testing.T, s *Store) {
				// The tick was at t0-1m: a was checked for it by another
				// node, b exactly at it, c before it, d never.
				mustSave(t, s, "a", sources.State{CheckedAt: at(-time.Minute + 2*time.Second)})
				mustSave(t, s, "b", sources.State{CheckedAt: at(-time.Minute)})
				mustSave(t, s, "c", sources.State{CheckedAt: at(-time.Minute - time.Second)})
			},
			node: "node-2",
			due: []store.Due{{Source: "a", Since: at(-time.Minute)}, {Source: "b", Since: at(-time.Minute)},
				{Source: "c", Since: at(-time.Minute)}, {Source: "d", Since: at(-time.Minute)}},
			now:  t0,
			want: []string{"c", "d"}, wantTable: "a - -\nb - -\nc node-2 t0+5m0s\nd node-2 t0+5m0s",
		},
		{
			name: "the due time is taken to the second",
			setup: func(t *testing.T, s *Store) {
				mustSave(t, s, "a", sources.State{CheckedAt: at(-10 * time.Minute)})
			},
			node: "node-2", due: []store.Due{{Source: "a", Since: at(-10*time.Minute + 300*time.Millisecond)}}, now: t0,
			want: nil, wantTable: "a - -",
		},
		{
			name: "a zero due time claims however recently it was checked",
			setup: func(t *testing.T, s *Store) {
				mustSave(t, s, "a", sources.State{CheckedAt: t0})
			},
			node: "node-2", due: zeroDue("a"), now: t0,
			want: []string{"a"}, wantTable: "a node-2 t0+5m0s",
		},
		{
			name: "force claims inside next_due, never inside a lease",
			setup: func(t *testing.T, s *Store) {
				mustSave(t, s, "a", sources.State{NextDue: at(time.Hour)})
				mustClaim(t, s, "node-1", zeroDue("b"), t0)
				mustSave(t, s, "b", sources.State{NextDue: at(time.Hour)})
			},
			node: "node-2", due: []store.Due{{Source: "a", Force: true}, {Source: "b", Force: true}}, now: t0,
			want: []string{"a"}, wantTable: "a node-2 t0+5m0s\nb node-1 t0+5m0s",
		},
		{
			name: "next_due in the future blocks",
			setup: func(t *testing.T, s *Store) {
				mustSave(t, s, "a", sources.State{NextDue: at(time.Second)})
				mustSave(t, s, "b", sources.State{NextDue: t0})
				mustSave(t, s, "c", sources.State{})
			},
			node: "node-2", due: zeroDue("a", "b", "c"), now: t0,
			want:      []string{"b", "c"},
			wantTable: "a - -\nb node-2 t0+5m0s\nc node-2 t0+5m0s",
		},
		{
			name: "nothing due",
			node: "node-2", due: nil, now: t0,
			want: nil, wantTable: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			if tt.setup != nil {
				tt.setup(t, s)
			}
			got := mustClaim(t, s, tt.node, tt.due, tt.now)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Claim = %q, want %q", got, tt.want)
			}
			if table := leaseTable(t, s); table != tt.wantTable {
				t.Errorf("sources after Claim:\n%s\nwant:\n%s", table, tt.wantTable)
			}
		})
	}
}

// TestClaimCreatesZeroState: a row Claim creates reads back as the state of
// a source never saved, and SaveState then keeps its lease.
func TestClaimCreatesZeroState(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustClaim(t, s, "node-1", zeroDue("a"), t0)
	if st, err := s.State(ctx, "a"); err != nil || st != (sources.State{}) {
		t.Errorf("State = %+v, %v; want the zero State", st, err)
	}
	mustSave(t, s, "a", sources.State{CheckedAt: t0, NextDue: at(time.Hour)})
	if got, want := leaseTable(t, s), "a node-1 t0+5m0s"; got != want {
		t.Errorf("sources after SaveState: %q, want %q", got, want)
	}
}

func TestClaimEmptyNode(t *testing.T) {
	s := openTemp(t)
	_, err := s.Claim(context.Background(), "", zeroDue("a"), t0, at(time.Minute))
	if err == nil || err.Error() != "postgres: claim: empty node id" {
		t.Errorf("Claim with no node: %v, want postgres: claim: empty node id", err)
	}
	if table := leaseTable(t, s); table != "" {
		t.Errorf("sources after a refused Claim:\n%s\nwant none", table)
	}
}

// TestClaimConcurrent: two nodes, each with five workers claiming the same
// 200 new sources in batches and in different orders, claim every source
// exactly once.
func TestClaimConcurrent(t *testing.T) {
	const (
		total   = 200
		workers = 5
		batch   = 20
	)
	ctx := context.Background()
	dsn := newDatabase(t)
	nodes := map[string]*Store{"node-1": openAt(t, dsn), "node-2": openAt(t, dsn)}
	names := make([]string, total)
	for i := range names {
		names[i] = fmt.Sprintf("src-%03d", i)
	}

	var mu sync.Mutex
	claimedBy := map[string][]string{} // source → the nodes that claimed it
	var errs []error
	var wg sync.WaitGroup
	for node, s := range nodes {
		for w := range workers {
			// Each worker starts elsewhere in the list, so that workers
			// create and lock rows in different orders.
			order := slices.Concat(names[w*total/workers:], names[:w*total/workers])
			if node == "node-2" {
				slices.Reverse(order)
			}
			wg.Go(func() {
				for part := range slices.Chunk(order, batch) {
					got, err := s.Claim(ctx, node, zeroDue(part...), t0, at(5*time.Minute))
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					}
					for _, c := range got {
						claimedBy[c.Source] = append(claimedBy[c.Source], node)
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}

	counts := map[string]int{}
	for _, name := range names {
		by := claimedBy[name]
		if len(by) != 1 {
			t.Errorf("%s claimed by %q, want exactly one node", name, by)
			continue
		}
		counts[by[0]]++
		var stored string
		if err := nodes["node-1"].pool.QueryRow(ctx, `SELECT claimed_by FROM sources WHERE name = $1`,
			name).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != by[0] {
			t.Errorf("%s stored as claimed by %s, returned to %s", name, stored, by[0])
		}
	}
	if len(claimedBy) != total {
		t.Errorf("%d sources claimed, want %d", len(claimedBy), total)
	}
	for node, s := range nodes {
		n, err := s.Leases(ctx, node, t0)
		if err != nil || n != counts[node] {
			t.Errorf("Leases(%s) = %d, %v; want %d", node, n, err, counts[node])
		}
	}
	t.Logf("node-1 claimed %d, node-2 claimed %d", counts["node-1"], counts["node-2"])
}

func TestClaimUnclaim(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustClaim(t, s, "node-1", zeroDue("a", "b"), t0)
	steps := []struct {
		node, source string
		wantTable    string
	}{
		{"node-2", "a", "a node-1 t0+5m0s\nb node-1 t0+5m0s"},
		{"node-1", "missing", "a node-1 t0+5m0s\nb node-1 t0+5m0s"},
		{"node-1", "a", "a - -\nb node-1 t0+5m0s"},
		{"node-1", "a", "a - -\nb node-1 t0+5m0s"},
	}
	for i, st := range steps {
		if err := s.Unclaim(ctx, st.node, st.source); err != nil {
			t.Fatalf("step %d: Unclaim(%s, %s): %v", i, st.node, st.source, err)
		}
		if table := leaseTable(t, s); table != st.wantTable {
			t.Errorf("step %d: after Unclaim(%s, %s):\n%s\nwant:\n%s", i, st.node, st.source, table, st.wantTable)
		}
	}
	// The released source is claimable at once, the other one is not.
	if got := mustClaim(t, s, "node-2", zeroDue("a", "b"), at(time.Minute)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Claim after Unclaim = %q, want [a]", got)
	}
}

func TestClaimLeases(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustClaim(t, s, "node-1", zeroDue("a", "b", "c"), t0)
	mustClaim(t, s, "node-2", zeroDue("d"), at(5*time.Minute))
	if err := s.Unclaim(ctx, "node-1", "b"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		node string
		now  time.Time
		want int
	}{
		{"node-1", t0, 2},
		{"node-1", at(5 * time.Minute), 2},
		{"node-1", at(5*time.Minute + time.Second), 0},
		{"node-2", t0, 1},
		{"node-2", at(10 * time.Minute), 1},
		{"node-2", at(10*time.Minute + time.Second), 0},
		{"node-3", t0, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s at t0+%s", tt.node, tt.now.Sub(t0)), func(t *testing.T) {
			if n, err := s.Leases(ctx, tt.node, tt.now); err != nil || n != tt.want {
				t.Errorf("Leases = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
}

func TestOrphans(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustSave(t, s, "a", sources.State{CheckedAt: at(-time.Hour)})
	mustClaim(t, s, "node-1", zeroDue("a", "b", "c"), t0)
	mustClaim(t, s, "node-2", zeroDue("d"), at(time.Minute))
	if err := s.Unclaim(ctx, "node-1", "c"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now  time.Time
		want []store.Orphan
	}{
		{at(5 * time.Minute), nil},
		{at(5*time.Minute + time.Second), []store.Orphan{
			{Source: "a", Node: "node-1", CheckedAt: at(-time.Hour)},
			{Source: "b", Node: "node-1"},
		}},
		{at(6*time.Minute + time.Second), []store.Orphan{
			{Source: "a", Node: "node-1", CheckedAt: at(-time.Hour)},
			{Source: "b", Node: "node-1"},
			{Source: "d", Node: "node-2"},
		}},
	}
	for _, tt := range tests {
		got, err := s.Orphans(ctx, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Orphans at t0+%s = %+v, want %+v", tt.now.Sub(t0), got, tt.want)
		}
	}
	// Taking an orphan over makes it no orphan, and the claim names whose
	// lease ran out.
	if got := mustClaimed(t, s, "node-2", zeroDue("a"), at(6*time.Minute)); len(got) != 1 || got[0].Source != "a" || got[0].Orphan != "node-1" {
		t.Fatalf("Claim of an orphan = %+v, want a from node-1", got)
	}
	// A source let go is no orphan: its next claim takes it from no one.
	if err := s.Unclaim(ctx, "node-2", "a"); err != nil {
		t.Fatal(err)
	}
	if got := mustClaimed(t, s, "node-1", []store.Due{{Source: "a", Force: true}}, at(7*time.Minute)); len(got) != 1 || got[0].Source != "a" || got[0].Orphan != "" {
		t.Fatalf("Claim after Unclaim = %+v, want a from no one", got)
	}
	got, err := s.Orphans(ctx, at(6*time.Minute+time.Second))
	if err != nil || len(got) != 2 || got[0].Source != "b" {
		t.Errorf("Orphans after a take-over = %+v, %v; want b and d", got, err)
	}
}

func TestRenew(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustClaim(t, s, "node-1", zeroDue("a"), t0)
	for _, tt := range []struct {
		node      string
		want      bool
		wantTable string
	}{
		{"node-1", true, "a node-1 t0+20m0s"},
		{"node-2", false, "a node-1 t0+20m0s"},
	} {
		held, err := s.Renew(ctx, tt.node, "a", at(20*time.Minute))
		if err != nil || held != tt.want {
			t.Errorf("Renew(%s) = %v, %v; want %v", tt.node, held, err, tt.want)
		}
		if table := leaseTable(t, s); table != tt.wantTable {
			t.Errorf("after Renew(%s): %s, want %s", tt.node, table, tt.wantTable)
		}
	}
	if held, err := s.Renew(ctx, "node-1", "missing", at(time.Hour)); err != nil || held {
		t.Errorf("Renew of a missing source = %v, %v; want false", held, err)
	}
}

// TestApplyHolder: a batch written as a holder goes in while that node
// holds the source, even past its lease's end, and is refused whole once
// another node took the source over or nobody holds it.
func TestApplyHolder(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	item := func(title string) []feeds.Item {
		return []feeds.Item{{ID: "urn:h", Title: title, Language: "en", Published: t0, Updated: t0}}
	}
	mustClaim(t, s, "node-1", zeroDue("a"), t0)
	st := sources.State{CheckedAt: at(time.Hour)}
	if _, err := s.Apply(ctx, "a", store.Batch{Items: item("One"), State: &st, Holder: "node-1"}); err != nil {
		t.Fatalf("Apply by the holder: %v", err)
	}
	// node-1's lease ran out and node-2 took a over.
	mustClaim(t, s, "node-2", zeroDue("a"), at(10*time.Minute))
	late := sources.State{CheckedAt: at(2 * time.Hour)}
	_, err := s.Apply(ctx, "a", store.Batch{Items: item("Late"), State: &late, Holder: "node-1"})
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Apply by the old holder: %v, want ErrLeaseLost", err)
	}
	if _, err := s.Apply(ctx, "b", store.Batch{State: &late, Holder: "node-1"}); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Apply as the holder of a source nobody holds: %v, want ErrLeaseLost", err)
	}
	items, err := s.Items(ctx, store.Query{})
	if err != nil || len(items) != 1 || items[0].Title != "One" {
		t.Errorf("items = %+v, %v; want only One", items, err)
	}
	if got, err := s.State(ctx, "a"); err != nil || !got.CheckedAt.Equal(at(time.Hour)) {
		t.Errorf("state = %+v, %v; want the holder's, checked at t0+1h", got, err)
	}
	if s.Unavailable(store.ErrLeaseLost) {
		t.Error("a lost lease counted as the database being away")
	}
}

// TestClaimReturnsState: a claimed source comes with its fetch state as
// State reads it, a new one with the zero state.
func TestClaimReturnsState(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	saved := sources.State{URL: "https://moved.example/feed", ConfiguredURL: "https://a.example/feed",
		ETag: `"v7"`, LastModified: "Tue, 01 Dec 2026 10:00:00 GMT", CheckedAt: at(time.Hour),
		LastSuccess: at(30 * time.Minute), LastError: "HTTP 503", Failures: 2, NextDue: at(-time.Minute)}
	mustSave(t, s, "a", saved)
	items := []feeds.Item{
		{ID: "urn:1", Title: "One", Language: "en", Published: t0, Updated: t0},
		{ID: "urn:2", Title: "Two", Language: "en", Published: t0, Updated: t0},
	}
	if _, err := s.Apply(ctx, "a", store.Batch{Items: items, Hashes: map[string]string{"urn:1": "h1"}}); err != nil {
		t.Fatal(err)
	}
	got := mustClaimed(t, s, "node-1", zeroDue("a", "new"), at(2*time.Hour))
	if len(got) != 2 {
		t.Fatalf("claimed %+v, want a and new", got)
	}
	want, err := s.State(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Source != "a" || got[0].State != want || want.ETag != `"v7"` || want.Failures != 2 {
		t.Errorf("claimed a with %+v, want %+v", got[0].State, want)
	}
	if len(got[0].Published) != 2 || !got[0].Published[0].Equal(t0) || !got[0].Published[1].Equal(t0) {
		t.Errorf("claimed a with dates %v, want t0 twice", got[0].Published)
	}
	if got[0].Items != 2 || !maps.Equal(got[0].Hashes, map[string]string{"h1": "urn:1"}) {
		t.Errorf("claimed a with %d items, hashes %v; want 2 and h1 of urn:1", got[0].Items, got[0].Hashes)
	}
	if got[1].Source != "new" || got[1].State != (sources.State{}) || got[1].Items != 0 || got[1].Hashes != nil {
		t.Errorf("claimed new with %+v, want the zero state and no items", got[1])
	}
}
