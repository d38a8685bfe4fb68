package publish

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// writeIfChanged replaces the file at path with data, atomically, unless it
// already holds exactly those bytes; an unchanged file keeps its mtime, so
// ETags and Last-Modified stay put. The temporary file is created in the
// target's own folder (a rename across file systems would not be atomic,
// and renameio would otherwise probe os.TempDir on every call). Missing
// folders are created 0755 (less the umask); new files are 0644 whatever the
// umask, as a web server must read them; existing ones keep their mode. It is the only function that writes under the output folder.
func writeIfChanged(path string, data []byte) (changed bool, err error) {
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		return false, nil
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
	return true, nil
}

// removeFile deletes a file that no longer belongs in the output; one that
// is already gone is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
