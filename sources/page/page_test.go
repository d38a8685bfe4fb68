package page_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/page"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	host     = "feeds.example.edu"
	firstRun = "2025-03-14"
)

var hk = mustZone("Asia/Hong_Kong")

// now is the clock of every test: 14 March 2025, noon in Hong Kong.
var now = time.Date(2025, 3, 14, 12, 0, 0, 0, hk)

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// site is a loopback web server for one test: routes map a path to a
// handler; robots.txt answers 404 unless a route gives it.
func site(t testing.TB, routes map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func html(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(body)
	}
}

// fetchOptions reach loopback (the test servers), with the test clock and
// a log kept in buf.
func fetchOptions(t testing.TB, buf *bytes.Buffer) feed.Options {
	opts := feed.Options{AllowPrivate: true, Timeout: 5 * time.Second, RetryWait: time.Millisecond,
		Zone: hk, Now: func() time.Time { return now }, UserAgent: "feedloom/test (+https://github.com/feedloom/feedloom)"}
	if buf != nil {
		opts.Log = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	opts.Client = feed.NewClient(opts)
	t.Cleanup(opts.Client.CloseIdleConnections)
	return opts
}

var english = page.Selectors{
	Item:     "article.news-item",
	Title:    "h3",
	Summary:  ".teaser",
	Date:     "time@datetime",
	Category: ".label",
	Image:    "img@src",
	Author:   ".byline",
}

func newSource(t testing.TB, url string, opts page.Options) *page.Source {
	t.Helper()
	src, err := page.New("dept", url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// normalized runs stories through normalize as the scheduler does for a
// page source.
func normalized(t testing.TB, stories []sources.Story, known []feeds.Item, at time.Time) []feeds.Item {
	t.Helper()
	n := normalize.New(normalize.Options{Host: host, FirstRun: firstRun, Zone: hk}, nil)
	items, err := n.Items(normalize.Source{Name: "dept", Language: "en", Zone: hk, Feed: true, Page: true}, at, stories, known)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

type want struct {
	id, title, link, published, summary, image string
	categories                                 []string
}

func check(t *testing.T, items []feeds.Item, wants []want) {
	t.Helper()
	if len(items) != len(wants) {
		for _, it := range items {
			t.Logf("%s %q %s %s", it.ID, it.Title, it.Link, it.Published.Format(time.RFC3339))
		}
		t.Fatalf("%d items, want %d", len(items), len(wants))
	}
	for i, w := range wants {
		it := items[i]
		got := want{it.ID, it.Title, it.Link, it.Published.Format(time.RFC3339), it.Summary, it.Image, it.Categories}
		if w.summary == "" {
			got.summary = ""
		}
		if w.categories == nil {
			got.categories = nil
		}
		if strings.Join(got.categories, "|") != strings.Join(w.categories, "|") || got.id != w.id || got.title != w.title ||
			got.link != w.link || got.published != w.published || got.summary != w.summary || got.image != w.image {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

func tagID(key string) string { return "tag:" + host + "," + firstRun + ":dept/" + key }

// TestEnglishListing: one item per article, in page order; links and
// images resolve against the page and only http(s) ones are kept; the
// date selector's value is the date, and an item without one takes the
// day its text states, or the listing rule's; ids hash the link as
// normalized for dedup, or the title and date.
func TestEnglishListing(t *testing.T) {
	var log bytes.Buffer
	srv := site(t, map[string]http.HandlerFunc{"/news": html(fixture(t, "english.html"))})
	src := newSource(t, srv.URL+"/news", page.Options{Fetch: fetchOptions(t, &log), Select: english})
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified || len(res.Problems) > 0 {
		t.Fatalf("NotModified %v, problems %v", res.NotModified, res.Problems)
	}
	base := srv.URL
	st := res.Stories
	if st[0].FeedLanguage != "en" || st[0].Origin == nil || st[0].Origin.Title != "Engineering News" || st[0].Origin.ID != base+"/news" {
		t.Errorf("page language %q, origin %+v", st[0].FeedLanguage, st[0].Origin)
	}
	if len(st[0].Authors) != 1 || st[0].Authors[0].Name != "Dr. Chan" {
		t.Errorf("authors %+v", st[0].Authors)
	}
	items := normalized(t, res.Stories, nil, now)
	check(t, items, []want{
		{id: tagID(hash16("//" + strings.TrimPrefix(base, "http://") + "/news/robot-arm")), title: "Robot arm learns to sort recycling",
			link: base + "/news/robot-arm?utm_source=home#top", published: "2025-03-13T09:30:00+08:00",
			summary: "A team built an arm that tells paper from plastic.", image: base + "/img/arm.jpg", categories: []string{"Research"}},
		{id: tagID(hash16("//seng.example.edu/news/award")), title: "Students win design award",
			link: "https://seng.example.edu/news/award", published: "2025-03-12T00:00:00+08:00", categories: []string{"Awards"}},
		// No link and no date: keyed by its title; dated by the item below.
		{id: tagID(hash16("Open day\n")), title: "Open day", published: "2025-03-10T00:01:00+08:00", categories: []string{"Events"}},
		// A mailto: link is no web link: keyed by its title and date.
		{id: tagID(hash16("Write to the newsroom\n2025-03-09T16:00:00Z")), title: "Write to the newsroom", published: "2025-03-10T00:00:00+08:00"},
	})
	if !strings.Contains(log.String(), "this page has a feed: use kind: feed with url "+base+"/news/feed.xml") {
		t.Errorf("the advertised feed is not reported:\n%s", log.String())
	}
}

// TestBig5MetaOnly: a page that declares its charset only in <meta> (none
// in Content-Type) is decoded by it.
func TestBig5MetaOnly(t *testing.T) {
	doc := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"><title>新聞</title></head><body>` +
		`<div class="item"><h2><a href="/n/1">科大學生獲創新獎</a></h2><p>3月13日,學生在比賽中獲獎。</p></div>` +
		`<div class="item"><h2><a href="/n/2">副校長訪問北京</a></h2><p>代表團昨日出發。</p></div></body></html>`
	body, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	srv := site(t, map[string]http.HandlerFunc{"/zh": html(body)})
	src := newSource(t, srv.URL+"/zh", page.Options{Fetch: fetchOptions(t, nil), Select: page.Selectors{Item: ".item", Title: "h2", Summary: "p"}})
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	items := normalized(t, res.Stories, nil, now)
	check(t, items, []want{
		{id: tagID(hash16("//" + strings.TrimPrefix(srv.URL, "http://") + "/n/1")), title: "科大學生獲創新獎", link: srv.URL + "/n/1",
			published: "2025-03-13T00:01:00+08:00", summary: "3月13日,學生在比賽中獲獎。"},
		{id: tagID(hash16("//" + strings.TrimPrefix(srv.URL, "http://") + "/n/2")), title: "副校長訪問北京", link: srv.URL + "/n/2",
			published: "2025-03-13T00:00:00+08:00", summary: "代表團昨日出發。"},
	})
}

// TestBaseHref: relative links and images resolve against <base href>;
// yearless and Chinese dates of the date selector are read in the source's
// zone.
func TestBaseHref(t *testing.T) {
	srv := site(t, map[string]http.HandlerFunc{"/archive": html(fixture(t, "base.html"))})
	src := newSource(t, srv.URL+"/archive", page.Options{Fetch: fetchOptions(t, nil),
		Select: page.Selectors{Item: "li.story", Title: "a", Date: ".when", Image: "img@src"}})
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	items := normalized(t, res.Stories, nil, now)
	check(t, items, []want{
		{id: tagID(hash16("//news.example.edu/archive/2025/first.html")), title: "First story",
			link: "https://news.example.edu/archive/2025/first.html", published: "2025-03-13T00:00:00+08:00", image: "https://news.example.edu/img/first.png"},
		{id: tagID(hash16("//news.example.edu/about")), title: "About us", link: "https://news.example.edu/about", published: "2025-03-12T00:01:00+08:00"},
		{id: tagID(hash16("//cdn.example.edu/x")), title: "Elsewhere", link: "https://cdn.example.edu/x", published: "2025-03-12T00:00:00+08:00"},
	})
}

// TestContent: each item's page is fetched and its content element taken;
// a 404 item page is that item's problem, the item kept without it; the
// second fetch of a page asks conditionally and reuses what it had.
func TestContent(t *testing.T) {
	var itemGets, conditional atomic.Int32
	listing := []byte(`<html><body>
<div class="n"><a href="/items/1">One</a></div>
<div class="n"><a href="/items/2">Two</a></div>
<div class="n"><a href="/items/3">Three</a></div>
</body></html>`)
	srv := site(t, map[string]http.HandlerFunc{
		"/list": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(listing)
		},
		"/items/1": func(w http.ResponseWriter, r *http.Request) {
			itemGets.Add(1)
			w.Header().Set("ETag", `"i1"`)
			if r.Header.Get("If-None-Match") == `"i1"` {
				conditional.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html><body><nav>menu</nav><div class="article-body"><p>Body of <a href="more">one</a>.</p><script>x()</script></div></body></html>`))
		},
	})
	src := newSource(t, srv.URL+"/list", page.Options{Fetch: fetchOptions(t, nil), Select: page.Selectors{Item: ".n", Title: "a"}, Content: ".article-body"})
	for run := range 2 {
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Stories) != 3 {
			t.Fatalf("run %d: %d stories, want 3", run, len(res.Stories))
		}
		if got := res.Stories[0].Content; got != `<p>Body of <a href="more">one</a>.</p><script>x()</script>` {
			t.Errorf("run %d: content %q", run, got)
		}
		if res.Stories[0].ContentBase != srv.URL+"/items/1" {
			t.Errorf("run %d: content base %q", run, res.Stories[0].ContentBase)
		}
		if res.Stories[1].Content != "" {
			t.Errorf("run %d: the 404 item has content %q", run, res.Stories[1].Content)
		}
		if len(res.Problems) != 2 {
			t.Fatalf("run %d: problems %v, want the two missing item pages", run, res.Problems)
		}
		var fe *sources.FileError
		if !errors.As(res.Problems[0], &fe) || fe.Path != srv.URL+"/items/2" || !strings.Contains(fe.Error(), "status 404") {
			t.Errorf("run %d: problem %v", run, res.Problems[0])
		}
		items := normalized(t, res.Stories, nil, now)
		if items[0].Content != `<p>Body of <a href="`+srv.URL+`/items/more" rel="nofollow">one</a>.</p>` {
			t.Errorf("run %d: sanitized content %q", run, items[0].Content)
		}
	}
	if itemGets.Load() != 2 || conditional.Load() != 1 {
		t.Errorf("item page fetched %d times, %d conditionally; want 2, 1", itemGets.Load(), conditional.Load())
	}
}

// TestRedesign: a page whose markup no longer matches select.item fails
// with a *MatchError naming the selector and the page; the 304 before it
// is NotModified.
func TestRedesign(t *testing.T) {
	var mu sync.Mutex
	body := fixture(t, "english.html")
	srv := site(t, map[string]http.HandlerFunc{"/news": func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("ETag", `"`+string(rune('a'+len(body)%26))+`"`)
		if r.Header.Get("If-None-Match") == w.Header().Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}})
	src := newSource(t, srv.URL+"/news", page.Options{Fetch: fetchOptions(t, nil), Select: english})
	first, err := src.Fetch(context.Background(), sources.State{})
	if err != nil || len(first.Stories) != 4 {
		t.Fatalf("first fetch: %d stories, %v", len(first.Stories), err)
	}
	again, err := src.Fetch(context.Background(), first.State)
	if err != nil || !again.NotModified {
		t.Fatalf("unchanged page: NotModified %v, %v", again.NotModified, err)
	}

	mu.Lock()
	body = []byte(`<html><body><div class="card"><h2>Robot arm</h2></div></body></html>`)
	mu.Unlock()
	_, err = src.Fetch(context.Background(), first.State)
	var me *page.MatchError
	if !errors.As(err, &me) || me.Key != "select.item" {
		t.Fatalf("err = %v, want a MatchError for select.item", err)
	}
	if want := `page "dept": select.item matched 0 elements on ` + srv.URL + "/news"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	mu.Lock()
	body = []byte(`<html><body><article class="news-item"><h4>Robot arm</h4></article></body></html>`)
	mu.Unlock()
	_, err = src.Fetch(context.Background(), first.State)
	if !errors.As(err, &me) || me.Key != "select.title" {
		t.Errorf("err = %v, want a MatchError for select.title", err)
	}
}

// TestRobots: robots.txt's group for feedloom wins over *, and it is
// honoured for the page and for its item pages.
func TestRobots(t *testing.T) {
	var pageGets atomic.Int32
	srv := site(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("User-agent: *\nDisallow: /\n\nUser-agent: feedloom\nDisallow: /private/\nAllow: /\n"))
		},
		"/news": html([]byte(`<div class="n"><a href="/private/1">Hidden</a></div><div class="n"><a href="/open/2">Open</a></div>`)),
		"/private/news": func(w http.ResponseWriter, r *http.Request) {
			pageGets.Add(1)
			w.Write([]byte(`<div class="n"><a href="/x">X</a></div>`))
		},
		"/open/2": html([]byte(`<main>Open body</main>`)),
	})
	opts := page.Options{Fetch: fetchOptions(t, nil), Select: page.Selectors{Item: ".n", Title: "a"}}
	_, err := newSource(t, srv.URL+"/private/news", opts).Fetch(context.Background(), sources.State{})
	if !errors.Is(err, page.ErrRobots) || pageGets.Load() != 0 {
		t.Errorf("disallowed page: err %v, fetched %d times; want ErrRobots, never fetched", err, pageGets.Load())
	}

	opts.Content = "main"
	res, err := newSource(t, srv.URL+"/news", opts).Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !errors.Is(res.Problems[0], page.ErrRobots) {
		t.Errorf("problems %v, want the disallowed item page", res.Problems)
	}
	if res.Stories[1].Content != "Open body" {
		t.Errorf("allowed item page content %q", res.Stories[1].Content)
	}
}

// TestPrivateAddress: without allow_private, a page on loopback is refused
// by the fetcher, robots.txt included.
func TestPrivateAddress(t *testing.T) {
	var hits atomic.Int32
	srv := site(t, map[string]http.HandlerFunc{"/news": func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }})
	fopts := feed.Options{Timeout: 5 * time.Second, Now: func() time.Time { return now }}
	fopts.Client = feed.NewClient(fopts)
	t.Cleanup(fopts.Client.CloseIdleConnections)
	_, err := newSource(t, srv.URL+"/news", page.Options{Fetch: fopts, Select: english}).Fetch(context.Background(), sources.State{})
	if !errors.Is(err, feed.ErrPrivateAddress) || hits.Load() != 0 {
		t.Errorf("err %v, %d requests; want ErrPrivateAddress and none", err, hits.Load())
	}
}

// TestLocalPage: a local path is read with its hash as ETag.
func TestLocalPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "news.html")
	if err := os.WriteFile(path, fixture(t, "base.html"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, path, page.Options{Fetch: fetchOptions(t, nil), Select: page.Selectors{Item: "li.story", Title: "a"}})
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil || len(res.Stories) != 3 || res.Stories[0].Link != "https://news.example.edu/archive/2025/first.html" {
		t.Fatalf("%+v, %v", res.Stories, err)
	}
	again, err := src.Fetch(context.Background(), res.State)
	if err != nil || !again.NotModified {
		t.Errorf("unchanged file: NotModified %v, %v", again.NotModified, err)
	}
}

// hash16 is an id key computed apart from normalize: the first 16 hex
// digits of SHA-256.
func hash16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}
