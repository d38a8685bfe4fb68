package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Subscriptions live in meta, one row per list, so that they need no
// schema of their own. Keys are compared and ordered bytewise (COLLATE
// "C"), as SQLite does, whatever the database's collation.
const (
	selectSubscriptions = `SELECT key, value FROM meta WHERE starts_with(key, $1) ORDER BY key COLLATE "C"`
	upsertSubscriptions = `INSERT INTO meta (key, value) VALUES ($1, $2)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value`
)

// Subscriptions returns every list's subscriptions: by list name, then as
// the list's last answer left them.
func (s *Store) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	rows, err := s.pool.Query(ctx, selectSubscriptions, store.SubscriptionsKey(""))
	if err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	subs, err := readSubscriptions(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	return subs, nil
}

// Subscriptions reads every list's subscriptions within the transaction,
// which applyList has made the only writer of them (listsLock).
func (b batchTx) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	rows, err := b.tx.Query(ctx, selectSubscriptions, store.SubscriptionsKey(""))
	if err != nil {
		return nil, err
	}
	return readSubscriptions(rows)
}

func readSubscriptions(rows pgx.Rows) ([]sources.Subscription, error) {
	defer rows.Close()
	return store.ReadSubscriptions(rows)
}

// SaveSubscriptions replaces list's subscriptions with subs.
func (b batchTx) SaveSubscriptions(ctx context.Context, list string, subs []sources.Subscription) error {
	value, err := store.EncodeSubscriptions(subs)
	if err != nil {
		return err
	}
	_, err = b.tx.Exec(ctx, upsertSubscriptions, store.SubscriptionsKey(list), value)
	return err
}
