package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/feedloom/feedloom/store"
)

// migrationFiles are the schema steps: migrations/NNNN_name.sql takes the
// database from version NNNN-1 to NNNN. Numbers start at 1 and have no gaps.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded steps in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var steps []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		steps = append(steps, migration{version: v, name: base, sql: string(body)})
	}
	// fs.Glob returns names sorted; zero-padded numbers sort as numbers.
	for i, m := range steps {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d next", m.name, i+1)
		}
	}
	return steps, nil
}

// latestVersion is the schema version this binary writes.
func latestVersion() (int, error) {
	steps, err := loadMigrations(migrationFiles)
	return len(steps), err
}

const (
	createSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (
	version    integer PRIMARY KEY,
	name       text        NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`
	selectSchemaVersion = `SELECT coalesce(max(version), 0) FROM schema_version`
	insertSchemaVersion = `INSERT INTO schema_version (version, name) VALUES ($1, $2)`
)

// migrate brings the schema up to date in one transaction that first takes
// migrateLock: a second node starting at the same moment waits, then finds
// the schema current and applies nothing. A failing step rolls back every
// step of this run.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	steps, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("lock schema: %w", err)
	}
	if _, err := tx.Exec(ctx, createSchemaVersion); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, selectSchemaVersion).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(steps) {
		return fmt.Errorf("schema version %d, this binary knows up to %d: %w",
			current, len(steps), store.ErrSchemaTooNew)
	}
	for _, m := range steps[current:] {
		if err := applyMigration(ctx, tx, m); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// checkSchema tells whether pool's database holds exactly the schema this
// binary writes, without changing it.
func checkSchema(ctx context.Context, pool *pgxpool.Pool) error {
	steps, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	var current int
	err = pool.QueryRow(ctx, `SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END`).Scan(&current)
	if err == nil && current == 1 {
		err = pool.QueryRow(ctx, selectSchemaVersion).Scan(&current)
	}
	switch {
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	case current > len(steps):
		return fmt.Errorf("schema version %d, this binary knows up to %d: %w", current, len(steps), store.ErrSchemaTooNew)
	case current < len(steps):
		return fmt.Errorf("schema version %d: %w", current, store.ErrNoStore)
	}
	return nil
}

// applyMigration runs one step and records it. Exec without arguments uses
// the simple protocol, which runs every statement of the file.
func applyMigration(ctx context.Context, tx pgx.Tx, m migration) error {
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate schema %d to %d (%s): %w", m.version-1, m.version, m.name, err)
	}
	if _, err := tx.Exec(ctx, insertSchemaVersion, m.version, m.name); err != nil {
		return fmt.Errorf("record schema version %d: %w", m.version, err)
	}
	return nil
}
