package scheduler

import (
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/opml"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/sqlite"
)

// upstreams serves an OPML list at /list.opml, which the test rewrites,
// and an RSS feed of one item at /<name>.xml for any name, counting the
// requests for each path.
type upstreams struct {
	*httptest.Server
	mu          sync.Mutex
	list        string // "" answers 500
	conditional bool   // the list has an ETag and answers 304 to it
	hits        map[string]int
	dated       time.Time // the items' date
}

func newUpstreams(t *testing.T, dated time.Time) *upstreams {
	u := &upstreams{hits: map[string]int{}, dated: dated}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *upstreams) serve(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hits[r.URL.Path]++
	if r.URL.Path == "/list.opml" {
		if u.list == "" {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		if u.conditional {
			etag := fmt.Sprintf(`"%x"`, crc32.ChecksumIEEE([]byte(u.list)))
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Content-Type", "text/x-opml")
		io.WriteString(w, u.list)
		return
	}
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, `<rss version="2.0"><channel><title>%[1]s</title><link>https://%[1]s.example/</link><language>en</language>
<item><title>Story of %[1]s</title><link>https://%[1]s.example/story</link><guid isPermaLink="false">%[1]s-1</guid><pubDate>%[2]s</pubDate>
<description>What happened at %[1]s today.</description></item></channel></rss>`, name, u.dated.Format(time.RFC1123Z))
}

// setList makes the list name the given outlines (each "folder/title/feed"
// with an empty folder at the top level).
func (u *upstreams) setList(outlines ...string) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><opml version="2.0"><head><title>Planet</title></head><body>`)
	for _, o := range outlines {
		parts := strings.SplitN(o, "/", 3)
		out := fmt.Sprintf(`<outline type="rss" text=%q xmlUrl="%s/%s.xml"/>`, parts[1], u.URL, parts[2])
		if parts[0] != "" {
			out = fmt.Sprintf(`<outline text=%q>%s</outline>`, parts[0], out)
		}
		b.WriteString(out)
	}
	b.WriteString(`<outline text="Old" xmlUrl="gopher://old.example/feed"/></body></opml>`)
	u.mu.Lock()
	u.list = b.String()
	u.mu.Unlock()
}

func (u *upstreams) hit(path string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits[path]
}

// listJob is a list source "planet" over u, as wiring makes one: its feeds
// share its fetch options, language, zone, schedule and retention.
func listJob(u *upstreams, schedule string, r Retention, log *slog.Logger) Job {
	fopts := feed.Options{AllowPrivate: true, Retries: -1, Zone: hk, Log: log}
	fopts.Client = feed.NewClient(fopts)
	listURL := u.URL + "/list.opml"
	return Job{
		Source:    opml.New("planet", listURL, feed.New("planet", listURL, fopts), opml.Options{Log: log}),
		Norm:      normalize.Source{Name: "planet", Language: "en", Zone: hk},
		Schedule:  schedule,
		Retention: r,
		Feeds: func(sub sources.Subscription) Job {
			return Job{
				Source:    feed.New(sub.Name, sub.URL, fopts),
				Norm:      normalize.Source{Name: sub.Name, Language: "en", Zone: hk, Feed: true},
				Schedule:  schedule,
				Retention: r,
			}
		},
	}
}

func (s *site) listRun(jobs []Job) Report {
	s.t.Helper()
	return s.listRunOver(s.store, jobs)
}

// listRunOver is listRun, reading and writing through st.
func (s *site) listRunOver(st store.Store, jobs []Job) Report {
	s.t.Helper()
	log := slog.New(slog.DiscardHandler)
	sch := New(st, s.loopPublish(log, ""), nil, jobs, Options{
		Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news"},
		Now:       func() time.Time { return s.now },
		Force:     true,
	}, log)
	rep, err := sch.RunOnce(context.Background())
	if err != nil {
		s.t.Fatalf("RunOnce: %v", err)
	}
	return rep
}

// subscribed lists the store's subscriptions as "name url-path", retired
// ones marked.
func (s *site) subscribed(u *upstreams) []string {
	s.t.Helper()
	subs, err := s.store.Subscriptions(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, sub := range subs {
		line := sub.Name + " " + strings.TrimPrefix(sub.URL, u.URL)
		if !sub.Active() {
			line += " retired"
		}
		out = append(out, line)
	}
	return out
}

func (s *site) sourceItems(name string) []string {
	s.t.Helper()
	items, err := s.store.Items(context.Background(), store.Query{Source: name, IncludeHeld: true})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Title+" "+strings.Join(it.Categories, ","))
	}
	return out
}

func reportNames(rep Report) []string {
	var out []string
	for _, sr := range rep.Sources {
		out = append(out, sr.Name)
	}
	return out
}

// TestListBuild: a build refreshes the list first, then every feed it
// names as the store knows them, each a source of its own with the
// folder as a category; names hold across refreshes and a new title; a
// feed the list drops is retired (never fetched again), and its items go
// when retention says; a failed, empty or non-OPML answer retires nothing.
func TestListBuild(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	u := newUpstreams(t, s.now.Add(-48*time.Hour))
	ret := Retention{MaxAge: 30 * 24 * time.Hour}
	u.setList("/Alpha News/alpha", "Science/Beta Journal/beta")
	jobs := []Job{listJob(u, "@hourly", ret, nil)}

	rep := s.listRun(jobs)
	if got, want := reportNames(rep), []string{"planet", "planet-alpha-news", "planet-beta-journal"}; !slices.Equal(got, want) {
		t.Fatalf("first build refreshed %q, want %q", got, want)
	}
	if rep.Failed() {
		t.Fatalf("first build failed: %+v", rep.Sources)
	}
	if got := s.sourceItems("planet-beta-journal"); !slices.Equal(got, []string{"Story of beta Science"}) {
		t.Errorf("beta's items %q: want its folder as a category", got)
	}
	if got := s.sourceItems("planet-alpha-news"); !slices.Equal(got, []string{"Story of alpha "}) {
		t.Errorf("alpha's items %q: want no category", got)
	}
	if n := len(s.feed("feed.json")); n != 2 {
		t.Errorf("merged feed has %d items, want 2", n)
	}

	// Alpha is retitled and moved into a folder, beta leaves, gamma
	// comes; a new feed titled as beta was cannot take beta's name.
	s.now = s.now.Add(time.Hour)
	u.setList("Moved/Alpha Renamed/alpha", "/Gamma/gamma", "/Beta Journal/beta2")
	rep = s.listRun(jobs)
	if got, want := reportNames(rep), []string{"planet", "planet-alpha-news", "planet-gamma", "planet-beta-journal-2"}; !slices.Equal(got, want) {
		t.Errorf("second build refreshed %q, want %q", got, want)
	}
	want := []string{"planet-alpha-news /alpha.xml", "planet-gamma /gamma.xml", "planet-beta-journal-2 /beta2.xml", "planet-beta-journal /beta.xml retired"}
	if got := s.subscribed(u); !slices.Equal(got, want) {
		t.Errorf("subscriptions:\n got %q\nwant %q", got, want)
	}
	if got := s.sourceItems("planet-alpha-news"); !slices.Equal(got, []string{"Story of alpha Moved"}) {
		t.Errorf("alpha's items %q: want its new folder", got)
	}
	if got := s.sourceItems("planet-beta-journal"); len(got) != 1 {
		t.Errorf("retired beta's items %q: want them kept within retention", got)
	}

	// A list that fails, is empty, or is not OPML retires nothing: the
	// build refreshes the feeds the store knows.
	for _, answer := range []string{"", "<opml version=\"2.0\"><body/></opml>", "<html><body>Maintenance</body></html>"} {
		s.now = s.now.Add(time.Hour)
		u.mu.Lock()
		u.list = answer
		u.mu.Unlock()
		betaHits := u.hit("/beta.xml")
		rep = s.listRun(jobs)
		if rep.Sources[0].Err == nil {
			t.Errorf("list answer %q: no error", answer)
		}
		if got, want := reportNames(rep), []string{"planet", "planet-alpha-news", "planet-gamma", "planet-beta-journal-2"}; !slices.Equal(got, want) {
			t.Errorf("list answer %q: refreshed %q, want %q", answer, got, want)
		}
		if got := s.subscribed(u); !slices.Equal(got, want) {
			t.Errorf("list answer %q: subscriptions %q, want %q", answer, got, want)
		}
		if u.hit("/beta.xml") != betaHits {
			t.Errorf("retired beta fetched again")
		}
	}

	// Past max_age, the retired feed's items go at the list's next check,
	// though the list still fails; the others stay in their windows.
	s.now = s.now.Add(40 * 24 * time.Hour)
	rep = s.listRun(jobs)
	if got := s.sourceItems("planet-beta-journal"); len(got) != 0 {
		t.Errorf("retired beta's items %q outlived retention", got)
	}
	if rep.Sources[0].Removed != 1 {
		t.Errorf("list report removed %d, want beta's 1", rep.Sources[0].Removed)
	}
	if got := s.sourceItems("planet-gamma"); len(got) != 1 {
		t.Errorf("gamma's items %q: its window stays", got)
	}
}

// subsReads counts the reads of the store's subscriptions.
type subsReads struct {
	*sqlite.Store
	n atomic.Int32
}

func (s *subsReads) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	s.n.Add(1)
	return s.Store.Subscriptions(ctx)
}

// TestListNotModified: a build reads the subscriptions at its start and
// again after storing what its list names; a list that answers 304 stored
// none, so they are not read again, and the feeds are refreshed as the
// store knows them. When the list changes, they are.
func TestListNotModified(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	u := newUpstreams(t, s.now.Add(-48*time.Hour))
	u.conditional = true
	u.setList("/Alpha News/alpha", "/Beta Journal/beta")
	jobs := []Job{listJob(u, "@hourly", Retention{MaxAge: 30 * 24 * time.Hour}, nil)}
	st := &subsReads{Store: s.store}
	for i, want := range []struct {
		list        []string // nil: as before
		notModified bool
		reads       int32
		refreshed   []string
	}{
		{[]string{"/Alpha News/alpha", "/Beta Journal/beta"}, false, 2, []string{"planet", "planet-alpha-news", "planet-beta-journal"}},
		{nil, true, 1, []string{"planet", "planet-alpha-news", "planet-beta-journal"}},
		{[]string{"/Beta Journal/beta", "/Gamma/gamma"}, false, 2, []string{"planet", "planet-beta-journal", "planet-gamma"}},
		{nil, true, 1, []string{"planet", "planet-beta-journal", "planet-gamma"}},
	} {
		if want.list != nil {
			u.setList(want.list...)
		}
		s.now = s.now.Add(time.Hour)
		st.n.Store(0)
		rep := s.listRunOver(st, jobs)
		if rep.Failed() {
			t.Fatalf("build %d failed: %+v", i+1, rep.Sources)
		}
		if got := rep.Sources[0].NotModified; got != want.notModified {
			t.Errorf("build %d: list not modified = %v, want %v", i+1, got, want.notModified)
		}
		if got := st.n.Load(); got != want.reads {
			t.Errorf("build %d read the subscriptions %d times, want %d", i+1, got, want.reads)
		}
		if got := reportNames(rep); !slices.Equal(got, want.refreshed) {
			t.Errorf("build %d refreshed %q, want %q", i+1, got, want.refreshed)
		}
	}
	want := []string{"planet-beta-journal /beta.xml", "planet-gamma /gamma.xml", "planet-alpha-news /alpha.xml retired"}
	if got := s.subscribed(u); !slices.Equal(got, want) {
		t.Errorf("subscriptions:\n got %q\nwant %q", got, want)
	}
}

// TestListServe: while Run runs, a list refresh that names a new feed adds
// it as a source, refreshed at once and then on its schedule, and one that
// drops a feed retires it; /status shows the feeds under their list.
func TestListServe(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	u := newUpstreams(t, time.Now().Add(-time.Hour))
	u.setList("/Alpha/alpha", "Science/Beta/beta")
	log := new(loopLog)
	set := metrics.NewSet()
	files := loopJob(&loopSource{name: "newsroom", fetch: loopStories("Newsroom Story")}, "@hourly")
	sch := New(s.store, s.loopPublish(log.logger(), ""), nil,
		[]Job{listJob(u, "@hourly", Retention{}, log.logger()), files}, loopOptions(NewMetrics(set)), log.logger())
	startRun(t, sch)
	eventually(t, "both listed feeds refreshed", func() bool {
		return fetches(t, set, "planet-alpha", "ok") == 1 && fetches(t, set, "planet-beta", "ok") == 1
	})
	if got := names(t, sch); got != "planet planet-alpha planet-beta newsroom" {
		t.Errorf("sources %q: want each list's feeds under it", got)
	}
	hs, err := sch.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if hs[0].Kind != "opml" || hs[1].List != "planet" || hs[1].Kind != "feed" || hs[3].List != "" {
		t.Errorf("health rows: %+v", hs)
	}
	eventually(t, "both listed stories published", func() bool { return len(s.feedIfAny("feed.json")) == 3 })

	u.setList("/Alpha/alpha", "/Gamma/gamma")
	trigger(t, sch, "planet")
	eventually(t, "gamma added and refreshed", func() bool { return fetches(t, set, "planet-gamma", "ok") == 1 })
	eventually(t, "beta retired", func() bool { return names(t, sch) == "planet planet-alpha planet-gamma newsroom" })
	if n := log.count("listed feed retired", "planet-beta"); n != 1 {
		t.Errorf("%d log lines about beta's retirement, want 1:\n%s", n, log)
	}
	if sch.Trigger("planet-beta") {
		t.Error("a retired feed took a trigger")
	}

	// A failed answer changes nothing.
	u.mu.Lock()
	u.list = ""
	u.mu.Unlock()
	trigger(t, sch, "planet")
	eventually(t, "the failed list refresh", func() bool { return fetches(t, set, "planet", "error") == 1 })
	if got := names(t, sch); got != "planet planet-alpha planet-gamma newsroom" {
		t.Errorf("after a failed list: sources %q", got)
	}
}

// TestListCluster: on two nodes of a cluster, the list is refreshed by one
// of them, and both take up the feeds it names (the other when it next
// reads the subscriptions), each feed fetched once per due time by the
// whole cluster.
func TestListCluster(t *testing.T) {
	t.Parallel()
	c := newMemCluster(t)
	u := newUpstreams(t, time.Now().Add(-time.Hour))
	u.setList("/Alpha/alpha", "Science/Beta/beta")
	opts := loopOptions(nil)
	opts.ReleaseEvery = 50 * time.Millisecond
	var nodes []*Scheduler
	for _, id := range []string{"n1", "n2"} {
		sch, _, _ := c.node(id, []Job{listJob(u, "@hourly", Retention{}, nil)}, opts, memStore{})
		nodes = append(nodes, sch)
		startRun(t, sch)
	}
	for i, sch := range nodes {
		eventually(t, fmt.Sprintf("node %d to schedule the listed feeds", i+1), func() bool {
			hs, err := sch.Sources(context.Background())
			var got []string
			for _, h := range hs {
				got = append(got, h.Name)
			}
			return err == nil && strings.Join(got, " ") == "planet planet-alpha planet-beta"
		})
	}
	eventually(t, "both feeds fetched", func() bool { return u.hit("/alpha.xml") == 1 && u.hit("/beta.xml") == 1 })
	time.Sleep(200 * time.Millisecond) // room for a second fetch, which must not come
	if u.hit("/list.opml") != 1 || u.hit("/alpha.xml") != 1 || u.hit("/beta.xml") != 1 {
		t.Errorf("fetches: list %d, alpha %d, beta %d; want each once", u.hit("/list.opml"), u.hit("/alpha.xml"), u.hit("/beta.xml"))
	}
}

// TestListNameClash: a listed feed cannot take a configured source's name.
func TestListNameClash(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	u := newUpstreams(t, s.now.Add(-time.Hour))
	u.setList("/Alpha/alpha")
	configured := loopJob(&loopSource{name: "planet-alpha", fetch: loopStories("Configured Story")}, "@hourly")
	rep := s.listRun([]Job{configured, listJob(u, "@hourly", Retention{}, nil)})
	if got, want := reportNames(rep), []string{"planet", "planet-alpha", "planet-alpha-2"}; !slices.Equal(got, want) {
		t.Errorf("refreshed %q, want %q", got, want)
	}
	if got := s.subscribed(u); !slices.Equal(got, []string{"planet-alpha-2 /alpha.xml"}) {
		t.Errorf("subscriptions %q", got)
	}
}
