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

func TestSamplePath(t *testing.T) {
	raw, err := os.ReadFile(SamplePath(t))
	if err != nil {
		t.Fatal(err)
	}
	// The listing opens with the site's title and the year of its stories.
	if want := "News & Stories\n2025\n"; !strings.HasPrefix(string(raw), want) {
		t.Errorf("sample starts %q, want %q", string(raw[:min(len(raw), 40)]), want)
	}
}
