package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/feedloom/feedloom/feeds"
)

// errNotFolder means a path where publish needs a folder holds something else.
var errNotFolder = errors.New("not a folder")

// Check reports whether Publish can write the output: Dir and every folder
// it writes into (one per language, and stories/) must each be a writable
// folder, or not exist yet below one. It writes nothing, so a caller can run
// it before a refresh changes the store, and Publish runs it before its
// first write, so that a blocked folder stops a publish before any file
// changes. Permission bits do not stop root; a read-only file system or a
// file in a folder's place does.
func (p *Publisher) Check() error {
	dirs := []string{p.opts.Dir, filepath.Join(p.opts.Dir, storiesDir)}
	sets := []string{p.opts.Dir}
	for _, l := range p.opts.Languages {
		sets = append(sets, filepath.Join(p.opts.Dir, feeds.LangFolder(l.Tag)))
	}
	for i, s := range sets {
		if i > 0 {
			dirs = append(dirs, s)
		}
		dirs = append(dirs, filepath.Join(s, pageDir))
	}
	// The documents cut from the store are written first, in every feed
	// set's folder (the category channels' once their slugs are known).
	for _, c := range p.opts.Channels {
		sets = append(sets, filepath.Join(p.opts.Dir, channelsDir, c.Name))
	}
	for _, cc := range p.categories {
		sets = append(sets, filepath.Join(p.opts.Dir, filepath.FromSlash(cc.dir)))
	}
	for _, s := range sets {
		for _, fm := range p.formats {
			dirs = append(dirs, filepath.Join(s, archiveDir, fm.archive))
		}
	}
	for _, d := range dirs {
		if err := checkFolder(filepath.Clean(d)); err != nil {
			return fmt.Errorf("publish: output folder %s: %w", d, err)
		}
	}
	return nil
}

// checkFolder checks dir, or when it does not exist the nearest folder
// above it that does, since that is where MkdirAll will create it.
func checkFolder(dir string) error {
	at := dir
	for {
		fi, err := os.Stat(at)
		switch {
		case err == nil && !fi.IsDir():
			err = errNotFolder
		case err == nil:
			err = writable(at)
		case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && filepath.Dir(at) != at:
			// ENOTDIR: a file above it, which the next round names.
			at = filepath.Dir(at)
			continue
		}
		if err != nil && at != dir {
			err = fmt.Errorf("above it, %s: %w", at, err)
		}
		return err
	}
}
