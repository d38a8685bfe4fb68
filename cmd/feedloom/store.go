package main

import (
	"context"
	"path/filepath"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/postgres"
	"github.com/feedloom/feedloom/store/sqlite"
)

// openStore opens the configured store: SQLite in data_dir by default, or
// PostgreSQL at store.dsn (or FEEDLOOM_DSN). A store that cannot be opened,
// or whose schema is newer than this binary, is a config-level failure
// (exit 2).
func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if cfg.Store.Driver == "postgres" {
		return postgres.Open(ctx, cfg.Store.DSN)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "feedloom.db"))
}
