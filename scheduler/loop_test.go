package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// loopSource is a source whose Fetch the test writes; n counts calls from 1.
type loopSource struct {
	name  string
	fetch func(ctx context.Context, n int) (sources.Result, error)
	calls atomic.Int32
}

func (f *loopSource) Name() string { return f.name }

func (f *loopSource) Fetch(ctx context.Context, _ sources.State) (sources.Result, error) {
	return f.fetch(ctx, int(f.calls.Add(1)))
}

// loopStories returns a fetch that always yields one dated story per title.
func loopStories(titles ...string) func(context.Context, int) (sources.Result, error) {
	return func(context.Context, int) (sources.Result, error) {
		var res sources.Result
		for i, title := range titles {
			res.Stories = append(res.Stories, sources.Story{
				File: "wire.md", Position: i, Title: title, Language: "en",
				Link:      "https://www.example.edu/news/" + strings.ReplaceAll(strings.ToLower(title), " ", "-"),
				Published: time.Date(2025, 3, 13, 9, i, 0, 0, hk),
				Text:      []string{"Body of " + title + "."},
			})
		}
		return res, nil
	}
}

func loopJob(src sources.Source, schedule string) Job {
	return Job{Source: src, Norm: normalize.Source{Name: src.Name(), Language: "en"}, Schedule: schedule}
}

// loopLog is a log the test can read while Run writes to it.
type loopLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *loopLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *loopLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// count is how many log lines contain every one of parts.
func (l *loopLog) count(parts ...string) int {
	n := 0
	for line := range strings.SplitSeq(l.String(), "\n") {
		ok := line != ""
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			n++
		}
	}
	return n
}

func (l *loopLog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// loopPublisher wraps the real publisher: it counts calls, keeps their
// reports and runs the test's hooks around them.
type loopPublisher struct {
	pub    Publisher
	before func(n int) // runs before the n-th Publish (from 1)
	after  func(n int) // runs after it returned

	calls   atomic.Int32
	mu      sync.Mutex
	reports []publish.Report
	errs    []error
}

func (p *loopPublisher) Publish(ctx context.Context) (publish.Report, error) {
	n := int(p.calls.Add(1))
	if p.before != nil {
		p.before(n)
	}
	rep, err := p.pub.Publish(ctx)
	p.mu.Lock()
	p.reports = append(p.reports, rep)
	p.errs = append(p.errs, err)
	p.mu.Unlock()
	if p.after != nil {
		p.after(n)
	}
	return rep, err
}

// done is how many Publish calls have returned, with their reports.
func (p *loopPublisher) done() ([]publish.Report, []error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]publish.Report(nil), p.reports...), append([]error(nil), p.errs...)
}

func (s *site) loopPublish(log *slog.Logger, hub string) *loopPublisher {
	return &loopPublisher{pub: publish.New(s.store, publish.Options{
		Dir: s.out, BaseURL: "https://feeds.example.edu/", Title: "HKUST News",
		Link: "https://www.example.edu/news", Zone: hk, Hub: hub,
		Languages: []publish.Language{{Tag: "en", Title: "HKUST News"}, {Tag: "zh-Hant", Title: "香港科技大學新聞"}},
	}, log)}
}

func loopOptions(m *Metrics) Options {
	return Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news"},
		Debounce:  100 * time.Millisecond,
		Metrics:   m,
	}
}

// fetches reads the fetch counter of one source and result from the set,
// 0 when it was never counted.
func fetches(t *testing.T, set *metrics.Set, source, result string) int {
	t.Helper()
	return int(samples(t, set)[fmt.Sprintf(`feedloom_fetches_total{result=%q,source=%q}`, result, source)])
}

