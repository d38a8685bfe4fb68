package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
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

// TestOpenReadOnly: a read-only store reads what a writer stored and
// writes nothing; a missing file or an older schema is store.ErrNoStore,
// and opening creates nothing.
func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feedloom.db")
	storetest.ReadOnly(t, openAt(t, path), func() (store.Store, error) { return OpenReadOnly(context.Background(), path) })

	// With no writer at work, reading leaves no -wal or -shm behind.
	closed := filepath.Join(t.TempDir(), "feedloom.db")
	w := openAt(t, closed)
	if _, err := w.FirstRun(context.Background(), "2025-03-01"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	before, _ := filepath.Glob(closed + "*")
	r, err := OpenReadOnly(context.Background(), closed)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.FirstRun(context.Background(), "2026-12-05"); err != nil || got != "2025-03-01" {
		t.Errorf("FirstRun of a closed store = %q, %v", got, err)
	}
	r.Close()
	if after, _ := filepath.Glob(closed + "*"); len(after) != len(before) {
		t.Errorf("files %q after reading, %q before", after, before)
	}

	missing := filepath.Join(t.TempDir(), "data", "feedloom.db")
	if _, err := OpenReadOnly(context.Background(), missing); !errors.Is(err, store.ErrNoStore) {
		t.Errorf("missing file: %v, want ErrNoStore", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("opening read-only created %s", filepath.Dir(missing))
	}
	old := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 1; CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReadOnly(context.Background(), old); !errors.Is(err, store.ErrNoStore) {
		t.Errorf("older schema: %v, want ErrNoStore", err)
	}
}
