package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store"
)

// upstream is a loopback server standing in for one upstream feed. Its
// answer may change between runs; it counts what it is asked.
type upstream struct {
	srv *httptest.Server

	mu          sync.Mutex
	status      int // 0 answers 200
	contentType string
	body        string
	etag        string // validators sent with a 200; empty sends none
	lastMod     string
	requests    int         // every request
	conditional int         // requests carrying If-None-Match or If-Modified-Since
	notModified int         // 304 answers
	last        http.Header // the latest request's headers
}

// newUpstream starts a server on 127.0.0.1 answering body with contentType.
func newUpstream(t *testing.T, contentType, body string) *upstream {
	t.Helper()
	u := &upstream{contentType: contentType, body: body}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) url() string { return u.srv.URL + "/feed" }

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.requests++
	u.last = r.Header.Clone()
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" || ims != "" {
		u.conditional++
	}
	if u.status != 0 && u.status != http.StatusOK {
		w.WriteHeader(u.status)
		return
	}
	if u.etag != "" {
		w.Header().Set("ETag", u.etag)
	}
	if u.lastMod != "" {
		w.Header().Set("Last-Modified", u.lastMod)
	}
	// If-None-Match, when sent, decides alone (RFC 9110 §13.2.2).
	if (u.etag != "" && inm == u.etag) || (inm == "" && u.lastMod != "" && ims == u.lastMod) {
		u.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if u.contentType != "" {
		w.Header().Set("Content-Type", u.contentType)
	}
	io.WriteString(w, u.body)
}

// set changes the server's answer under its lock.
func (u *upstream) set(f func(u *upstream)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f(u)
}

// counts returns requests, conditional requests and 304 answers so far.
func (u *upstream) counts() (requests, conditional, notModified int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.requests, u.conditional, u.notModified
}

func (u *upstream) lastHeader(name string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.last.Get(name)
}

// feedSpec is one configured upstream feed source.
type feedSpec struct {
	name, url string
	retention Retention
}

// feedJobs wires feed sources as cmd/feedloom/build.go does: one client and
// one limiter shared by all, the site's zone for zoneless dates, the first
// language as the default. The timeout and retry wait are short so that
// failing upstreams cost milliseconds; the fetcher reads the site's clock.
func (s *site) feedJobs(specs ...feedSpec) []Job {
	opts := feed.Options{
		AllowPrivate: true, // the upstreams are httptest servers on 127.0.0.1
		Timeout:      5 * time.Second,
		RetryWait:    time.Millisecond,
		Zone:         hk,
		Limiter:      feed.NewLimiter(16, 2),
		Now:          func() time.Time { return s.now },
		Log:          slog.New(slog.DiscardHandler),
	}
	opts.Client = feed.NewClient(opts)
	s.t.Cleanup(opts.Client.CloseIdleConnections)
	jobs := make([]Job, 0, len(specs))
	for _, sp := range specs {
		jobs = append(jobs, Job{
			Source:    feed.New(sp.name, sp.url, opts),
			Norm:      normalize.Source{Name: sp.name, Language: "en", Zone: hk, Feed: true},
			Retention: sp.retention,
		})
	}
	return jobs
}

// newsroomJob is the story folder run() publishes.
func (s *site) newsroomJob() Job {
	return Job{
		Source: files.New("newsroom", s.stories, files.Options{Zone: hk}),
		Norm:   normalize.Source{Name: "newsroom", Language: "en", Zone: hk},
	}
}

// runWith does one pass over jobs at the site's clock, with the publisher
// and normalize options of run().
func (s *site) runWith(force bool, jobs ...Job) Report {
	s.t.Helper()
	rep, err := s.scheduler(force, jobs...).RunOnce(context.Background())
	if err != nil {
		s.t.Fatalf("RunOnce: %v", err)
	}
	return rep
}

// scheduler is the Scheduler runWith runs once.
func (s *site) scheduler(force bool, jobs ...Job) *Scheduler {
	s.t.Helper()
	return s.schedulerOn(s.store, Options{Concurrency: 4, Force: force}, jobs...)
}

// schedulerOn is scheduler writing to st, with opts and the site's
// normalize options and clock.
func (s *site) schedulerOn(st store.Store, opts Options, jobs ...Job) *Scheduler {
	s.t.Helper()
	det, err := normalize.NewDetector()
	if err != nil {
		s.t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	pub := publish.New(s.store, publish.Options{
		Dir: s.out, BaseURL: "https://feeds.example.edu/", Title: "HKUST News",
		Link: "https://www.example.edu/news", Zone: hk,
		Languages: []publish.Language{{Tag: "en", Title: "HKUST News", MaxItems: 50}, {Tag: "zh-Hant", Title: "香港科技大學新聞", MaxItems: 50}},
		MaxItems:  50,
	}, log)
	opts.Normalize = normalize.Options{Host: "feeds.example.edu", Zone: hk, SiteLink: "https://www.example.edu/news"}
	opts.Now = func() time.Time { return s.now }
	return New(st, pub, det, jobs, opts, log)
}

// state reads a source's fetch state back from the store.
func (s *site) state(name string) sourceState {
	s.t.Helper()
	st, err := s.store.State(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	return sourceState{st.URL, st.ConfiguredURL, st.ETag, st.LastModified, st.LastError, st.Failures, st.CheckedAt, st.LastSuccess, st.NextDue}
}

// sourceState is the part of sources.State the tests compare, times in UTC.
type sourceState struct {
	URL, ConfiguredURL            string
	ETag, LastModified, LastError string
	Failures                      int
	CheckedAt, LastSuccess        time.Time
	NextDue                       time.Time
}

func (st sourceState) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(hk).Format(time.RFC3339)
	}
	return fmt.Sprintf("url=%q configured=%q etag=%q last-modified=%q error=%q failures=%d checked=%s success=%s due=%s",
		st.URL, st.ConfiguredURL, st.ETag, st.LastModified, st.LastError, st.Failures, f(st.CheckedAt), f(st.LastSuccess), f(st.NextDue))
}