// startRun starts Run and returns the function that stops it: it cancels the
// context and fails the test unless Run returns nil within a few seconds.
func startRun(t *testing.T, sch *Scheduler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ret := make(chan error, 1)
	go func() { ret <- sch.Run(ctx) }()
	var once sync.Once
	stop = func() {
		t.Helper()
		once.Do(func() {
			cancel()
			select {
			case err := <-ret:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Run still running 5s after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually waits until cond holds, failing the test after a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, 4*time.Second, what, cond)
}

// waitFor waits until cond holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *site) loopState(name string) sources.State {
	s.t.Helper()
	st, err := s.store.State(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// TestRunNoOverlap: a source that hangs past its next ticks is never fetched
// twice at once; the ticks that find it running are skipped, counted as busy
// and logged, and the source runs again once it is free.
func TestRunNoOverlap(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	release := make(chan struct{})
	var inFlight, most atomic.Int32
	slow := &loopSource{name: "slow"}
	stories := loopStories("Slow Story")
	slow.fetch = func(ctx context.Context, n int) (sources.Result, error) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for top := most.Load(); cur > top && !most.CompareAndSwap(top, cur); top = most.Load() {
		}
		if n == 1 {
			select {
			case <-release:
			case <-ctx.Done():
				return sources.Result{}, ctx.Err()
			}
		}
		return stories(ctx, n)
	}
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil, []Job{loopJob(slow, "@every 1s")}, loopOptions(m), log.logger())
	stop := startRun(t, sch)

	eventually(t, "two busy ticks", func() bool { return fetches(t, set, "slow", "busy") >= 2 })
	if n := slow.calls.Load(); n != 1 {
		t.Errorf("Fetch called %d times while the first call hung, want 1", n)
	}
	close(release)
	eventually(t, "a refresh after the hung one", func() bool { return fetches(t, set, "slow", "ok") >= 2 })
	stop()

	if n := most.Load(); n != 1 {
		t.Errorf("at most %d Fetch calls at once, want 1", n)
	}
	busy := fetches(t, set, "slow", "busy")
	if logged := log.count(`msg="skipped: the previous run is still going"`, "source=slow"); logged != busy {
		t.Errorf("%d skipped ticks logged, %d counted busy; want the same", logged, busy)
	}
}

// TestRunRecoversPanic: a panic in a source's Fetch marks the source failed
// and leaves Run and the source's schedule running.
func TestRunRecoversPanic(t *testing.T) {
	t.Parallel()
	t.Run("forced: called again", func(t *testing.T) {
		t.Parallel()
		s := newSite(t)
		var log loopLog
		set := metrics.NewSet()
		m := NewMetrics(set)
		bomb := &loopSource{name: "bomb", fetch: func(context.Context, int) (sources.Result, error) { panic("boom") }}
		steady := &loopSource{name: "steady", fetch: loopStories("Steady Story")}
		opts := loopOptions(m)
		opts.Force = true // the failure backoff would keep the source from being fetched again
		sch := New(s.store, s.loopPublish(log.logger(), ""), nil,
			[]Job{loopJob(bomb, "@every 1s"), loopJob(steady, "@every 1s")}, opts, log.logger())
		stop := startRun(t, sch)

		eventually(t, "two stored failures", func() bool { return s.loopState("bomb").Failures >= 2 })
		eventually(t, "two refreshes of the other source", func() bool { return fetches(t, set, "steady", "ok") >= 2 })
		// Two ticks may come within a debounce of the start: the publish
		// is awaited, not assumed.
		eventually(t, "the other source's story published", func() bool { return titlesOf(s.feedIfAny("feed.json")) == "Steady Story" })
		stop()

		st := s.loopState("bomb")
		if st.LastError != `source "bomb": panic: boom` {
			t.Errorf("LastError = %q, want the panic", st.LastError)
		}
		if n := fetches(t, set, "bomb", "error"); n != st.Failures {
			t.Errorf("%d errors counted, %d failures stored; want the same", n, st.Failures)
		}
		if n := log.count(`msg="fetch failed"`, "source=bomb", `panic: boom`); n != st.Failures {
			t.Errorf("%d failures logged, %d stored; want the same", n, st.Failures)
		}
		if n := int(bomb.calls.Load()); n < st.Failures {
			t.Errorf("Fetch called %d times for %d stored failures", n, st.Failures)
		}
		if got := titlesOf(s.feed("feed.json")); got != "Steady Story" {
			t.Errorf("feed = %s, want the other source's story", got)
		}
	})

	t.Run("backoff: still ticking", func(t *testing.T) {
		t.Parallel()
		s := newSite(t)
		var log loopLog
		set := metrics.NewSet()
		m := NewMetrics(set)
		bomb := &loopSource{name: "bomb", fetch: func(context.Context, int) (sources.Result, error) { panic("boom") }}
		sch := New(s.store, s.loopPublish(log.logger(), ""), nil, []Job{loopJob(bomb, "@every 1s")}, loopOptions(m), log.logger())
		stop := startRun(t, sch)

		eventually(t, "two ticks inside the backoff", func() bool { return fetches(t, set, "bomb", "skipped") >= 2 })
		stop()
		st := s.loopState("bomb")
		if bomb.calls.Load() != 1 || st.Failures != 1 || st.LastError != `source "bomb": panic: boom` {
			t.Errorf("calls %d, state %+v; want 1 call and 1 failure with the panic", bomb.calls.Load(), st)
		}
		if !st.NextDue.Equal(st.CheckedAt.Add(5 * time.Minute)) {
			t.Errorf("NextDue = %v, want 5m after %v", st.NextDue, st.CheckedAt)
		}
		skipped := fetches(t, set, "bomb", "skipped")
		if n := log.count(`msg="skipped: still failing, backing off (use --force to fetch)"`, "source=bomb", "panic: boom"); n != skipped {
			t.Errorf("%d skipped ticks logged, %d counted; want the same", n, skipped)
		}
	})
}

// TestRunDebouncedPublish: changes that land within the debounce window give
// one publish; refreshes that change nothing give none.
func TestRunDebouncedPublish(t *testing.T) {
	t.Parallel()
	t.Run("burst", testDebouncedBurst)
	t.Run("no change", testDebouncedNoChange)
}

// testDebouncedBurst: three changes, each landing within the debounce
// window of the one before, give one publish.
func testDebouncedBurst(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	gate := make(chan struct{})
	pub := s.loopPublish(log.logger(), "")
	pub.after = func(n int) {
		if n == 1 {
			close(gate) // the sources change only after the startup publish
		}
	}
	// Each change lands once the one before it is stored, each within
	// the debounce window of the one before.
	names := []string{"alpha", "beta", "gamma"}
	stored := map[string]func(){}
	landed := map[string]chan struct{}{}
	for _, name := range names {
		ch := make(chan struct{})
		landed[name], stored[name] = ch, sync.OnceFunc(func() { close(ch) })
	}
	var jobs []Job
	for i, name := range names {
		stories := loopStories(strings.ToUpper(name[:1]) + name[1:] + " Story")
		after := gate
		if i > 0 {
			after = landed[names[i-1]]
		}
		src := &loopSource{name: name, fetch: func(ctx context.Context, n int) (sources.Result, error) {
			select {
			case <-after:
			case <-ctx.Done():
				return sources.Result{}, ctx.Err()
			}
			return stories(ctx, n)
		}}
		jobs = append(jobs, loopJob(src, "@every 1h"))
	}
	opts := loopOptions(m)
	opts.Debounce = 300 * time.Millisecond
	data := filepath.Join(s.dir, "data")
	opts.Lock = func(ctx context.Context) (func(), error) {
		l, err := AcquireLock(ctx, data, 5*time.Second)
		if err != nil {
			return nil, err
		}
		return func() { l.Release() }, nil
	}
	st := appliedStore{Store: s.store, applied: func(source string) { stored[source]() }}
	sch := New(st, pub, nil, jobs, opts, log.logger())
	stop := startRun(t, sch)

	eventually(t, "three refreshes", func() bool {
		return fetches(t, set, "alpha", "ok") == 1 && fetches(t, set, "beta", "ok") == 1 && fetches(t, set, "gamma", "ok") == 1
	})
	// The first publish after the burst holds all three changes: one
	// publish for the burst, nothing left for another.
	eventually(t, "the publish after the burst", func() bool { reps, _ := pub.done(); return len(reps) >= 2 })
	stop()

	reps, errs := pub.done()
	if len(reps) != 2 {
		t.Fatalf("%d publishes, want the startup one and one after the burst", len(reps))
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("publish %d: %v", i+1, err)
		}
	}
	if got := reps[1].Feeds[0]; got.Path != "rss.xml" || got.Items != 3 {
		t.Errorf("second publish: first feed %+v, want rss.xml with 3 items", got)
	}
	titles := strings.Split(titlesOf(s.feed("feed.json")), "|")
	slices.Sort(titles) // the three share a date: their order is their ids'
	if got := strings.Join(titles, "|"); got != "Alpha Story|Beta Story|Gamma Story" {
		t.Errorf("feed = %s, want the three stories", got)
	}
}

// testDebouncedNoChange: refreshes that change nothing give no publish
// but the startup one, which rewrites nothing.
func testDebouncedNoChange(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	var jobs []Job
	for _, name := range []string{"alpha", "beta"} {
		jobs = append(jobs, loopJob(&loopSource{name: name, fetch: loopStories(name + " story")}, "@every 1s"))
	}
	// A first pass stores the stories; every refresh after it is the same.
	seed := New(s.store, s.loopPublish(log.logger(), ""), nil, jobs, loopOptions(m), log.logger())
	if _, err := seed.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	pub := s.loopPublish(log.logger(), "")
	sch := New(s.store, pub, nil, jobs, loopOptions(m), log.logger())
	stop := startRun(t, sch)
	eventually(t, "three refreshes in Run", func() bool {
		return fetches(t, set, "alpha", "ok") >= 4 && fetches(t, set, "beta", "ok") >= 4
	})
	stop()
	reps, errs := pub.done()
	if len(reps) != 1 || errs[0] != nil {
		t.Fatalf("%d publishes (errors %v), want the startup one only", len(reps), errs)
	}
	if len(reps[0].Changed) != 0 {
		t.Errorf("startup publish rewrote %v, want nothing", reps[0].Changed)
	}
	if n := log.count(`msg=refreshed`, "changed=0"); n < 6 {
		t.Errorf("%d unchanged refreshes logged, want at least 6:\n%s", n, log.String())
	}
}

// appliedStore tells a test about every write it applied.
type appliedStore struct {
	store.Store
	applied func(source string)
}

func (s appliedStore) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	done, err := s.Store.Apply(ctx, source, b)
	if err == nil {
		s.applied(source)
	}
	return done, err
}

