package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

const selectManifest = `SELECT version, fingerprint, files FROM publish_manifests WHERE key = $1`

// Manifest returns the manifest saved under key; false when none was.
func (s *Store) Manifest(ctx context.Context, key string) (store.Manifest, bool, error) {
	var m store.Manifest
	var files string
	err := s.pool.QueryRow(ctx, selectManifest, key).Scan(&m.Version, &m.Fingerprint, &files)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Manifest{}, false, nil
	}
	if err == nil {
		m.Files, err = store.DecodeFiles(files)
	}
	if err != nil {
		return store.Manifest{}, false, fmt.Errorf("postgres: manifest %q: %w", key, err)
	}
	return m, true, nil
}

const upsertManifest = `INSERT INTO publish_manifests (key, version, fingerprint, files) VALUES ($1, $2, $3, $4)
ON CONFLICT (key) DO UPDATE SET version = excluded.version, fingerprint = excluded.fingerprint,
	files = excluded.files`

// SaveManifest replaces the manifest under key.
func (s *Store) SaveManifest(ctx context.Context, key string, m store.Manifest) error {
	files, err := store.EncodeFiles(m.Files)
	if err == nil {
		_, err = s.pool.Exec(ctx, upsertManifest, key, m.Version, m.Fingerprint, files)
	}
	if err != nil {
		return fmt.Errorf("postgres: save manifest %q: %w", key, err)
	}
	return nil
}
