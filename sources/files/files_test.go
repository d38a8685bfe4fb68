package files

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// writeFiles creates a folder holding files (slash paths → contents).
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fetch runs one Fetch of the folder and fails the test on an error.
func fetch(t testing.TB, dir string, opts Options) sources.Result {
	t.Helper()
	res, err := New("newsroom", dir, opts).Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return res
}

// problemOf fetches a folder holding one file and returns the problem it
// must report.
func problemOf(t *testing.T, name, body string, opts Options) *sources.FileError {
	t.Helper()
	res := fetch(t, writeFiles(t, map[string]string{name: body}), opts)
	if len(res.Problems) != 1 {
		t.Fatalf("problems = %v, want one (stories %d)", res.Problems, len(res.Stories))
	}
	if len(res.Stories) != 0 {
		t.Errorf("stories %d from a bad file", len(res.Stories))
	}
	var fe *sources.FileError
	if !errors.As(res.Problems[0], &fe) {
		t.Fatalf("problem %T %v is not a *sources.FileError", res.Problems[0], res.Problems[0])
	}
	return fe
}

// oneStory fetches a folder holding one file and returns its only story.
func oneStory(t *testing.T, name, body string, opts Options) sources.Story {
	t.Helper()
	res := fetch(t, writeFiles(t, map[string]string{name: body}), opts)
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	if len(res.Stories) != 1 {
		t.Fatalf("got %d stories, want 1", len(res.Stories))
	}
	return res.Stories[0]
}
