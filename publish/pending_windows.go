//go:build windows

package publish

import (
	"os"
	"path/filepath"
)

// winPending is a temporary file named as renameio names them on Unix
// ("." + the target's name + digits), so that the sweep of leftovers
// knows it.
type winPending struct {
	*os.File
	path     string
	replaced bool
}

func newPending(path, dir string) (pending, error) {
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"*")
	if err != nil {
		return nil, err
	}
	return &winPending{File: f, path: path}, nil
}

// CloseAtomicallyReplace syncs and closes the file, then renames it over
// the target (MoveFileEx with MOVEFILE_REPLACE_EXISTING).
func (p *winPending) CloseAtomicallyReplace() error {
	if err := p.Sync(); err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	if err := os.Rename(p.Name(), p.path); err != nil {
		return err
	}
	p.replaced = true
	return nil
}

func (p *winPending) Cleanup() error {
	if p.replaced {
		return nil
	}
	p.Close()
	return os.Remove(p.Name())
}
