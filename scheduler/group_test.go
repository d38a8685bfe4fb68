package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// groupStore records the groups it is given to write and fails a group
// that holds the source fail.
type groupStore struct {
	*sqlite.Store
	groups [][]string
	fail   string
}

func (g *groupStore) ApplyGroup(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	var names []string
	for _, b := range group {
		names = append(names, b.Source)
	}
	g.groups = append(g.groups, names)
	if slices.Contains(names, g.fail) {
		return nil, errors.New(`apply "` + g.fail + `": disk full`)
	}
	return g.Store.ApplyGroup(ctx, group)
}

func (g *groupStore) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	if source == g.fail {
		return store.Applied{}, errors.New(`apply "` + g.fail + `": disk full`)
	}
	return g.Store.Apply(ctx, source, b)
}

// TestStoreGroup: the sources of a group that write are written in one
// ApplyGroup, in order; the others are reported beside them; every lease
// is let go; and a group that fails is written source by source, as if
// never grouped: the sources before the failing one are stored, and the
// pass stops with ErrStore naming it.
func TestStoreGroup(t *testing.T) {
	s := newSite(t)
	gs := &groupStore{Store: s.store}
	sched := New(gs, nil, nil, nil, Options{Now: func() time.Time { return s.now }}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	released := map[string]bool{}
	entry := func(i int, name string, write bool) pending {
		st := &staged{sr: SourceReport{Name: name, NotModified: true}, write: write}
		st.b.State = &sources.State{URL: "https://up.example.org/" + name, ETag: `"` + name + `"`}
		return pending{i: i, st: st, r: passed{lease: lease{end: func() { released[name] = true }}}}
	}
	newPass := func(n int) *pass {
		p := &pass{window: make(chan struct{}, n)}
		for range n {
			p.window <- struct{}{}
		}
		return p
	}
	etag := func(name string) string {
		st, err := s.store.State(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return st.ETag
	}

	var rep Report
	p := newPass(4)
	group := []pending{entry(0, "a", true), entry(1, "b", false), entry(2, "c", true), entry(3, "d", true)}
	if err := sched.storeGroup(ctx, p, group, s.now, &rep); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"a", "c", "d"}}; !slices.EqualFunc(gs.groups, want, slices.Equal) {
		t.Errorf("groups written %q, want %q", gs.groups, want)
	}
	var names []string
	for _, sr := range rep.Sources {
		names = append(names, sr.Name)
	}
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(names, want) {
		t.Errorf("reported %q, want %q", names, want)
	}
	for _, n := range []string{"a", "c", "d"} {
		if got := etag(n); got != `"`+n+`"` {
			t.Errorf("state of %s: ETag %s, want %q", n, got, `"`+n+`"`)
		}
	}
	if etag("b") != "" {
		t.Error("b, which writes nothing, has a state")
	}
	if len(released) != 4 || p.taken != 4 {
		t.Errorf("released %v, taken %d; want all 4", released, p.taken)
	}

	gs.fail, gs.groups, rep, released = "f", nil, Report{}, map[string]bool{}
	p = newPass(3)
	err := sched.storeGroup(ctx, p, []pending{entry(0, "e", true), entry(1, "f", true), entry(2, "g", true)}, s.now, &rep)
	if !errors.Is(err, ErrStore) || !strings.Contains(err.Error(), `source "f"`) {
		t.Fatalf("failed group: %v, want ErrStore for source f", err)
	}
	if want := [][]string{{"e", "f", "g"}}; !slices.EqualFunc(gs.groups, want, slices.Equal) {
		t.Errorf("groups written %q, want %q", gs.groups, want)
	}
	if etag("e") != `"e"` || etag("f") != "" || etag("g") != "" {
		t.Errorf("after the failed group: states e %s, f %s, g %s; want e's alone", etag("e"), etag("f"), etag("g"))
	}
	names = nil
	for _, sr := range rep.Sources {
		names = append(names, sr.Name)
	}
	if want := []string{"e", "f"}; !slices.Equal(names, want) {
		t.Errorf("reported %q, want %q", names, want)
	}
	if len(released) != 3 {
		t.Errorf("released %v after a failed group, want e, f and g", released)
	}
}

// TestGroupsOf304s: a pass of 304s is written in full groups, each source
// in config order, not a commit whenever the next answer is still on its
// way; a group waits to fill no further than half the pass's window of
// fetched sources, whose places its sources hold until written, so that
// the fetches go on while it is written. The wait is long, so that the
// groups do not depend on the machine's speed.
func TestGroupsOf304s(t *testing.T) {
	up := newUpstream(t, "application/rss+xml", rssDoc("Up", upItem{title: "One", link: "https://up.example.org/1", raw: "Mon, 02 Mar 2026 10:00:00 +0800"}))
	up.set(func(u *upstream) { u.etag = `"v1"` })
	for _, tt := range []struct {
		concurrency int
		// Every group but the last holds from min to max sources: a group
		// waits until it holds min; one the answers overtake (each ready
		// when the last is staged) may grow further, up to max.
		min, max int
	}{
		{16, 32, 32}, // groupMax
		{4, 8, 16},   // half the window of 4 × 4, and the window
	} {
		t.Run(fmt.Sprint(tt.concurrency), func(t *testing.T) {
			s := newSite(t)
			gs := &groupStore{Store: s.store}
			var specs []feedSpec
			var names []string
			for i := range 70 {
				name := fmt.Sprintf("up-%02d", i)
				specs = append(specs, feedSpec{name: name, url: up.url()})
				names = append(names, name)
			}
			jobs := s.feedJobs(specs...)
			run := func() Report {
				t.Helper()
				sched := s.schedulerOn(gs, Options{Concurrency: tt.concurrency, Force: true, GroupWait: time.Hour}, jobs...)
				rep, err := sched.RunOnce(context.Background())
				if err != nil || rep.Failed() {
					t.Fatalf("RunOnce: %v, %+v", err, rep.Sources)
				}
				return rep
			}
			run()
			gs.groups = nil
			s.now = s.now.Add(time.Hour)
			rep := run()
			var sizes []int
			var written []string
			for _, g := range gs.groups {
				sizes = append(sizes, len(g))
				written = append(written, g...)
			}
			for i, n := range sizes[:max(len(sizes)-1, 0)] {
				if n < tt.min || n > tt.max {
					t.Errorf("group %d of %d sources, want %d to %d: groups of %v", i, n, tt.min, tt.max, sizes)
				}
			}
			// A last group of one is written on its own (Apply), not as a
			// group.
			if !slices.Equal(written, names) && !slices.Equal(written, names[:len(names)-1]) {
				t.Errorf("groups of %v: %q; want every source in order", sizes, gs.groups)
			}
			for _, sr := range rep.Sources {
				if !sr.NotModified {
					t.Errorf("%s: not a 304: %+v", sr.Name, sr)
				}
			}
			for _, n := range []string{names[0], names[69]} {
				if st := s.state(n); !st.CheckedAt.Equal(s.now) {
					t.Errorf("state of %s: %+v, want checked at %v", n, st, s.now)
				}
			}
		})
	}
}
