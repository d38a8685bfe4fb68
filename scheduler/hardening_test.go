package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/store"
)

// TestSecretsStayOffHealth: a feed URL's userinfo and query values reach
// the upstream, but neither the run's report, the stored last error nor
// /healthz's source list (Sources) shows them.
func TestSecretsStayOffHealth(t *testing.T) {
	t.Parallel()
	var (
		mu         sync.Mutex
		user, pass string
		key        string
		down       bool
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		user, pass, _ = r.BasicAuth()
		key = r.URL.Query().Get("apikey")
		if down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", rssType)
		fmt.Fprint(w, rssDoc("Private Wire", upItem{title: "One", link: "https://wire.example/1", raw: "Thu, 13 Mar 2025 09:00:00 +0800"}))
	}))
	t.Cleanup(srv.Close)
	secretURL := strings.Replace(srv.URL, "http://", "http://reader:hunter2@", 1) + "/feed?apikey=s3cret&lang=en"
	shown := strings.Replace(srv.URL, "http://", "http://reader:xxxxx@", 1) + "/feed?apikey=REDACTED&lang=REDACTED"

	s := newSite(t)
	jobs := s.feedJobs(feedSpec{name: "private", url: secretURL})
	if rep := s.runWith(false, jobs...); rep.Failed() {
		t.Fatalf("first run failed: %+v", rep.Sources)
	}
	mu.Lock()
	down = true
	mu.Unlock()
	rep := s.runWith(true, jobs...)
	mu.Lock()
	if user != "reader" || pass != "hunter2" || key != "s3cret" {
		t.Errorf("upstream saw user %q pass %q apikey %q; the request must carry the real ones", user, pass, key)
	}
	mu.Unlock()

	sr := sourceReport(t, rep, "private")
	if sr.Err == nil {
		t.Fatal("a 503 upstream did not fail")
	}
	st := s.state("private")
	sched := New(s.store, nil, nil, jobs, Options{Normalize: normalize.Options{Host: "feeds.example.edu", Zone: hk}}, slog.New(slog.DiscardHandler))
	hs, err := sched.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{
		"report error": sr.Err.Error(), "stored error": st.LastError,
		"health url": hs[0].URL, "health error": hs[0].LastError,
	} {
		if strings.Contains(text, "hunter2") || strings.Contains(text, "s3cret") {
			t.Errorf("%s shows a secret: %s", what, text)
		}
	}
	if hs[0].URL != shown {
		t.Errorf("health url = %q, want %q", hs[0].URL, shown)
	}
	if !strings.Contains(hs[0].LastError, "503") {
		t.Errorf("health error %q lost the reason", hs[0].LastError)
	}
}

// TestUpstreamItemCap: an upstream of 100,000 link-less items cannot make
// feedloom store 100,000 items and write as many story pages: the first
// fetch.max_items (1,000 by default) in document order are kept.
func TestUpstreamItemCap(t *testing.T) {
	t.Parallel()
	type item struct {
		ID          string `json:"id"`
		ContentText string `json:"content_text"`
	}
	feed := struct {
		Version string `json:"version"`
		Title   string `json:"title"`
		Items   []item `json:"items"`
	}{Version: "https://jsonfeed.org/version/1.1", Title: "Flood"}
	for i := range 100_000 {
		feed.Items = append(feed.Items, item{ID: fmt.Sprint(i), ContentText: fmt.Sprintf("Post %d.", i)})
	}
	body, err := json.Marshal(feed)
	if err != nil {
		t.Fatal(err)
	}
	up := newUpstream(t, "application/feed+json", string(body))
	s := newSite(t)
	rep := s.runWith(false, s.feedJobs(feedSpec{name: "flood", url: up.url()})...)
	if sr := sourceReport(t, rep, "flood"); sr.Err != nil || sr.Stories != 1000 || sr.Changed != 1000 {
		t.Fatalf("flood: err=%v stories=%d changed=%d, want 1000 stories stored", sr.Err, sr.Stories, sr.Changed)
	}
	items, err := s.store.Items(context.Background(), store.Query{Source: "flood"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1000 {
		t.Fatalf("%d items stored, want 1000", len(items))
	}
	// The newest stored is the upstream's first item, the oldest its 1000th.
	if items[0].ID != tagID("flood", "0") || items[999].ID != tagID("flood", "999") {
		t.Errorf("kept %s … %s, want items 0 … 999", items[0].ID, items[999].ID)
	}
	pages, err := os.ReadDir(filepath.Join(s.out, "stories"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1000 {
		t.Errorf("%d story pages, want 1000", len(pages))
	}
}

// TestHostileStoryFileTakesOnlyItself: a front matter that makes the YAML
// decoder panic (a tag on a list field) is that file's problem, named with
// its path: the folder's other stories publish and the source is not put
// into failure backoff.
func TestHostileStoryFileTakesOnlyItself(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.write("good.md", "---\ntitle: Good Story\ndate: 2025-03-13T09:00:00+08:00\nlanguage: en\n---\nFine.\n")
	s.write("tags.md", "---\ntitle: Hostile Tags\ntags: !x 0\n---\nBody.\n")
	s.write("authors.yaml", "title: Hostile Authors\nauthors: !x 0\ntext: Body.\n")
	s.write("categories.md", "---\ntitle: Hostile Categories\ncategories: !x 0\n---\nBody.\n")
	rep := s.run()
	sr := sourceReport(t, rep, "newsroom")
	if sr.Err != nil || sr.Stories != 1 {
		t.Fatalf("newsroom: err=%v stories=%d, want the good story and no source error", sr.Err, sr.Stories)
	}
	var files []string
	for _, p := range sr.Problems {
		files = append(files, strings.SplitN(p.Error(), ":", 2)[0])
	}
	if got, want := strings.Join(files, " "), "authors.yaml categories.md tags.md"; got != want {
		t.Errorf("problems name %q, want %q (%v)", got, want, sr.Problems)
	}
	if titles := titlesOf(s.feed("feed.json")); titles != "Good Story" {
		t.Errorf("published %q, want the good story", titles)
	}
	if st := s.state("newsroom"); st.Failures != 0 || !st.NextDue.IsZero() {
		t.Errorf("newsroom state: %d failures, next due %v; a file's problem must not back the source off", st.Failures, st.NextDue)
	}
}
