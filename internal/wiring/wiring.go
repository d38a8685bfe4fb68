// Package wiring turns a loaded config into feedloom's parts: the store,
// the story sources as scheduler jobs, the publisher and the scheduler with
// its options. It is the one place that knows both the config and every
// step, so that `feedloom build`, `serve`, `fetch` and the benchmark
// harness are wired alike.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/sources/opml"
	"github.com/feedloom/feedloom/sources/page"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/postgres"
	"github.com/feedloom/feedloom/store/sqlite"
)

// Role is what a process does with the wired parts.
type Role int

const (
	// Build is one pass (feedloom build): the caller holds the data-dir
	// lock around it; a cluster node leases as "<node>/build", so that a
	// build and a serve on one machine never let go of each other's leases.
	Build Role = iota
	// Serve is the scheduler's loop (feedloom serve): the data-dir lock is
	// taken around each store write and publish.
	Serve
)

// Options say how to wire. The zero value wires a build.
type Options struct {
	Role    Role
	Force   bool               // fetch sources inside their backoff or cache window
	Version string             // in the User-Agent and the feeds' generator; "dev" when empty
	Metrics *scheduler.Metrics // serve's metrics (for /metrics); nil for none
	// Progress follows a build's pass (its line on a terminal); nil for none.
	Progress scheduler.Progress
	Log      *slog.Logger // nil discards
}

// ErrStore marks a store that cannot be opened, or whose schema is newer
// than this binary: a config-level failure (exit 2).
var ErrStore = errors.New("wiring: store")

// Site is a config's parts, wired. Close releases what New opened.
type Site struct {
	Store     store.Store
	Publisher *publish.Publisher
	Scheduler *scheduler.Scheduler
	// Node is this process's node id when the store is shared (PostgreSQL),
	// else "".
	Node  string
	close []func()
}

// Close closes the store and the cluster's connections, last opened first.
func (s *Site) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
}

// New opens cfg's store and wires its publisher, jobs and scheduler. A
// store that cannot be opened is an error wrapping ErrStore.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Site, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	site := &Site{Store: st, close: []func(){func() { st.Close() }}}
	// The language tables load when a story first needs them: a build that
	// finds nothing changed never does.
	det := normalize.NewLazyDetector()
	sopts := SchedulerOptions(cfg, opts)
	popts := PublishOptions(cfg, opts.Version)
	var gate feed.Gate
	if pg, ok := st.(*postgres.Store); ok {
		node := cfg.Store.Node
		if opts.Role == Build {
			node += "/build"
		}
		sopts.Cluster = &scheduler.ClusterOptions{Store: pg, Node: node, Lease: cfg.Store.Lease}
		hg := pg.HostGate(cfg.Fetch.PerHost)
		site.close = append(site.close, func() { hg.Close() })
		gate, site.Node = hg, node
		log = log.With("node", node)
		// The output folder's manifest is the machine's, which its build
		// and serve share, not the lease holder's.
		popts.Node = cfg.Store.Node
	}
	site.Publisher = publish.New(st, popts, log)
	site.Scheduler = scheduler.New(st, site.Publisher, det, Jobs(cfg, log, gate, opts.Version), sopts, log)
	return site, nil
}

// OpenStore opens the configured store: SQLite in data_dir by default, or
// PostgreSQL at store.dsn (or FEEDLOOM_DSN, which config applied).
func OpenStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if cfg.Store.Driver == "postgres" {
		return postgres.Open(ctx, cfg.Store.DSN)
	}
	return sqlite.Open(ctx, sqlitePath(cfg))
}

// OpenStoreReadOnly opens the configured store for reading only; nil, nil
// when it holds nothing yet (no file, no schema).
func OpenStoreReadOnly(ctx context.Context, cfg *config.Config) (store.Store, error) {
	var (
		st  store.Store
		err error
	)
	if cfg.Store.Driver == "postgres" {
		st, err = postgres.OpenReadOnly(ctx, cfg.Store.DSN)
	} else {
		st, err = sqlite.OpenReadOnly(ctx, sqlitePath(cfg))
	}
	if errors.Is(err, store.ErrNoStore) {
		return nil, nil
	}
	return st, err
}

func sqlitePath(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "feedloom.db") }

