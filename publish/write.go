package publish

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2"
)

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
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return false, stamp(path, mod)
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
	return true, stamp(path, mod)
}

// stamp sets path's mtime to mod unless mod is zero or already set.
func stamp(path string, mod time.Time) error {
	if mod.IsZero() {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.ModTime().Equal(mod) {
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
