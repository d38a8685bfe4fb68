package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Job is one configured source and what normalize needs to know about it.
type Job struct {
	Source sources.Source
	Norm   normalize.Source
	// Schedule is the source's cron spec, for Run; RunOnce ignores it.
	Schedule string
	// Retention bounds how long an upstream feed's items outlive its window;
	// story folders ignore it (their items live as long as their file). A
	// list's is the retention of the feeds it retired.
	Retention Retention
	// Feeds, for a list source (kind opml), makes the job of a feed the
	// list names, with the list's defaults; nil for every other kind. The
	// list's Source answers with sources.Result.Listed. See list.go.
	Feeds func(sources.Subscription) Job
	// List is the list source that names this feed; empty for a
	// configured source. The scheduler sets it.
	List string
}

// Retention is a feed source's retention: zero fields mean no limit.
type Retention struct {
	MaxAge   time.Duration
	MaxItems int
}

// Publisher writes the output from the store.
type Publisher interface {
	Publish(ctx context.Context) (publish.Report, error)
}

// Options configure a Scheduler. Normalize.FirstRun is filled from the store.
type Options struct {
	Normalize normalize.Options
	Now       func() time.Time // nil means time.Now
	// Concurrency is how many sources are fetched at once; 0 means 16. The
	// fetcher's own limiter bounds requests per host.
	Concurrency int
	// Force fetches sources inside their backoff or cache window.
	Force bool
	// Jitter delays each source's schedule by a stable share of its
	// interval, up to this fraction (Run only).
	Jitter float64
	// Debounce is the quiet time after a change before Run publishes; 0
	// means 2s.
	Debounce time.Duration
	// Lock, when set, is taken around every store write and publish of Run
	// (RunOnce's caller holds it for the whole pass); a cluster node's store
	// writes go without it (see writeLock).
	Lock func(ctx context.Context) (unlock func(), err error)
	// ReleaseEvery is how often Run lifts embargoes that came due; 0 means
	// 20s, so an embargo ends within a minute of its time.
	ReleaseEvery time.Duration
	// Metrics, when set, counts fetches and publishes.
	Metrics *Metrics
	// Hub and BaseURL: after a publish that changed a feed, the hub is
	// pinged with the feed's URL (WebSub). Empty Hub pings nothing.
	Hub     string
	BaseURL string
	Client  *http.Client // for hub pings; nil means a 30s-timeout client
	// Cluster, when set, makes this scheduler one node of several sharing
	// the store; nil is a process on its own.
	Cluster *ClusterOptions
	// Progress, when set, follows RunOnce as it goes (a build's line on a
	// terminal); nil is told nothing.
	Progress Progress
	// GroupWait is how long RunOnce lets a group of sources that write
	// their states alone (304s) wait to fill before it writes it; 0 means
	// 50ms. A group that writes items is written as soon as the next
	// source is not fetched yet.
	GroupWait time.Duration
}

// Progress follows a RunOnce pass for a display. Planned comes before each
// group of sources is refreshed, with how many it holds (the list sources
// first, then every other source and the feeds the lists name, whose
// number is known only then); Stored comes after each source is stored,
// in config order. Both are called from RunOnce's goroutine.
type Progress interface {
	Planned(sources int)
	Stored(SourceReport)
}

// Scheduler runs refresh-and-publish passes over its jobs.
type Scheduler struct {
	store store.Store
	pub   Publisher
	det   *normalize.Detector
	jobs  []Job
	opts  Options
	log   *slog.Logger
	coord coordinator

	loop  atomic.Pointer[loop]    // Run's, read by Sources, Trigger, Add and Retire
	group atomic.Pointer[grouper] // a cluster node's Run writes its refreshes through it
	pings sync.WaitGroup          // hub pings waiting for their delay

	contradicted counts // per source, for /status: see normalize.Options.Contradicted

	listed   listing  // the store's subscriptions: the feeds of list sources
	reserved []string // the configured sources' names, which no listed feed may take
}

// New returns a Scheduler for jobs, in config order.
func New(st store.Store, pub Publisher, det *normalize.Detector, jobs []Job, opts Options, log *slog.Logger) *Scheduler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.ReleaseEvery <= 0 {
		opts.ReleaseEvery = 20 * time.Second
	}
	if opts.Debounce <= 0 {
		opts.Debounce = 2 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	reserved := make([]string, len(jobs))
	for i, job := range jobs {
		reserved[i] = job.Source.Name()
	}
	return &Scheduler{store: st, pub: pub, det: det, jobs: jobs, opts: opts, log: log,
		coord: newCoordinator(st, opts, log), reserved: reserved}
}

// Report is what one pass did.
type Report struct {
	Sources   []SourceReport
	Released  int      // embargoed items that came due
	Published []string // output files that changed, relative to the output folder
}

// SourceReport is one source's part of a pass.
type SourceReport struct {
	Name        string
	Err         error     // the source failed as a whole; its stored items stay
	Problems    []error   // files or stories that were skipped
	Skipped     time.Time // not fetched: inside its window until then (zero when fetched)
	Failing     bool      // skipped while backing off from failures: still counts as failed
	Held        bool      // not fetched: another node of the cluster is refreshing it
	NotModified bool
	Stories     int
	Changed     int
	Removed     int
	// Read counts the story files a files source read and parsed: those
	// whose fingerprint did not hold. Zero for other kinds.
	Read int
	// Kept counts the stories of an upstream feed that came again as their
	// stored item was made from them, under the same rules and settings:
	// not normalized nor written again, still in the window (Stories
	// counts them too).
	Kept int
}

// Failed reports whether any source or story file failed; the pass still
// published what it could.
func (r Report) Failed() bool {
	for _, s := range r.Sources {
		if s.Failed() {
			return true
		}
	}
	return false
}

