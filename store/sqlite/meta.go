package sqlite

import (
	"context"
	"fmt"
	"time"
)

const (
	// insertFirstRun keeps a recorded date: the first run is recorded once.
	insertFirstRun = `INSERT INTO meta (key, value) VALUES ('first_run', ?)
	ON CONFLICT (key) DO NOTHING`
	selectFirstRun = `SELECT value FROM meta WHERE key = 'first_run'`
)

// FirstRun records day (YYYY-MM-DD) as the store's first-run date unless one
// is recorded already, and returns the recorded one. A day that is not a
// valid date is an error and records nothing.
func (s *Store) FirstRun(ctx context.Context, day string) (string, error) {
	recorded, err := s.firstRun(ctx, day)
	if err != nil {
		return "", fmt.Errorf("sqlite: first run %q: %w", day, err)
	}
	return recorded, nil
}

func (s *Store) firstRun(ctx context.Context, day string) (string, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return "", err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, insertFirstRun, day); err != nil {
		return "", err
	}
	var recorded string
	if err := tx.QueryRowContext(ctx, selectFirstRun).Scan(&recorded); err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	return recorded, nil
}
