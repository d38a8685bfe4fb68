package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/sources"
)

const selectState = `SELECT url, configured_url, etag, last_modified, checked_at, last_success, last_error,
	failures, next_due
FROM sources WHERE name = $1`

// State returns source's fetch state: the zero State for a source never
// saved. Times are in UTC, to the second.
func (s *Store) State(ctx context.Context, source string) (sources.State, error) {
	var st sources.State
	var checked, success, due *time.Time
	err := s.pool.QueryRow(ctx, selectState, source).Scan(&st.URL, &st.ConfiguredURL, &st.ETag,
		&st.LastModified, &checked, &success, &st.LastError, &st.Failures, &due)
	if errors.Is(err, pgx.ErrNoRows) {
		return sources.State{}, nil
	}
	if err != nil {
		return sources.State{}, fmt.Errorf("postgres: state %q: %w", source, err)
	}
	st.CheckedAt = fromNullTime(checked)
	st.LastSuccess = fromNullTime(success)
	st.NextDue = fromNullTime(due)
	return st, nil
}

// upsertState writes every fetch-state column and leaves claimed_by and
// lease_until to the node that holds the source.
const upsertState = `INSERT INTO sources (name, url, configured_url, etag, last_modified, checked_at,
	last_success, last_error, failures, next_due)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (name) DO UPDATE SET url = excluded.url, configured_url = excluded.configured_url,
	etag = excluded.etag,
	last_modified = excluded.last_modified, checked_at = excluded.checked_at,
	last_success = excluded.last_success, last_error = excluded.last_error,
	failures = excluded.failures, next_due = excluded.next_due`

// SaveState replaces source's fetch state with st. Zero times are stored as
// NULL; other times to the second.
func (b batchTx) SaveState(ctx context.Context, source string, st sources.State) error {
	_, err := b.tx.Exec(ctx, upsertState, stateArgs(source, st)...)
	return err
}

// stateArgs are upsertState's arguments.
func stateArgs(source string, st sources.State) []any {
	return []any{source, st.URL, st.ConfiguredURL, st.ETag, st.LastModified,
		nullTime(st.CheckedAt), nullTime(st.LastSuccess), st.LastError, st.Failures,
		nullTime(st.NextDue)}
}