// sourceReport finds a source's part of a pass.
func sourceReport(t *testing.T, rep Report, name string) SourceReport {
	t.Helper()
	for _, sr := range rep.Sources {
		if sr.Name == name {
			return sr
		}
	}
	t.Fatalf("no report for source %q in %+v", name, rep.Sources)
	return SourceReport{}
}

// tagID is the id feedloom gives a story keyed by the hash of key, on the
// first run date of every test (newSite's clock).
func tagID(source, key string) string {
	sum := sha256.Sum256([]byte(key))
	return "tag:feeds.example.edu,2026-11-25:" + source + "/" + hex.EncodeToString(sum[:8])
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "upstream", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const rssType = "application/rss+xml; charset=utf-8"

// upItem is one item of an RSS document built by rssDoc.
type upItem struct {
	title string
	link  string    // also the guid, so the item's id is the link
	date  time.Time // zero: no pubDate
	raw   string    // the pubDate as written, when date is zero
}

func rssDoc(title string, items ...upItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n"+
		"<title>%s</title><link>https://upstream.example.org/</link><description>Test wire</description><language>en</language>\n", title)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid>", it.title, it.link, it.link)
		switch {
		case !it.date.IsZero():
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.date.UTC().Format(time.RFC1123Z))
		case it.raw != "":
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.raw)
		}
		b.WriteString("<description>A story of the wire.</description></item>\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// atomSources maps each entry id of an Atom file to its <source>, written
// "title|id|link", or "" when the entry has none.
func (s *site) atomSources(rel string) map[string]string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	var doc struct {
		Entries []struct {
			ID     string `xml:"id"`
			Source *struct {
				ID    string `xml:"id"`
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"source"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		s.t.Fatalf("%s: %v", rel, err)
	}
	m := make(map[string]string, len(doc.Entries))
	for _, e := range doc.Entries {
		m[e.ID] = ""
		if e.Source != nil {
			m[e.ID] = e.Source.Title + "|" + e.Source.ID + "|" + e.Source.Link.Href
		}
	}
	return m
}

// TestUpstreamsMergeWithListing aggregates an RSS 2.0, an Atom 1.0 and a
// JSON Feed 1.1 upstream beside the sample listing: items interleave by
// date (ties by id), a story two upstreams carry (same URI guid, or same
// link up to utm_*, case, port and fragment) is published once by the
// first configured source, a non-URI guid is scoped by source, and a
// second run sends conditional requests and rewrites nothing.
func TestUpstreamsMergeWithListing(t *testing.T) {
	t.Parallel()
	testenv.EachListing(t, testUpstreamsMerge)
}

func testUpstreamsMerge(t *testing.T, l testenv.Listing) {
	s := newSite(t)
	s.write(l.Name, string(l.Raw(t)))

	// alpha validates by ETag, beta by Last-Modified, gamma by both.
	alpha := newUpstream(t, rssType, readTestdata(t, "alpha.xml"))
	alpha.set(func(u *upstream) { u.etag = `"alpha-1"` })
	beta := newUpstream(t, "application/atom+xml", readTestdata(t, "beta.xml"))
	beta.set(func(u *upstream) { u.lastMod = "Wed, 12 Mar 2025 04:00:00 GMT" })
	gamma := newUpstream(t, "application/feed+json", readTestdata(t, "gamma.json"))
	gamma.set(func(u *upstream) { u.etag, u.lastMod = `W/"gamma-1"`, "Thu, 13 Mar 2025 00:00:00 GMT" })
	jobs := append([]Job{s.newsroomJob()}, s.feedJobs(
		feedSpec{name: "alpha", url: alpha.url()},
		feedSpec{name: "beta", url: beta.url()},
		feedSpec{name: "gamma", url: gamma.url()},
	)...)

	rep := s.runWith(false, jobs...)
	if rep.Failed() {
		t.Fatalf("first run failed: %+v", rep.Sources)
	}
	// Stories normalized, and items stored: beta's copy of the shared story
	// and gamma's copy of the campus link belong to alpha.
	for _, w := range []struct {
		name             string
		stories, changed int
	}{{"newsroom", 8, 8}, {"alpha", 3, 3}, {"beta", 3, 2}, {"gamma", 3, 2}} {
		sr := sourceReport(t, rep, w.name)
		if sr.Err != nil || sr.NotModified || sr.Stories != w.stories || sr.Changed != w.changed {
			t.Errorf("first run, %s: err=%v not_modified=%v stories=%d changed=%d, want stories=%d changed=%d",
				w.name, sr.Err, sr.NotModified, sr.Stories, sr.Changed, w.stories, w.changed)
		}
	}
	for _, u := range []struct {
		name string
		up   *upstream
	}{{"alpha", alpha}, {"beta", beta}, {"gamma", gamma}} {
		if req, cond, nm := u.up.counts(); req != 1 || cond != 0 || nm != 0 {
			t.Errorf("first run, %s: %d requests, %d conditional, %d answered 304; want 1, 0, 0", u.name, req, cond, nm)
		}
	}

	want := mergeWant(l)
	merged := checkMerged(t, s, want)
	checkAtomSources(t, s, want)
	checkConditionalRun(t, s, jobs, merged, alpha, beta, gamma)
}

// mergeRow is one item testUpstreamsMerge expects in the merged feed; an
// empty url is not checked.
type mergeRow struct{ title, id, lang, date, url string }

// mergeWant is the merged feed testUpstreamsMerge expects beside listing
// l; the listing's stories have the newsroom's ids for their titles.
func mergeWant(l testenv.Listing) []mergeRow {
	story := func(i int) mergeRow { return mergeRow{l.Titles[i], "", testenv.Languages[i], testenv.Dates[i], ""} }
	want := []mergeRow{
		{"Shared Story", "urn:uuid:6f1c0b2e-1d5a-4c3e-9f7a-2b8d4e6a0c11", "en", "2025-03-13T12:00:00+08:00", "https://alpha.example.org/shared"},
		{"Gamma One", tagID("gamma", "1"), "en", "2025-03-13T06:00:00+08:00", "https://gamma.example.com/1"},
		{"Alpha One", tagID("alpha", "1"), "en", "2025-03-13T00:30:00+08:00", "https://alpha.example.org/1"},
		story(0),
		story(1),
		{"科技大学发布新计划", "https://gamma.example.com/zh/3", "zh-Hans", "2025-03-12T20:00:00+08:00", "https://gamma.example.com/zh/3"},
		{"科大舉行畢業典禮", "tag:beta.example.net,2025:post-2", "zh-Hant", "2025-03-12T08:00:00+08:00", "https://beta.example.net/posts/2"},
		story(2),
		story(3),
		// The same second as the next story: "…:alpha/" sorts before "…:newsroom/".
		{"Campus Link Story", tagID("alpha", "https://news.example.org/story?id=7"), "en", "2025-03-12T00:03:00+08:00", "https://news.example.org/story?id=7"},
		story(4),
		story(5),
		story(6),
		story(7),
		{"Beta Engineering Update", "https://beta.example.net/posts/3", "en", "2025-03-11T17:00:00+08:00", "https://beta.example.net/posts/3"},
	}
	for i, w := range want {
		if w.id == "" {
			want[i].id = tagID("newsroom", w.title)
		}
	}
	return want
}

// checkMerged checks the merged feed and the per-language ones against
// want, and returns the merged feed's items.
func checkMerged(t *testing.T, s *site, want []mergeRow) []jsonItem {
	t.Helper()
	merged := s.feed("feed.json")
	if len(merged) != len(want) {
		t.Errorf("merged feed has %d items, want %d:\n%s", len(merged), len(want), datesOf(merged))
	}
	for i, w := range want {
		if i >= len(merged) {
			break
		}
		got := merged[i]
		if got.Title != w.title || got.ID != w.id || got.Language != w.lang || got.Published != w.date {
			t.Errorf("merged item %d = %q %s %s %s\nwant              %q %s %s %s",
				i+1, got.Title, got.ID, got.Language, got.Published, w.title, w.id, w.lang, w.date)
		}
		if w.url != "" && got.URL != w.url {
			t.Errorf("merged item %d (%s) url = %q, want %q", i+1, w.title, got.URL, w.url)
		}
	}
	for _, f := range []struct {
		path, lang string
		idx        []int // into want
	}{
		{"en/feed.json", "en", []int{0, 1, 2, 3, 8, 9, 12, 13, 14}},
		{"zh-hant/feed.json", "zh-Hant", []int{4, 6, 7, 10, 11}},
	} {
		items := s.feed(f.path)
		var wantTitles []string
		for _, j := range f.idx {
			wantTitles = append(wantTitles, want[j].title)
		}
		if got := titlesOf(items); got != strings.Join(wantTitles, "|") {
			t.Errorf("%s:\n got %s\nwant %s", f.path, got, strings.Join(wantTitles, "|"))
			continue
		}
		for i, j := range f.idx {
			if items[i] != merged[j] || items[i].Language != f.lang {
				t.Errorf("%s item %d = %+v, want %+v in %s", f.path, i+1, items[i], merged[j], f.lang)
			}
		}
	}
	return merged
}

// checkAtomSources checks that Atom names the upstream feed of every
// aggregated entry.
func checkAtomSources(t *testing.T, s *site, want []mergeRow) {
	t.Helper()
	wantSources := map[string]string{
		"urn:uuid:6f1c0b2e-1d5a-4c3e-9f7a-2b8d4e6a0c11":       "Alpha Wire|https://alpha.example.org/|https://alpha.example.org/",
		tagID("alpha", "1"):                                   "Alpha Wire|https://alpha.example.org/|https://alpha.example.org/",
		tagID("alpha", "https://news.example.org/story?id=7"): "Alpha Wire|https://alpha.example.org/|https://alpha.example.org/",
		"tag:beta.example.net,2025:post-2":                    "Beta Journal|tag:beta.example.net,2025:feed|https://beta.example.net/",
		"https://beta.example.net/posts/3":                    "Beta Journal|tag:beta.example.net,2025:feed|https://beta.example.net/",
		tagID("gamma", "1"):                                   "Gamma Digest|https://gamma.example.com/|https://gamma.example.com/",
		"https://gamma.example.com/zh/3":                      "Gamma Digest|https://gamma.example.com/|https://gamma.example.com/",
	}
	atom := s.atomSources("atom.xml")
	if len(atom) != len(want) {
		t.Errorf("atom.xml has %d entries, want %d", len(atom), len(want))
	}
	for _, w := range want {
		if got, ok := atom[w.id]; !ok || got != wantSources[w.id] {
			t.Errorf("atom.xml entry %s: source %q (present %v), want %q", w.id, got, ok, wantSources[w.id])
		}
	}
}

// checkConditionalRun runs again an hour later: every upstream is asked
// conditionally and answers 304, and no output file changes.
func checkConditionalRun(t *testing.T, s *site, jobs []Job, merged []jsonItem, alpha, beta, gamma *upstream) {
	t.Helper()
	stamp := mtimes(t, s.out)
	s.now = s.now.Add(time.Hour)
	rep := s.runWith(false, jobs...)
	if rep.Failed() {
		t.Fatalf("second run failed: %+v", rep.Sources)
	}
	if len(rep.Published) != 0 {
		t.Errorf("second run rewrote %v", rep.Published)
	}
	if again := mtimes(t, s.out); !equalMaps(stamp, again) {
		t.Errorf("second run touched the output folder")
	}
	for _, u := range []struct {
		name                   string
		up                     *upstream
		ifNoneMatch, ifModSnce string
		etag, lastMod          string
	}{
		{"alpha", alpha, `"alpha-1"`, "", `"alpha-1"`, ""},
		{"beta", beta, "", "Wed, 12 Mar 2025 04:00:00 GMT", "", "Wed, 12 Mar 2025 04:00:00 GMT"},
		{"gamma", gamma, `W/"gamma-1"`, "Thu, 13 Mar 2025 00:00:00 GMT", `W/"gamma-1"`, "Thu, 13 Mar 2025 00:00:00 GMT"},
	} {
		if req, cond, nm := u.up.counts(); req != 2 || cond != 1 || nm != 1 {
			t.Errorf("after two runs, %s: %d requests, %d conditional, %d answered 304; want 2, 1, 1", u.name, req, cond, nm)
		}
		if inm, ims := u.up.lastHeader("If-None-Match"), u.up.lastHeader("If-Modified-Since"); inm != u.ifNoneMatch || ims != u.ifModSnce {
			t.Errorf("%s second request: If-None-Match %q, If-Modified-Since %q; want %q, %q", u.name, inm, ims, u.ifNoneMatch, u.ifModSnce)
		}
		sr := sourceReport(t, rep, u.name)
		if !sr.NotModified || sr.Changed != 0 || sr.Removed != 0 || sr.Stories != 0 {
			t.Errorf("second run, %s: %+v, want not modified and no change", u.name, sr)
		}
		want := sourceState{URL: u.up.url(), ConfiguredURL: u.up.url(), ETag: u.etag, LastModified: u.lastMod, CheckedAt: s.now.UTC(), LastSuccess: s.now.UTC()}
		if got := s.state(u.name); got.String() != want.String() {
			t.Errorf("%s state after 304:\n got %s\nwant %s", u.name, got, want)
		}
	}
	if got := s.feed("feed.json"); len(got) != len(merged) {
		t.Errorf("second run: %d items, want %d", len(got), len(merged))
	} else {
		for i := range got {
			if got[i] != merged[i] {
				t.Errorf("second run: item %d = %+v, was %+v", i+1, got[i], merged[i])
			}
		}
	}
}

// TestUpstreamFailureKeepsItems: an upstream that answers 500 on every
// attempt is reported and backs off, its items stay published, the other
// source still publishes; inside the backoff window it is not asked at all
// unless forced.
func TestUpstreamFailureKeepsItems(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	t0 := s.now
	f := &failingUpstream{s: s, t0: t0, alphaItems: []upItem{
		{"Alpha Two", "https://alpha.example.org/2", t0.Add(-2 * time.Hour), ""},
		{"Alpha One", "https://alpha.example.org/1", t0.Add(-3 * time.Hour), ""},
	}}
	betaOne := upItem{"Beta One", "https://beta.example.org/1", t0.Add(-time.Hour), ""}
	f.alpha = newUpstream(t, rssType, rssDoc("Alpha", f.alphaItems...))
	f.beta = newUpstream(t, rssType, rssDoc("Beta", betaOne))
	f.jobs = s.feedJobs(feedSpec{name: "alpha", url: f.alpha.url()}, feedSpec{name: "beta", url: f.beta.url()})
	f.wantErr = fmt.Sprintf(`feed "alpha": GET %s: status 500 Internal Server Error`, f.alpha.url())

	rep := s.runWith(false, f.jobs...)
	if rep.Failed() {
		t.Fatalf("first run failed: %+v", rep.Sources)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Beta One|Alpha Two|Alpha One" {
		t.Fatalf("first run: %s", got)
	}

	// alpha breaks; beta gets a new story.
	f.alpha.set(func(u *upstream) { u.status = http.StatusInternalServerError })
	f.beta.set(func(u *upstream) {
		u.body = rssDoc("Beta", upItem{"Beta Two", "https://beta.example.org/2", t0.Add(50 * time.Minute), ""}, betaOne)
	})
	failing := f.fails(t)
	f.skipped(t, failing)
	again := f.forced(t)
	f.recovers(t, again)
}

// failingUpstream is TestUpstreamFailureKeepsItems' site: two upstreams,
// alpha failing for a while, beta answering throughout.
type failingUpstream struct {
	s           *site
	t0          time.Time
	alpha, beta *upstream
	alphaItems  []upItem
	jobs        []Job
	wantErr     string
}

// failingPublished is what the feed shows while alpha fails.
const failingPublished = "Beta Two|Beta One|Alpha Two|Alpha One"

// fails runs while alpha answers 500: it is reported, retried and backs
// off; its items stay. It returns alpha's state.
func (f *failingUpstream) fails(t *testing.T) sourceState {
	s := f.s
	s.now = f.t0.Add(time.Hour)
	rep := s.runWith(false, f.jobs...)
	if sr := sourceReport(t, rep, "alpha"); sr.Err == nil || sr.Err.Error() != f.wantErr {
		t.Errorf("alpha err = %v\nwant %s", sr.Err, f.wantErr)
	}
	if !rep.Failed() {
		t.Errorf("Failed() = false after alpha failed")
	}
	if sr := sourceReport(t, rep, "beta"); sr.Err != nil || sr.Changed != 1 {
		t.Errorf("beta: err=%v changed=%d, want nil, 1", sr.Err, sr.Changed)
	}
	if req, _, _ := f.alpha.counts(); req != 4 {
		t.Errorf("alpha was asked %d times, want 1 + 3 (first attempt and two retries)", req)
	}
	if got := titlesOf(s.feed("feed.json")); got != failingPublished {
		t.Errorf("after alpha failed: %s\nwant %s", got, failingPublished)
	}
	failing := sourceState{URL: f.alpha.url(), ConfiguredURL: f.alpha.url(), LastError: f.wantErr, Failures: 1, CheckedAt: s.now.UTC(),
		LastSuccess: f.t0.UTC(), NextDue: s.now.Add(5 * time.Minute).UTC()}
	if got := s.state("alpha"); got.String() != failing.String() {
		t.Errorf("alpha state:\n got %s\nwant %s", got, failing)
	}
	return failing
}

// skipped runs inside alpha's backoff window: alpha is skipped, no
// request reaches it, and it still counts as failed.
func (f *failingUpstream) skipped(t *testing.T, failing sourceState) {
	s := f.s
	s.now = f.t0.Add(time.Hour + 2*time.Minute)
	rep := s.runWith(false, f.jobs...)
	if sr := sourceReport(t, rep, "alpha"); sr.Err != nil || !sr.Skipped.Equal(failing.NextDue) || !sr.Failing {
		t.Errorf("alpha inside its backoff: err=%v skipped until %v failing %v, want nil, %v, true", sr.Err, sr.Skipped, sr.Failing, failing.NextDue)
	}
	if !rep.Failed() {
		t.Errorf("Failed() = false while alpha is still backing off from its failure")
	}
	if req, _, _ := f.alpha.counts(); req != 4 {
		t.Errorf("alpha was asked inside its backoff window: %d requests, want 4", req)
	}
	if req, _, _ := f.beta.counts(); req != 3 {
		t.Errorf("beta was asked %d times, want 3", req)
	}
	if got := s.state("alpha"); got.String() != failing.String() {
		t.Errorf("alpha state after a skip:\n got %s\nwant %s", got, failing)
	}
	if got := titlesOf(s.feed("feed.json")); got != failingPublished {
		t.Errorf("after a skip: %s\nwant %s", got, failingPublished)
	}
}

// forced runs with force: alpha is asked again, fails again and backs off
// twice as long. It returns alpha's state.
func (f *failingUpstream) forced(t *testing.T) sourceState {
	s := f.s
	rep := s.runWith(true, f.jobs...)
	if sr := sourceReport(t, rep, "alpha"); sr.Err == nil || sr.Err.Error() != f.wantErr || !sr.Skipped.IsZero() {
		t.Errorf("forced alpha: err=%v skipped=%v, want %s", sr.Err, sr.Skipped, f.wantErr)
	}
	if req, _, _ := f.alpha.counts(); req != 7 {
		t.Errorf("forced: alpha asked %d times in all, want 7", req)
	}
	again := sourceState{URL: f.alpha.url(), ConfiguredURL: f.alpha.url(), LastError: f.wantErr, Failures: 2, CheckedAt: s.now.UTC(),
		LastSuccess: f.t0.UTC(), NextDue: s.now.Add(10 * time.Minute).UTC()}
	if got := s.state("alpha"); got.String() != again.String() {
		t.Errorf("alpha state after a forced failure:\n got %s\nwant %s", got, again)
	}
	if got := titlesOf(s.feed("feed.json")); got != failingPublished {
		t.Errorf("after a forced failure: %s\nwant %s", got, failingPublished)
	}
	return again
}

// recovers runs past alpha's window, alpha back with a new story.
func (f *failingUpstream) recovers(t *testing.T, again sourceState) {
	s := f.s
	f.alpha.set(func(u *upstream) {
		u.status = 0
		u.body = rssDoc("Alpha", append([]upItem{{"Alpha Three", "https://alpha.example.org/3", f.t0.Add(70 * time.Minute), ""}}, f.alphaItems...)...)
	})
	s.now = again.NextDue.In(hk).Add(time.Minute)
	rep := s.runWith(false, f.jobs...)
	if rep.Failed() {
		t.Errorf("after recovery: %+v", rep.Sources)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Alpha Three|"+failingPublished {
		t.Errorf("after recovery: %s", got)
	}
	recovered := sourceState{URL: f.alpha.url(), ConfiguredURL: f.alpha.url(), CheckedAt: s.now.UTC(), LastSuccess: s.now.UTC()}
	if got := s.state("alpha"); got.String() != recovered.String() {
		t.Errorf("alpha state after recovery:\n got %s\nwant %s", got, recovered)
	}
}

// TestUpstreamRetention: items an upstream drops from its window stay until
// retention prunes them; the current window is never pruned, however old.
func TestUpstreamRetention(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, hk) // newSite's clock
	item := func(name string, age time.Duration) upItem {
		return upItem{name, "https://wire.example.org/" + strings.ToLower(strings.ReplaceAll(name, " ", "-")), t0.Add(-age), ""}
	}
	day := 24 * time.Hour
	x1, x2, x3 := item("Window One", time.Hour), item("Window Two", 2*time.Hour), item("Window Three", 3*time.Hour)
	fresh := item("Fresh Story", -30*time.Minute)
	recent, old, older := item("Recent Story", day), item("Old Story", 60*day), item("Older Story", 100*day)
	tests := []struct {
		name          string
		retention     Retention
		first, second []upItem
		want          string // titles after the second run
		removed       int
	}{
		{"dropped item, no limits", Retention{}, []upItem{x1, x2, x3}, []upItem{fresh, x1, x2},
			"Fresh Story|Window One|Window Two|Window Three", 0},
		{"dropped item, within 90d and 500", Retention{MaxAge: 90 * day, MaxItems: 500}, []upItem{x1, x2, x3}, []upItem{fresh, x1, x2},
			"Fresh Story|Window One|Window Two|Window Three", 0},
		{"max items 2, a window of one", Retention{MaxItems: 2}, []upItem{x1, x2, x3}, []upItem{fresh},
			"Fresh Story|Window One", 2},
		{"max age 30d", Retention{MaxAge: 30 * day}, []upItem{recent, old, older}, []upItem{fresh, older},
			"Fresh Story|Recent Story|Older Story", 1},
		{"max age 30d and max items 2", Retention{MaxAge: 30 * day, MaxItems: 2}, []upItem{recent, old, older}, []upItem{fresh, older},
			"Fresh Story|Recent Story|Older Story", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			up := newUpstream(t, rssType, rssDoc("Wire", tt.first...))
			jobs := s.feedJobs(feedSpec{name: "wire", url: up.url(), retention: tt.retention})
			rep := s.runWith(false, jobs...)
			if rep.Failed() {
				t.Fatalf("first run failed: %+v", rep.Sources)
			}
			var firstTitles []string
			for _, it := range tt.first {
				firstTitles = append(firstTitles, it.title)
			}
			// The whole first window is kept, past max_items and max_age.
			if got := titlesOf(s.feed("feed.json")); got != strings.Join(firstTitles, "|") {
				t.Fatalf("first run: %s\nwant %s", got, strings.Join(firstTitles, "|"))
			}

			up.set(func(u *upstream) { u.body = rssDoc("Wire", tt.second...) })
			s.now = t0.Add(time.Hour)
			rep = s.runWith(false, jobs...)
			if rep.Failed() {
				t.Fatalf("second run failed: %+v", rep.Sources)
			}
			if got := titlesOf(s.feed("feed.json")); got != tt.want {
				t.Errorf("second run: %s\nwant %s", got, tt.want)
			}
			if sr := sourceReport(t, rep, "wire"); sr.Removed != tt.removed || sr.Changed != 1 {
				t.Errorf("second run: removed %d, changed %d; want %d, 1", sr.Removed, sr.Changed, tt.removed)
			}
		})
	}
}

