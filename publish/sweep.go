package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"time"
)

// staleTempAge is how old a temporary file must be before a publish takes
// it for a leftover: far beyond any write, so another process's write in
// progress (a cron build beside serve) is never touched.
const staleTempAge = time.Hour

// tempName matches the temporary files writeIfChanged leaves behind when
// the process dies between creating and renaming one: renameio names them
// "." + the target's name + a random decimal number, and every file
// feedloom writes ends in one of these extensions. Nothing else matches, so
// a dotfile an operator put in the folder is left alone.
var tempName = regexp.MustCompile(`^\.[^/]+\.(?:xml|json|html|opml|xsl)[0-9]+$`)

// sweepTemps removes leftover temporary files older than staleTempAge
// anywhere under the output folder, and returns their paths relative to
// it. A process that is killed mid-write (SIGKILL, power loss) cannot clean
// up after itself, so the next process does, once: within one process every
// failed write removes its own temporary file. Folders in skip (relative,
// slash-separated) are not looked into.
func (p *Publisher) sweepTemps(now time.Time, skip map[string]bool) ([]string, error) {
	// WalkDir does not follow a symlinked root, and an output folder that
	// is a link to the web server's folder is a common layout.
	root, err := filepath.EvalSymlinks(p.opts.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: remove leftover temporary files: %w", err)
	}
	var removed []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() && len(skip) > 0 {
			if rel, err := filepath.Rel(root, path); err == nil && skip[filepath.ToSlash(rel)] {
				return fs.SkipDir
			}
		}
		if !d.Type().IsRegular() || !tempName.MatchString(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if now.Sub(info.ModTime()) < staleTempAge {
			return nil
		}
		if err := removeFile(path); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		removed = append(removed, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("publish: remove leftover temporary files: %w", err)
	}
	if len(removed) > 0 {
		p.log.Info("removed leftover temporary files", "dir", p.opts.Dir, "count", len(removed))
	}
	return removed, nil
}

// sweepOnce runs sweepTemps at the first publish of this Publisher,
// skipping the folders in skip. A failure is logged, not returned:
// leftovers waste space but never stop a publish.
func (p *Publisher) sweepOnce(skip map[string]bool) {
	if !p.swept.CompareAndSwap(false, true) {
		return
	}
	if _, err := p.sweepTemps(p.now(), skip); err != nil {
		p.log.Warn("leftover temporary files not removed", "err", err)
	}
}

// now is the publisher's clock.
func (p *Publisher) now() time.Time {
	if p.opts.Now != nil {
		return p.opts.Now()
	}
	return time.Now()
}
