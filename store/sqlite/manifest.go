package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/feedloom/feedloom/store"
)

const selectManifest = `SELECT version, fingerprint, files FROM publish_manifests WHERE key = ?`

// Manifest returns the manifest saved under key; false when none was.
func (s *Store) Manifest(ctx context.Context, key string) (store.Manifest, bool, error) {
	var m store.Manifest
	var files string
	err := s.queryRow(ctx, selectManifest, key).Scan(&m.Version, &m.Fingerprint, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Manifest{}, false, nil
	}
	if err == nil {
		m.Files, err = store.DecodeFiles(files)
	}
	if err != nil {
		return store.Manifest{}, false, fmt.Errorf("sqlite: manifest %q: %w", key, err)
	}
	return m, true, nil
}

const upsertManifest = `INSERT INTO publish_manifests (key, version, fingerprint, files) VALUES (?, ?, ?, ?)
	ON CONFLICT (key) DO UPDATE SET version = excluded.version, fingerprint = excluded.fingerprint,
	files = excluded.files`

// SaveManifest replaces the manifest under key.
func (s *Store) SaveManifest(ctx context.Context, key string, m store.Manifest) error {
	files, err := store.EncodeFiles(m.Files)
	if err == nil {
		_, err = s.db.ExecContext(ctx, upsertManifest, key, m.Version, m.Fingerprint, files)
	}
	if err != nil {
		return fmt.Errorf("sqlite: save manifest %q: %w", key, err)
	}
	return nil
}