// Failed reports whether the source failed, some of its story files did,
// or it was skipped while backing off from failures.
func (sr SourceReport) Failed() bool {
	return sr.Err != nil || len(sr.Problems) > 0 || sr.Failing
}

// ErrStore marks a pass that stopped because the store failed.
var ErrStore = errors.New("scheduler: store failed")

// RunOnce refreshes every source once and publishes. List sources (kind
// opml) are refreshed first; then every other source, and every feed the
// lists name as the store knows them after that, are fetched and
// normalized concurrently and written to the store one by one in config
// order (a list's feeds where the list is), so the first configured source
// keeps a story two of them carry.
// Each is fetched with the coordinator's leave: one another process is
// refreshing is reported Held. Source and story-file failures are in the
// Report; a returned error means nothing was published (the store failed,
// or the output could not be written).
func (s *Scheduler) RunOnce(ctx context.Context) (Report, error) {
	var rep Report
	now := s.opts.Now().Truncate(time.Second)
	norm, err := s.normalizer(ctx, now)
	if err != nil {
		return rep, err
	}
	if rep.Released, err = s.store.Release(ctx, now); err != nil {
		return rep, fmt.Errorf("%w: %w", ErrStore, err)
	}
	if rep.Released > 0 {
		s.log.Info("embargo lifted", "items", rep.Released)
	}
	if err := s.listed.load(ctx, s.store); err != nil {
		return rep, err
	}
	var lists []Job
	for _, job := range s.jobs {
		if job.Feeds != nil {
			lists = append(lists, job)
		}
	}
	if err := s.runPass(ctx, norm, now, lists, &rep); err != nil {
		return rep, err
	}
	// The lists' feeds may be 100,000 jobs: filtered in place, and the
	// reports given their room at once.
	feeds := s.expand(s.jobs)
	feeds = slices.DeleteFunc(feeds, func(j Job) bool { return j.Feeds != nil })
	rep.Sources = slices.Grow(rep.Sources, len(feeds))
	if err := s.runPass(ctx, norm, now, feeds, &rep); err != nil {
		return rep, err
	}
	pr, err := s.publish(store.WithPurpose(ctx, store.PurposePublish))
	if err != nil {
		return rep, err
	}
	rep.Published = pr.Changed
	return rep, nil
}

