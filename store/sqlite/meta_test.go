package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestFirstRunSurvivesReopen: the first-run date is kept in the file, so a
// later process sees the date the first one recorded.
func TestFirstRunSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "feedloom.db")
	s := openAt(t, path)
	if got, err := s.FirstRun(ctx, "2025-03-13"); err != nil || got != "2025-03-13" {
		t.Fatalf("FirstRun = %q, %v; want 2025-03-13", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	if got, err := s.FirstRun(ctx, "2026-01-01"); err != nil || got != "2025-03-13" {
		t.Errorf("after reopen: FirstRun = %q, %v; want 2025-03-13", got, err)
	}
}
