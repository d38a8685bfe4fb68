package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

// Apply writes one refresh of source in a single transaction, in the order
// store.WriteBatch gives; either all of it is stored or none. A Batch with a
// Holder is written only while that node holds the source's lease, and a
// Batch that writes items or a list first takes itemsLock.
func (s *Store) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	var done store.Applied
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if b.Holder != "" {
			if err := holdsLease(ctx, tx, source, b.Holder); err != nil {
				return err
			}
		}
		// A list's new names must not clash with another list's written
		// meanwhile, so its subscriptions are written under the same lock.
		if len(b.Remove) > 0 || len(b.Items) > 0 || b.Retain != nil || b.List != nil {
			if err := lockItems(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		done, err = store.WriteBatch(ctx, batchTx{tx}, source, b)
		return err
	})
	if err != nil {
		return store.Applied{}, fmt.Errorf("postgres: apply %q: %w", source, err)
	}
	return done, nil
}

// batchTx is a write transaction, as store.WriteBatch writes a Batch in it.
type batchTx struct{ tx pgx.Tx }

// The retention statements delete a source's items outside the upstream's
// current window ($2) that are older than the cutoff ($3) or beyond the
// newest max_items ($4). A zero Before or MaxItems leaves its test out.
const (
	pruneScope  = `DELETE FROM items WHERE source = $1 AND NOT (id = ANY($2))`
	pruneBefore = `published < $3`
	pruneBeyond = `id IN (SELECT id FROM items WHERE source = $1 ORDER BY published DESC, id OFFSET $%d)`
)

func (b batchTx) PruneItems(ctx context.Context, source string, r store.Retain) (int, error) {
	keep := r.Keep
	if keep == nil {
		keep = []string{} // a nil slice would be NULL, and NOT (id = ANY(NULL)) is never true
	}
	args := []any{source, keep}
	var tests []string
	if !r.Before.IsZero() {
		args = append(args, dbTime(r.Before))
		tests = append(tests, pruneBefore)
	}
	if r.MaxItems > 0 {
		args = append(args, r.MaxItems)
		tests = append(tests, fmt.Sprintf(pruneBeyond, len(args)))
	}
	var query string
	switch len(tests) {
	case 0:
		return 0, nil
	case 1:
		query = pruneScope + ` AND ` + tests[0]
	default:
		query = pruneScope + ` AND (` + tests[0] + ` OR ` + tests[1] + `)`
	}
	tag, err := b.tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// holdsLease locks source's row and checks that node still holds it: a
// node that lost its lease to another must not overwrite what that node
// stores. Only claimed_by counts, not the lease's end: a lease that ran out
// but was not taken over is still the holder's to use.
func holdsLease(ctx context.Context, tx pgx.Tx, source, node string) error {
	var holder *string
	err := tx.QueryRow(ctx, `SELECT claimed_by FROM sources WHERE name = $1 FOR UPDATE`, source).Scan(&holder)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if holder == nil || *holder != node {
		return store.ErrLeaseLost
	}
	return nil
}