// TestRunStartsDueSources: at start Run fetches the sources whose next run
// per the store has passed, and leaves the others to their schedule.
func TestRunStartsDueSources(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	// Checked since the last tick of "@every 1h" (on the hour): a minute
	// ago would be before it in the first minute of an hour.
	checked := now.Truncate(time.Hour)
	fresh := sources.State{CheckedAt: checked, LastSuccess: checked}
	if err := storetest.SaveState(ctx, s.store, "fresh", fresh); err != nil {
		t.Fatal(err)
	}
	if err := storetest.SaveState(ctx, s.store, "stale", sources.State{CheckedAt: now.Add(-2 * time.Hour), LastSuccess: now.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srcs := map[string]*loopSource{}
	var jobs []Job
	for _, name := range []string{"fresh", "stale", "new"} {
		srcs[name] = &loopSource{name: name, fetch: loopStories(name + " story")}
		jobs = append(jobs, loopJob(srcs[name], "@every 1h"))
	}
	pub := s.loopPublish(log.logger(), "")
	sch := New(s.store, pub, nil, jobs, loopOptions(m), log.logger())
	stop := startRun(t, sch)
	eventually(t, "the due sources' refreshes", func() bool {
		return fetches(t, set, "stale", "ok") == 1 && fetches(t, set, "new", "ok") == 1
	})
	eventually(t, "a publish", func() bool { return pub.calls.Load() >= 1 })
	stop()

	want := map[string]int32{"fresh": 0, "stale": 1, "new": 1}
	for name, n := range want {
		if got := srcs[name].calls.Load(); got != n {
			t.Errorf("%s fetched %d times, want %d", name, got, n)
		}
	}
	if st := s.loopState("fresh"); !st.CheckedAt.Equal(fresh.CheckedAt) {
		t.Errorf("fresh checked at %v, want %v as stored", st.CheckedAt, fresh.CheckedAt)
	}
}

// TestRunReleasesEmbargo: a held item is released by Run once its time has
// come, and published.
func TestRunReleasesEmbargo(t *testing.T) {
	t.Parallel()
	t.Run("comes due while running", testEmbargoWhileRunning)
	t.Run("came due while stopped", testEmbargoWhileStopped)
}

// embargoed is a story held until at.
func embargoed(at time.Time) feeds.Item {
	return feeds.Item{
		ID: "tag:feeds.example.edu,2026-11-25:newsroom/embargo", Source: "newsroom",
		Title: "Embargoed Story", Link: "https://www.example.edu/news/embargo", Language: "en",
		Summary: "Not yet.", Published: at, Updated: at, FirstSeen: at.Add(-time.Hour),
		File: "later.md", Held: true,
	}
}

// checkReleased checks that the startup publish held wantFirst items and
// that the story was released, stored and published by the end.
func checkReleased(t *testing.T, s *site, pub *loopPublisher, wantFirst int) {
	t.Helper()
	reps, errs := pub.done()
	for i, err := range errs {
		if err != nil {
			t.Errorf("publish %d: %v", i+1, err)
		}
	}
	if got := reps[0].Feeds[0]; got.Path != "rss.xml" || got.Items != wantFirst {
		t.Errorf("startup publish: %+v, want rss.xml with %d items", got, wantFirst)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Embargoed Story" {
		t.Errorf("feed after the embargo = %q, want the story", got)
	}
	items, err := s.store.Items(context.Background(), store.Query{IncludeHeld: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Held {
		t.Errorf("stored: %+v, want one released item", items)
	}
}

// testEmbargoWhileRunning: an embargo that ends while Run runs is lifted
// and published.
func testEmbargoWhileRunning(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	// The scheduler's clock stands still until the startup publish is
	// done, then passes the embargo: however slow the machine, the
	// story is held at startup and released while running.
	start := time.Now().Truncate(time.Second)
	var clock atomic.Int64
	clock.Store(start.UnixNano())
	at := start.Add(2 * time.Second)
	if _, err := storetest.Upsert(context.Background(), s.store, "newsroom", []feeds.Item{embargoed(at)}); err != nil {
		t.Fatal(err)
	}
	pub := s.loopPublish(log.logger(), "")
	opts := loopOptions(nil)
	opts.ReleaseEvery = 100 * time.Millisecond
	opts.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	sch := New(s.store, pub, nil, nil, opts, log.logger())
	stop := startRun(t, sch)
	// Done, not only begun: the release must not reach its read.
	eventually(t, "the startup publish", func() bool { reps, _ := pub.done(); return len(reps) >= 1 })
	clock.Store(at.Add(time.Second).UnixNano())
	eventually(t, "a publish of the released story", func() bool {
		reps, _ := pub.done()
		return len(reps) >= 2 && reps[len(reps)-1].Feeds[0].Items == 1
	})
	stop()
	checkReleased(t, s, pub, 0)
	if n := log.count(`msg="embargo lifted"`, "items=1"); n != 1 {
		t.Errorf("release logged %d times, want once", n)
	}
}

// testEmbargoWhileStopped: an embargo that ended while serve was down is
// lifted before the startup publish, not one ReleaseEvery later.
func testEmbargoWhileStopped(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	at := time.Now().Truncate(time.Second).Add(-time.Minute)
	if _, err := storetest.Upsert(context.Background(), s.store, "newsroom", []feeds.Item{embargoed(at)}); err != nil {
		t.Fatal(err)
	}
	pub := s.loopPublish(log.logger(), "")
	opts := loopOptions(nil)
	opts.ReleaseEvery = time.Hour
	sch := New(s.store, pub, nil, nil, opts, log.logger())
	stop := startRun(t, sch)
	eventually(t, "the startup publish", func() bool { return pub.calls.Load() >= 1 })
	stop()
	checkReleased(t, s, pub, 1)
}

// TestRunShutdown: cancelling Run's context lets an in-flight publish finish
// its writes, abandons a hung fetch without marking the source failed, and
// returns nil promptly.
func TestRunShutdown(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	hung := &loopSource{name: "hung", fetch: func(ctx context.Context, _ int) (sources.Result, error) {
		<-ctx.Done()
		return sources.Result{}, ctx.Err()
	}}
	// A story stored before: the startup publish has something to write.
	if _, err := storetest.Upsert(context.Background(), s.store, "newsroom", []feeds.Item{{
		ID: "tag:feeds.example.edu,2026-11-25:newsroom/a", Title: "Stored Story", Link: "https://www.example.edu/news/a",
		Language: "en", Published: time.Date(2025, 3, 13, 9, 0, 0, 0, hk), Updated: time.Date(2025, 3, 13, 9, 0, 0, 0, hk),
		FirstSeen: time.Date(2025, 3, 13, 9, 0, 0, 0, hk), File: "a.md",
	}}); err != nil {
		t.Fatal(err)
	}

	pub := s.loopPublish(log.logger(), "")
	started := make(chan struct{})
	var runCtx context.Context
	var finished atomic.Bool
	pub.before = func(n int) {
		if n == 1 {
			close(started)
			<-runCtx.Done() // still publishing when the shutdown comes
		}
	}
	pub.after = func(n int) { finished.Store(true) }
	sch := New(s.store, pub, nil, []Job{loopJob(hung, "@every 1s")}, loopOptions(m), log.logger())

	ctx, cancel := context.WithCancel(context.Background())
	runCtx = ctx
	ret := make(chan error, 1)
	go func() {
		err := sch.Run(ctx)
		if !finished.Load() {
			err = errors.Join(err, errors.New("returned before the publish finished"))
		}
		ret <- err
	}()
	<-started
	eventually(t, "the hung fetch", func() bool { return hung.calls.Load() >= 1 })
	cancel()
	select {
	case err := <-ret:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still running 5s after its context was cancelled")
	}

	reps, errs := pub.done()
	if len(reps) != 1 || errs[0] != nil {
		t.Fatalf("publishes %d, errors %v; want one that succeeded", len(reps), errs)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Stored Story" {
		t.Errorf("feed = %q, want the stored story", got)
	}
	if st := s.loopState("hung"); !st.CheckedAt.IsZero() || st.Failures != 0 || st.LastError != "" {
		t.Errorf("hung source state %+v, want untouched by the shutdown", st)
	}
	if n := fetches(t, set, "hung", "error"); n != 0 {
		t.Errorf("%d errors counted for the abandoned fetch, want 0", n)
	}
}

// TestRunShutdownSlowHub: a WebSub hub that does not answer holds up neither
// the shutdown nor the store's writers.
func TestRunShutdownSlowHub(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	set := metrics.NewSet()
	m := NewMetrics(set)
	unblock := make(chan struct{})
	var pings atomic.Int32
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pings.Add(1)
		select {
		case <-unblock:
		case <-r.Context().Done():
		}
	}))
	defer hub.Close()
	release := sync.OnceFunc(func() { close(unblock) })
	defer release() // before hub.Close, so a stuck ping ends

	src := &loopSource{name: "wire", fetch: loopStories("Wire Story")}
	opts := loopOptions(m)
	opts.Hub, opts.BaseURL = hub.URL, "https://feeds.example.edu/"
	data := filepath.Join(s.dir, "data")
	opts.Lock = func(ctx context.Context) (func(), error) {
		l, err := AcquireLock(ctx, data, 5*time.Second)
		if err != nil {
			return nil, err
		}
		return func() { l.Release() }, nil
	}
	pub := s.loopPublish(log.logger(), hub.URL)
	sch := New(s.store, pub, nil, []Job{loopJob(src, "@every 1s")}, opts, log.logger())

	ctx, cancel := context.WithCancel(context.Background())
	ret := make(chan error, 1)
	go func() { ret <- sch.Run(ctx) }()
	eventually(t, "a hub ping", func() bool { return pings.Load() >= 1 })
	// While the hub hangs, the lock is free for another run.
	l, err := AcquireLock(context.Background(), data, 2*time.Second)
	if err != nil {
		t.Errorf("lock while pinging the hub: %v", err)
	} else {
		l.Release()
	}
	cancel()
	select {
	case err := <-ret:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("Run still running 5s after its context was cancelled")
		release()
		if err := <-ret; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	if n := log.count("websub ping failed"); n != 0 {
		t.Errorf("%d pings cut short by the shutdown logged as failures, want 0:\n%s", n, log.String())
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 25, 10, 7, 30, 0, time.Local)
	tests := []struct {
		spec string
		next time.Time // after from
		err  string
	}{
		{spec: "*/30 * * * *", next: time.Date(2026, 11, 25, 10, 30, 0, 0, time.Local)},
		// @every ticks on its grid, the same instants on every node.
		{spec: "@every 10m", next: time.Date(2026, 11, 25, 10, 10, 0, 0, time.Local)},
		{spec: "@every 7s", next: time.Date(2026, 11, 25, 10, 7, 30, 0, time.Local).Truncate(7 * time.Second).Add(7 * time.Second)},
		{spec: "@hourly", next: time.Date(2026, 11, 25, 11, 0, 0, 0, time.Local)},
		{spec: "CRON_TZ=Asia/Hong_Kong 0 8 * * *", next: time.Date(2026, 11, 26, 8, 0, 0, 0, hk)},
		{spec: "CRON_TZ=UTC", err: `schedule "CRON_TZ=UTC": runtime error: slice bounds out of range [:-1]`},
		{spec: "TZ=0", err: `schedule "TZ=0": runtime error: slice bounds out of range [:-1]`},
		{spec: "61 * * * *", err: `schedule "61 * * * *": end of range (61) above maximum (59): 61`},
		{spec: "", err: "empty schedule"},
	}
	for _, tt := range tests {
		name := tt.spec
		if name == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sched, err := ParseSchedule(tt.spec)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || sched != nil {
					t.Fatalf("ParseSchedule = %v, %v; want nil, %s", sched, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sched.Next(from); !got.Equal(tt.next) {
				t.Errorf("Next(%v) = %v, want %v", from, got, tt.next)
			}
		})
	}
}

// jitterOffset is the offset jitter gives name on sched.
func jitterOffset(t *testing.T, sched string, name string, frac float64) time.Duration {
	t.Helper()
	base, err := ParseSchedule(sched)
	if err != nil {
		t.Fatal(err)
	}
	switch j := jitter(base, shortestGap(base), name, frac).(type) {
	case shifted:
		return j.offset
	default:
		if j != base {
			t.Fatalf("jitter(%s, %s) = %#v, neither shifted nor the schedule itself", sched, name, j)
		}
		return 0
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	t.Run("stable, bounded, per name", testJitterBounds)
	t.Run("unchanged", testJitterNone)
	t.Run("ticks", testJitterTicks)
}

// testJitterBounds: an offset is stable, in whole seconds, under frac of
// the shortest interval, and differs per name.
func testJitterBounds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sched string
		frac  float64
		span  time.Duration // frac of the shortest interval
	}{
		{"@every 1h", 0.1, 6 * time.Minute},
		{"*/30 * * * *", 0.1, 3 * time.Minute},
		{"CRON_TZ=Asia/Hong_Kong 0 8 * * *", 0.5, 12 * time.Hour},
		// Irregular specs: bounded by their shortest gap, so the 8:00
		// run never moves past the 9:00 one.
		{"0 8 * * 1-5", 0.1, 144 * time.Minute},
		{"0 8,9 * * *", 0.1, 6 * time.Minute},
	} {
		offsets := map[time.Duration]string{}
		for _, name := range []string{"newsroom", "wire", "science", "campus-life"} {
			off := jitterOffset(t, tt.sched, name, tt.frac)
			if again := jitterOffset(t, tt.sched, name, tt.frac); again != off {
				t.Errorf("%s %s: offset %v, then %v", tt.sched, name, off, again)
			}
			if off <= 0 || off >= tt.span || off%time.Second != 0 {
				t.Errorf("%s %s: offset %v, want whole seconds in (0, %v)", tt.sched, name, off, tt.span)
			}
			if other, ok := offsets[off]; ok {
				t.Errorf("%s: %s and %s share the offset %v", tt.sched, name, other, off)
			}
			offsets[off] = name
		}
	}
}

// testJitterNone: no fraction, or under a second of room, leaves the
// schedule alone.
func testJitterNone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sched string
		frac  float64
	}{
		{"@every 1h", 0},
		{"*/30 * * * *", 0},
		{"@every 1s", 0.5}, // under a second of room
	} {
		if off := jitterOffset(t, tt.sched, "newsroom", tt.frac); off != 0 {
			t.Errorf("%s frac %v: offset %v, want the schedule unchanged", tt.sched, tt.frac, off)
		}
	}
}

