package feed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// TestRedactedSecrets: a source whose URL carries a password and an API
// key sends both upstream, but its errors (stored as last_error, shown on
// /healthz) and its logs show neither, keeping the keys.
func TestRedactedSecrets(t *testing.T) {
	body := fixture(t, "rss20.xml")
	type seen struct{ user, pass, key string }
	var mu sync.Mutex
	var got []seen
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		got = append(got, seen{user, pass, r.URL.Query().Get("apikey")})
		mu.Unlock()
		switch r.URL.Path {
		case "/broken":
			w.WriteHeader(http.StatusInternalServerError)
		case "/elsewhere":
			http.Redirect(w, r, "ftp://ftp.example.org/feed.xml?token=s3cret", http.StatusFound)
		case "/bad-location":
			w.Header().Set("Location", "http://example.org/%zz?apikey=s3cret")
			w.WriteHeader(http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/feed?apikey=s3cret", http.StatusMovedPermanently)
		default:
			w.Write(body)
		}
	}))
	host := srv.Listener.Addr().String()
	secret := func(path string) string { return "http://user:pass@" + host + path + "?apikey=s3cret" }
	shown := func(path string) string { return "http://user:xxxxx@" + host + path + "?apikey=REDACTED" }

	var logs bytes.Buffer
	opts := testOptions(t)
	opts.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tests := []struct {
		name, path  string
		allowed     bool
		err         string // after `feed "up": GET <redacted url>: `
		partial     bool   // err is only a part of the rest
		is          error
		reachedHost bool
	}{
		{"status", "/broken", true, "status 500 Internal Server Error", false, new(StatusError), true},
		{"refused", "/feed", false,
			fmt.Sprintf("feed: refused to connect to %s: loopback address (set allow_private to fetch from it)", host), false, ErrPrivateAddress, false},
		{"redirect elsewhere", "/elsewhere", true,
			"redirect from " + shown("/elsewhere") + " to ftp://ftp.example.org/feed.xml?token=REDACTED: only http and https are followed", false, nil, true},
		// The message is response.go's; the URL in it is what matters here.
		{"unparsable Location", "/bad-location", true, `"http://example.org/%zz?REDACTED"`, true, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			o := opts
			o.AllowPrivate = tt.allowed
			o.Client = NewClient(o)
			t.Cleanup(o.Client.CloseIdleConnections)
			_, err := New("up", secret(tt.path), o).Fetch(t.Context(), sources.State{})
			prefix := fmt.Sprintf("feed %q: GET %s: ", "up", shown(tt.path))
			switch {
			case err == nil:
				t.Fatalf("err = nil, want %s%s", prefix, tt.err)
			case tt.partial && (!strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("err = %v\nwant %s…%s…", err, prefix, tt.err)
			case !tt.partial && err.Error() != prefix+tt.err:
				t.Fatalf("err = %v\nwant %s%s", err, prefix, tt.err)
			}
			if msg := err.Error(); strings.Contains(msg, "pass") || strings.Contains(msg, "s3cret") {
				t.Errorf("error shows a secret: %s", msg)
			}
			var se *StatusError
			switch target := tt.is.(type) {
			case *StatusError:
				if !errors.As(err, &se) {
					t.Errorf("err does not wrap a *StatusError")
				}
			case error:
				if !errors.Is(err, target) {
					t.Errorf("err does not wrap %v", target)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if !tt.reachedHost {
				if len(got) != 0 {
					t.Errorf("server saw %d requests, want none", len(got))
				}
				return
			}
			if len(got) == 0 || got[0] != (seen{"user", "pass", "s3cret"}) {
				t.Errorf("server saw %+v, want the real user, password and key", got)
			}
		})
	}

	t.Run("moved, logged", func(t *testing.T) {
		res, err := New("up", secret("/moved"), opts).Fetch(t.Context(), sources.State{})
		if err != nil || len(res.Stories) != 3 {
			t.Fatalf("%d stories, err %v; want 3", len(res.Stories), err)
		}
		// Stored as it is, secrets and all: the next fetch needs them.
		if want := "http://user:pass@" + host + "/feed?apikey=s3cret"; res.State.URL != want {
			t.Errorf("State.URL = %q, want %q", res.State.URL, want)
		}
	})

	out := logs.String()
	if strings.Contains(out, "pass") || strings.Contains(out, "s3cret") {
		t.Errorf("logs show a secret:\n%s", out)
	}
	for _, want := range []string{"msg=retrying", `msg="feed moved permanently"`, "msg=fetched", "apikey=REDACTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
}

// TestRedactHandler: whatever shape a URL is logged in, and however the
// logger was derived, its secrets are gone.
func TestRedactHandler(t *testing.T) {
	var logs bytes.Buffer
	log := redactLogger(slog.New(slog.NewTextHandler(&logs, nil))).
		With("configured", "https://u:hunter2@example.org/feed?key=s3cret").
		WithGroup("req")
	u, _ := url.Parse("https://example.org/feed?key=s3cret")
	log.Info("failed at https://example.org/?key=s3cret",
		"err", fmt.Errorf(`Get "https://example.org/feed?key=s3cret": EOF`),
		"url", u,
		slog.Group("hop", "to", "http://example.org/x?key=s3cret"),
		"nil_url", (*url.URL)(nil),
		"count", 3,
	)
	out := logs.String()
	if strings.Contains(out, "s3cret") || strings.Contains(out, "hunter2") {
		t.Errorf("log shows a secret: %s", out)
	}
	for _, want := range []string{
		`msg="failed at https://example.org/?key=REDACTED"`,
		`configured="https://u:xxxxx@example.org/feed?key=REDACTED"`,
		`req.err="Get \"https://example.org/feed?key=REDACTED\": EOF"`,
		`req.url="https://example.org/feed?key=REDACTED"`,
		`req.hop.to="http://example.org/x?key=REDACTED"`,
		"req.count=3",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestPublicURL: what stories show of a configured URL is its scheme, host
// and path; local paths and file:// URLs are shown as they are.
func TestPublicURL(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"http://bob:hunter2@host.example/feed.json?apikey=SECRETKEY", "http://host.example/feed.json"},
		{"https://token@host.example:8443/a/b?x=1&y=2#frag", "https://host.example:8443/a/b"},
		{"https://host.example/feed?", "https://host.example/feed"},
		{"https://host.example/feed#section?key=1", "https://host.example/feed"},
		{"https://host.example", "https://host.example"},
		{"/srv/feeds/partner.xml", "/srv/feeds/partner.xml"},
		{"file:///srv/feeds/partner.xml", "file:///srv/feeds/partner.xml"},
	}
	for _, tt := range tests {
		if got := publicURL(tt.raw); got != tt.want {
			t.Errorf("publicURL(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestStoriesShowNoSecrets: a configured URL's password and query reach the
// upstream, but none of the stories: relative links, same-document ones
// ("#…", "?…") included, resolve against the URL with no userinfo, query
// or fragment, and that form is each story's File, its Base when the feed
// gives none, and its Origin.ID when the feed has no id or link. Story.File becomes FileError.Path in normalize's errors, which
// are logged and stored.
func TestStoriesShowNoSecrets(t *testing.T) {
	jsonFeed := `{"version":"https://jsonfeed.org/version/1.1","title":"Partner","items":[` +
		`{"id":"1","url":"/posts/one.html","content_html":"<p><img src=\"/img.png\"></p>",` +
		`"attachments":[{"url":"media/one.mp3","mime_type":"audio/mpeg"}]},` +
		`{"id":"2","url":"#comments","content_text":"x"},` +
		`{"id":"3","url":"?page=2","content_text":"y"}]}`
	atomFeed := `<feed xmlns="http://www.w3.org/2005/Atom"><title>Partner</title>` +
		`<entry><id>urn:1</id><title>One</title><link href="entry1.html"/></entry>` +
		`<entry><id>urn:2</id><title>Two</title><link href="#comments"/></entry>` +
		`<entry xml:base="?lang=fr"><id>urn:3</id><title>Three</title><link href="#top"/></entry>` +
		`</feed>`
	type shown struct {
		File, Base, Link, Enclosure string
		Origin                      feeds.Origin
	}
	tests := []struct {
		name, contentType, body string
		want                    []shown // {srv} is http://127.0.0.1:PORT
	}{
		{"JSON Feed", "application/feed+json", jsonFeed, []shown{
			{"{srv}/feed", "{srv}/feed", "{srv}/posts/one.html", "{srv}/media/one.mp3", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
			{"{srv}/feed", "{srv}/feed", "{srv}/feed#comments", "", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
			{"{srv}/feed", "{srv}/feed", "{srv}/feed?page=2", "", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
		}},
		// RFC 4287 §4.2.7.1 and RFC 3986 §5.1.3: with no xml:base, the
		// base is the document's URL.
		{"Atom", "application/atom+xml", atomFeed, []shown{
			{"{srv}/feed", "{srv}/feed", "{srv}/entry1.html", "", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
			{"{srv}/feed", "{srv}/feed", "{srv}/feed#comments", "", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
			{"{srv}/feed", "{srv}/feed?lang=fr", "{srv}/feed?lang=fr#top", "", feeds.Origin{Title: "Partner", ID: "{srv}/feed"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				user, pass, _ := r.BasicAuth()
				mu.Lock()
				asked = append(asked, user+":"+pass+" "+r.URL.RequestURI())
				mu.Unlock()
				w.Header().Set("Content-Type", tt.contentType)
				io.WriteString(w, tt.body)
			}))
			configured := "http://bob:hunter2@" + srv.Listener.Addr().String() + "/feed?apikey=SECRETKEY"
			res := mustFetch(t, configured, testOptions(t))

			mu.Lock()
			if want := []string{"bob:hunter2 /feed?apikey=SECRETKEY"}; fmt.Sprint(asked) != fmt.Sprint(want) {
				t.Errorf("upstream was asked %q, want %q", asked, want)
			}
			mu.Unlock()
			var got []shown
			for _, s := range res.Stories {
				sh := shown{File: s.File, Base: s.Base, Link: s.Link, Origin: *s.Origin}
				if len(s.Enclosures) > 0 {
					sh.Enclosure = s.Enclosures[0].URL
				}
				got = append(got, sh)
			}
			want := fmt.Sprintf("%+v", tt.want)
			want = strings.ReplaceAll(want, "{srv}", srv.URL)
			if fmt.Sprintf("%+v", got) != want {
				t.Errorf("stories show\n%+v\nwant\n%s", got, want)
			}
			if s := res.Stories[0]; tt.name == "JSON Feed" && resolve(s.Base, "/img.png") != srv.URL+"/img.png" {
				t.Errorf("<img src=/img.png> resolves to %q, want %q", resolve(s.Base, "/img.png"), srv.URL+"/img.png")
			}
			all := fmt.Sprintf("%+v", res.Stories)
			for _, secret := range []string{"bob", "hunter2", "apikey", "SECRETKEY"} {
				if strings.Contains(all, secret) {
					t.Errorf("stories show %q: %s", secret, all)
				}
			}
			if res.State.URL != configured {
				t.Errorf("State.URL = %q, want the configured URL as it is, for the next fetch", res.State.URL)
			}
		})
	}
}
