package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	// go test runs this in internal/testenv, two folders below the root.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := RepoRoot(t), filepath.Dir(filepath.Dir(wd)); got != want {
		t.Errorf("RepoRoot = %q, want %q", got, want)
	}
}

// TestListings checks that each listing holds its titles in order, each
// after its label line, and opens with a title line and the year 2025.
func TestListings(t *testing.T) {
	for _, l := range Listings() {
		t.Run(l.Name, func(t *testing.T) {
			raw := string(l.Raw(t))
			if !strings.Contains(raw, "\n2025\n") || strings.Index(raw, "\n2025\n") != strings.Index(raw, "\n") {
				t.Errorf("%s: the second line is not the year 2025", l.Name)
			}
			if strings.HasSuffix(raw, "\n") {
				t.Errorf("%s ends with a newline; the listings test a missing final newline", l.Name)
			}
			rest := raw
			for _, title := range l.Titles {
				i := strings.Index(rest, "\n"+l.Label+"\n"+title+"\n")
				if i < 0 {
					t.Fatalf("%s: %q (after a %q line) not found in order", l.Name, title, l.Label)
				}
				rest = rest[i+1:]
			}
			if len(l.Titles) != len(Languages) || len(Languages) != len(Dates) {
				t.Errorf("%d titles, %d languages, %d dates", len(l.Titles), len(Languages), len(Dates))
			}
		})
	}
}

// TestSamplePathRequired: with FEEDLOOM_SAMPLES set, a missing sample
// fails the test rather than skipping it.
func TestSamplePathRequired(t *testing.T) {
	t.Setenv(SamplesEnv, t.TempDir())
	r := &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		SamplePath(r)
	}()
	if !r.failed || r.skipped {
		t.Errorf("with %s set to an empty folder: failed %v, skipped %v; want a failure", SamplesEnv, r.failed, r.skipped)
	}
}

// recorder records Fatalf and Skipf instead of ending the test, so a test
// can check which of the two a helper chose; both stop the helper by
// panicking, as Goexit would.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(string, ...any) {
	r.failed = true
	panic("fatal")
}

func (r *recorder) Skipf(string, ...any) {
	r.skipped = true
	panic("skip")
}