// testJitterTicks: a shifted schedule ticks at the offset after each
// tick, and always after the time it is asked about.
func testJitterTicks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 10, 7, 30, 0, hk)
	base, _ := ParseSchedule("*/30 * * * *")
	off := jitterOffset(t, "*/30 * * * *", "wire", 0.1)
	j := jitter(base, shortestGap(base), "wire", 0.1)
	half := time.Date(2026, 11, 25, 10, 30, 0, 0, hk)
	if got, want := j.Next(now), half.Add(off); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", now, got, want)
	}
	if got, want := j.Next(half), half.Add(off); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v (the shifted 10:30 tick)", half, got, want)
	}
	if got, want := j.Next(half.Add(off)), half.Add(30*time.Minute+off); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", half.Add(off), got, want)
	}
	for _, spec := range []string{"@every 1h", "*/30 * * * *", "CRON_TZ=Asia/Hong_Kong 0 8 * * *", "@every 1s", "0 8 * * 1-5", "0 8,9 * * *"} {
		base, err := ParseSchedule(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"newsroom", "wire"} {
			for _, frac := range []float64{0.1, 0.5, 1} {
				j := jitter(base, shortestGap(base), name, frac)
				for at := now; at.Before(now.Add(72 * time.Hour)); at = at.Add(7*time.Minute + 13*time.Second + 250*time.Millisecond) {
					if next := j.Next(at); !next.After(at) {
						t.Fatalf("%s %s %v: Next(%v) = %v, not after", spec, name, frac, at, next)
					}
				}
			}
		}
	}
}

