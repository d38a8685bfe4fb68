package fidelity

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// python is Debian's interpreter, which has python3-feedparser; a pyenv
// python3 on PATH usually has not.
const python = "/usr/bin/python3"

// now is the run's clock: after every date in the corpus, so that none is
// taken for a clock error.
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func TestFidelity(t *testing.T) {
	requireFeedparser(t)
	corpus, base := servedCorpus(t)

	refs := readReference(t, corpus, base)
	ours := readFeedloom(t, corpus, base)

	tl := newTally()
	for _, c := range corpus {
		r, ok := refs[c.name]
		if !ok {
			t.Errorf("%s: feedparser gave no result", c.name)
			continue
		}
		tl.compareDoc(c.name, r, ours[c.name])
	}
	report(t, tl, len(corpus))
}

// servedCorpus is the whole corpus, generated and hand-written, served on
// a loopback server for the test, and the server's base URL.
func servedCorpus(t *testing.T) ([]fcase, string) {
	t.Helper()
	corpus := generated()
	hand, err := handWritten()
	if err != nil {
		t.Fatal(err)
	}
	corpus = append(corpus, hand...)
	bodies := make(map[string][]byte, len(corpus))
	for _, c := range corpus {
		bodies[c.name] = c.body
	}
	return corpus, serveCorpus(t, bodies)
}

// serveCorpus serves each body under its name on a loopback server closed
// when the test ends, and returns the server's base URL.
func serveCorpus(t *testing.T, bodies map[string][]byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		// No charset parameter: the document's own declaration decides,
		// as it does for feedparser reading the same bytes.
		ct := "application/xml"
		if strings.HasSuffix(r.URL.Path, ".json") {
			ct = "application/feed+json"
		}
		w.Header().Set("Content-Type", ct)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// requireFeedparser skips the test when the reference reader is missing,
// unless FEEDLOOM_SAMPLES says this run must measure (CI).
func requireFeedparser(t *testing.T) {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("FEEDLOOM_SAMPLES") != "" {
			t.Fatalf("FEEDLOOM_SAMPLES is set but the reference reader is missing: %s", why)
		}
		t.Skipf("reference reader missing: %s (install python3-feedparser)", why)
	}
	if _, err := os.Stat(python); err != nil {
		missing(python + " not found")
	}
	if out, err := exec.Command(python, "-c", "import feedparser").CombinedOutput(); err != nil {
		missing(fmt.Sprintf("%s cannot import feedparser: %v: %s", python, err, bytes.TrimSpace(out)))
	}
}

// readReference writes the corpus to a folder and has read.py read it all
// in one run.
func readReference(t *testing.T, corpus []fcase, base string) map[string]ref {
	t.Helper()
	dir := t.TempDir()
	for _, c := range corpus {
		if err := os.WriteFile(filepath.Join(dir, c.name), c.body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "read.py", dir, base)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("read.py: %v\n%s", err, stderr.Bytes())
	}
	refs := map[string]ref{}
	if err := json.Unmarshal(out, &refs); err != nil {
		t.Fatalf("read.py output: %v", err)
	}
	return refs
}

// readFeedloom fetches each case from the server and normalizes it, as the
// scheduler does for a feed source seen for the first time.
func readFeedloom(t *testing.T, corpus []fcase, base string) map[string][]feeds.Item {
	t.Helper()
	det, err := normalize.NewDetector()
	if err != nil {
		t.Fatal(err)
	}
	norm := normalize.New(normalize.Options{
		Host:     "feeds.example.test",
		FirstRun: "2026-01-01",
		Zone:     time.UTC,
		SiteLink: "https://www.example.test/",
	}, det)
	// One client for the whole corpus, allowed to reach the loopback
	// server, the way the scheduler shares one per AllowPrivate setting.
	fopts := feed.Options{AllowPrivate: true, Retries: -1, Timeout: 10 * time.Second, Now: func() time.Time { return now }}
	fopts.Client = feed.NewClient(fopts)
	defer fopts.Client.CloseIdleConnections()

	out := make(map[string][]feeds.Item, len(corpus))
	for _, c := range corpus {
		src := feed.New("fidelity", base+c.name, fopts)
		res, err := src.Fetch(context.Background(), sources.State{})
		if err != nil {
			t.Logf("%s: fetch: %v", c.name, err)
			continue
		}
		items, err := norm.Items(normalize.Source{Name: "fidelity", Language: "en", Feed: true}, now, res.Stories, nil)
		if err != nil && testing.Verbose() {
			t.Logf("%s: normalize: %v", c.name, err)
		}
		out[c.name] = items
	}
	return out
}

// report prints the table, lists the disagreements with -v, and holds the
// result to the thresholds.
func report(t *testing.T, tl *tally, docs int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "fidelity against feedparser: %d documents, %d entries\n", docs, tl.compared[fKept])
	fmt.Fprintf(&b, "  %-20s %8s %8s %7s %7s\n", "field", "agreed", "compared", "%", "target")
	for _, f := range fields {
		fmt.Fprintf(&b, "  %-20s %8d %8d %6.1f%% %6.0f%%\n", f, tl.agreed[f], tl.compared[f], tl.pct(f), thresholds[f])
	}
	fmt.Fprintf(&b, "  %-20s %8d %17s %7s\n", "script constructs", tl.scripts, "", "0")
	fmt.Fprintf(&b, "  %-20s %8d  (items feedparser has no entry for; not scored)\n", "extra items", tl.extra)
	if len(tl.exceptions) > 0 {
		b.WriteString("  exceptions (a documented feedloom rule or a feedparser fault decides):\n")
		for _, k := range slices.Sorted(maps.Keys(tl.exceptions)) {
			fmt.Fprintf(&b, "    %-48s %d\n", k, tl.exceptions[k])
		}
	}
	fmt.Print(b.String())

	if testing.Verbose() {
		slices.SortStableFunc(tl.diffs, func(a, b disagreement) int {
			return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.doc, b.doc), cmp.Compare(a.entry, b.entry))
		})
		for _, d := range tl.diffs {
			t.Logf("%s #%d %s:\n\tfeedloom:  %q\n\treference: %q", d.doc, d.entry, d.field, d.ours, d.ref)
		}
		for _, w := range tl.scriptWhere {
			t.Logf("script construct: %s", w)
		}
	}

	for _, f := range fields {
		if p := tl.pct(f); p < thresholds[f] {
			t.Errorf("%s: %.1f%% of %d entries agree with feedparser, want ≥ %.0f%%", f, p, tl.compared[f], thresholds[f])
		}
	}
	if tl.scripts > 0 {
		t.Errorf("%d script-capable constructs in feedloom's titles, summaries or content, want 0", tl.scripts)
	}
}
