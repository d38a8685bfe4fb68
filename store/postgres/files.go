package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

const selectFiles = `SELECT path, size, mtime, hash, rules FROM source_files WHERE source = $1 ORDER BY path COLLATE "C"`

// Files returns source's story file fingerprints, sorted by path in byte
// order.
func (s *Store) Files(ctx context.Context, source string) ([]store.FileStamp, error) {
	var files []store.FileStamp
	var f store.FileStamp
	var mtime int64
	rows, _ := s.pool.Query(ctx, selectFiles, source) // ForEachRow reports its error
	_, err := pgx.ForEachRow(rows, []any{&f.Path, &f.Size, &mtime, &f.Hash, &f.Rules}, func() error {
		f.ModTime = store.FromNanos(mtime)
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: files %q: %w", source, err)
	}
	return files, nil
}

// saveFile replaces the fingerprint of one path.
const saveFile = `INSERT INTO source_files (source, path, size, mtime, hash, rules)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,
	hash = excluded.hash, rules = excluded.rules`

// fileArgs are saveFile's arguments.
func fileArgs(source string, f store.FileStamp) []any {
	return []any{source, f.Path, f.Size, store.Nanos(f.ModTime), f.Hash, f.Rules}
}

// SaveFiles saves the fingerprints in one pipelined batch.
func (b batchTx) SaveFiles(ctx context.Context, source string, files []store.FileStamp) error {
	var batch pgx.Batch
	for _, f := range files {
		batch.Queue(saveFile, fileArgs(source, f)...)
	}
	br := b.tx.SendBatch(ctx, &batch)
	defer br.Close()
	for _, f := range files {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("file %q: %w", f.Path, err)
		}
	}
	return br.Close()
}

const deleteFiles = `DELETE FROM source_files WHERE source = $1 AND path = ANY($2)`

func (b batchTx) RemoveFiles(ctx context.Context, source string, paths []string) error {
	_, err := b.tx.Exec(ctx, deleteFiles, source, paths)
	return err
}