// TestUpstreamRetentionNotModified: an upstream that answers 304 for longer
// than max_age still loses, on time, an item it dropped from its window: the
// check after that item expires asks without validators, gets the window and
// prunes the item; an item still in the window stays however old, and the
// checks around it stay conditional.
func TestUpstreamRetentionNotModified(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	t0 := s.now
	day := 24 * time.Hour
	item := func(name string, at time.Time) upItem {
		return upItem{name, "https://wire.example.org/" + strings.ToLower(strings.ReplaceAll(name, " ", "-")), at, ""}
	}
	fresh, x1 := item("Fresh Story", t0.Add(30*time.Minute)), item("Window One", t0.Add(-time.Hour))
	dropped, ancient := item("Dropped Story", t0.Add(-20*day)), item("Ancient Story", t0.Add(-40*day))
	up := newUpstream(t, rssType, rssDoc("Wire", x1, dropped, ancient))
	up.set(func(u *upstream) { u.etag = `"wire-1"` })
	jobs := s.feedJobs(feedSpec{name: "wire", url: up.url(), retention: Retention{MaxAge: 30 * day}})

	steps := []struct {
		name                  string
		at                    time.Time
		conditional, modified bool // the request carried validators; the answer was a 200
		want                  string
		removed               int
	}{
		{"first fetch", t0, false, true, "Window One|Dropped Story|Ancient Story", 0},
		{"dropped from the window, within max_age", t0.Add(time.Hour), true, true,
			"Fresh Story|Window One|Dropped Story|Ancient Story", 0},
		{"304, nothing expired", t0.Add(5 * day), true, false,
			"Fresh Story|Window One|Dropped Story|Ancient Story", 0},
		{"304, still nothing expired", t0.Add(9 * day), true, false,
			"Fresh Story|Window One|Dropped Story|Ancient Story", 0},
		{"dropped story expired: asked without validators", t0.Add(11 * day), false, true,
			"Fresh Story|Window One|Ancient Story", 1},
		{"304 again: the old window item does not ask again", t0.Add(20 * day), true, false,
			"Fresh Story|Window One|Ancient Story", 0},
	}
	for i, st := range steps {
		if i == 1 {
			up.set(func(u *upstream) { u.body, u.etag = rssDoc("Wire", fresh, x1, ancient), `"wire-2"` })
		}
		s.now = st.at
		req0, cond0, nm0 := up.counts()
		rep := s.runWith(false, jobs...)
		if rep.Failed() {
			t.Fatalf("%s: failed: %+v", st.name, rep.Sources)
		}
		req, cond, nm := up.counts()
		if req-req0 != 1 || (cond-cond0 == 1) != st.conditional || (nm-nm0 == 0) != st.modified {
			t.Errorf("%s: %d requests, %d conditional, %d answered 304; want 1, conditional %v, 200 %v",
				st.name, req-req0, cond-cond0, nm-nm0, st.conditional, st.modified)
		}
		if got := titlesOf(s.feed("feed.json")); got != st.want {
			t.Errorf("%s: %s\nwant %s", st.name, got, st.want)
		}
		if sr := sourceReport(t, rep, "wire"); sr.Removed != st.removed || sr.NotModified == st.modified {
			t.Errorf("%s: removed %d, not modified %v; want %d, %v", st.name, sr.Removed, sr.NotModified, st.removed, !st.modified)
		}
	}
}