// loopHub is a WebSub hub that records its publish pings.
type loopHub struct {
	srv    *httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	pings  []string // "mode url content-type"
}

func newLoopHub(t *testing.T) *loopHub {
	h := &loopHub{}
	h.status.Store(http.StatusNoContent)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("hub: %v", err)
		}
		h.mu.Lock()
		h.pings = append(h.pings, r.Method+" "+r.PostForm.Get("hub.mode")+" "+r.PostForm.Get("hub.url")+" "+r.Header.Get("Content-Type"))
		h.mu.Unlock()
		w.WriteHeader(int(h.status.Load()))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// take returns the pings since the last take.
func (h *loopHub) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pings
	h.pings = nil
	return p
}

func TestWebSubPing(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	hub := newLoopHub(t)
	s.write("a.md", goodStory)
	s.write("b.md", "---\ntitle: Page Story\ndate: 2025-03-12T09:00:00+08:00\nlanguage: zh-Hant\n---\n沒有連結。\n")
	pub := s.loopPublish(log.logger(), hub.srv.URL)
	jobs := []Job{{
		Source: files.New("newsroom", s.stories, files.Options{Zone: hk}),
		Norm:   normalize.Source{Name: "newsroom", Language: "en"},
	}}
	opts := loopOptions(nil)
	opts.Hub, opts.BaseURL = hub.srv.URL, "https://feeds.example.edu" // no final slash
	sch := New(s.store, pub, nil, jobs, opts, log.logger())
	ctx := context.Background()

	rep, err := sch.RunOnce(ctx)
	if err != nil || rep.Failed() {
		t.Fatalf("first run: %v %+v", err, rep.Sources)
	}
	if got := hub.take(); len(got) != 0 {
		t.Errorf("RunOnce pinged the hub itself (build holds the lock then): %v", got)
	}
	sch.Announce(ctx, rep.Published)
	for _, f := range []string{"index.html", "feed.xsl", "stories/page-story.html"} {
		if !slices.Contains(rep.Published, f) {
			t.Errorf("first run did not write %s: %v", f, rep.Published)
		}
	}
	want := hubPings("atom.xml", "en/atom.xml", "en/feed.json", "en/rss.xml", "feed.json", "rss.xml",
		"zh-hant/atom.xml", "zh-hant/feed.json", "zh-hant/rss.xml")
	if got := strings.Join(hub.take(), "\n"); got != want {
		t.Errorf("first run pinged:\n%s\nwant:\n%s", got, want)
	}

	if rep, err = sch.RunOnce(ctx); err != nil || len(rep.Published) != 0 {
		t.Fatalf("unchanged run: %v, wrote %v", err, rep.Published)
	}
	sch.Announce(ctx, rep.Published)
	if got := hub.take(); len(got) != 0 {
		t.Errorf("unchanged run pinged %v", got)
	}

	// A failing hub is logged once per feed and fails nothing.
	hub.status.Store(http.StatusInternalServerError)
	s.write("c.md", strings.Replace(goodStory, "Good Story", "Third Story", 1))
	rep, err = sch.RunOnce(ctx)
	if err != nil || rep.Failed() {
		t.Fatalf("run with a failing hub: %v %+v", err, rep.Sources)
	}
	sch.Announce(ctx, rep.Published)
	want = hubPings("atom.xml", "en/atom.xml", "en/feed.json", "en/rss.xml", "feed.json", "rss.xml")
	if got := strings.Join(hub.take(), "\n"); got != want {
		t.Errorf("run with a failing hub pinged:\n%s\nwant:\n%s", got, want)
	}
	if n := log.count(`msg="websub ping failed"`, "hub="+hub.srv.URL, `err="hub answered 500 Internal Server Error"`); n != 6 {
		t.Errorf("%d failed pings logged, want 6:\n%s", n, log.String())
	}
	if got := titlesOf(s.feed("en/feed.json")); got != "Good Story|Third Story" && got != "Third Story|Good Story" {
		t.Errorf("en feed = %s, want both stories", got)
	}
}

