package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxStatements bounds the cache: Items' statements are built from a
// Query's flags (lists travel as arguments), so a store sees a few dozen
// texts, and a text beyond the bound is simply prepared each time.
const maxStatements = 256

// poolConns is how many connections the pool keeps open when idle. A
// refresh runs up to fetch.concurrency store calls at once; with fewer idle
// connections kept, each burst would open new ones, setting their pragmas
// and preparing their statements again.
const poolConns = 16

// stmtCache keeps one prepared statement per SQL text. modernc's driver
// parses every statement it is given; a 304 refresh is three small
// statements, and parsing them cost more than running them.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns query's prepared statement, preparing it once. database/sql
// prepares it again on each connection that runs it, once. Beyond
// maxStatements it returns nil: the caller runs the text itself.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	if len(c.m) >= maxStatements {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = st
	return st, nil
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// query runs query through its cached statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is query for one row; its error is the Row's.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmts.get(ctx, query)
	if err != nil || st == nil {
		// A Row cannot be made to carry an error: run the text directly,
		// which reports the same error.
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// stmt is query's cached statement bound to the transaction, which closes
// it when it ends. It is bound once per transaction: a group of 32 304s
// runs the same statement 32 times.
func (b batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := b.bound[query]; ok {
		return st, nil
	}
	st, err := b.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return b.tx.PrepareContext(ctx, query)
	}
	st = b.tx.StmtContext(ctx, st)
	b.bound[query] = st
	return st, nil
}

// exec runs query in the transaction through its cached statement.
func (b batchTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow runs query in the transaction through its cached statement.
func (b batchTx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := b.stmt(ctx, query)
	if err != nil {
		// As for Store.queryRow.
		return b.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
