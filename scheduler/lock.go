package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked means another feedloom process held the data directory's lock
// for longer than the caller was willing to wait.
var ErrLocked = errors.New("scheduler: another feedloom run holds the lock")

// Lock is an exclusive OS file lock in the data directory. The kernel drops
// it when the process dies, so a crashed run never leaves a stale lock.
type Lock struct{ f *os.File }

// lockPoll is how often a waiting run retries; flock has no timed wait.
const lockPoll = 50 * time.Millisecond

// AcquireLock takes the lock file feedloom.lock in dir, waiting up to wait
// (0 means try once). The wait ends early when ctx is cancelled.
func AcquireLock(ctx context.Context, dir string, wait time.Duration) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scheduler: lock: %w", err)
	}
	path := filepath.Join(dir, "feedloom.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("scheduler: lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		busy, err := tryLock(f)
		if err == nil {
			return &Lock{f: f}, nil
		}
		if !busy {
			f.Close()
			return nil, fmt.Errorf("scheduler: lock %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w (%s, waited %s)", ErrLocked, path, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("scheduler: lock %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// Release gives the lock back.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
