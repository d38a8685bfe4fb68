package opml

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// serve answers every request with body, an ETag and 304 on a match, as
// a static file server does.
func serve(t *testing.T, body *[]byte, contentType string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		etag := `"` + string(rune('a'+len(*body)%26)) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", contentType)
		w.Write(*body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newList(t *testing.T, name, listURL string, opts Options) (*Source, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	opts.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f := feed.New(name, listURL, feed.Options{AllowPrivate: true, Retries: -1})
	return New(name, listURL, f, opts), &logs
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// brief is a listed feed as name, URL and folder.
func brief(ls []sources.Listed) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name+" "+l.URL+" ["+l.Category+"]")
	}
	return out
}

func TestFetchOverHTTP(t *testing.T) {
	body := read(t, "testdata/planet.opml")
	srv := serve(t, &body, "text/x-opml")
	s, logs := newList(t, "planet", srv.URL+"/planet.opml", Options{})
	res, err := s.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"planet-the-go-blog https://go.dev/blog/feed.atom []",
		"planet-nature-news https://www.nature.com/nature.rss [Science]",
		"planet-arxiv-hep-th http://export.arxiv.org/rss/hep-th [Physics]", // the innermost folder; xmlURL spelt so
		"planet-cafe-scientifique-friends https://cafe.example/feed [Science]",
		"planet-relative " + srv.URL + "/relative/feed.xml [Broken]",    // resolved against the list's URL
		"planet-news-example-hk https://www.news.example.hk/rss.xml []", // no ASCII title: the host's words
	}
	if got := brief(res.Listed); !reflect.DeepEqual(got, want) {
		t.Errorf("listed:\n got %q\nwant %q", got, want)
	}
	if l := res.Listed[0]; l.Title != "The Go Blog" || l.Site != "https://go.dev/blog" {
		t.Errorf("first feed's title and site = %q, %q", l.Title, l.Site)
	}
	for _, skipped := range []string{"ftp://files.example/feed.xml", "file:///etc/passwd"} {
		if !strings.Contains(logs.String(), "outline skipped") || !strings.Contains(logs.String(), skipped) {
			t.Errorf("no warning about %s in the log:\n%s", skipped, logs)
		}
	}
	if res.State.ETag == "" || res.State.ConfiguredURL != srv.URL+"/planet.opml" {
		t.Errorf("state = %+v", res.State)
	}

	again, err := s.Fetch(context.Background(), res.State)
	if err != nil || !again.NotModified || again.Listed != nil {
		t.Errorf("conditional refetch: NotModified %v, listed %d, err %v", again.NotModified, len(again.Listed), err)
	}
}

// A list read from a local file is configuration: it may name local
// feeds, relative ones against its folder.
func TestFetchLocal(t *testing.T) {
	path, err := filepath.Abs("testdata/local.opml")
	if err != nil {
		t.Fatal(err)
	}
	for _, listURL := range []string{path, "file://" + path} {
		s, logs := newList(t, "local", listURL, Options{})
		res, err := s.Fetch(context.Background(), sources.State{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"local-partner " + filepath.Join(filepath.Dir(path), "feeds/partner.xml") + " [Partners]",
			"local-remote https://remote.example/feed.xml []",
		}
		if got := brief(res.Listed); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", listURL, got, want)
		}
		if !strings.Contains(logs.String(), "mailto:") {
			t.Errorf("no warning about the mailto: outline:\n%s", logs)
		}
		again, err := s.Fetch(context.Background(), res.State)
		if err != nil || !again.NotModified {
			t.Errorf("unchanged file: NotModified %v, err %v", again.NotModified, err)
		}
	}
}

func TestFetchCharset(t *testing.T) {
	body := read(t, "testdata/latin1.opml")
	srv := serve(t, &body, "application/xml")
	s, _ := newList(t, "p", srv.URL, Options{})
	res, err := s.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Listed[0]; got.Title != "Café Müller" || got.Name != "p-cafe-muller" {
		t.Errorf("listed = %+v", got)
	}
}

