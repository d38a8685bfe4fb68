package feed

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/feedloom/feedloom/sources"
)

func big5(t *testing.T, s string) []byte {
	t.Helper()
	b, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeHTML follows the HTML standard's encoding sniffing: BOM, then
// the HTTP charset, then <meta> in the first 1,024 bytes.
func TestDecodeHTML(t *testing.T) {
	const text = "科大新聞"
	tests := []struct {
		name        string
		body        []byte
		contentType string
		charset     string
		from        string
	}{
		{"meta charset only", append(big5(t, `<html><head><meta charset="big5"><title>`), big5(t, text+"</title>")...), "text/html", "big5", "meta"},
		{"http-equiv only", big5(t, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"><title>`+text+`</title>`), "text/html", "big5", "meta"},
		{"HTTP charset over meta", big5(t, `<meta charset="utf-8"><p>`+text), "text/html; charset=big5", "big5", "http"},
		{"BOM over everything", append([]byte{0xEF, 0xBB, 0xBF}, `<meta charset="big5"><p>`+text...), "text/html; charset=big5", "utf-8", "bom"},
		{"nothing declared, valid UTF-8", []byte(`<p>` + text), "text/html", "utf-8", "default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := DecodeHTML(tc.body, tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if d.Charset != tc.charset || d.From != tc.from {
				t.Errorf("charset %s from %s, want %s from %s", d.Charset, d.From, tc.charset, tc.from)
			}
			if got := string(d.Body); !strings.Contains(got, text) {
				t.Errorf("body %q lacks %q", got, text)
			}
		})
	}
}

// TestGet: any URL goes through the fetcher, asking for HTML; statuses
// other than 429 and 5xx are the caller's to judge, and a 304 answers a
// conditional GET.
func TestGet(t *testing.T) {
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			if r.Header.Get("Accept") != AcceptHTML {
				http.Error(w, "wrong Accept "+r.Header.Get("Accept"), http.StatusBadRequest)
				return
			}
			w.Header().Set("ETag", `"p1"`)
			if r.Header.Get("If-None-Match") == `"p1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<p>hello"))
		case "/old":
			http.Redirect(w, r, "/page", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	src := New("up", srv.URL+"/feed.xml", testOptions(t))
	ctx := context.Background()

	d, err := src.Get(ctx, srv.URL+"/old", sources.State{}, AcceptHTML)
	if err != nil {
		t.Fatal(err)
	}
	if !d.OK() || string(d.Body) != "<p>hello" || d.ETag != `"p1"` || d.URL != srv.URL+"/page" || d.Moved != srv.URL+"/page" {
		t.Errorf("got %+v", d)
	}
	d, err = src.Get(ctx, srv.URL+"/page", sources.State{ETag: `"p1"`}, AcceptHTML)
	if err != nil || !d.NotModified {
		t.Errorf("conditional GET: %+v, %v; want NotModified", d, err)
	}
	d, err = src.Get(ctx, srv.URL+"/missing", sources.State{}, AcceptHTML)
	if err != nil || d.Status != http.StatusNotFound || d.Body != nil {
		t.Errorf("404: %+v, %v", d, err)
	}
	var se *StatusError
	if se = d.StatusError(fixedNow); se.Code != http.StatusNotFound {
		t.Errorf("StatusError %v", se)
	}
}

// TestGetRefusesPrivate: Get is guarded as Fetch is.
func TestGetRefusesPrivate(t *testing.T) {
	srv := serve(t, "", http.NotFoundHandler())
	opts := testOptions(t)
	opts.AllowPrivate, opts.Client = false, nil
	_, err := New("up", srv.URL, opts).Get(context.Background(), srv.URL+"/page", sources.State{}, AcceptHTML)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("err = %v, want ErrPrivateAddress", err)
	}
}

// TestGetLocal: a local file's ETag is its hash, NotModified when it is
// unchanged.
func TestGetLocal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte("<p>local"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := New("up", path, testOptions(t))
	d, err := src.Get(context.Background(), path, sources.State{}, AcceptHTML)
	if err != nil || string(d.Body) != "<p>local" || d.ETag == "" || d.NotModified {
		t.Fatalf("first read: %+v, %v", d, err)
	}
	again, err := src.Get(context.Background(), "file://"+path, sources.State{ETag: d.ETag}, AcceptHTML)
	if err != nil || !again.NotModified {
		t.Errorf("second read: %+v, %v; want NotModified", again, err)
	}
}
