package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/feedloom/feedloom/publish"
)

// publishIfStale publishes unless the output already shows the store's
// current content: Options.Mark records the store version and the publish
// fingerprint the output was last written from. Output is a function of
// those two, so a pass that finds both unchanged (and the output in place)
// has nothing to write, and skips the rendering. Force always publishes.
func (s *Scheduler) publishIfStale(ctx context.Context) (pr publish.Report, skipped bool, err error) {
	want := ""
	if s.opts.Mark != "" {
		v, err := s.store.Version(ctx)
		if err != nil {
			return pr, false, fmt.Errorf("%w: %w", ErrStore, err)
		}
		want = fmt.Sprintf("%d %s\n", v, s.opts.Fingerprint)
		if !s.opts.Force && s.upToDate(want) {
			return pr, true, nil
		}
	}
	if pr, err = s.publish(ctx); err != nil {
		return pr, false, err
	}
	if want != "" {
		if err := writeMark(s.opts.Mark, want); err != nil {
			// Only the next pass's shortcut is lost; it will publish again.
			s.log.Warn("cannot record what was published", "mark", s.opts.Mark, "err", err)
		}
	}
	return pr, false, nil
}

// upToDate reports whether the mark says want and the output exists.
func (s *Scheduler) upToDate(want string) bool {
	b, err := os.ReadFile(s.opts.Mark)
	if err != nil || string(b) != want {
		return false
	}
	_, err = os.Stat(filepath.Join(s.opts.Output, "index.html"))
	return err == nil
}

// writeMark replaces the mark file atomically.
func writeMark(path, text string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
