package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/feedloom/feedloom/sources"
)

// stateColumns are the columns of a State, in the order stateFields
// scans them.
const stateColumns = `url, configured_url, etag, last_modified, checked_at, last_success, last_error,
	failures, next_due`

const selectState = `SELECT ` + stateColumns + ` FROM sources WHERE name = ?`

// stateFields are where a row of stateColumns is scanned into st.
func stateFields(st *sources.State) []any {
	return []any{&st.URL, &st.ConfiguredURL, &st.ETag, &st.LastModified, scanUnix(&st.CheckedAt),
		scanUnix(&st.LastSuccess), &st.LastError, &st.Failures, scanUnix(&st.NextDue)}
}

// State returns source's fetch state: the zero State for a source never
// saved. Times are in UTC, to the second.
func (s *Store) State(ctx context.Context, source string) (sources.State, error) {
	var st sources.State
	err := s.queryRow(ctx, selectState, source).Scan(stateFields(&st)...)
	if errors.Is(err, sql.ErrNoRows) {
		return sources.State{}, nil
	}
	if err != nil {
		return sources.State{}, fmt.Errorf("sqlite: state %q: %w", source, err)
	}
	return st, nil
}

// replaceState writes every column of sources, so replacing a source's row
// loses nothing.
const replaceState = `INSERT OR REPLACE INTO sources (name, url, configured_url, etag, last_modified,
	checked_at, last_success, last_error, failures, next_due)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// SaveState replaces source's fetch state with st. Zero times are stored as
// NULL; other times to the second.
func (b batchTx) SaveState(ctx context.Context, source string, st sources.State) error {
	_, err := b.exec(ctx, replaceState, source, st.URL, st.ConfiguredURL, st.ETag, st.LastModified,
		nullTime(st.CheckedAt), nullTime(st.LastSuccess), st.LastError, st.Failures,
		nullTime(st.NextDue))
	return err
}

// selectStates is selectState for a list of names, which json_each turns
// into a set.
const selectStates = `SELECT name, ` + stateColumns + ` FROM sources
WHERE name IN (SELECT value FROM json_each(?))`

// States returns the fetch states of the named sources that have one, in
// one read: a pass of many sources asks for them a window at a time rather
// than one query each.
func (s *Store) States(ctx context.Context, names []string) (map[string]sources.State, error) {
	rows, err := s.query(ctx, selectStates, jsonList(names))
	if err != nil {
		return nil, fmt.Errorf("sqlite: states: %w", err)
	}
	defer rows.Close()
	out := make(map[string]sources.State, len(names))
	for rows.Next() {
		var name string
		var st sources.State
		if err := rows.Scan(append([]any{&name}, stateFields(&st)...)...); err != nil {
			return nil, fmt.Errorf("sqlite: states: %w", err)
		}
		out[name] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: states: %w", err)
	}
	return out, nil
}
