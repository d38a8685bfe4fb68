// Package postgres implements store.Store in a PostgreSQL database through
// pgx's connection pool, so that several feedloom nodes can share one store.
// Every write is one transaction; the writes that touch items first take
// transaction-scoped advisory locks on the ids, links and slugs they decide
// on, so two nodes never interleave decisions on one key, just as SQLite's
// single writer never does, while writers of unrelated items run side by
// side.
// The schema is a numbered series of embedded SQL files applied at Open under
// another advisory lock. Times are kept to the second and come back in UTC.
package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/feedloom/feedloom/store"
)

// connectTimeout bounds each connection attempt when the DSN sets no
// connect_timeout, so that a wrong host fails the start quickly.
const connectTimeout = 5 * time.Second

// Advisory lock keys, in the database-wide space every session shares.
const (
	// migrateLock serializes schema migrations: "feedloom" in ASCII.
	migrateLock int64 = 0x666565646c6f6f6d
	// listsLock serializes the transactions that write a list's
	// subscriptions. (Its key once serialized every item write.)
	listsLock int64 = migrateLock + 1
	// leadLock is held, for as long as its session lives, by the one node
	// that pings the WebSub hub.
	leadLock int64 = migrateLock + 2
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in a PostgreSQL database. It is safe for
// concurrent use, also beside other Stores (in this or another process) on
// the same database.
type Store struct {
	pool     *pgxpool.Pool
	lead     leader
	readOnly bool   // OpenReadOnly: FirstRun records nothing
	trips    *trips // shared by every connection the Store opens
}

// Open connects to the database dsn names (a postgres:// URL or key=value
// list, as libpq reads it) and brings its schema up to date. A connection
// attempt gives up after 5 seconds unless the DSN sets connect_timeout. A
// database written by a newer feedloom is refused with an error wrapping
// store.ErrSchemaTooNew.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, target, t, err := poolConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect %s: %w", target, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect %s: %w", target, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", target, err)
	}
	return &Store{pool: pool, lead: leader{cfg: cfg.ConnConfig}, trips: t}, nil
}

// OpenReadOnly connects to the database dsn names for reading only: every
// transaction is read-only (default_transaction_read_only, so the server
// itself refuses a write), nothing is migrated, and FirstRun returns the
// recorded date without recording one. A database without feedloom's
// schema, or with an older one, is store.ErrNoStore; a newer one
// store.ErrSchemaTooNew.
func OpenReadOnly(ctx context.Context, dsn string) (*Store, error) {
	cfg, target, t, err := poolConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect %s: %w", target, err)
	}
	if err := checkSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", target, err)
	}
	return &Store{pool: pool, lead: leader{cfg: cfg.ConnConfig}, readOnly: true, trips: t}, nil
}

// poolConfig parses dsn and fills in what it leaves out: the connect
// timeout and the application name; every connection made from it counts
// its round trips in t. target names the database for messages
// (host:port/database), without the user or password.
func poolConfig(dsn string) (cfg *pgxpool.Config, target string, t *trips, err error) {
	cfg, err = pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, "", nil, err
	}
	t = newTrips()
	cfg.ConnConfig.Tracer = t
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "feedloom"
	}
	target = fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	return cfg, target, t, nil
}

// Close closes every connection of the pool; a Store must not be used after
// it. It waits for connections in use to be returned.
func (s *Store) Close() error {
	s.lead.close()
	s.pool.Close()
	return nil
}

// inTx runs fn in one transaction and commits it when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // after Commit it does nothing
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// dbTime is t as stored: to the second, in UTC.
func dbTime(t time.Time) time.Time { return t.Truncate(time.Second).UTC() }

// nullTime stores the zero time as NULL and any other to the second.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := dbTime(t)
	return &u
}

// fromNullTime is the inverse of nullTime.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
