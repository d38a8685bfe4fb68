package main

import (
	"context"
	"path/filepath"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/postgres"
	"github.com/feedloom/feedloom/store/sqlite"
)

// clusterOptions makes a scheduler one node of the cluster when the store
// is PostgreSQL: it leases sources as cfg's node (a build as "<node>/build",
// so that it and a serve on the same machine never let go of each other's
// leases), and its feed fetches share per-host slots with the other nodes
// through gate (nil for SQLite).
func clusterOptions(st store.Store, cfg *config.Config, opts *scheduler.Options, build bool) (gate *postgres.HostGate) {
	pg, ok := st.(*postgres.Store)
	if !ok {
		return nil
	}
	opts.Cluster = &scheduler.ClusterOptions{Store: pg, Node: cfg.Store.Node, Lease: cfg.Store.Lease}
	if build {
		opts.Cluster.Node += "/build"
	}
	return pg.HostGate(cfg.Fetch.PerHost)
}

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
