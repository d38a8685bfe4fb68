package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// insertFirstRun keeps a recorded date: the first run is recorded once.
	insertFirstRun = `INSERT INTO meta (key, value) VALUES ('first_run', $1)
	ON CONFLICT (key) DO NOTHING`
	selectFirstRun = `SELECT value FROM meta WHERE key = 'first_run'`
)

// FirstRun implements store.Store's FirstRun in one transaction. A day
// that is not a valid date is an error and records nothing.
func (s *Store) FirstRun(ctx context.Context, day string) (string, error) {
	var recorded string
	_, err := time.Parse(time.DateOnly, day)
	switch {
	case err == nil && s.readOnly:
		err = s.pool.QueryRow(ctx, selectFirstRun).Scan(&recorded)
		if errors.Is(err, pgx.ErrNoRows) {
			recorded, err = day, nil
		}
	case err == nil:
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, insertFirstRun, day); err != nil {
				return err
			}
			return tx.QueryRow(ctx, selectFirstRun).Scan(&recorded)
		})
	}
	if err != nil {
		return "", fmt.Errorf("postgres: first run %q: %w", day, err)
	}
	return recorded, nil
}

const (
	selectContentVersion = `SELECT version FROM versions WHERE name = 'content'`
	// bumpContentVersion raises the counter and tells every listening node
	// (Listen) the new value; PostgreSQL delivers the notification when the
	// transaction commits, and never if it rolls back.
	bumpContentVersion = `WITH v AS (UPDATE versions SET version = version + 1 WHERE name = 'content' RETURNING version)
SELECT pg_notify('` + contentChannel + `', v.version::text) FROM v`
)

// Version returns the content version: a counter that every committed
// transaction changing items (an insert, update, removal, pruning or
// release) raises by one. Two reads that return the same number saw the
// same items.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, selectContentVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: content version: %w", err)
	}
	return v, nil
}

// BumpContent raises the content version; once the transaction commits,
// every node that listens hears of it.
func (b batchTx) BumpContent(ctx context.Context) error {
	if _, err := b.tx.Exec(ctx, bumpContentVersion); err != nil {
		return fmt.Errorf("bump content version: %w", err)
	}
	return nil
}

// selectNewest reads the two maxima from items_feed and items_updated: each
// is one step down an index, where max(greatest(published, updated)) would
// read every row.
const selectNewest = `SELECT (SELECT max(published) FROM items WHERE NOT held),
	(SELECT max(updated) FROM items WHERE NOT held)`

// Newest returns the latest Published or Updated time among released items,
// in UTC; the zero time when there are none.
func (s *Store) Newest(ctx context.Context) (time.Time, error) {
	var published, updated *time.Time
	if err := s.pool.QueryRow(ctx, selectNewest).Scan(&published, &updated); err != nil {
		return time.Time{}, fmt.Errorf("postgres: newest: %w", err)
	}
	p, u := fromNullTime(published), fromNullTime(updated)
	if u.After(p) {
		return u, nil
	}
	return p, nil
}

// SchemaVersion returns the schema version the database holds; Open has
// made it the one this binary writes.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.pool.QueryRow(ctx, selectSchemaVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}

// Keys of the meta table that Value and SwapValue do not reach: the
// store's own.
const valuePrefix = "value:"

const (
	selectValue = `SELECT value FROM meta WHERE key = $1`
	insertValue = `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`
	swapValue   = `UPDATE meta SET value = $2 WHERE key = $1 AND value = $3`
)

// Value returns the value stored under key, and false when there is none.
func (s *Store) Value(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.pool.QueryRow(ctx, selectValue, valuePrefix+key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: value %q: %w", key, err)
	}
	return v, true, nil
}

// SwapValue stores value under key if key holds old (or is absent and old
// is ""), and reports whether it did. Each statement is atomic, so of two
// nodes swapping from one old value only one succeeds.
func (s *Store) SwapValue(ctx context.Context, key, old, value string) (bool, error) {
	query, args := swapValue, []any{valuePrefix + key, value, old}
	if old == "" {
		query, args = insertValue, []any{valuePrefix + key, value}
	}
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("postgres: swap value %q: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}
