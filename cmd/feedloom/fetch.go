package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/internal/wiring"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/store"
)

// fetchOptions are fetch's flags.
type fetchOptions struct {
	config, source string
	allowPrivate   bool
}

func fetchFlags(fs *flag.FlagSet) *fetchOptions {
	o := new(fetchOptions)
	fs.StringVar(&o.config, "config", "", "read the config from `FILE`, for ids and time zone (default ./config.yaml if present)")
	fs.BoolVar(&o.allowPrivate, "allow-private", false, "fetch from loopback, private and link-local addresses too (a configured source's allow_private applies without it)")
	fs.StringVar(&o.source, "source", "", "fetch the configured source called `NAME` (any kind) instead of a URL")
	return o
}

// cmdFetch prints what one feed normalizes to, or with --source what one
// configured source of any kind yields: one JSON item per line on stdout
// (for an opml source, one feed it names per line),
// the fetch details (status, validators, timing, a feed a page advertises)
// on stderr. It writes nothing: no store, no output.
func cmdFetch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fetch", stderr)
	o := fetchFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if (o.source == "") != (fs.NArg() == 1) || fs.NArg() > 1 {
		fs.Usage()
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg, err := fetchConfig(o.config)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	var (
		job   scheduler.Job
		sopts scheduler.Options
		from  []any // what was fetched, for the log
	)
	if o.source != "" {
		var ok bool
		if job, sopts, ok = sourceJob(cfg, o.source, o.allowPrivate, log); !ok {
			fmt.Fprintf(stderr, "fetch: no source %q in the config\n", o.source)
			return exitUsage
		}
		from = []any{"source", o.source}
	} else {
		from = []any{"url", sources.RedactURL(fs.Arg(0))}
		job, sopts = fetchJob(cfg, fs.Arg(0), o.allowPrivate, log)
	}
	var st store.Store
	if cfg != nil {
		// Ids use the store's first-run date, and stored items keep their
		// dates, as a build would give them; the store is read, never written.
		if st, err = wiring.OpenStoreReadOnly(ctx, cfg); err != nil {
			log.Error("cannot open the store", "err", err)
			return exitUsage
		}
		if st != nil {
			defer st.Close()
		}
	}
	det, err := normalize.NewDetector()
	if err != nil {
		log.Error("cannot load language tables", "err", err)
		return exitFailed
	}
	p, err := scheduler.Preview(ctx, st, det, job, sopts, log)
	if err != nil {
		log.Error("cannot read the store", "err", err)
		return exitFailed
	}
	if p.Report.Err != nil {
		log.Error("fetch failed", "err", p.Report.Err)
		return exitPartial
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, it := range p.Items {
		if err := enc.Encode(it); err != nil {
			log.Error("write", "err", err)
			return exitFailed
		}
	}
	for _, l := range p.Listed {
		if err := enc.Encode(l); err != nil {
			log.Error("write", "err", err)
			return exitFailed
		}
	}
	if p.Listed != nil {
		from = append(from, "feeds", len(p.Listed))
	}
	log.Info("fetched", append(from, "stories", p.Report.Stories, "items", len(p.Items))...)
	if len(p.Report.Problems) > 0 {
		log.Warn("skipped", "err", sources.RedactText(errors.Join(p.Report.Problems...).Error()))
		return exitPartial
	}
	return exitOK
}

// fetchJob is the job `feedloom fetch` previews: the configured feed source
// with that URL (its name, language, zone, allow_private and headers), else
// a source called "fetch" under the config's defaults, else under no config
// at all (host localhost, UTC). --allow-private allows private addresses
// whatever the config says.
func fetchJob(cfg *config.Config, target string, allowPrivate bool, log *slog.Logger) (scheduler.Job, scheduler.Options) {
	norm := normalize.Source{Name: "fetch", Feed: true, Zone: time.UTC}
	fopts := feed.Options{UserAgent: wiring.UserAgent(version), Log: log}
	sopts := scheduler.Options{Normalize: normalize.Options{Host: "localhost", Zone: time.UTC}}
	if cfg != nil {
		sopts = wiring.SchedulerOptions(cfg, wiring.Options{Version: version})
		fopts = wiring.FetchOptions(cfg, log, version)
		norm = wiring.NormalizeSource(cfg, config.Source{Name: "fetch", Kind: "feed"})
		fopts.AllowPrivate = cfg.Fetch.AllowPrivate
		for _, s := range cfg.Sources {
			if s.Kind == "feed" && s.URL == target {
				norm = wiring.NormalizeSource(cfg, s)
				fopts.AllowPrivate = cfg.AllowPrivateOf(s)
				fopts.Header = s.Headers
			}
		}
	}
	fopts.Zone = norm.Zone
	fopts.AllowPrivate = fopts.AllowPrivate || allowPrivate
	return scheduler.Job{Source: feed.New(norm.Name, target, fopts), Norm: norm}, sopts
}

// sourceJob is the job of the configured source called name, wired as
// build and serve wire it; --allow-private allows private addresses
// whatever the config says. ok is false when there is no such source.
func sourceJob(cfg *config.Config, name string, allowPrivate bool, log *slog.Logger) (job scheduler.Job, sopts scheduler.Options, ok bool) {
	if cfg == nil {
		return job, sopts, false
	}
	for _, s := range cfg.Sources {
		if s.Name != name {
			continue
		}
		if allowPrivate {
			s.AllowPrivate = &allowPrivate
		}
		one := *cfg
		one.Sources = []config.Source{s}
		jobs := wiring.Jobs(&one, log, nil, version)
		if len(jobs) != 1 {
			return job, sopts, false
		}
		return jobs[0], wiring.SchedulerOptions(cfg, wiring.Options{Version: version}), true
	}
	return job, sopts, false
}

// fetchConfig loads the given config, or ./config.yaml when none is given
// and it exists; nil when there is none.
func fetchConfig(path string) (*config.Config, error) {
	if path == "" {
		if _, err := os.Stat("config.yaml"); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		path = "config.yaml"
	}
	return config.Load(path, config.LoadOptions{})
}