func TestMaxSources(t *testing.T) {
	body := read(t, "testdata/planet.opml")
	srv := serve(t, &body, "text/x-opml")
	s, logs := newList(t, "planet", srv.URL, Options{MaxSources: 2})
	res, err := s.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if got := brief(res.Listed); len(got) != 2 || !strings.HasPrefix(got[1], "planet-nature-news ") {
		t.Errorf("listed = %q, want the first two", got)
	}
	if !strings.Contains(logs.String(), "dropped=4") {
		t.Errorf("no warning of the dropped feeds:\n%s", logs)
	}
}

// A failed, empty or non-OPML answer is an error, never an empty list.
func TestFetchRefuses(t *testing.T) {
	tests := []struct {
		name, contentType string
		status            int
		body              string
		want              error
	}{
		{"empty body", "text/xml", 200, "", feed.ErrEmpty},
		{"HTML page", "text/html", 200, "<!DOCTYPE html><html><body>Sign in</body></html>", ErrNotOPML},
		{"a feed", "application/rss+xml", 200, `<rss version="2.0"><channel><title>x</title></channel></rss>`, ErrNotOPML},
		{"no XML", "text/plain", 200, "just words", ErrNotOPML},
		{"truncated", "text/xml", 200, `<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/"`, ErrNotOPML},
		{"no feeds", "text/xml", 200, `<opml version="2.0"><head/><body><outline text="Folder"/></body></opml>`, ErrNoFeeds},
		{"only local feeds", "text/xml", 200, `<opml version="2.0"><body><outline text="x" xmlUrl="file:///etc/passwd"/></body></opml>`, ErrNoFeeds},
		{"not found", "text/html", 404, "gone", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			s, _ := newList(t, "p", srv.URL, Options{})
			res, err := s.Fetch(context.Background(), sources.State{})
			if err == nil || res.Listed != nil {
				t.Fatalf("Fetch = %d listed, %v; want an error", len(res.Listed), err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			var se *feed.StatusError
			if tt.status != 200 && !errors.As(err, &se) {
				t.Errorf("err = %v, want a StatusError", err)
			}
			if !strings.Contains(err.Error(), `opml "p"`) {
				t.Errorf("err = %v, want it to name the source", err)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ name, title, url, want string }{
		{"title words", "The Go Blog", "https://go.dev/blog/feed.atom", "the-go-blog"},
		{"accents folded", "Crème Brûlée Weekly!", "https://x.example/", "creme-brulee-weekly"},
		{"punctuation runs", "  --C++ & Rust: news--  ", "https://x.example/", "c-rust-news"},
		{"40 characters at a word boundary", "Proceedings of the International Conference on Very Large Data Bases",
			"https://x.example/", "proceedings-of-the-international"},
		{"one long word", strings.Repeat("a", 50), "https://x.example/", strings.Repeat("a", 40)},
		{"exactly 40", strings.Repeat("b", 19) + " " + strings.Repeat("c", 20), "https://x.example/", strings.Repeat("b", 19) + "-" + strings.Repeat("c", 20)},
		{"no ASCII title: host", "科技新聞", "https://www.Tech.Example.com:8443/rss", "tech-example-com"},
		{"empty title: host", "", "http://blog.example.org/feed", "blog-example-org"},
		{"local file", "", "/srv/feeds/partner-news.xml", "partner-news"},
		{"file URL", "", "file:///srv/feeds/partner.xml", "partner"},
		{"nothing ASCII at all", "科技", "https://例子.测试/rss", "feed-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Slug(tt.title, tt.url)
			if got != tt.want && !(strings.HasSuffix(tt.want, "-") && strings.HasPrefix(got, tt.want) && len(got) == len(tt.want)+8) {
				t.Errorf("Slug(%q, %q) = %q, want %q", tt.title, tt.url, got, tt.want)
			}
			if len(got) > maxSlug && !strings.HasPrefix(got, "feed-") {
				t.Errorf("Slug = %q: longer than %d", got, maxSlug)
			}
		})
	}
}
