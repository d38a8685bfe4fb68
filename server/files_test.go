package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

func TestContentTypes(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	for _, tc := range []struct{ path, want string }{
		{"/rss.xml", "application/rss+xml; charset=utf-8"},
		{"/atom.xml", "application/atom+xml; charset=utf-8"},
		{"/feed.json", "application/feed+json; charset=utf-8"},
		{"/feeds.opml", "text/x-opml; charset=utf-8"},
		{"/feed.xsl", "text/xsl; charset=utf-8"},
		{"/en/rss.xml", "application/rss+xml; charset=utf-8"},
		{"/zh-hant/rss.xml", "application/rss+xml; charset=utf-8"},
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/stories/a.html", "text/html; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/logo.png", "image/png"},
		{"/blob.qqqq", "application/octet-stream"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, tc.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.want {
				t.Errorf("Content-Type %q, want %q", got, tc.want)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
		})
	}
}

// TestHeaders pins every header of a full response, per kind of file and
// Accept-Encoding: CORS only on the four feed files, Cache-Control max-age
// on feeds and assets, no-cache on pages, Vary where the bytes may differ.
func TestHeaders(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{MaxAge: 10 * time.Minute}, nil)
	length := func(name string) string { return strconv.Itoa(len(f.files[name])) }
	for _, tc := range []struct {
		name, path, ae string
		want           map[string]string
	}{
		{"rss", "/rss.xml", "", map[string]string{
			"Accept-Ranges": "bytes", "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=600",
			"Content-Length": length("rss.xml"), "Content-Type": "application/rss+xml; charset=utf-8",
			"Etag": tagOf(f.files["rss.xml"], ""), "Last-Modified": lastModified, "Vary": "Sec-Fetch-Dest, Accept, Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
		}},
		{"json", "/feed.json", "", map[string]string{
			"Accept-Ranges": "bytes", "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=600",
			"Content-Length": length("feed.json"), "Content-Type": "application/feed+json; charset=utf-8",
			"Etag": tagOf(f.files["feed.json"], ""), "Last-Modified": lastModified, "Vary": "Sec-Fetch-Dest, Accept, Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
		}},
		{"opml", "/feeds.opml", "", map[string]string{
			"Accept-Ranges": "bytes", "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=600",
			"Content-Length": length("feeds.opml"), "Content-Type": "text/x-opml; charset=utf-8",
			"Etag": tagOf(f.files["feeds.opml"], ""), "Last-Modified": lastModified, "Vary": "Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
		}},
		{"index", "/", "", map[string]string{
			"Accept-Ranges": "bytes", "Cache-Control": "public, no-cache",
			"Content-Length": length("index.html"), "Content-Type": "text/html; charset=utf-8",
			"Etag": tagOf(f.files["index.html"], ""), "Last-Modified": lastModified, "Vary": "Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
		}},
		{"xsl too small to gzip", "/feed.xsl", "gzip", map[string]string{
			"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=600",
			"Content-Length": length("feed.xsl"), "Content-Type": "text/xsl; charset=utf-8",
			"Etag": tagOf(f.files["feed.xsl"], ""), "Last-Modified": lastModified, "Vary": "Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
		}},
		{"png never gzipped", "/logo.png", "gzip", map[string]string{
			"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=600",
			"Content-Length": length("logo.png"), "Content-Type": "image/png",
			"Etag": tagOf(f.files["logo.png"], ""), "Last-Modified": lastModified,
			"X-Content-Type-Options": "nosniff",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, tc.path, "Accept-Encoding", tc.ae)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			equalHeader(t, resp.Header, tc.want)
			name := strings.TrimPrefix(tc.path, "/")
			if name == "" {
				name = "index.html"
			}
			if body := readBody(t, resp); body != string(f.files[name]) {
				t.Errorf("body %q, want the file", body)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	for _, tc := range []struct {
		ae   string
		gzip bool
	}{
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"x-gzip", true},
		{"*", true},
		{"gzip;q=0", false},
		{"*, gzip;q=0", false},
		{"*;q=0", false},
		{"br, deflate", false},
		{"identity", false},
		{"", false},
	} {
		t.Run(tc.ae, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, "/rss.xml", "Accept-Encoding", tc.ae)
			body := readBody(t, resp)
			if !tc.gzip {
				if ce := resp.Header.Get("Content-Encoding"); ce != "" || body != string(f.files["rss.xml"]) {
					t.Fatalf("Content-Encoding %q, body differs: %v", ce, body != string(f.files["rss.xml"]))
				}
				return
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", ce)
			}
			if got := resp.Header.Get("Etag"); got != tagOf(f.files["rss.xml"], "-gzip") {
				t.Errorf("Etag %s, want %s", got, tagOf(f.files["rss.xml"], "-gzip"))
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %s, body %d bytes", got, len(body))
			}
			if len(body) >= len(f.files["rss.xml"]) {
				t.Errorf("gzip body %d bytes, file %d: not smaller", len(body), len(f.files["rss.xml"]))
			}
			if got := gunzip(t, body); got != string(f.files["rss.xml"]) {
				t.Errorf("gunzipped body differs from the file")
			}
		})
	}
}

