package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store"
)

// failingStore fails every Apply of one source.
type failingStore struct {
	store.Store
	source string
}

func (f failingStore) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	if source == f.source {
		return store.Applied{}, errors.New("disk full")
	}
	return f.Store.Apply(ctx, source, b)
}

// slowSource answers after its context ends, or after a long time.
type slowSource struct {
	name    string
	started *atomic.Int32
}

func (s slowSource) Name() string { return s.name }

func (s slowSource) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	s.started.Add(1)
	select {
	case <-ctx.Done():
		return sources.Result{}, ctx.Err()
	case <-time.After(time.Minute):
		return sources.Result{}, nil
	}
}

// TestRunOnceStoreFailure: a store failure stops the pass with ErrStore,
// publishes nothing, and leaves no fetch running behind it.
func TestRunOnceStoreFailure(t *testing.T) {
	s := newSite(t)
	s.write("a.md", goodStory)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	var started atomic.Int32
	jobs := []Job{{Source: files.New("newsroom", s.stories, files.Options{Zone: hk}), Norm: normalize.Source{Name: "newsroom", Language: "en"}}}
	for i := range 40 {
		name := fmt.Sprintf("slow-%02d", i)
		jobs = append(jobs, Job{Source: slowSource{name, &started}, Norm: normalize.Source{Name: name, Feed: true}})
	}
	published := false
	pub := publisherFunc(func(context.Context) (publish.Report, error) {
		published = true
		return publish.Report{}, nil
	})
	sched := New(failingStore{s.store, "newsroom"}, pub, nil, jobs, Options{
		Normalize:   normalize.Options{Host: "feeds.example.edu", Zone: hk},
		Now:         func() time.Time { return s.now },
		Concurrency: 4,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	_, err := sched.RunOnce(context.Background())
	if !errors.Is(err, ErrStore) {
		t.Fatalf("RunOnce err = %v, want ErrStore", err)
	}
	if published {
		t.Errorf("published after a store failure")
	}
	if n := started.Load(); n >= 40 {
		t.Errorf("%d slow sources were started after the failure, want the window to stop them", n)
	}
}

type publisherFunc func(context.Context) (publish.Report, error)

func (f publisherFunc) Publish(ctx context.Context) (publish.Report, error) { return f(ctx) }