// TestUpstreamDates: an undated upstream item is dated by its first sight,
// one second earlier per position, and keeps that date; a date more than a
// day ahead is clamped to the first sight, one less than a day ahead is
// kept.
func TestUpstreamDates(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	t0 := s.now
	items := []upItem{
		{"Future Typo", "https://wire.example.org/future", t0.Add(72 * time.Hour), ""},
		{"Undated One", "https://wire.example.org/u1", time.Time{}, ""},
		{"Later Today", "https://wire.example.org/later", t0.Add(12 * time.Hour), ""},
		{"Undated Three", "https://wire.example.org/u3", time.Time{}, ""},
		{"Dated Four", "https://wire.example.org/d4", time.Date(2026, 11, 20, 9, 0, 0, 0, hk), ""},
		// Read in the source's zone: no zone at all, and an abbreviation
		// gofeed does not know.
		{"Zoneless", "https://wire.example.org/z5", time.Time{}, "Wed, 25 Nov 2026 08:00:00"},
		{"Hong Kong Time", "https://wire.example.org/h6", time.Time{}, "Wed, 25 Nov 2026 07:00:00 HKT"},
	}
	up := newUpstream(t, rssType, rssDoc("Wire", items...))
	jobs := s.feedJobs(feedSpec{name: "wire", url: up.url()})
	s.runWith(false, jobs...)
	first := "Later Today 2026-11-25T22:00:00+08:00|" +
		"Future Typo 2026-11-25T10:00:00+08:00|" +
		"Undated One 2026-11-25T09:59:59+08:00|" +
		"Undated Three 2026-11-25T09:59:57+08:00|" +
		"Zoneless 2026-11-25T08:00:00+08:00|" +
		"Hong Kong Time 2026-11-25T07:00:00+08:00|" +
		"Dated Four 2026-11-20T09:00:00+08:00"
	if got := datesOf(s.feed("feed.json")); got != first {
		t.Fatalf("first run:\n got %s\nwant %s", got, first)
	}

	// An hour later a new undated story tops the feed; every stored date
	// holds though each story moved down one position.
	up.set(func(u *upstream) {
		u.body = rssDoc("Wire", append([]upItem{{"Undated New", "https://wire.example.org/new", time.Time{}, ""}}, items...)...)
	})
	s.now = t0.Add(time.Hour)
	rep := s.runWith(false, jobs...)
	if rep.Failed() {
		t.Fatalf("second run failed: %+v", rep.Sources)
	}
	want := "Later Today 2026-11-25T22:00:00+08:00|Undated New 2026-11-25T11:00:00+08:00|" + strings.TrimPrefix(first, "Later Today 2026-11-25T22:00:00+08:00|")
	if got := datesOf(s.feed("feed.json")); got != want {
		t.Errorf("second run:\n got %s\nwant %s", got, want)
	}
	if sr := sourceReport(t, rep, "wire"); sr.Changed != 1 {
		t.Errorf("second run changed %d items, want 1 (the new one)", sr.Changed)
	}
}