// TestFeedPage: a browser navigating to a feed (Sec-Fetch-Dest: document)
// gets its folder's feed.html, as HTML with its own ETag; feed readers,
// curl and a page's fetch get the feed; a folder without a feed.html
// gives the feed to everyone.
func TestFeedPage(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	for _, tc := range []struct {
		name, path, dest, ae, ct, file string
	}{
		{"navigating to rss", "/rss.xml", "document", "", "text/html; charset=utf-8", "feed.html"},
		{"navigating to atom, gzip", "/atom.xml", "document", "gzip", "text/html; charset=utf-8", "feed.html"},
		{"navigating to json", "/feed.json", "document", "", "text/html; charset=utf-8", "feed.html"},
		{"a reader", "/rss.xml", "", "", "application/rss+xml; charset=utf-8", "rss.xml"},
		{"a page's fetch", "/feed.json", "empty", "", "application/feed+json; charset=utf-8", "feed.json"},
		{"a frame", "/atom.xml", "iframe", "", "application/atom+xml; charset=utf-8", "atom.xml"},
		{"a folder without a page", "/en/rss.xml", "document", "", "application/rss+xml; charset=utf-8", "en/rss.xml"},
		{"not a feed", "/feeds.opml", "document", "", "text/x-opml; charset=utf-8", "feeds.opml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, tc.path, "Sec-Fetch-Dest", tc.dest, "Accept", browserAccept, "Accept-Encoding", tc.ae)
			if got := resp.Header.Get("Content-Type"); got != tc.ct {
				t.Errorf("Content-Type %q, want %q", got, tc.ct)
			}
			data := f.files[tc.file]
			suffix := ""
			if tc.ae == "gzip" {
				suffix = "-gzip"
			}
			if got, want := resp.Header.Get("Etag"), tagOf(data, suffix); got != want {
				t.Errorf("Etag %s, want %s", got, want)
			}
			if tc.path != "/feeds.opml" && resp.Header.Get("Vary") != "Sec-Fetch-Dest, Accept, Accept-Encoding" {
				t.Errorf("Vary %q", resp.Header.Get("Vary"))
			}
			body := readBody(t, resp)
			if tc.ae == "gzip" {
				body = gunzip(t, body)
			}
			if body != string(data) {
				t.Errorf("body is not %s", tc.file)
			}
			resp = get(t, h, http.MethodGet, tc.path, "Sec-Fetch-Dest", tc.dest, "Accept-Encoding", tc.ae, "If-None-Match", tagOf(data, suffix))
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
			}
		})
	}
}

