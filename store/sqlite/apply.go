package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/feedloom/feedloom/store"
)

// Apply writes one refresh of source in a single transaction, in the order
// store.WriteBatch gives; either all of it is stored or none.
func (s *Store) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	done, err := s.ApplyGroup(ctx, []store.SourceBatch{{Source: source, Batch: b}})
	if err != nil {
		return store.Applied{}, err
	}
	return done[0], nil
}

// ApplyGroup writes several sources' refreshes, in order, in one
// transaction: as Apply would one after the other, but committed once, so
// a pass of many small refreshes (304s above all) is not a transaction
// each. Either all of them are stored or none; the error names the source
// whose batch failed.
func (s *Store) ApplyGroup(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	where := fmt.Sprintf("apply (%d sources)", len(group))
	if len(group) == 1 {
		where = fmt.Sprintf("apply %q", group[0].Source)
	}
	release, err := s.write(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", where, err)
	}
	defer release()
	conn, err := s.writer(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", where, err)
	}
	// The transaction does not watch ctx; its statements do. Were it to,
	// a cancelled ctx would have database/sql roll it back on a goroutine
	// of its own, which the deferred Rollback does not wait for, and the
	// next write could begin on the held connection before that rollback
	// ran: failing, or committing statement by statement once the late
	// ROLLBACK ended its transaction. Rolled back here, it ends before the
	// write slot is let go.
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		s.dropWriter()
		return nil, fmt.Errorf("sqlite: %s: %w", where, err)
	}
	defer tx.Rollback()
	done := make([]store.Applied, len(group))
	btx := s.batchTx(tx)
	// A source's state alone (a 304, a failure) is written with the
	// others', after the rest, unless a later batch of the group writes
	// the same source: what is deferred is then what one by one would
	// have left.
	last := make(map[string]int, len(group))
	for i, g := range group {
		last[g.Source] = i
	}
	var states []store.SourceBatch
	for i, g := range group {
		if stateOnly(g.Batch) && last[g.Source] == i {
			states = append(states, g)
			continue
		}
		if done[i], err = store.WriteBatch(ctx, btx, g.Source, g.Batch); err != nil {
			return nil, fmt.Errorf("sqlite: apply %q: %w", g.Source, err)
		}
		if err := btx.settleHorizon(ctx, g.Source, g.Batch); err != nil {
			return nil, fmt.Errorf("sqlite: apply %q: horizon: %w", g.Source, err)
		}
	}
	if err := btx.saveStates(ctx, states); err != nil {
		return nil, fmt.Errorf("sqlite: %s: states: %w", where, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", where, err)
	}
	return done, nil
}

// batchTx is a write transaction, as store.WriteBatch writes a Batch in it.
type batchTx struct {
	tx    *sql.Tx
	stmts *stmtCache
	bound map[string]*sql.Stmt // the cached statements bound to tx, by text
}

// batchTx is a write transaction over tx.
func (s *Store) batchTx(tx *sql.Tx) batchTx {
	return batchTx{tx: tx, stmts: s.stmts, bound: map[string]*sql.Stmt{}}
}

// setHorizon and forgetHorizon keep a source's horizon (schema_6.sql) true
// to its items.
const (
	setHorizon = `UPDATE sources SET horizon_from = ?2,
	horizon = (SELECT min(published) FROM items WHERE source = ?1 AND published >= ?2)
	WHERE name = ?1`
	forgetHorizon = `UPDATE sources SET horizon_from = NULL, horizon = NULL
	WHERE name = ?1 AND horizon_from IS NOT NULL`
)

// settleHorizon brings source's horizon up to date after b is written: a
// write that may change its items sets it from its age cutoff, the first
// bound the next checks' questions start from, or forgets it when it has
// none. A write of the state alone (a 304, a failure) changes no item and
// leaves it be. Stored items change only by their own source's batches
// (another source's item with the same id or link is skipped, see
// store.Batch), so no other write can make a horizon wrong.
func (b batchTx) settleHorizon(ctx context.Context, source string, batch store.Batch) error {
	if len(batch.Items) == 0 && len(batch.Remove) == 0 && batch.Retain == nil && batch.List == nil {
		return nil
	}
	var err error
	if r := batch.Retain; r != nil && !r.Before.IsZero() {
		// The same second PruneItems cut at: what it kept is at or after it.
		_, err = b.exec(ctx, setHorizon, source, r.Before.Unix())
	} else {
		_, err = b.exec(ctx, forgetHorizon, source)
	}
	return err
}

// pruneItems deletes a source's items outside the upstream's current window
// that are older than the cutoff or beyond the newest max_items. json_each
// turns the window's ids into a set without one parameter per id.
const pruneItems = `DELETE FROM items WHERE source = ?1
	AND id NOT IN (SELECT value FROM json_each(?2))
	AND (published < ?3 OR id IN (
		SELECT id FROM items WHERE source = ?1 ORDER BY published DESC, id LIMIT -1 OFFSET ?4))`

func (b batchTx) PruneItems(ctx context.Context, source string, r store.Retain) (int, error) {
	keep := r.Keep
	if keep == nil {
		keep = []string{}
	}
	window, err := json.Marshal(keep)
	if err != nil {
		return 0, err
	}
	offset := int64(r.MaxItems)
	if r.MaxItems <= 0 {
		offset = -1 // LIMIT -1 OFFSET -1 selects nothing extra: no count cap
	}
	cutoff := r.Before.Unix()
	if r.Before.IsZero() {
		cutoff = minUnix
	}
	var res sql.Result
	if offset < 0 {
		res, err = b.exec(ctx, `DELETE FROM items WHERE source = ?1
			AND id NOT IN (SELECT value FROM json_each(?2)) AND published < ?3`, source, string(window), cutoff)
	} else {
		res, err = b.exec(ctx, pruneItems, source, string(window), cutoff, offset)
	}
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// minUnix is earlier than any stored time: no age cutoff.
const minUnix = -1 << 62
