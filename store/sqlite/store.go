// Package sqlite implements store.Store in one SQLite file through the pure-Go
// modernc.org/sqlite driver. Every write is one transaction that takes the
// write lock at once (busy_timeout waits for it), so two processes, a cron
// build and a running serve, may share the file. Times are kept as unix
// seconds and come back in UTC.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/feedloom/feedloom/store"
)

// schemaVersion is the PRAGMA user_version this binary writes and reads.
const schemaVersion = 6

// The schema steps: schema.sql creates version 1, schema_N.sql takes
// version N-1 to N.
var (
	//go:embed schema.sql
	schemaSQL string
	//go:embed schema_2.sql
	schema2SQL string
	//go:embed schema_3.sql
	schema3SQL string
	//go:embed schema_4.sql
	schema4SQL string
	//go:embed schema_5.sql
	schema5SQL string
	//go:embed schema_6.sql
	schema6SQL string
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in one SQLite file. It is safe for concurrent
// use, also beside other Stores (in this or another process) on the same file.
type Store struct {
	db    *sql.DB
	stmts *stmtCache
	// writing makes this Store's item writers queue in Go, a slot of one
	// taken with the write's context: waiting on SQLite's lock instead,
	// each retries on busy_timeout's sleeps of milliseconds, and a refresh
	// of 16 concurrent 304s spent most of its time asleep. Other processes
	// still meet at SQLite's lock.
	writing chan struct{}
	// writeConn is the connection item writes run on, opened by the first
	// and held while the slot is: its page cache (writeCache) outlives a
	// transaction. The pool's connections, which a pass's reads share,
	// keep small caches.
	writeConn *sql.Conn
	path      string
	readOnly  bool // OpenReadOnly: FirstRun records nothing
}

// Open opens the store at path, creating the file and its parent folder when
// missing and bringing an older schema up to date. A database written by a
// newer feedloom is refused with an error wrapping store.ErrSchemaTooNew.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxIdleConns(poolConns)
	db.SetConnMaxIdleTime(time.Minute)
	s := &Store{db: db, stmts: newStmtCache(db), path: path, writing: make(chan struct{}, 1)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens the store at path for reading only: nothing is
// created, migrated or written (SQLite refuses every write on the
// connection), and FirstRun returns the recorded date without recording
// one. A missing file, or a schema older than this binary's, is
// store.ErrNoStore; a newer one store.ErrSchemaTooNew.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w (%w)", path, store.ErrNoStore, err)
	}
	name := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	params := "?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"
	// A reader of a WAL database creates its -wal and -shm files unless they
	// exist. With no -wal no writer is at work (the last one to close
	// removes it), so the file is read as immutable: no lock, no side file.
	// With one, the reader joins the writers' shared memory, which is there.
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		params += "&immutable=1"
	}
	db, err := sql.Open("sqlite", "file:"+name+params)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: read schema version: %w", path, err)
	}
	err = tooNew(version)
	if err == nil && version < schemaVersion {
		err = fmt.Errorf("schema version %d: %w", version, store.ErrNoStore)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxIdleConns(poolConns)
	db.SetConnMaxIdleTime(time.Minute)
	return &Store{db: db, stmts: newStmtCache(db), path: path, readOnly: true, writing: make(chan struct{}, 1)}, nil
}

// dsn sets the pragmas on every connection of the pool: a one-off PRAGMA
// would configure only one of them. busy_timeout with immediate transactions
// makes a second writer wait for the first instead of failing with
// SQLITE_BUSY.
func dsn(path string) string {
	// The name is a URI: %, ? and # would end or alter the path.
	name := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + name +
		"?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		// Each of the pool's connections keeps its own page cache; the
		// operating system's caches the file for all of them. 512 KiB
		// each rather than 2 MiB: a pass runs 16 at once, and a cold
		// build of 10,000 feeds peaked 13 MiB lower (of 145), no slower.
		"&_pragma=cache_size(-512)" +
		"&_txlock=immediate"
}

// migrate brings the schema to schemaVersion in one transaction. The version
// is read inside it, so two processes opening a fresh file at once apply the
// schema only once.
func (s *Store) migrate(ctx context.Context) error {
	// steps[v] takes a database from version v to v+1.
	steps := [schemaVersion]string{schemaSQL, schema2SQL, schema3SQL, schema4SQL, schema5SQL, schema6SQL}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := tooNew(version); err != nil || version == schemaVersion {
		return err
	}
	for v := version; v < schemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	// PRAGMA takes no parameters; schemaVersion is a constant.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	return tx.Commit()
}

// Close closes the database; a Store must not be used after it.
func (s *Store) Close() error {
	// A write under way ends first. The slot is kept until the database
	// is closed, so a write waiting for it then fails rather than open
	// another connection.
	s.writing <- struct{}{}
	defer func() { <-s.writing }()
	s.dropWriter()
	s.stmts.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// nullTime stores the zero time as NULL and any other as unix seconds.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// scanUnix returns the sql.Scanner that reads a column of unix seconds into
// *t, in UTC; NULL, which nullTime writes for the zero time, reads as the
// zero time.
func scanUnix(t *time.Time) any { return unixScanner{t} }

type unixScanner struct{ t *time.Time }

func (u unixScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*u.t = time.Time{}
	case int64:
		*u.t = time.Unix(v, 0).UTC()
	default:
		return fmt.Errorf("unix time: got %T, want an integer", src)
	}
	return nil
}

// tooNew refuses a schema written by a newer feedloom.
func tooNew(version int) error {
	if version > schemaVersion {
		return fmt.Errorf("schema version %d, this binary knows up to %d: %w", version, schemaVersion, store.ErrSchemaTooNew)
	}
	return nil
}

// writeCache is the page cache of the write connection, in KiB. The
// index pages a write seeks in stay cached from one transaction to the
// next: cold groups of 32 sources of 20 new items each took 12-17 % less
// time with 8 MiB than with the pool's 512 KiB; 16 and 32 MiB took no
// less than 8 (BenchmarkApplyGroupCold).
const writeCache = 8 << 10

// writer returns the write connection, opening it if need be. The caller
// holds the write slot.
func (s *Store) writer(ctx context.Context) (*sql.Conn, error) {
	if s.writeConn != nil {
		return s.writeConn, nil
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// PRAGMA takes no parameters; writeCache is a constant.
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", writeCache)); err != nil {
		c.Close()
		return nil, err
	}
	s.writeConn = c
	return c, nil
}

// dropWriter discards the write connection (one that failed to begin a
// transaction, or at Close) rather than give it back to the pool with its
// cache; the next write opens another. The caller holds the write slot.
func (s *Store) dropWriter() {
	if s.writeConn != nil {
		// Raw discards a connection whose function returns ErrBadConn.
		s.writeConn.Raw(func(any) error { return driver.ErrBadConn })
		s.writeConn.Close()
		s.writeConn = nil
	}
}

// write takes the Store's write slot, or gives up when ctx ends first;
// release gives it back.
func (s *Store) write(ctx context.Context) (release func(), err error) {
	select {
	case s.writing <- struct{}{}:
		return func() { <-s.writing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
