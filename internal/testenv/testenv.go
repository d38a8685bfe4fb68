// Package testenv finds, for tests, the files that lie outside the package
// under test: the repository root and the shared sample listing beside it.
// It fails the test instead of returning an error, so that a test reads as
// its story.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

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

// SamplePath returns the path of the shared sample listing,
// ../shared/samples/000_4b135a03a8bb7209.txt beside the repository root.
// It does not check that the file is there: reading it does.
func SamplePath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(RepoRoot(tb), "..", "shared", "samples", sampleName)
}