func TestConditional(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	data := f.files["rss.xml"]
	plain, gz := tagOf(data, ""), tagOf(data, "-gzip")
	for _, tc := range []struct {
		name   string
		header []string
		code   int
	}{
		{"If-None-Match", []string{"If-None-Match", plain}, http.StatusNotModified},
		{"If-None-Match list", []string{"If-None-Match", `"0000000000000000", ` + plain}, http.StatusNotModified},
		{"If-None-Match *", []string{"If-None-Match", "*"}, http.StatusNotModified},
		{"If-None-Match weak", []string{"If-None-Match", "W/" + plain}, http.StatusNotModified}, // RFC 9110 §13.1.2: weak comparison
		{"If-None-Match gzip", []string{"If-None-Match", gz, "Accept-Encoding", "gzip"}, http.StatusNotModified},
		{"gzip tag, identity asked", []string{"If-None-Match", gz}, http.StatusOK},
		{"plain tag, gzip asked", []string{"If-None-Match", plain, "Accept-Encoding", "gzip"}, http.StatusOK},
		{"other tag", []string{"If-None-Match", `"0000000000000000"`}, http.StatusOK},
		{"If-Modified-Since equal", []string{"If-Modified-Since", lastModified}, http.StatusNotModified},
		{"If-Modified-Since later", []string{"If-Modified-Since", "Mon, 02 Mar 2026 10:00:00 GMT"}, http.StatusNotModified},
		{"If-Modified-Since earlier", []string{"If-Modified-Since", "Sun, 01 Mar 2026 09:59:59 GMT"}, http.StatusOK},
		// RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
		{"If-None-Match wins", []string{"If-None-Match", `"0000000000000000"`, "If-Modified-Since", lastModified}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, "/rss.xml", tc.header...)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			body := readBody(t, resp)
			if tc.code == http.StatusOK {
				return
			}
			if body != "" {
				t.Errorf("304 with body %q", body)
			}
			want := map[string]string{
				"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300",
				"Etag": plain, "Vary": "Sec-Fetch-Dest, Accept, Accept-Encoding", "X-Content-Type-Options": "nosniff",
			}
			if resp.Header.Get("Content-Encoding") != "" || strings.Contains(strings.Join(tc.header, " "), "gzip") {
				want["Etag"] = gz
			}
			equalHeader(t, resp.Header, want)
		})
	}
}

// TestChangedFile replaces a feed with one of the same size and the same
// mtime (a corrected headline, as the publisher writes it): the old ETag
// must stop matching and the new bytes must be served.
func TestChangedFile(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	old := f.files["rss.xml"]
	for _, ae := range []string{"", "gzip"} {
		resp := get(t, h, http.MethodGet, "/rss.xml", "Accept-Encoding", ae) // caches the version
		readBody(t, resp)
	}
	changed := []byte(strings.Replace(string(old), "Headline number", "Headline NUMBER", 1))
	if len(changed) != len(old) {
		t.Fatal("fixture: the change must keep the size")
	}
	f.write(t, "rss.xml", changed)

	for _, tc := range []struct{ ae, oldTag, newTag string }{
		{"", tagOf(old, ""), tagOf(changed, "")},
		{"gzip", tagOf(old, "-gzip"), tagOf(changed, "-gzip")},
	} {
		t.Run("ae="+tc.ae, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, "/rss.xml", "If-None-Match", tc.oldTag, "Accept-Encoding", tc.ae)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Etag"); got != tc.newTag {
				t.Errorf("Etag %s, want %s", got, tc.newTag)
			}
			if got := resp.Header.Get("Last-Modified"); got != lastModified {
				t.Errorf("Last-Modified %s", got)
			}
			body := readBody(t, resp)
			if tc.ae == "gzip" {
				body = gunzip(t, body)
			}
			if body != string(changed) {
				t.Errorf("served the old bytes")
			}
			resp = get(t, h, http.MethodGet, "/rss.xml", "If-None-Match", tc.newTag, "Accept-Encoding", tc.ae)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("new tag: status %d, want 304", resp.StatusCode)
			}
		})
	}
}

func TestETagStable(t *testing.T) {
	f := newFixture(t)
	want := tagOf(f.files["feed.json"], "")
	for i := range 3 {
		// A fresh handler (a restart, another node) and a repeated request agree.
		for _, h := range []http.Handler{New(f.dir, Options{}, nil), New(f.dir, Options{}, nil)} {
			resp := get(t, h, http.MethodGet, "/feed.json")
			if got := resp.Header.Get("Etag"); got != want {
				t.Fatalf("round %d: Etag %s, want %s", i, got, want)
			}
			if strings.HasPrefix(resp.Header.Get("Etag"), "W/") {
				t.Fatal("weak ETag")
			}
		}
	}
}

func TestHead(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	for _, ae := range []string{"", "gzip"} {
		t.Run("ae="+ae, func(t *testing.T) {
			getResp := get(t, h, http.MethodGet, "/atom.xml", "Accept-Encoding", ae)
			readBody(t, getResp)
			headResp := get(t, h, http.MethodHead, "/atom.xml", "Accept-Encoding", ae)
			if headResp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", headResp.StatusCode)
			}
			if body := readBody(t, headResp); body != "" {
				t.Errorf("HEAD body %q", body)
			}
			getResp.Header.Del("Date")
			headResp.Header.Del("Date")
			if g, h := getResp.Header, headResp.Header; len(g) != len(h) {
				t.Errorf("headers differ:\nGET  %v\nHEAD %v", g, h)
			} else {
				for k := range g {
					if g.Get(k) != h.Get(k) {
						t.Errorf("%s: GET %q, HEAD %q", k, g.Get(k), h.Get(k))
					}
				}
			}
		})
	}
}