// TestBadUpstreams fetches broken upstreams in one pass beside a good one:
// each failure is stored in its source's state with the source's name, URL
// and reason; the good source publishes.
func TestBadUpstreams(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	good := newUpstream(t, rssType, rssDoc("Good", upItem{"Good Story", "https://good.example.org/1", s.now.Add(-time.Hour), ""}))
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		requests    int // attempts within one fetch
		reason      string
	}{
		{"not-found", http.StatusNotFound, "", "", 1, "status 404 Not Found"},
		{"html-page", 0, "text/html; charset=utf-8",
			"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><p>Please sign in.</p></body></html>\n",
			1, `feed: not a feed: an HTML page (Content-Type "text/html; charset=utf-8")`},
		{"empty-body", 0, "application/rss+xml", "", 1, "feed: empty body"},
		{"truncated-xml", 0, rssType,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>Cut</title>\n<item>\n<title>Half an it",
			1, "feed: cannot parse: XML syntax error on line 6: unexpected EOF"},
	}
	specs := []feedSpec{{name: "good", url: good.url()}}
	ups := make([]*upstream, len(tests))
	for i, tt := range tests {
		ups[i] = newUpstream(t, tt.contentType, tt.body)
		ups[i].set(func(u *upstream) { u.status = tt.status })
		specs = append(specs, feedSpec{name: tt.name, url: ups[i].url()})
	}
	rep := s.runWith(false, s.feedJobs(specs...)...)
	if !rep.Failed() {
		t.Errorf("Failed() = false with four broken upstreams")
	}
	if sr := sourceReport(t, rep, "good"); sr.Err != nil || sr.Changed != 1 {
		t.Errorf("good: err=%v changed=%d, want nil, 1", sr.Err, sr.Changed)
	}
	if got := titlesOf(s.feed("feed.json")); got != "Good Story" {
		t.Errorf("merged feed: %s, want Good Story", got)
	}
	if got := titlesOf(s.feed("en/feed.json")); got != "Good Story" {
		t.Errorf("en feed: %s, want Good Story", got)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := fmt.Sprintf("feed %q: GET %s: %s", tt.name, ups[i].url(), tt.reason)
			if sr := sourceReport(t, rep, tt.name); sr.Err == nil || sr.Err.Error() != want {
				t.Errorf("report err = %v\nwant %s", sr.Err, want)
			}
			st := sourceState{LastError: want, Failures: 1, CheckedAt: s.now.UTC(), NextDue: s.now.Add(5 * time.Minute).UTC()}
			if got := s.state(tt.name); got.String() != st.String() {
				t.Errorf("state:\n got %s\nwant %s", got, st)
			}
			if req, _, _ := ups[i].counts(); req != tt.requests {
				t.Errorf("%d requests, want %d", req, tt.requests)
			}
			items, err := s.store.Items(context.Background(), store.Query{Source: tt.name, IncludeHeld: true})
			if err != nil || len(items) != 0 {
				t.Errorf("stored items = %d (err %v), want none", len(items), err)
			}
		})
	}
}

