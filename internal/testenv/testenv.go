// Package testenv finds, for tests, the files that lie outside the package
// under test: the repository root, the project's own news listing and the
// shared sample listing beside the repository, and a PostgreSQL server.
// It fails the test instead of returning an error, so that a test reads as
// its story.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// SamplesEnv names the variable that points the tests at the shared
// samples folder. Unset, the tests look beside the repository
// (../shared/samples) and skip what needs a sample when it is not there;
// set (as CI sets it), a missing sample fails the test instead, so a CI run
// can never pass by skipping it.
const SamplesEnv = "FEEDLOOM_SAMPLES"

// sampleName is the real listing DESIGN.md describes.
const sampleName = "000_4b135a03a8bb7209.txt"

// RepoRoot returns the repository root: the nearest folder holding go.mod at
// or above the test's working directory, which go test sets to the folder
// of the package under test.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// Listing is a plain-text news listing in the shape DESIGN.md describes,
// with what every test of it expects: the same eight stories' languages
// and dates (two on 13 March 2025, six on 12 March, listing order kept),
// whatever their words.
type Listing struct {
	Name   string   // file name
	Label  string   // the category line before every story
	Titles []string // story titles, top first
	load   func(tb testing.TB) []byte
}

// Raw reads the listing; for the shared sample it skips the test, with the
// reason, when the sample is absent and FEEDLOOM_SAMPLES is not set.
func (l Listing) Raw(tb testing.TB) []byte {
	tb.Helper()
	return l.load(tb)
}

// Languages are the languages of the stories of every Listing, top first.
var Languages = []string{"en", "zh-Hant", "zh-Hant", "en", "zh-Hant", "zh-Hant", "en", "en"}

// Dates are the dates DESIGN's ordering rule gives the stories of every
// Listing on its first run, top first (RFC 3339, Hong Kong time).
var Dates = []string{
	"2025-03-13T00:01:00+08:00", "2025-03-13T00:00:00+08:00",
	"2025-03-12T00:05:00+08:00", "2025-03-12T00:04:00+08:00", "2025-03-12T00:03:00+08:00",
	"2025-03-12T00:02:00+08:00", "2025-03-12T00:01:00+08:00", "2025-03-12T00:00:00+08:00",
}

// Newsroom is the project's own listing (testdata/listing.txt), always
// present: another label (Press Release), the same shape as the sample —
// an English title over a Chinese body without a marker, stories with no
// blank line before the next label, no final newline, a year alone
// (by 2045) that is not a day.
func Newsroom() Listing {
	return Listing{
		Name:  "listing.txt",
		Label: "Press Release",
		Titles: []string{
			"Campus Sets Out Its Plan to Reach Net Zero by 2040",
			"Secretary for Education Visits the University (Chinese Version Only)",
			"Health Delegation Tours Medical Research Laboratories (Chinese Version Only)",
			"University and Port Authority Launch Green Shipping Fund",
			"Regional Affairs Office Director Meets University Leadership (Chinese Version Only)",
			"Deputy Minister of Science Leads Delegation to Campus",
			"University Opens Innovation Hub in Shenzhen",
			"New Centre for Ocean Robotics Launched",
		},
		load: func(tb testing.TB) []byte {
			tb.Helper()
			b, err := os.ReadFile(filepath.Join(RepoRoot(tb), "internal", "testenv", "testdata", "listing.txt"))
			if err != nil {
				tb.Fatal(err)
			}
			return b
		},
	}
}

// Sample is the real news listing of the shared samples folder.
func Sample() Listing {
	return Listing{
		Name:  sampleName,
		Label: "News",
		Titles: []string{
			"The Race to Zero: HKUST Unveils First Comprehensive Net-Zero Action Plan Among Local Universities",
			"Minister of Education Meets HKUST Delegation (Chinese Version Only)",
			"Minister of National Health Commission Meets HKUST Delegation (Chinese Version Only)",
			"HKUST and SIIC Launch Hong Kong Biotechnology Fund for HKUST and Hong Kong Life Science Ventures",
			"Director of Hong Kong and Macao Work Office of CPC Central Committee and Hong Kong and Macao Affairs Office of State Council Meets HKUST Delegation (Chinese Version Only)",
			"Vice Minister of Education Dr. WU Yan Leads Delegation to HKUST",
			"Opening of HKUST Shanghai Center in Xuhui District",
			"HKUST Launches Low Altitude Economy Research Center",
		},
		load: func(tb testing.TB) []byte {
			tb.Helper()
			b, err := os.ReadFile(SamplePath(tb))
			if err != nil {
				tb.Fatal(err)
			}
			return b
		},
	}
}

// Listings are the listings every listing test runs on: the project's own
// and the shared sample (whose subtest skips where it is absent).
func Listings() []Listing { return []Listing{Newsroom(), Sample()} }

// SamplePath returns the path of the shared sample listing: in
// $FEEDLOOM_SAMPLES when set, else ../shared/samples beside the repository
// root. When the file is not there it skips the test with the reason, or
// fails it when FEEDLOOM_SAMPLES is set.
func SamplePath(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv(SamplesEnv)
	required := dir != ""
	if !required {
		dir = filepath.Join(RepoRoot(tb), "..", "shared", "samples")
	}
	p := filepath.Join(dir, sampleName)
	if _, err := os.Stat(p); err != nil {
		if required {
			tb.Fatalf("%s=%s: %v", SamplesEnv, dir, err)
		}
		tb.Skipf("shared sample %s not found: skipping (it lies beside the repository only in CI; set %s to require it)", sampleName, SamplesEnv)
	}
	return p
}

// EachListing runs test as a subtest named for each of Listings, in
// parallel with the others: each gets its own listing to read.
func EachListing(t *testing.T, test func(t *testing.T, l Listing)) {
	t.Helper()
	for _, l := range Listings() {
		t.Run(l.Name, func(t *testing.T) {
			t.Parallel()
			test(t, l)
		})
	}
}
