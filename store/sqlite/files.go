package sqlite

import (
	"context"
	"fmt"

	"github.com/feedloom/feedloom/store"
)

const selectFiles = `SELECT path, size, mtime, hash, rules FROM source_files WHERE source = ? ORDER BY path`

// Files returns source's story file fingerprints, sorted by path.
func (s *Store) Files(ctx context.Context, source string) ([]store.FileStamp, error) {
	files, err := s.files(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("sqlite: files %q: %w", source, err)
	}
	return files, nil
}

func (s *Store) files(ctx context.Context, source string) ([]store.FileStamp, error) {
	rows, err := s.query(ctx, selectFiles, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var files []store.FileStamp
	for rows.Next() {
		var f store.FileStamp
		var mtime int64
		if err := rows.Scan(&f.Path, &f.Size, &mtime, &f.Hash, &f.Rules); err != nil {
			return nil, err
		}
		f.ModTime = store.FromNanos(mtime)
		files = append(files, f)
	}
	return files, rows.Err()
}

// saveFile replaces the fingerprint of one path.
const saveFile = `INSERT OR REPLACE INTO source_files (source, path, size, mtime, hash, rules)
VALUES (?, ?, ?, ?, ?, ?)`

func (b batchTx) SaveFiles(ctx context.Context, source string, files []store.FileStamp) error {
	stmt, err := b.stmt(ctx, saveFile)
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, err := stmt.ExecContext(ctx, source, f.Path, f.Size, store.Nanos(f.ModTime), f.Hash, f.Rules); err != nil {
			return fmt.Errorf("file %q: %w", f.Path, err)
		}
	}
	return nil
}

const deleteFile = `DELETE FROM source_files WHERE source = ? AND path = ?`

func (b batchTx) RemoveFiles(ctx context.Context, source string, paths []string) error {
	stmt, err := b.stmt(ctx, deleteFile)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if _, err := stmt.ExecContext(ctx, source, p); err != nil {
			return fmt.Errorf("file %q: %w", p, err)
		}
	}
	return nil
}