// runPass fetches jobs concurrently and stores them in order, adding each
// one's report to rep; an error is a store failure that ends the pass.
func (s *Scheduler) runPass(ctx context.Context, norm *normalize.Normalizer, now time.Time, jobs []Job, rep *Report) error {
	if len(jobs) == 0 {
		return nil
	}
	if s.opts.Progress != nil {
		s.opts.Progress.Planned(len(jobs))
	}
	p := s.startPass(ctx, norm, now, jobs)
	defer p.close()
	var (
		group []pending
		light bool      // the group writes no more than states (304s)
		since time.Time // when the group's first source was staged
		wait  = s.opts.GroupWait
		timer = time.NewTimer(time.Hour)
	)
	timer.Stop()
	defer timer.Stop()
	if wait <= 0 {
		wait = 50 * time.Millisecond
	}
	flush := func() error {
		err := s.storeGroup(ctx, p, group, now, rep)
		clear(group) // drop the stored sources' stories
		group = group[:0]
		return err
	}
	for i, job := range jobs {
		var r passed
		select {
		case r = <-p.slot(i):
		default:
			if len(group) == 0 {
				r = <-p.slot(i)
				break
			}
			// A light group waits for the next source until wait has
			// passed since it began (see below).
			timer.Reset(wait - time.Since(since))
			select {
			case r = <-p.slot(i):
				timer.Stop()
			case <-timer.C:
				if err := flush(); err != nil {
					return err
				}
				r = <-p.slot(i)
			}
		}
		st, err := s.stage(job, r.f, now, r.lease)
		if len(group) == 0 {
			light, since = true, time.Now()
		}
		group = append(group, pending{i: i, r: r, st: st, err: err})
		light = light && err == nil && (!st.write || stateOnly(&st.b))
		// A group is written when full, after a list, whose feeds are
		// tended once it is stored, and when the next source is not
		// fetched yet: at once if the group writes items, so that they
		// are stored as they come; after up to wait if it writes states
		// alone, so that a pass of 304s is written in full groups, not a
		// commit at every pause. Each source of the group holds its place
		// in the window until written: a group waits only while it holds
		// less than half the window, so that the fetches go on while it is
		// written (at a few fetches at once the window is smaller than a
		// full group).
		more := i+1 < len(jobs) && len(p.slot(i+1)) > 0
		waits := light && i+1 < len(jobs) && len(group) < cap(p.window)/2 && time.Since(since) < wait
		if (more || waits) && err == nil && job.Feeds == nil && len(group) < groupMax {
			continue
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// stateOnly reports whether b writes nothing but its State, as the batch
// of a 304 does.
func stateOnly(b *store.Batch) bool {
	return len(b.Items) == 0 && len(b.Remove) == 0 && b.Retain == nil && b.List == nil &&
		len(b.Files) == 0 && len(b.Unfile) == 0
}

// groupMax bounds the sources written in one transaction: enough to spread
// a commit over a pass of 304s, few enough to hold at most half the
// window of a pass at the default 16 fetches at once.
const groupMax = 32

// groupApplier is a store that writes several sources' batches in one
// transaction (store/sqlite); other stores write each on its own.
type groupApplier interface {
	ApplyGroup(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error)
}

// pending is a fetched source of a pass, staged, awaiting its group.
type pending struct {
	i   int // its job's index
	r   passed
	st  *staged
	err error // stage's
}

// storeGroup writes a group of consecutive sources of a pass, in one
// transaction where the store can, and reports each as store1 would.
func (s *Scheduler) storeGroup(ctx context.Context, p *pass, group []pending, now time.Time, rep *Report) error {
	var batches []store.SourceBatch
	for _, g := range group {
		if g.err == nil && g.st.write {
			batches = append(batches, store.SourceBatch{Source: g.st.sr.Name, Batch: g.st.b})
		}
	}
	ga, grouped := s.store.(groupApplier)
	grouped = grouped && len(batches) > 1
	var done []store.Applied
	if grouped {
		for _, g := range group {
			if g.err == nil && g.st.write {
				g.st.lease.letGo(true)
			}
		}
		var err error
		if done, err = ga.ApplyGroup(ctx, batches); err != nil {
			// Nothing of the group is stored: write it source by source,
			// as if never grouped, so the sources before the one that
			// fails are stored and the failure is that source's.
			grouped = false
			for _, g := range group {
				if g.err == nil && g.st.write {
					g.st.lease.letGo(false)
				}
			}
		}
	}
	k := 0
	for n, g := range group {
		sr, err := g.st.sr, g.err
		switch {
		case err != nil || !g.st.write:
		case grouped:
			sr, err = s.finish(ctx, g.st, done[k], nil, now)
			k++
		default:
			d, aerr := g.st.lease.writeLettingGo(func() (store.Applied, error) { return s.store.Apply(ctx, sr.Name, g.st.b) })
			sr, err = s.finish(ctx, g.st, d, aerr, now)
		}
		g.r.lease.release()
		p.stored(g.i)
		s.opts.Metrics.fetched(sr.Name, sr.result(), g.r.took)
		rep.Sources = append(rep.Sources, sr)
		if s.opts.Progress != nil {
			s.opts.Progress.Stored(sr)
		}
		if err != nil {
			for _, rest := range group[n+1:] {
				rest.r.lease.release()
			}
			return err
		}
	}
	return nil
}

// normalizer is the Normalizer of a pass or Run starting at now: ids use
// the store's first-run date, recorded now (in the site's zone) if none is.
func (s *Scheduler) normalizer(ctx context.Context, now time.Time) (*normalize.Normalizer, error) {
	nopts := s.opts.Normalize
	first, err := s.store.FirstRun(ctx, now.In(zoneOr(nopts.Zone)).Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	nopts.FirstRun = first
	nopts.Contradicted = s.contradicted.set
	return normalize.New(nopts, s.det), nil
}

// pass is RunOnce's fetching. Sources are handed over in config order as
// soon as each one and all before it are fetched, so the store's work
// overlaps the fetching, and each source's stories are dropped once
// stored. The window bounds how many fetched sources may wait for a slow
// one ahead of them, which bounds memory.
//
// Since at most the window's size of sources is fetched and not yet stored,
// their results share a ring of as many slots, source i taking slot
// i mod size: 100,000 sources need not a channel each.
type pass struct {
	results []chan passed // the ring: see slot
	window  chan struct{}
	stop    chan struct{}
	cancel  context.CancelFunc
	running sync.WaitGroup
	taken   int // sources stored: jobs[:taken]
}

// slot is where source i's result is handed over.
func (p *pass) slot(i int) chan passed { return p.results[i%len(p.results)] }

// passed is one source fetched for a pass, under its lease.
type passed struct {
	f     fetched
	lease lease
	took  time.Duration
}

func (s *Scheduler) startPass(ctx context.Context, norm *normalize.Normalizer, now time.Time, jobs []Job) *pass {
	size := 4 * s.opts.Concurrency
	p := &pass{
		results: make([]chan passed, size),
		window:  make(chan struct{}, size),
		stop:    make(chan struct{}),
	}
	for i := range p.results {
		p.results[i] = make(chan passed, 1)
	}
	fctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	reader := s.aheadReader()
	// Each chunk is read while the one before it is fetched, so that the
	// fetches never wait for a read.
	load := func(from int) chan map[string]*ahead {
		ch := make(chan map[string]*ahead, 1)
		p.running.Go(func() { ch <- readAhead(fctx, reader, jobs[from:min(from+aheadChunk, len(jobs))], now) })
		return ch
	}
	// One worker per fetch at once, not a goroutine per source: a worker's
	// stack, grown by its first fetch, serves the next ones (a pass of
	// 100,000 304s spent 3 % of its CPU growing new stacks).
	type task struct {
		i   int
		pre *ahead // nil: read by the fetch itself
	}
	tasks := make(chan task)
	for range min(s.opts.Concurrency, len(jobs)) {
		p.running.Go(func() {
			for t := range tasks {
				p.slot(t.i) <- s.fetchHeld(fctx, norm, jobs[t.i], now, t.pre)
			}
		})
	}
	p.running.Go(func() {
		defer close(tasks)
		var read map[string]*ahead
		var next chan map[string]*ahead
		if reader != nil {
			next = load(0)
		}
		for i, job := range jobs {
			select {
			case <-p.stop:
				return
			case p.window <- struct{}{}:
			}
			if reader != nil && i%aheadChunk == 0 {
				read = <-next
				if i+aheadChunk < len(jobs) {
					next = load(i + aheadChunk)
				}
			}
			select {
			case <-p.stop:
				return
			case tasks <- task{i, read[job.Source.Name()]}:
			}
		}
	})
	return p
}

// aheadChunk is how many sources' states a pass reads at once.
const aheadChunk = 256

// readerAhead is a store that reads many sources' states, and answers
// expiring for many, at once (store/sqlite): ask gives, from the state of
// names[i], the range expiring asks about (see expiryRange).
type readerAhead interface {
	StatesDated(ctx context.Context, names []string, ask func(i int, st sources.State) (store.Dated, bool)) (map[string]sources.State, map[string]bool, error)
}

// aheadReader is the store's readerAhead when a pass may read ahead: only
// a process on its own, since a node of a cluster must read a source's
// state after it holds the source, not before.
func (s *Scheduler) aheadReader() readerAhead {
	if _, ok := s.coord.(*local); !ok {
		return nil
	}
	r, _ := s.store.(readerAhead)
	return r
}

// readAhead reads the states of jobs' sources and answers expiring for
// them. On an error it returns nil, leaving each fetch to read its own (and
// report the error with its name).
func readAhead(ctx context.Context, r readerAhead, jobs []Job, now time.Time) map[string]*ahead {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = j.Source.Name()
	}
	states, dated, err := r.StatesDated(ctx, names, func(i int, st sources.State) (store.Dated, bool) {
		return expiryRange(jobs[i], st, now)
	})
	if err != nil {
		return nil
	}
	out := make(map[string]*ahead, len(jobs))
	for _, name := range names {
		// absent: never saved, the zero State
		out[name] = &ahead{state: states[name], expiring: dated[name]}
	}
	return out
}

// stored frees the window's place of source i, now stored.
func (p *pass) stored(i int) {
	p.taken = i + 1
	<-p.window
}

// close cancels and awaits the fetches still running, so that nothing of
// the pass outlives RunOnce, and lets go of the leases of sources fetched
// for a pass that stopped early (a store failure) rather than leave them
// to run out.
func (p *pass) close() {
	close(p.stop)
	p.cancel()
	p.running.Wait()
	for _, ch := range p.results {
		select {
		case r := <-ch:
			r.lease.release()
		default:
		}
	}
}

// fetchHeld is a pass's fetch of one source, with the coordinator's leave;
// a source another process is refreshing is left alone and reported Held.
func (s *Scheduler) fetchHeld(ctx context.Context, norm *normalize.Normalizer, job Job, now time.Time, pre *ahead) passed {
	name := job.Source.Name()
	h, ok, err := s.coord.hold(ctx, name)
	if err != nil {
		return passed{f: fetched{report: SourceReport{Name: name}, err: fmt.Errorf("%w: source %q: %w", ErrStore, name, err)}}
	}
	if !ok {
		return passed{f: fetched{report: SourceReport{Name: name, Held: true}}}
	}
	start := time.Now()
	f := s.fetchFrom(ctx, norm, job, now, pre)
	return passed{f: f, lease: h, took: time.Since(start)}
}

// publish writes the output and records it.
func (s *Scheduler) publish(ctx context.Context) (publish.Report, error) {
	start := time.Now()
	pr, err := s.pub.Publish(ctx)
	if err != nil {
		return pr, err
	}
	s.opts.Metrics.published(pr, time.Since(start), s.opts.Now())
	return pr, nil
}

// fetched is one source's fetch and normalize, waiting to be stored.
type fetched struct {
	prev    sources.State
	ask     sources.State // what the source was asked with
	res     sources.Result
	items   []feeds.Item
	known   []feeds.Item
	report  SourceReport
	err     error // a store failure while reading
	fetched bool  // the upstream answered with stories, which prepare normalizes

	// folder is set for a story folder: stamps are its file fingerprints
	// as stored before the fetch, rules the rules they must have been
	// taken under to be given to it, and reread names files whose
	// fingerprints are stored without a Hash, so that they are read again
	// (a story of theirs was refused or dropped).
	folder sources.Folder
	stamps []store.FileStamp
	rules  string
	reread map[string]bool

	// For an upstream feed: hashes are the hashes of the stories
	// normalized, by their item's id; kept are the ids of the stored items
	// whose story came again unchanged, not normalized again but still in
	// the upstream's window.
	hashes map[string]string
	kept   []string
	// stored is what the source was told of the stored hashes, by hash,
	// for the first prepare to use, when told is true.
	stored map[string]string
	told   bool
	// category is the folder a list puts the feed in (addFolder).
	category string

	// ahead is what was read of the stored items with the claim, for the
	// first prepare to use instead of reading them; nil once used.
	ahead *storedItems
}

// fetch fetches and normalizes one source. It reads from the store but never
// writes; the source's own failures land in the report.
func (s *Scheduler) fetch(ctx context.Context, norm *normalize.Normalizer, job Job, now time.Time) fetched {
	return s.fetchFrom(ctx, norm, job, now, nil)
}

// ahead is what was read of a source with others' beforehand: its state,
// and either expiring's answer (a pass's read ahead) or what expiring and
// prepare ask of its stored items (a cluster's claim).
type ahead struct {
	state    sources.State
	expiring bool
	items    *storedItems // nil: expiring holds the answer
}

// storedItems is what a cluster's claim read of a source's stored items:
// their story hashes, by hash, how many there are, and their dates.
type storedItems struct {
	hashes    map[string]string
	n         int
	published []time.Time
}

// dated answers what expiring asks the store, [r.From, r.Before), from the
// dates read ahead.
func (si *storedItems) dated(r store.Dated) bool {
	for _, p := range si.published {
		if !p.Before(r.From) && p.Before(r.Before) {
			return true
		}
	}
	return false
}

// fetchFrom is fetch with what was read ahead, when not nil, instead of
// reading it.
func (s *Scheduler) fetchFrom(ctx context.Context, norm *normalize.Normalizer, job Job, now time.Time, pre *ahead) (f fetched) {
	name := job.Source.Name()
	f.report.Name = name
	defer func() {
		// A panic in one source's code must not take the pass down.
		if r := recover(); r != nil {
			f.report.Err = fmt.Errorf("source %q: panic: %v", name, r)
		}
	}()
	var err error
	if pre != nil {
		f.prev, f.ahead = pre.state, pre.items
	} else if f.prev, err = s.store.State(ctx, name); err != nil {
		f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		return f
	}
	if !s.opts.Force && now.Before(f.prev.NextDue) {
		f.report.Skipped = f.prev.NextDue
		f.report.Failing = f.prev.Failures > 0
		return f
	}
	ask := f.prev
	expiring := pre != nil && pre.expiring
	switch {
	case pre != nil && pre.items != nil:
		r, ask := expiryRange(job, f.prev, now)
		expiring = ask && pre.items.dated(r)
	case pre == nil:
		expiring, err = s.expiring(ctx, job, f.prev, now)
	}
	if err != nil {
		f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		return f
	}
	if expiring {
		// Ask for the window itself, not whether it changed: see expiring.
		ask.ETag, ask.LastModified = "", ""
	}
	f.ask = ask
	cat := s.folder(job)
	f.category = cat
	if folder, ok := job.Source.(sources.Folder); ok {
		f.folder = folder
		f.rules = folderRules(norm, job, folder)
		if f.stamps, err = s.store.Files(ctx, name); err != nil {
			f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
			return f
		}
		var given []sources.FileStamp
		for _, st := range f.stamps {
			if st.Rules == f.rules {
				given = append(given, st.FileStamp)
			}
		}
		f.res, err = folder.FetchChanged(ctx, ask, given)
	} else if sk, ok := job.Source.(sources.Skipper); ok && job.Norm.Feed && !job.Norm.Page && job.Feeds == nil {
		var (
			stored    map[string]string
			told      bool
			serr      error
			fromClaim = f.ahead
		)
		// Asked only once an answer has entries: a 304 reads no hash and
		// makes no key.
		known := func() (string, func(string) bool) {
			stored, serr = s.storedHashes(ctx, name, fromClaim)
			told = serr == nil
			// The list's folder is a category of every story (addFolder).
			return norm.Key(job.Norm) + "\x00" + cat, func(h string) bool { _, ok := stored[h]; return ok }
		}
		f.res, err = sk.FetchKnown(ctx, ask, known)
		f.stored, f.told = stored, told
		if err == nil && serr != nil {
			f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, serr)
			return f
		}
	} else {
		f.res, err = job.Source.Fetch(ctx, ask)
	}
	if err != nil {
		f.report.Err = err // sources name themselves and their URL
		return f
	}
	f.report.Problems = f.res.Problems
	f.report.NotModified = f.res.NotModified
	f.report.Read = f.res.Read
	if f.res.NotModified {
		return f
	}
	f.fetched = true
	if job.Feeds != nil {
		return f // a list: what it names is stored as it is
	}
	addFolder(cat, f.res.Stories)
	s.prepare(ctx, norm, job, now, &f)
	return f
}

// expiring reports whether a feed source's check must fetch the upstream
// window unconditionally, a 200 rather than a 304, so that retention.max_age
// is applied on time however long the upstream answers 304.
//
// Retention needs the current window: a stored item in it is kept however
// old, one outside it goes once older than max_age. A 304 says the window
// is the one of the last 200, but the store does not record which stored
// items that was, and taking every stored item as the window would keep the
// expired ones forever. Instead this relies on what every successful check
// leaves behind: no stored item outside the window older than its cutoff
// (LastSuccess − max_age). A 200 prunes them with the window in hand; a 304
// between two checks can only be missing the items that crossed the cutoff
// since the last successful one, published in [LastSuccess − max_age,
// now − max_age). When none did, a 304 has nothing to prune and a
// conditional request is kept. When one did, the validators are left out,
// the 200 brings the window and the pass prunes with it. So an
// unconditional request is made at most once per item ageing out, never for
// an old item that stays in the window (after that check it lies behind
// the cutoff of LastSuccess). Lowering max_age takes effect at the next 200.
func (s *Scheduler) expiring(ctx context.Context, job Job, prev sources.State, now time.Time) (bool, error) {
	r, ask := expiryRange(job, prev, now)
	if !ask {
		return false, nil
	}
	// Whether any item is dated in [since, cutoff): the source's index
	// answers without reading a row, as a 304 should cost.
	known, err := s.store.Items(ctx, store.Query{
		Source: r.Source, IncludeHeld: true, Sparse: true, Limit: 1,
		PublishedFrom: r.From, PublishedBefore: r.Before,
	})
	if err != nil {
		return false, err
	}
	return len(known) > 0, nil
}

// expiryRange is the range of dates expiring asks about, [since, cutoff),
// and false when it need not ask.
func expiryRange(job Job, prev sources.State, now time.Time) (store.Dated, bool) {
	if !job.Norm.Feed || job.Retention.MaxAge <= 0 || (prev.ETag == "" && prev.LastModified == "") {
		return store.Dated{}, false
	}
	cutoff := now.Add(-job.Retention.MaxAge)
	var since time.Time // zero LastSuccess: every item before the cutoff counts
	if !prev.LastSuccess.IsZero() {
		since = prev.LastSuccess.Add(-job.Retention.MaxAge)
	}
	if !since.Before(cutoff) {
		return store.Dated{}, false
	}
	return store.Dated{Source: job.Source.Name(), From: since, Before: cutoff}, true
}

// prepare normalizes a fetched source against the items it holds. A store
// that fails to read them sets f.err; the fetch itself is kept, so a
// caller may prepare again.
//
// A story folder of which only the changed files were read is normalized
// the same way, its stories against the stored items of every file but the
// unchanged ones, so that a changed listing is dated against its stored
// neighbours and a story moved from a file that is gone keeps its date.
// When none of the files read parsed and none is gone, nothing stored can
// change and no item is read. When a story read shares its id or link with
// a stored story of a file not read, which of the two is kept depends on
// both files: the folder is read again whole, as if no fingerprint held.
func (s *Scheduler) prepare(ctx context.Context, norm *normalize.Normalizer, job Job, now time.Time, f *fetched) {
	name := job.Source.Name()
	f.err = nil
	ahead := f.ahead
	f.ahead = nil // a second prepare (after a failed write) reads afresh
	partial := f.folder != nil && len(f.res.Unchanged) > 0
	if partial && !f.folderChanged() {
		f.known, f.items, f.reread = nil, nil, nil
		f.report.Stories = 0
		return
	}
	stories, src := f.res.Stories, job.Norm
	f.hashes, f.kept = nil, nil
	if job.Norm.Feed && !job.Norm.Page {
		var err error
		if stories, err = s.unchangedStories(ctx, norm, job, f, ahead); err != nil {
			if w, ok := errors.AsType[wholeError](err); ok {
				f.report.Err = w.err // the source's, not the store's
				return
			}
			f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
			return
		}
		src.Partial = len(f.kept) > 0
		if src.Partial && len(stories) == 0 {
			f.known, f.items = nil, nil
			f.report.Problems = slices.Clone(f.res.Problems)
			f.report.Stories, f.report.Kept = len(f.kept), len(f.kept)
			return
		}
	}
	q := store.Query{Source: name, IncludeHeld: true}
	if partial {
		q.ExceptFiles = f.res.Unchanged
	}
	var err error
	if ahead != nil && ahead.n == 0 {
		f.known = nil // the claim found none: a new source's first fetch reads nothing
	} else if f.known, err = s.store.Items(ctx, q); err != nil {
		f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
		return
	}
	items, nerr := norm.Items(src, now, stories, f.known)
	if partial {
		clash, err := s.clashes(ctx, name, items, f.res.Unchanged)
		if err != nil {
			f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
			return
		}
		if clash {
			res, err := f.folder.FetchChanged(ctx, f.ask, nil)
			if err != nil {
				f.report.Err = err
				return
			}
			f.res = res
			f.report.Problems, f.report.Read = res.Problems, res.Read
			if f.known, err = s.store.Items(ctx, store.Query{Source: name, IncludeHeld: true}); err != nil {
				f.err = fmt.Errorf("%w: source %q: %w", ErrStore, name, err)
				return
			}
			items, nerr = norm.Items(job.Norm, now, f.res.Stories, f.known)
		}
	}
	f.report.Problems = slices.Clone(f.res.Problems)
	if nerr != nil {
		f.report.Problems = append(f.report.Problems, unjoin(nerr)...)
	}
	f.items = items
	f.report.Stories, f.report.Kept = len(items)+len(f.kept), len(f.kept)
	if f.folder != nil {
		f.reread = refused(f.res.Stories, items, f.report.Problems)
	}
	if f.hashes != nil {
		byPosition := f.hashes
		f.hashes = make(map[string]string, len(items))
		for _, it := range items {
			if h, ok := byPosition[strconv.Itoa(it.Position)]; ok {
				f.hashes[it.ID] = h
			}
		}
	}
}

// unchangedStories sorts an upstream feed's stories by the hash of each: the
// hash the source took of its entry's bytes (a Skipper's), else that of the
// story (storyHash). A story whose hash a stored item of the source holds
// came again as it was made into that item, under the same rules and
// settings, so it is not normalized again and its item is left as stored:
// its id goes to f.kept, as do the ids of the entries the source left out
// as known. It returns the other stories, and leaves their hashes in
// f.hashes by position (prepare keys them by item id once normalized).
func (s *Scheduler) unchangedStories(ctx context.Context, norm *normalize.Normalizer, job Job, f *fetched, ahead *storedItems) ([]sources.Story, error) {
	stored, told := f.stored, f.told
	f.stored, f.told = nil, false // a second prepare reads afresh
	if !told {
		var err error
		if stored, err = s.storedHashes(ctx, job.Source.Name(), ahead); err != nil {
			return nil, err
		}
	}
	for _, h := range f.res.Known {
		if _, ok := stored[h]; !ok {
			// Its item went since the source was told it was stored (a
			// second prepare reads the store again): read every entry.
			res, err := f.res.Whole()
			if err != nil {
				return nil, wholeError{err}
			}
			res.Problems = f.res.Problems
			addFolder(f.category, res.Stories)
			f.res = res
			break
		}
	}
	key := "" // made for the first story without the source's hash
	f.hashes = make(map[string]string, len(f.res.Stories))
	for _, h := range f.res.Known {
		f.kept = append(f.kept, stored[h])
	}
	var fresh []sources.Story
	for i := range f.res.Stories {
		st := &f.res.Stories[i]
		var h string
		if i < len(f.res.Hashes) {
			h = f.res.Hashes[i]
		}
		if h == "" {
			if key == "" {
				key = norm.Key(job.Norm)
			}
			h = storyHash(key, st)
		}
		if id, ok := stored[h]; ok {
			f.kept = append(f.kept, id)
			continue
		}
		f.hashes[strconv.Itoa(st.Position)] = h
		fresh = append(fresh, *st)
	}
	if len(fresh) == len(f.res.Stories) {
		fresh = f.res.Stories
	}
	return fresh, nil
}

// wholeError is a source's failure to read its answer again whole.
type wholeError struct{ err error }

func (w wholeError) Error() string { return w.err.Error() }
func (w wholeError) Unwrap() error { return w.err }

// storedHashes is the story hashes of source's stored items, by hash: those
// read ahead when there are, else the store's.
func (s *Scheduler) storedHashes(ctx context.Context, source string, ahead *storedItems) (map[string]string, error) {
	if ahead != nil {
		return ahead.hashes, nil
	}
	return s.store.StoryHashes(ctx, source)
}

// folderRules stands for what decides the items of a folder's files
// besides their bytes: the normalizer's key for the source and the
// folder's own settings.
func folderRules(norm *normalize.Normalizer, job Job, folder sources.Folder) string {
	sum := sha256.Sum256([]byte(norm.Key(job.Norm) + "\x00" + folder.Settings()))
	return hex.EncodeToString(sum[:16])
}

// folderChanged reports whether a folder read in part may change what is
// stored: a file read parsed, or a file with a stored fingerprint is gone.
func (f *fetched) folderChanged() bool {
	unchanged := make(map[string]bool, len(f.res.Unchanged))
	for _, p := range f.res.Unchanged {
		unchanged[p] = true
	}
	present := make(map[string]bool, len(f.res.Files))
	for _, st := range f.res.Files {
		present[st.Path] = true
		if st.Hash != "" && !unchanged[st.Path] {
			return true
		}
	}
	for _, st := range f.stamps {
		if !present[st.Path] {
			return true
		}
	}
	return false
}

// clashes reports whether an item of a file read has the id or the
// canonical link of a stored item of a file not read (unchanged). It asks
// the store, so that the stored items of the unchanged files, most of a
// large folder, are never read.
func (s *Scheduler) clashes(ctx context.Context, source string, items []feeds.Item, unchanged []string) (bool, error) {
	if len(items) == 0 {
		return false, nil
	}
	files := make(map[string]bool, len(unchanged))
	for _, p := range unchanged {
		files[p] = true
	}
	ids := make([]string, 0, len(items))
	links := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
		if it.Link != "" {
			links = append(links, feeds.CanonicalLink(it.Link))
		}
	}
	queries := []store.Query{{Source: source, IncludeHeld: true, IDs: ids}}
	if len(links) > 0 {
		queries = append(queries, store.Query{Source: source, IncludeHeld: true, LinkKeys: links})
	}
	for _, q := range queries {
		found, err := s.store.Items(ctx, q)
		if err != nil {
			return false, err
		}
		for _, k := range found {
			if files[k.File] {
				return true, nil
			}
		}
	}
	return false, nil
}

// refused lists the files of which a story did not become an item: it was
// refused (a problem) or dropped as the same story as another. Such a file
// is read again next time, so that its problem is reported again and its
// story can take its place once the other is gone.
func refused(stories []sources.Story, items []feeds.Item, problems []error) map[string]bool {
	count := make(map[string]int)
	for _, st := range stories {
		count[st.File]++
	}
	for _, it := range items {
		count[it.File]--
	}
	files := make(map[string]bool)
	for file, n := range count {
		if n > 0 {
			files[file] = true
		}
	}
	for _, p := range problems {
		if fe, ok := errors.AsType[*sources.FileError](p); ok {
			files[fe.Path] = true
		}
	}
	return files
}

// fileChanges is what to store of a folder's fingerprints after a fetch
// that found current: the ones that differ from stored (or were taken
// under other rules), those of reread without their Hash, and the paths
// of the stored ones no longer there.
func fileChanges(stored []store.FileStamp, current []sources.FileStamp, rules string, reread map[string]bool) (save []store.FileStamp, gone []string) {
	old := make(map[string]store.FileStamp, len(stored))
	for _, st := range stored {
		old[st.Path] = st
	}
	for _, c := range current {
		if reread[c.Path] {
			c.Hash = ""
		}
		st := store.FileStamp{FileStamp: c, Rules: rules}
		if o, ok := old[c.Path]; ok && o.Size == st.Size && o.ModTime.Equal(st.ModTime) && o.Hash == st.Hash && o.Rules == st.Rules {
			delete(old, c.Path)
			continue
		}
		delete(old, c.Path)
		save = append(save, st)
	}
	for _, st := range stored {
		if _, ok := old[st.Path]; ok {
			gone = append(gone, st.Path)
		}
	}
	return save, gone
}

// store1 writes one fetched source in one transaction, fenced as holder
// (empty for a process on its own), and logs its outcome. Only a store
// failure is returned.
func (s *Scheduler) store1(ctx context.Context, job Job, f fetched, now time.Time, h lease) (SourceReport, error) {
	st, err := s.stage(job, f, now, h)
	if err != nil || !st.write {
		return st.sr, err
	}
	done, err := st.lease.writeLettingGo(func() (store.Applied, error) {
		if g := s.group.Load(); g != nil {
			return g.apply(ctx, st.sr.Name, st.b)
		}
		return s.store.Apply(ctx, st.sr.Name, st.b)
	})
	return s.finish(ctx, st, done, err, now)
}

// staged is one fetched source made ready to store: its report, and the
// batch to write when write is set (a source skipped, held or not fetched
// writes nothing).
type staged struct {
	job   Job
	f     fetched
	sr    SourceReport
	b     store.Batch
	write bool
	lease lease
}

// stage is store1 up to the write: it logs what is not written and makes
// the batch of what is.
func (s *Scheduler) stage(job Job, f fetched, now time.Time, h lease) (*staged, error) {
	st := &staged{job: job, f: f, sr: f.report, lease: h}
	sr := &st.sr
	if f.err != nil {
		return st, f.err
	}
	log := sources.Log{L: s.log, Name: sr.Name}
	if sr.Held {
		log.Info("skipped: another node is refreshing it")
		return st, nil
	}
	if !sr.Skipped.IsZero() {
		if sr.Failing {
			log.Warn("skipped: still failing, backing off (use --force to fetch)", "next_due", sr.Skipped, "last_error", f.prev.LastError)
		} else {
			log.Info("skipped: inside its cache window (use --force to fetch)", "next_due", sr.Skipped)
		}
		return st, nil
	}
	if errors.Is(sr.Err, sources.ErrNotNow) {
		log.Warn("not fetched, and not the source's failure", "err", sr.Err)
		return st, nil
	}
	b := &st.b
	state := f.res.State
	switch {
	case sr.Err != nil:
		state = f.prev
		state.Fail(now, sr.Err)
		log.Warn("fetch failed", "err", sources.RedactText(sr.Err.Error()), "failures", state.Failures, "next_due", state.NextDue)
	case f.res.NotModified:
		// The window is the last 200's, and no item outside it has expired
		// since the last successful check: a check that could have pruned
		// something asked without validators (see expiring). A folder's
		// files are the ones last read, some perhaps with new times.
		state.Succeed(now)
		if f.folder != nil {
			b.Files, b.Unfile = fileChanges(f.stamps, f.res.Files, f.rules, nil)
		}
	case job.Feeds != nil:
		state.Succeed(now)
		b.List = s.listBatch(f.res.Listed, now)
	default:
		state.Succeed(now)
		b.Items = f.items
		b.Hashes = f.hashes
		if job.Norm.Feed {
			b.Retain = retain(job.Retention, f.items, f.kept, now)
		} else {
			b.Remove = vanished(f.known, f.items, sr.Problems, f.res.Unchanged)
		}
		if f.folder != nil {
			b.Files, b.Unfile = fileChanges(f.stamps, f.res.Files, f.rules, f.reread)
		}
	}
	if len(sr.Problems) > 0 {
		state.LastError = sources.RedactText(errors.Join(sr.Problems...).Error())
	}
	b.State = &state
	// The write ends the refresh: it lets go of the lease itself, where
	// the lease can be let go of so (see lease.freed).
	b.Holder, b.Release = h.holder, h.freed != nil
	st.write = true
	return st, nil
}

// finish is store1 after the write that gave done and err: it counts what
// changed, tends a list's feeds and logs the outcome.
func (s *Scheduler) finish(ctx context.Context, st *staged, done store.Applied, err error, now time.Time) (SourceReport, error) {
	sr, f, job := st.sr, st.f, st.job
	if err != nil {
		return sr, fmt.Errorf("%w: source %q: %w", ErrStore, sr.Name, err)
	}
	log := sources.Log{L: s.log, Name: sr.Name}
	sr.Changed, sr.Removed = done.Changed, done.Removed+done.Pruned
	if job.Feeds != nil {
		n, err := s.afterList(ctx, job, st.b.List != nil, now)
		sr.Removed += n
		if err != nil {
			return sr, err
		}
	}
	for _, p := range sr.Problems {
		log.Warn("skipped", "err", sources.RedactText(p.Error()))
	}
	switch {
	case sr.Err == nil && job.Feeds != nil:
		log.Info("list refreshed", "not_modified", sr.NotModified, "feeds", len(f.res.Listed),
			"removed", sr.Removed)
	case sr.Err == nil:
		attrs := []any{"not_modified", sr.NotModified, "stories", sr.Stories,
			"changed", sr.Changed, "removed", sr.Removed, "problems", len(sr.Problems)}
		if f.folder != nil {
			attrs = append(attrs, "files_read", sr.Read)
		}
		if job.Norm.Feed && !job.Norm.Page && !sr.NotModified {
			attrs = append(attrs, "unchanged", sr.Kept)
		}
		log.Info("refreshed", attrs...)
	}
	return sr, nil
}

// retain is the retention batch of a feed source: the current window is kept
// whatever its age, the items made of it now and the stored ones whose
// story came again unchanged (kept).
func retain(r Retention, window []feeds.Item, kept []string, now time.Time) *store.Retain {
	keep := make([]string, len(window), len(window)+len(kept))
	for i, it := range window {
		keep[i] = it.ID
	}
	keep = append(keep, kept...)
	var before time.Time
	if r.MaxAge > 0 {
		before = now.Add(-r.MaxAge)
	}
	return &store.Retain{Keep: keep, Before: before, MaxItems: r.MaxItems}
}

// vanished lists stored items of a story folder that are no longer there: a
// story its file dropped, or a file that is gone. Items of a file (or
// folder) that failed to read, or that holds a story normalize refused, are
// kept: a broken file loses nothing; so are those of the unchanged files,
// which were not read.
func vanished(known, current []feeds.Item, problems []error, unchanged []string) []string {
	var failed []string
	for _, p := range problems {
		if fe, ok := errors.AsType[*sources.FileError](p); ok {
			failed = append(failed, fe.Path)
		}
	}
	present := make(map[string]bool, len(current))
	for _, it := range current {
		present[it.ID] = true
	}
	kept := make(map[string]bool, len(unchanged))
	for _, p := range unchanged {
		kept[p] = true
	}
	var gone []string
	for _, it := range known {
		if present[it.ID] || kept[it.File] || within(it.File, failed) {
			continue
		}
		gone = append(gone, it.ID)
	}
	return gone
}

// within reports whether file is one of paths or lies in a folder among them.
func within(file string, paths []string) bool {
	for _, p := range paths {
		if file == p || strings.HasPrefix(file, strings.TrimSuffix(p, "/")+"/") {
			return true
		}
	}
	return false
}

// unjoin splits an errors.Join result back into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func zoneOr(z *time.Location) *time.Location {
	if z == nil {
		return time.UTC
	}
	return z
}
