package feed

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// TestConfiguredHeaders: a source's headers reach its host, on redirects
// within it too, and never another host a redirect leads to; the
// fetcher's own conditional GET headers win over them.
func TestConfiguredHeaders(t *testing.T) {
	body := fixture(t, "rss20.xml")
	var mu sync.Mutex
	seen := map[string]http.Header{} // server name + path → the request's headers
	record := func(name string, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen[name+r.URL.Path] = r.Header.Clone()
	}
	other := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("other", r)
		w.Write(body)
	}))
	home := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("home", r)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
		case "/away":
			http.Redirect(w, r, other.URL+"/feed", http.StatusFound)
		default:
			w.Header().Set("ETag", `"v1"`)
			w.Write(body)
		}
	}))
	opts := testOptions(t)
	opts.Header = http.Header{
		"Authorization": {"Bearer s3cret"},
		"X-Api-Key":     {"k3y"},
		"If-None-Match": {`"forged"`},
		"User-Agent":    {"partner-reader/2"},
	}
	for _, path := range []string{"/moved", "/away"} {
		if _, err := fetch(t, home.URL+path, opts, sources.State{}); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if _, err := fetch(t, home.URL+"/feed", opts, sources.State{ETag: `"v0"`}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, at := range []string{"home/moved", "home/feed", "home/away"} {
		h := seen[at]
		if h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Api-Key") != "k3y" || h.Get("User-Agent") != "partner-reader/2" {
			t.Errorf("%s: headers %v, want the configured ones", at, h)
		}
	}
	if h := seen["other/feed"]; h.Get("Authorization") != "" || h.Get("X-Api-Key") != "" {
		t.Errorf("another host got the credentials: %v", h)
	}
	if got := seen["home/feed"].Get("If-None-Match"); got != `"v0"` {
		t.Errorf("If-None-Match %q, want the stored validator", got)
	}
}

// TestSameHost: credentials go to the configured host and port only, and
// not in clear text after https was configured.
func TestSameHost(t *testing.T) {
	s := New("up", "https://feeds.example.org/private.xml", Options{})
	for _, tc := range []struct {
		to   string
		want bool
	}{
		{"https://feeds.example.org/moved.xml", true},
		{"https://FEEDS.example.org/x", true},
		{"http://feeds.example.org/x", false},
		{"https://feeds.example.org:8443/x", false},
		{"https://cdn.example.org/x", false},
	} {
		u, _ := url.Parse(tc.to)
		if got := s.sameHost(u); got != tc.want {
			t.Errorf("sameHost(%s) = %v, want %v", tc.to, got, tc.want)
		}
	}
}
