package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLockExcludesASecondRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	first, err := AcquireLock(ctx, dir, 0)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	if _, err := AcquireLock(ctx, dir, 120*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock while held: err = %v, want ErrLocked", err)
	}

	// A waiting run gets the lock as soon as the holder lets go.
	got := make(chan error, 1)
	go func() {
		l, err := AcquireLock(ctx, dir, 10*time.Second)
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	if err := first.Release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting run: %v", err)
	}
}

func TestLockWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	held, err := AcquireLock(context.Background(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := AcquireLock(ctx, dir, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