func TestRange(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil)
	data := string(f.files["rss.xml"])
	resp := get(t, h, http.MethodGet, "/rss.xml", "Range", "bytes=0-4")
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", resp.StatusCode)
	}
	if body := readBody(t, resp); body != data[:5] {
		t.Errorf("body %q, want %q", body, data[:5])
	}
	if got, want := resp.Header.Get("Content-Range"), "bytes 0-4/"+strconv.Itoa(len(data)); got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}
	resp = get(t, h, http.MethodGet, "/rss.xml", "Range", "bytes=999999-")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("past the end: status %d, want 416", resp.StatusCode)
	}
	// Ranges of the gzipped representation count its own bytes.
	gz := get(t, h, http.MethodGet, "/rss.xml", "Accept-Encoding", "gzip")
	gzBody := readBody(t, gz)
	resp = get(t, h, http.MethodGet, "/rss.xml", "Accept-Encoding", "gzip", "Range", "bytes=0-9")
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("gzip: status %d, want 206", resp.StatusCode)
	}
	if body := readBody(t, resp); body != gzBody[:10] {
		t.Errorf("gzip range body %q, want %q", body, gzBody[:10])
	}
	for k, want := range map[string]string{
		"Content-Encoding": "gzip",
		"Content-Length":   "10",
		"Content-Range":    "bytes 0-9/" + strconv.Itoa(len(gzBody)),
		"Etag":             tagOf(f.files["rss.xml"], "-gzip"),
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("gzip range: %s %q, want %q", k, got, want)
		}
	}
	// A Range for an older version is ignored: RFC 9110 §13.1.5.
	resp = get(t, h, http.MethodGet, "/rss.xml", "Range", "bytes=0-4", "If-Range", `"0000000000000000"`)
	if resp.StatusCode != http.StatusOK || readBody(t, resp) != data {
		t.Errorf("stale If-Range: status %d, want 200 and the whole file", resp.StatusCode)
	}
}

// TestRefused covers what must never be served: folders (no listing),
// dotfiles, traversal in every spelling, symlinks out of the folder. The
// secret beside the folder must never appear in a body.
func TestRefused(t *testing.T) {
	f := newFixture(t)
	if err := os.Symlink(filepath.Join(f.base, "secret.txt"), filepath.Join(f.dir, "leak.xml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../secret.txt", filepath.Join(f.dir, "en", "relative-leak.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f.base, filepath.Join(f.dir, "up")); err != nil {
		t.Fatal(err)
	}
	h := New(f.dir, Options{}, nil)
	for _, tc := range []struct {
		name, target string
		code         int
	}{
		{"folder without index", "/zh-hant/", http.StatusNotFound},
		{"stories folder", "/stories/", http.StatusNotFound},
		{"folder without slash or index", "/stories", http.StatusNotFound},
		{"missing", "/nope.xml", http.StatusNotFound},
		{"under a file", "/rss.xml/x", http.StatusNotFound},
		{"temporary file", "/.rss.xml123", http.StatusNotFound},
		{"dot-folder", "/.git/config", http.StatusNotFound},
		{"dot-folder listing", "/.git/", http.StatusNotFound},
		{"dot-dot", "/../secret.txt", http.StatusBadRequest},
		{"dot-dot passwd", "/../etc/passwd", http.StatusBadRequest},
		{"encoded dot-dot", "/%2e%2e/%2e%2e/etc/passwd", http.StatusBadRequest},
		{"encoded dot-dot secret", "/%2e%2e/secret.txt", http.StatusBadRequest},
		{"encoded slashes", "/en/..%2f..%2fsecret.txt", http.StatusBadRequest},
		{"encoded slash alone", "/en%2frss.xml", http.StatusBadRequest},
		{"backslash", `/..\secret.txt`, http.StatusBadRequest},
		{"encoded backslash", "/..%5csecret.txt", http.StatusBadRequest},
		{"NUL", "/rss.xml%00.html", http.StatusBadRequest},
		{"dot segment", "/./rss.xml", http.StatusMovedPermanently},
		{"empty segment", "/en//rss.xml", http.StatusMovedPermanently},
		{"double slash", "//", http.StatusMovedPermanently},
		{"symlink out", "/leak.xml", http.StatusNotFound},
		{"relative symlink out", "/en/relative-leak.txt", http.StatusNotFound},
		{"symlinked folder out", "/up/secret.txt", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, tc.target)
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.code)
			}
			body := readBody(t, resp)
			if want := http.StatusText(tc.code) + "\n"; tc.code == http.StatusBadRequest && body != want {
				t.Errorf("body %q, want %q", body, want)
			}
			if tc.code == http.StatusNotFound && body != "404 page not found\n" {
				t.Errorf("body %q", body)
			}
			for _, k := range []string{"Etag", "Access-Control-Allow-Origin", "Cache-Control", "Last-Modified"} {
				if v := resp.Header.Get(k); v != "" {
					t.Errorf("refusal carries %s: %q", k, v)
				}
			}
		})
	}
}

