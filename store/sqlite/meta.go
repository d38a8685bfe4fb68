package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	firstRun := s.firstRun
	if s.readOnly {
		firstRun = s.recordedFirstRun
	}
	recorded, err := firstRun(ctx, day)
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

const selectContentVersion = `SELECT version FROM versions WHERE name = 'content'`

// Version returns the content version: a counter that every committed
// transaction changing items (an insert, update, removal, pruning or
// release) raises by one. Two reads that return the same number saw the
// same items.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.queryRow(ctx, selectContentVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: content version: %w", err)
	}
	return v, nil
}

const bumpContentVersion = `UPDATE versions SET version = version + 1 WHERE name = 'content'`

// BumpContent raises the content version within the transaction, which
// changed items.
func (b batchTx) BumpContent(ctx context.Context) error {
	if _, err := b.exec(ctx, bumpContentVersion); err != nil {
		return fmt.Errorf("bump content version: %w", err)
	}
	return nil
}

// selectNewest reads the two maxima from the ends of items_feed and
// items_updated, one index entry each, where max(max(published, updated))
// would read every row. ORDER BY … LIMIT 1 makes the early stop explicit.
const selectNewest = `SELECT
	(SELECT published FROM items WHERE held = 0 ORDER BY published DESC LIMIT 1),
	(SELECT updated FROM items WHERE held = 0 ORDER BY updated DESC LIMIT 1)`

// Newest returns the latest Published or Updated time among released items,
// in UTC; the zero time when there are none.
func (s *Store) Newest(ctx context.Context) (time.Time, error) {
	var published, updated time.Time
	if err := s.queryRow(ctx, selectNewest).Scan(scanUnix(&published), scanUnix(&updated)); err != nil {
		return time.Time{}, fmt.Errorf("sqlite: newest: %w", err)
	}
	if updated.After(published) {
		return updated, nil
	}
	return published, nil
}

// recordedFirstRun is FirstRun of a read-only store: the recorded date, or
// day when none is recorded yet.
func (s *Store) recordedFirstRun(ctx context.Context, day string) (string, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return "", err
	}
	var recorded string
	err := s.db.QueryRowContext(ctx, selectFirstRun).Scan(&recorded)
	if errors.Is(err, sql.ErrNoRows) {
		return day, nil
	}
	return recorded, err
}

// Keys of the meta table that Value and SwapValue do not reach: the
// store's own.
const valuePrefix = "value:"

const (
	selectValue = `SELECT value FROM meta WHERE key = ?`
	insertValue = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`
	swapValue   = `UPDATE meta SET value = ? WHERE key = ? AND value = ?`
)

// Value returns the value stored under key, and false when there is none.
func (s *Store) Value(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.queryRow(ctx, selectValue, valuePrefix+key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: value %q: %w", key, err)
	}
	return v, true, nil
}

// SwapValue stores value under key if key holds old (or is absent and old
// is ""), and reports whether it did.
func (s *Store) SwapValue(ctx context.Context, key, old, value string) (bool, error) {
	query, args := swapValue, []any{value, valuePrefix + key, old}
	if old == "" {
		query, args = insertValue, []any{valuePrefix + key, value}
	}
	res, err := s.db.ExecContext(ctx, query, args...)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: swap value %q: %w", key, err)
	}
	return n == 1, nil
}
