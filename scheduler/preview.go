package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Previewed is what a refresh of one source would store.
type Previewed struct {
	Items  []feeds.Item  // normalized, in source order
	Report SourceReport  // the fetch's outcome, as a pass reports it
	State  sources.State // what the source answered: validators, URL, next due
	// Listed is what a list source (kind opml) names: the feeds a refresh
	// would make sources of. Their names are what a new feed would get;
	// the store keeps the name a feed was first given.
	Listed []sources.Listed
}

// Preview fetches job once, whatever its stored state (no validators are
// sent, no backoff holds it), and normalizes its stories on the path a
// refresh takes: ids use r's recorded first-run date (today in the site's
// zone when r is nil or has none yet) and the items r holds for the source
// keep their dates. It writes nothing: r may be a store opened read-only,
// or nil for one that does not exist yet.
func Preview(ctx context.Context, r store.Store, det *normalize.Detector, job Job, opts Options, log *slog.Logger) (Previewed, error) {
	opts.Force = true
	opts.Cluster = nil
	s := New(previewStore{r}, nil, det, []Job{job}, opts, log)
	now := s.opts.Now().Truncate(time.Second)
	norm, err := s.normalizer(ctx, now)
	if err != nil {
		return Previewed{}, err
	}
	f := s.fetch(ctx, norm, job, now)
	if f.err != nil {
		return Previewed{}, f.err
	}
	return Previewed{Items: f.items, Report: f.report, State: f.res.State, Listed: f.res.Listed}, nil
}

// errPreview is what a preview's store answers to a write: none is made.
var errPreview = errors.New("scheduler: a preview writes nothing")

// previewStore is the store a preview reads through: the source's stored
// items and the recorded first-run date of r, a fresh state, and no
// writes. A nil r holds nothing.
type previewStore struct{ r store.Store }

func (p previewStore) State(context.Context, string) (sources.State, error) {
	return sources.State{}, nil
}

func (p previewStore) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	if p.r == nil {
		return nil, nil
	}
	return p.r.Items(ctx, q)
}

func (p previewStore) FirstRun(ctx context.Context, day string) (string, error) {
	if p.r == nil {
		return day, nil
	}
	return p.r.FirstRun(ctx, day)
}

func (p previewStore) Apply(context.Context, string, store.Batch) (store.Applied, error) {
	return store.Applied{}, errPreview
}

func (p previewStore) Release(context.Context, time.Time) (int, error) { return 0, errPreview }
func (p previewStore) Newest(context.Context) (time.Time, error)       { return time.Time{}, nil }
func (p previewStore) Version(context.Context) (int64, error)          { return 0, nil }
func (p previewStore) Close() error                                    { return nil }

// A preview publishes nothing, so it keeps no manifest.
func (p previewStore) Manifest(context.Context, string) (store.Manifest, bool, error) {
	return store.Manifest{}, false, nil
}
func (p previewStore) SaveManifest(context.Context, string, store.Manifest) error { return errPreview }
func (p previewStore) Value(context.Context, string) (string, bool, error)        { return "", false, nil }
func (p previewStore) SwapValue(context.Context, string, string, string) (bool, error) {
	return false, errPreview
}

func (p previewStore) Subscriptions(ctx context.Context) ([]sources.Subscription, error) {
	if p.r == nil {
		return nil, nil
	}
	return p.r.Subscriptions(ctx)
}

// A preview reads every file and normalizes every story: it gives no
// fingerprints and no story hashes, so nothing is skipped.
func (p previewStore) Files(context.Context, string) ([]store.FileStamp, error) { return nil, nil }
func (p previewStore) StoryHashes(context.Context, string) (map[string]string, error) {
	return nil, nil
}
