package feed

import (
	"context"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/feedloom/feedloom/sources"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixedNow is the clock of every test.
var fixedNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts a loopback server on addr ("127.0.0.1:0" when empty) that is
// closed, with the test client's idle connections, when the test ends.
func serve(t testing.TB, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// serveFixture answers every request with a fixture and a Content-Type.
func serveFixture(t testing.TB, name, contentType string) *httptest.Server {
	body := fixture(t, name)
	return serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
}

// testOptions are fast, deterministic options with their own client, whose
// idle connections are closed when the test ends, allowed to reach the
// loopback servers of the tests.
func testOptions(t testing.TB) Options {
	opts := Options{
		AllowPrivate: true, // the upstreams are httptest servers on loopback
		Timeout:      5 * time.Second,
		RetryWait:    time.Millisecond,
		Now:          func() time.Time { return fixedNow },
	}
	opts.Client = NewClient(opts)
	t.Cleanup(opts.Client.CloseIdleConnections)
	return opts
}

func fetch(t testing.TB, url string, opts Options, prev sources.State) (sources.Result, error) {
	t.Helper()
	return New("up", url, opts).Fetch(context.Background(), prev)
}

func mustFetch(t testing.TB, url string, opts Options) sources.Result {
	t.Helper()
	res, err := fetch(t, url, opts, sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