// TestWebSubPingFromRun: Run's publishes ping the hub too.
func TestWebSubPingFromRun(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	hub := newLoopHub(t)
	at := time.Date(2025, 3, 13, 9, 0, 0, 0, hk)
	if _, err := storetest.Upsert(context.Background(), s.store, "newsroom", []feeds.Item{{
		ID: "tag:feeds.example.edu,2026-11-25:newsroom/a", Title: "Stored Story", Link: "https://www.example.edu/news/a",
		Language: "en", Published: at, Updated: at, FirstSeen: at, File: "a.md",
	}}); err != nil {
		t.Fatal(err)
	}
	opts := loopOptions(nil)
	opts.Hub, opts.BaseURL = hub.srv.URL, "https://feeds.example.edu/"
	pub := s.loopPublish(log.logger(), hub.srv.URL)
	sch := New(s.store, pub, nil, nil, opts, log.logger())
	stop := startRun(t, sch)
	eventually(t, "the feed pings", func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return len(hub.pings) >= 9
	})
	stop()
	want := hubPings("atom.xml", "en/atom.xml", "en/feed.json", "en/rss.xml", "feed.json", "rss.xml",
		"zh-hant/atom.xml", "zh-hant/feed.json", "zh-hant/rss.xml")
	if got := strings.Join(hub.take(), "\n"); got != want {
		t.Errorf("Run pinged:\n%s\nwant:\n%s", got, want)
	}
}