// TestHarmlessPaths: a doubled slash or a "." segment is sent to the
// clean path (with its query), not refused.
func TestHarmlessPaths(t *testing.T) {
	h := New(newFixture(t).dir, Options{}, nil)
	for target, want := range map[string]string{
		"//":               "/",
		"/en//rss.xml":     "/en/rss.xml",
		"/./rss.xml?x=1":   "/rss.xml?x=1",
		"/en/./":           "/en/",
		"//en//index.html": "/en/index.html",
	} {
		resp := get(t, h, http.MethodGet, target)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %q", target, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

func TestFolders(t *testing.T) {
	f := newFixture(t)
	if err := os.Symlink("rss.xml", filepath.Join(f.dir, "en", "latest.xml")); err != nil {
		t.Fatal(err)
	}
	h := New(f.dir, Options{}, nil)
	for _, tc := range []struct {
		target   string
		code     int
		body     string
		location string
	}{
		{"/", http.StatusOK, string(f.files["index.html"]), ""},
		{"/en/", http.StatusOK, string(f.files["en/index.html"]), ""},
		{"/en", http.StatusMovedPermanently, "", "en/"},
		{"/en/latest.xml", http.StatusOK, string(f.files["en/rss.xml"]), ""}, // a symlink inside the folder is followed
	} {
		t.Run(tc.target, func(t *testing.T) {
			resp := get(t, h, http.MethodGet, tc.target)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if body := readBody(t, resp); body != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
		})
	}
	t.Run("no index at the root", func(t *testing.T) {
		if err := os.Remove(filepath.Join(f.dir, "index.html")); err != nil {
			t.Fatal(err)
		}
		if resp := get(t, h, http.MethodGet, "/"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("no folder yet", func(t *testing.T) {
		h := New(filepath.Join(f.base, "not-yet"), Options{}, nil)
		if resp := get(t, h, http.MethodGet, "/rss.xml"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
}

func TestVersionsBounded(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil).(*handler)
	h.versions = newVersions(2, 1<<20)
	for _, p := range []string{"/rss.xml", "/atom.xml", "/feed.json", "/rss.xml"} {
		readBody(t, get(t, h, http.MethodGet, p))
	}
	if n := h.versions.order.Len(); n != 2 {
		t.Fatalf("%d versions cached, want 2", n)
	}
	var names []string
	for e := h.versions.order.Front(); e != nil; e = e.Next() {
		names = append(names, e.Value.(*version).name)
	}
	if got := strings.Join(names, " "); got != "rss.xml feed.json" {
		t.Errorf("cached %q, want most recent first", got)
	}
	// A byte budget smaller than one gzipped body keeps none.
	h.versions = newVersions(10, 10)
	readBody(t, get(t, h, http.MethodGet, "/rss.xml"))
	if n, b := h.versions.order.Len(), h.versions.bytes; n != 0 || b != 0 {
		t.Errorf("%d versions, %d bytes cached, want none", n, b)
	}
}

// TestConcurrent serves several files to many goroutines at once while the
// version cache fills and evicts; run with -race.
func TestConcurrent(t *testing.T) {
	f := newFixture(t)
	h := New(f.dir, Options{}, nil).(*handler)
	h.versions = newVersions(2, 1<<20) // smaller than the working set: constant eviction
	names := []string{"rss.xml", "atom.xml", "feed.json", "feeds.opml", "en/rss.xml"}
	var wg sync.WaitGroup
	errs := make(chan string, 8*50)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				name := names[(g+i)%len(names)]
				ae := []string{"", "gzip"}[i%2]
				// No t.Fatal off the test goroutine: the helpers are not used here.
				req := httptest.NewRequest(http.MethodGet, "/"+name, nil)
				req.Header.Set("Accept-Encoding", ae)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				resp := rec.Result()
				body := rec.Body.String()
				if ae == "gzip" {
					zr, err := gzip.NewReader(rec.Body)
					if err != nil {
						errs <- name + " " + ae + ": " + err.Error()
						continue
					}
					b, _ := io.ReadAll(zr)
					body = string(b)
				}
				suffix := map[string]string{"": "", "gzip": "-gzip"}[ae]
				if body != string(f.files[name]) || resp.Header.Get("Etag") != tagOf(f.files[name], suffix) {
					errs <- name + " " + ae
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("wrong body or Etag: %s", e)
	}
}

// TestDevRewrite: with DevBaseURL (serve --dev), pages lead to the address
// they were asked from; feeds and other files are served as they are.
func TestDevRewrite(t *testing.T) {
	f := newFixture(t)
	page := `<a href="https://feeds.example.edu/en/feed.html">en</a> <a href="https://feeds.example.edu">root</a> <a href="https://other.example/">x</a>`
	f.write(t, "dev.html", []byte(page))
	f.write(t, "dev.xml", []byte(`<link>https://feeds.example.edu/</link>`))
	h := New(f.dir, Options{DevBaseURL: "https://feeds.example.edu/"}, nil)
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/dev.html", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	want := `<a href="http://127.0.0.1:8080/en/feed.html">en</a> <a href="https://feeds.example.edu">root</a> <a href="https://other.example/">x</a>`
	if got := rec.Body.String(); got != want || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("dev page %q (Cache-Control %q), want %q", got, rec.Header().Get("Cache-Control"), want)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/dev.xml", nil))
	if got := rec.Body.String(); got != `<link>https://feeds.example.edu/</link>` {
		t.Errorf("a feed was rewritten: %q", got)
	}
	// Without the option nothing is rewritten.
	rec = httptest.NewRecorder()
	New(f.dir, Options{}, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/dev.html", nil))
	if rec.Body.String() != page {
		t.Errorf("rewritten without --dev: %q", rec.Body.String())
	}
}

// TestArchiveHeaders: archive documents are feeds of their format (type,
// CORS); numbered ones may be kept for ArchiveMaxAge, latest only for
// MaxAge, and files that only look like them are not archives.
func TestArchiveHeaders(t *testing.T) {
	f := newFixture(t)
	for name, body := range map[string][]byte{
		"archive/rss/1.xml":                     feedBody("rss", 2),
		"archive/rss/latest.xml":                feedBody("rss", 1),
		"en/archive/atom/12.xml":                feedBody("feed", 2),
		"channels/research/archive/json/3.json": []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[]}` + "\n"),
		"archive/json/1.xml":                    feedBody("rss", 1), // an extension its format does not write
		"archive/rss/1a.xml":                    feedBody("rss", 1),
		"notes/rss/1.xml":                       feedBody("rss", 1),
	} {
		f.write(t, name, body)
	}
	h := New(f.dir, Options{MaxAge: 10 * time.Minute, ArchiveMaxAge: 7 * 24 * time.Hour}, nil)
	for _, tc := range []struct {
		path, cache, ctype, cors string
	}{
		{"/archive/rss/1.xml", "public, max-age=604800", "application/rss+xml; charset=utf-8", "*"},
		{"/archive/rss/latest.xml", "public, max-age=600", "application/rss+xml; charset=utf-8", "*"},
		{"/en/archive/atom/12.xml", "public, max-age=604800", "application/atom+xml; charset=utf-8", "*"},
		{"/channels/research/archive/json/3.json", "public, max-age=604800", "application/feed+json; charset=utf-8", "*"},
		{"/archive/json/1.xml", "public, max-age=600", "application/xml; charset=utf-8", ""},
		{"/archive/rss/1a.xml", "public, max-age=600", "application/xml; charset=utf-8", ""},
		{"/notes/rss/1.xml", "public, max-age=600", "application/xml; charset=utf-8", ""},
	} {
		resp := get(t, h, http.MethodGet, tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("%s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.cors {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", tc.path, got, tc.cors)
		}
	}
	// The default is a day.
	resp := get(t, New(f.dir, Options{}, nil), http.MethodGet, "/archive/rss/1.xml")
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=86400" {
		t.Errorf("default Cache-Control %q, want a day", got)
	}
}
