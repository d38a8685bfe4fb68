package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func TestFirstRunRecordedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "feedloom.db")
	s := openAt(t, path)

	steps := []struct {
		day, want string
	}{
		{"2025-03-13", "2025-03-13"},
		{"2025-03-14", "2025-03-13"},
	}
	for _, st := range steps {
		if got, err := s.FirstRun(ctx, st.day); err != nil || got != st.want {
			t.Errorf("FirstRun(%q) = %q, %v; want %q", st.day, got, err, st.want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	if got, err := s.FirstRun(ctx, "2026-01-01"); err != nil || got != "2025-03-13" {
		t.Errorf("after reopen: FirstRun = %q, %v; want 2025-03-13", got, err)
	}
}

func TestFirstRunRejectsBadDay(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, day := range []string{"", "2025-3-13", "2025-02-30", "13/03/2025", "2025-03-13T00:00:00Z"} {
		if got, err := s.FirstRun(ctx, day); err == nil {
			t.Errorf("FirstRun(%q) = %q, want an error", day, got)
		}
	}
	// Nothing was recorded by the refused days.
	if got, err := s.FirstRun(ctx, "2025-03-13"); err != nil || got != "2025-03-13" {
		t.Errorf("FirstRun = %q, %v; want 2025-03-13", got, err)
	}
}