// SchedulerOptions are the scheduler's options from config, for opts' role;
// the cluster's are New's to add, once the store is open.
func SchedulerOptions(cfg *config.Config, opts Options) scheduler.Options {
	so := scheduler.Options{
		Normalize:   NormalizeOptions(cfg),
		Concurrency: cfg.Fetch.Concurrency,
		Force:       opts.Force,
		Metrics:     opts.Metrics,
		Progress:    opts.Progress,
		Hub:         cfg.WebSub.Hub,
		BaseURL:     baseURL(cfg),
	}
	if opts.Role == Serve {
		so.Jitter = cfg.Scheduler.Jitter
		so.Debounce = cfg.Scheduler.Debounce
		so.Lock = dataLock(cfg.DataDir)
	}
	return so
}

// Jobs turns the configured sources into scheduler jobs. Feed and page
// sources share one limiter, so the concurrency limits hold across all of them,
// and one HTTP client per address policy (allow_private or not), which is
// decided where a connection is dialled; a non-nil gate (a cluster's)
// holds per_host across the nodes too.
func Jobs(cfg *config.Config, log *slog.Logger, gate feed.Gate, version string) []scheduler.Job {
	fopts := FetchOptions(cfg, log, version)
	fopts.Gate = gate
	clients := map[bool]*http.Client{}
	jobs := make([]scheduler.Job, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		norm := NormalizeSource(cfg, s)
		switch s.Kind {
		case "files":
			src := files.New(s.Name, s.Path, files.Options{Labels: s.Labels, Zone: cfg.Site.Location, MaxBytes: cfg.Fetch.MaxBody})
			jobs = append(jobs, scheduler.Job{Source: src, Norm: norm, Schedule: s.Schedule})
		case "opml":
			jobs = append(jobs, opmlJob(cfg, s, feedOptions(cfg, s, fopts, clients, norm.Zone, log), log))
		case "feed", "page":
			o := feedOptions(cfg, s, fopts, clients, norm.Zone, log)
			var src sources.Source = feed.New(s.Name, s.URL, o)
			if s.Kind == "page" {
				p, err := page.New(s.Name, s.URL, page.Options{Fetch: o, Select: page.Selectors(s.Select), Content: s.Content})
				if err != nil {
					// config checked every selector at load, so this is a bug.
					log.Error("page source not wired", "source", s.Name, "err", err)
					continue
				}
				src = p
			}
			jobs = append(jobs, scheduler.Job{Source: src, Norm: norm, Schedule: s.Schedule, Retention: retention(cfg, s)})
		}
	}
	return jobs
}

// feedOptions are the fetcher's options for source s: fopts with s's zone,
// logger, headers and address policy, and the client shared by that
// policy.
func feedOptions(cfg *config.Config, s config.Source, fopts feed.Options, clients map[bool]*http.Client, zone *time.Location, log *slog.Logger) feed.Options {
	o := fopts
	o.Zone = zone
	o.Log = log // each source adds its name
	o.AllowPrivate = cfg.AllowPrivateOf(s)
	o.Header = s.Headers
	if clients[o.AllowPrivate] == nil {
		clients[o.AllowPrivate] = feed.NewClient(o)
	}
	o.Client = clients[o.AllowPrivate]
	return o
}

func retention(cfg *config.Config, s config.Source) scheduler.Retention {
	r := cfg.RetentionOf(s)
	return scheduler.Retention{MaxAge: r.MaxAge, MaxItems: r.MaxItems}
}

// opmlJob is the job of an opml source: its list is fetched with o, and
// each feed it names is a feed source with the list's schedule, language,
// zone, retention and address policy, logged under its own name.
func opmlJob(cfg *config.Config, s config.Source, o feed.Options, log *slog.Logger) scheduler.Job {
	r := retention(cfg, s)
	shared := feed.NewShared(o) // one for all the list's feeds, and the list
	list := opml.New(s.Name, s.URL, shared.Source(s.Name, s.URL), opml.Options{MaxSources: s.MaxSources, Log: log})
	return scheduler.Job{
		Source:    list,
		Norm:      NormalizeSource(cfg, s),
		Schedule:  s.Schedule,
		Retention: r,
		Feeds: func(sub sources.Subscription) scheduler.Job {
			fs := s
			fs.Name, fs.Kind, fs.URL = sub.Name, "feed", sub.URL
			return scheduler.Job{
				Source:    shared.Source(sub.Name, sub.URL),
				Norm:      NormalizeSource(cfg, fs),
				Schedule:  s.Schedule,
				Retention: r,
			}
		},
	}
}