// hubPings are the pings the hub should see for these output files.
func hubPings(paths ...string) string {
	var out []string
	for _, p := range paths {
		out = append(out, "POST publish https://feeds.example.edu/"+p+" application/x-www-form-urlencoded")
	}
	return strings.Join(out, "\n")
}

// TestSources: health in config order, from the store, with the next run
// once Run has the schedules.
func TestSources(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var log loopLog
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 30, 0, hk)
	s.write("a.md", goodStory)
	quietAt := now.Add(-20 * time.Second) // after the 10:00 tick of @every 1h
	if err := storetest.SaveState(ctx, s.store, "quiet", sources.State{CheckedAt: quietAt, LastSuccess: quietAt}); err != nil {
		t.Fatal(err)
	}
	if err := storetest.SaveState(ctx, s.store, "wire", sources.State{URL: "https://wire.example/feed.xml"}); err != nil {
		t.Fatal(err)
	}
	wire := &loopSource{name: "wire", fetch: func(context.Context, int) (sources.Result, error) {
		return sources.Result{}, errors.New("upstream answered 503")
	}}
	quiet := &loopSource{name: "quiet", fetch: loopStories("Quiet Story")}
	jobs := []Job{
		{Source: wire, Norm: normalize.Source{Name: "wire", Language: "en", Feed: true}, Schedule: "* * * * *"},
		{Source: files.New("newsroom", s.stories, files.Options{Zone: hk}), Norm: normalize.Source{Name: "newsroom", Language: "en"}, Schedule: "@every 1h"},
		loopJob(quiet, "@every 1h"),
	}
	opts := loopOptions(nil)
	opts.Now = func() time.Time { return now }
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil, jobs, opts, log.logger())

	render := func(hs []server.SourceHealth) string {
		var b strings.Builder
		ts := func(t time.Time) string {
			if t.IsZero() {
				return "-"
			}
			return t.In(hk).Format("15:04:05")
		}
		for _, h := range hs {
			fmt.Fprintf(&b, "%s %s %q attempt=%s success=%s err=%q failures=%d next=%s\n",
				h.Name, h.Kind, h.URL, ts(h.LastAttempt), ts(h.LastSuccess), h.LastError, h.Failures, ts(h.NextRun))
		}
		return b.String()
	}
	hs, err := sch.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := `wire feed "https://wire.example/feed.xml" attempt=- success=- err="" failures=0 next=-
newsroom files "" attempt=- success=- err="" failures=0 next=-
quiet files "" attempt=10:00:10 success=10:00:10 err="" failures=0 next=-
`
	if got := render(hs); got != want {
		t.Errorf("before Run:\n%s\nwant:\n%s", got, want)
	}

	stop := startRun(t, sch)
	eventually(t, "the startup refreshes", func() bool {
		return !s.loopState("wire").CheckedAt.IsZero() && !s.loopState("newsroom").CheckedAt.IsZero()
	})
	hs, err = sch.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	// wire failed at 10:00:30: its backoff ends at 10:05:30, and the first
	// minute tick after that is 10:06. @every 1h ticks on the hour, so
	// quiet, checked since the 10:00 tick, is not due until 11:00.
	want = `wire feed "https://wire.example/feed.xml" attempt=10:00:30 success=- err="upstream answered 503" failures=1 next=10:06:00
newsroom files "" attempt=10:00:30 success=10:00:30 err="" failures=0 next=11:00:00
quiet files "" attempt=10:00:10 success=10:00:10 err="" failures=0 next=11:00:00
`
	if got := render(hs); got != want {
		t.Errorf("in Run:\n%s\nwant:\n%s", got, want)
	}
	if quiet.calls.Load() != 0 {
		t.Errorf("quiet fetched %d times, want 0", quiet.calls.Load())
	}
}

// TestSourcesKinds: /status names each source's kind as configured.
func TestSourcesKinds(t *testing.T) {
	s := newSite(t)
	var log loopLog
	mk := func(name string) *loopSource { return &loopSource{name: name, fetch: loopStories("Story")} }
	jobs := []Job{
		{Source: mk("wire"), Norm: normalize.Source{Name: "wire", Language: "en", Feed: true}},
		{Source: mk("listing"), Norm: normalize.Source{Name: "listing", Language: "en", Feed: true, Page: true}},
		{Source: mk("newsroom"), Norm: normalize.Source{Name: "newsroom", Language: "en"}},
	}
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil, jobs, loopOptions(nil), log.logger())
	hs, err := sch.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hs {
		got = append(got, h.Name+" "+h.Kind)
	}
	if want := []string{"wire feed", "listing page", "newsroom files"}; !slices.Equal(got, want) {
		t.Errorf("kinds %q, want %q", got, want)
	}
}
