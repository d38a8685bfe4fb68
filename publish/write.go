package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/renameio/v2"
)

// storyWriters is how many story pages are written at once: each write
// mostly waits for its fsync, so they overlap well beyond the cores.
const storyWriters = 8

// writeFiles writes the files that changed, on up to workers goroutines;
// with one, in order. It returns the paths it changed. The first error
// stops it: no file is started after it, and files being written finish.
func (p *Publisher) writeFiles(ctx context.Context, files []file, workers int) ([]string, error) {
	var (
		mu      sync.Mutex
		changed []string
		failed  error
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	for range min(workers, len(files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				mu.Lock()
				stop := i >= len(files) || failed != nil
				mu.Unlock()
				if stop {
					return
				}
				ok, err := p.writeFile(ctx, files[i])
				mu.Lock()
				if ok {
					changed = append(changed, files[i].path)
				}
				if err != nil && failed == nil {
					failed = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return changed, failed
}

// writeFile writes f unless the output folder holds it already, and
// reports whether it did.
func (p *Publisher) writeFile(ctx context.Context, f file) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	full := filepath.Join(p.opts.Dir, filepath.FromSlash(f.path))
	changed, err := writeIfChanged(full, f.data, f.mod)
	if err != nil {
		return false, fmt.Errorf("publish: write %s: %w", full, err)
	}
	if changed {
		p.log.Debug("wrote file", "path", f.path)
	}
	return changed, nil
}

// writeIfChanged replaces the file at path with data, atomically, unless it
// already holds exactly those bytes; an unchanged file keeps its mtime, so
// ETags and Last-Modified stay put. The temporary file is created in the
// target's own folder (a rename across file systems would not be atomic,
// and renameio would otherwise probe os.TempDir on every call). Missing
// folders are created 0755 (less the umask); new files are 0644 whatever the
// umask, as a web server must read them; existing ones keep their mode. It is the only function that writes under the output folder.
//
// A non-zero mod becomes the file's mtime (the newest item it shows), set
// only when it differs, so an unchanged run touches nothing.
func writeIfChanged(path string, data []byte, mod time.Time) (changed bool, err error) {
	same, old, err := holds(path, data)
	switch {
	case err == nil && same:
		return false, stamp(path, old.ModTime(), mod)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	if err := renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(dir), renameio.WithStaticPermissions(0o644)); err != nil {
		return false, err
	}
	if mod.IsZero() {
		return true, nil
	}
	return true, os.Chtimes(path, mod, mod)
}

// compareChunk is how much of a file holds reads at a time.
const compareChunk = 256 << 10

// holds reports whether the file at path holds exactly data, and returns
// its FileInfo. A file of another size is not read at all, and one of the
// same size is compared a chunk at a time, so an unchanged feed of many
// megabytes is not copied into memory a second time.
func holds(path string, data []byte) (bool, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, nil, err
	}
	if !fi.Mode().IsRegular() {
		// A folder fails here with the error a read gives.
		old, err := io.ReadAll(f)
		return err == nil && bytes.Equal(old, data), fi, err
	}
	if fi.Size() != int64(len(data)) {
		return false, fi, nil
	}
	buf := make([]byte, min(len(data), compareChunk))
	for rest := data; len(rest) > 0; {
		n := min(len(rest), len(buf))
		if _, err := io.ReadFull(f, buf[:n]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return false, fi, nil // shrunk since the Stat
			}
			return false, fi, err
		}
		if !bytes.Equal(buf[:n], rest[:n]) {
			return false, fi, nil
		}
		rest = rest[n:]
	}
	return true, fi, nil
}

// stamp sets path's mtime, now old, to mod unless mod is zero or already
// set.
func stamp(path string, old, mod time.Time) error {
	if mod.IsZero() || old.Equal(mod) {
		return nil
	}
	return os.Chtimes(path, mod, mod)
}

// removeFile deletes a file that no longer belongs in the output; one that
// is already gone is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