// feedDates lists a JSON feed's items as "title published modified".
func (s *site) feedDates(rel string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.out, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	var f struct {
		Items []struct {
			Title     string `json:"title"`
			Published string `json:"date_published"`
			Modified  string `json:"date_modified"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		s.t.Fatalf("%s: %v", rel, err)
	}
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title+" "+it.Published+" "+it.Modified)
	}
	return strings.Join(out, "|")
}

// TestUpstreamFutureUpdated: an Atom entry dated only by an <updated> three
// days ahead (a typo upstream) is clamped to its first sight, published and
// updated alike, and stays so while the upstream repeats it: later runs
// change nothing and rewrite nothing.
func TestUpstreamFutureUpdated(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	t0 := s.now
	const doc = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Typo Wire</title>
  <id>tag:typo.example.org,2026:feed</id>
  <updated>2026-11-28T10:00:00+08:00</updated>
  <author><name>Typo Desk</name></author>
  <entry>
    <title>Dated Three Days Ahead</title>
    <id>https://typo.example.org/1</id>
    <link href="https://typo.example.org/1"/>
    <updated>2026-11-28T10:00:00+08:00</updated>
    <summary>Its clock is wrong.</summary>
  </entry>
</feed>
`
	up := newUpstream(t, "application/atom+xml", doc)
	jobs := s.feedJobs(feedSpec{name: "typo", url: up.url()})
	const want = "Dated Three Days Ahead 2026-11-25T10:00:00+08:00 2026-11-25T10:00:00+08:00"
	for run, later := range []time.Duration{0, time.Hour, 2 * time.Hour} {
		s.now = t0.Add(later)
		rep := s.runWith(false, jobs...)
		if rep.Failed() {
			t.Fatalf("run %d failed: %+v", run+1, rep.Sources)
		}
		if got := s.feedDates("feed.json"); got != want {
			t.Errorf("run %d: %s\nwant %s", run+1, got, want)
		}
		if run == 0 {
			continue
		}
		if sr := sourceReport(t, rep, "typo"); sr.Changed != 0 || len(rep.Published) != 0 {
			t.Errorf("run %d: changed %d items, rewrote %v; want nothing", run+1, sr.Changed, rep.Published)
		}
	}
}

// TestStatusCountsContradictedLanguage: a feed declaring Chinese whose
// items are English publishes them as English, and /status counts them for
// that source; a later refresh without such items counts none.
func TestStatusCountsContradictedLanguage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	doc := func(items ...upItem) string {
		return strings.Replace(rssDoc("Wire", items...), "<language>en</language>", "<language>zh-hk</language>", 1)
	}
	english := []upItem{
		{"Government reviews the policy", "https://wire.example.org/1", s.now.Add(-time.Hour), ""},
		{"Budget announced for next year", "https://wire.example.org/2", s.now.Add(-2 * time.Hour), ""},
	}
	up := newUpstream(t, rssType, doc(english...))
	jobs := s.feedJobs(feedSpec{name: "wire", url: up.url()})
	sched := s.scheduler(false, jobs...)
	if _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sourceHealth(t, sched, "wire").Contradicted; got != 2 {
		t.Errorf("contradicted = %d, want 2", got)
	}
	items := s.feed("feed.json")
	if len(items) != 2 {
		t.Fatalf("%d items published, want 2", len(items))
	}
	for _, it := range items {
		if it.Language != "en" {
			t.Errorf("item %q language %q, want en", it.Title, it.Language)
		}
	}

	up.set(func(u *upstream) {
		u.body = strings.Replace(doc(upItem{"政府檢討政策", "https://wire.example.org/3", s.now.Add(-time.Hour), ""}),
			"A story of the wire.", "政府星期五表示將會檢討有關政策。", 1)
	})
	s.now = s.now.Add(time.Hour)
	if _, err := sched.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sourceHealth(t, sched, "wire").Contradicted; got != 0 {
		t.Errorf("after a refresh without contradictions: %d, want 0", got)
	}
}

func sourceHealth(t *testing.T, sched *Scheduler, name string) server.SourceHealth {
	t.Helper()
	hs, err := sched.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no source %q in %+v", name, hs)
	return server.SourceHealth{}
}