// NormalizeSource is what normalize needs of a configured source: its
// language and zone, defaulting to the first language and the site's zone.
func NormalizeSource(cfg *config.Config, s config.Source) normalize.Source {
	n := normalize.Source{Name: s.Name, Language: s.Language, Zone: s.Location, Feed: s.Kind == "feed" || s.Kind == "page", Page: s.Kind == "page"}
	if n.Language == "" {
		n.Language = cfg.Languages[0].Tag
	}
	if n.Zone == nil {
		n.Zone = cfg.Site.Location
	}
	return n
}

// FetchOptions are the fetcher's limits from config; Zone, Log, Client and
// AllowPrivate are per source.
func FetchOptions(cfg *config.Config, log *slog.Logger, version string) feed.Options {
	return feed.Options{
		UserAgent: UserAgent(version),
		Timeout:   cfg.Fetch.Timeout,
		MaxBody:   cfg.Fetch.MaxBody,
		MaxItems:  cfg.Fetch.MaxItems,
		Limiter:   feed.NewLimiter(cfg.Fetch.Concurrency, cfg.Fetch.PerHost),
		Zone:      cfg.Site.Location,
		Log:       log,
		HashKeys:  new(feed.HashKeys),
	}
}

// UserAgent is the fetcher's honest User-Agent for version.
func UserAgent(version string) string {
	return "feedloom/" + versionOr(version) + " (+https://github.com/feedloom/feedloom)"
}

func versionOr(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// NormalizeOptions are normalize's site-wide options from config; the
// scheduler fills in the first-run date from the store.
func NormalizeOptions(cfg *config.Config) normalize.Options {
	return normalize.Options{Host: cfg.Host(), Zone: cfg.Site.Location, SiteLink: cfg.Site.Link}
}

// PublishOptions are the publisher's options from config.
func PublishOptions(cfg *config.Config, version string) publish.Options {
	langs := make([]publish.Language, len(cfg.Languages))
	for i, l := range cfg.Languages {
		langs[i] = publish.Language{Tag: l.Tag, Title: l.Title, MaxItems: l.MaxItems}
	}
	channels := make([]publish.Channel, len(cfg.Channels))
	for i, c := range cfg.Channels {
		channels[i] = publish.Channel{
			Name: c.Name, Title: c.Title, Languages: c.Languages, Sources: c.Sources, Categories: c.Categories,
			Include: rules(c.Include), Exclude: rules(c.Exclude), Content: c.Content, MaxItems: c.MaxItems,
		}
	}
	only := map[string][]string{}
	for _, s := range cfg.Sources {
		if len(s.TranslationOnlyMarkers) > 0 {
			only[s.Name] = s.TranslationOnlyMarkers
		}
	}
	return publish.Options{
		Dir:         cfg.Output.Dir,
		BaseURL:     baseURL(cfg),
		Title:       cfg.Site.Title,
		Link:        cfg.Site.Link,
		Author:      feeds.Person{Name: cfg.Site.Author.Name, Email: cfg.Site.Author.Email},
		Zone:        cfg.Site.Location,
		Languages:   langs,
		MaxItems:    cfg.Output.MaxItems,
		Hub:         cfg.WebSub.Hub,
		Generator:   "feedloom " + versionOr(version),
		Channels:    channels,
		Categories:  cfg.Output.Categories,
		ArchiveSize: offIfZero(cfg.Output.ArchiveSize),
		PageSize:    offIfZero(cfg.Output.PageSize),
		// Markers are the source's; an opml source's feeds are sources
		// of their own and have none.
		TranslationOnly: only,
	}
}

// rules are a channel's include or exclude rules as publish reads them.
func rules(ms []config.Match) []publish.Rule {
	var out []publish.Rule
	for _, m := range ms {
		out = append(out, m)
	}
	return out
}

func baseURL(cfg *config.Config) string { return strings.TrimSuffix(cfg.Site.BaseURL, "/") + "/" }

// dataLock is serve's pass lock: the same file lock as build's, taken
// around each store write and publish, waiting as long as ctx allows. The
// process's own takers queue for it in memory first: flock has no timed
// wait, and a taker that polled it would leave it idle between polls.
func dataLock(dir string) func(context.Context) (func(), error) {
	mine := make(chan struct{}, 1)
	return func(ctx context.Context) (func(), error) {
		select {
		case mine <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("wiring: lock %s: %w", dir, ctx.Err())
		}
		l, err := scheduler.AcquireLock(ctx, dir, 24*time.Hour)
		if err != nil {
			<-mine
			return nil, err
		}
		return func() {
			l.Release()
			<-mine
		}, nil
	}
}

// offIfZero maps a size of the config, where 0 turns a kind of document
// off, to publish's, where 0 means the default and a negative size off.
func offIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
