package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Subscriptions live in meta, one row per list, so that they need no
// schema of their own.
const (
	selectSubscriptions = `SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key`
	upsertSubscriptions = `INSERT INTO meta (key, value) VALUES (?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// querier is what reads need of a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Subscriptions returns every list's subscriptions: by list name, then as
// the list's last answer left them.
func (s *Store) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	subs, err := readSubscriptions(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	return subs, nil
}

// Subscriptions reads every list's subscriptions within the transaction.
func (b batchTx) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	return readSubscriptions(ctx, b.tx)
}

func readSubscriptions(ctx context.Context, q querier) ([]sources.Subscription, error) {
	from, to := store.SubscriptionsRange()
	rows, err := q.QueryContext(ctx, selectSubscriptions, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadSubscriptions(rows)
}

// SaveSubscriptions replaces list's subscriptions with subs.
func (b batchTx) SaveSubscriptions(ctx context.Context, list string, subs []sources.Subscription) error {
	value, err := store.EncodeSubscriptions(subs)
	if err != nil {
		return err
	}
	_, err = b.exec(ctx, upsertSubscriptions, store.SubscriptionsKey(list), value)
	return err
}
