package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/sources/files"
	"github.com/feedloom/feedloom/store/postgres"
)

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	path := fs.String("config", "config.yaml", "config file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := config.Load(*path, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	if err := writableDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "%s: data_dir %s: %v\n", *path, cfg.DataDir, err)
		return exitUsage
	}
	if cfg.Store.Driver == "postgres" {
		// With PostgreSQL the config is only as good as the database it
		// points at: connect, and check the schema is one this binary knows.
		st, err := openStore(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: store: %v\n", *path, err)
			return exitUsage
		}
		st.Close()
	}
	fmt.Fprintf(stdout, "%s: ok (%d languages, %d sources)\n", *path, len(cfg.Languages), len(cfg.Sources))
	return exitOK
}

func cmdBuild(ctx context.Context, args []string, stderr io.Writer) int {
	fs := newFlags("build", stderr)
	path := fs.String("config", "config.yaml", "config file")
	force := fs.Bool("force", false, "fetch sources even inside their backoff or cache window")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	log := newLogger(stderr)
	cfg, err := config.Load(*path, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	logWarnings(log, cfg)
	st, err := openStore(ctx, cfg)
	if err != nil {
		log.Error("cannot open the store", "err", err)
		return exitUsage
	}
	defer st.Close()
	det, err := normalize.NewDetector()
	if err != nil {
		log.Error("cannot load language tables", "err", err)
		return exitFailed
	}
	opts := scheduler.Options{
		Normalize:   normalizeOptions(cfg),
		Concurrency: cfg.Fetch.Concurrency,
		Force:       *force,
		Hub:         cfg.WebSub.Hub,
		BaseURL:     publishOptions(cfg).BaseURL,
	}
	gate := clusterOptions(st, cfg, &opts, true)
	if gate != nil {
		defer gate.Close()
	}
	pub := publish.New(st, publishOptions(cfg), log)
	sched := scheduler.New(st, pub, det, jobsFor(cfg, log, gate), opts, log)

	lock, err := scheduler.AcquireLock(ctx, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		log.Error("not published", "err", err)
		return exitFailed
	}
	if err := pub.Check(); err != nil {
		lock.Release()
		log.Error("not published: output folder is not writable", "err", err)
		return exitFailed
	}
	rep, err := sched.RunOnce(ctx)
	lock.Release()
	if err != nil {
		log.Error("not published", "err", err)
		return exitFailed
	}
	// A hub that does not answer must not keep a cron job running.
	hubCtx, cancel := context.WithTimeout(ctx, hubDeadline)
	sched.Announce(hubCtx, rep.Published)
	cancel()
	failed := 0
	for _, sr := range rep.Sources {
		if sr.Err != nil || len(sr.Problems) > 0 || sr.Failing {
			failed++
		}
	}
	log.Info("build finished", "sources", len(rep.Sources), "failed", failed, "files_changed", len(rep.Published))
	if rep.Failed() {
		return exitPartial
	}
	return exitOK
}

// logWarnings logs what check would warn about, so a build or serve that
// is about to fail for it says why up front.
func logWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("config", "warning", w)
	}
}

// writableDir reports whether the process can create files in dir, or,
// when dir does not exist yet, in the nearest folder above it (where build
// will create it). It writes a temporary file and removes it: permission
// bits alone do not tell (root, read-only mounts, ACLs).
func writableDir(dir string) error {
	at := dir
	for {
		fi, err := os.Stat(at)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a folder", at)
			}
			break
		}
		// Missing, or under a file: the first thing above that exists decides.
		parent := filepath.Dir(at)
		if parent == at {
			return err
		}
		at = parent
	}
	f, err := os.CreateTemp(at, ".feedloom-check-*")
	if err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// hubDeadline bounds all of a build's WebSub pings together.
const hubDeadline = 20 * time.Second

// jobsFor turns the configured sources into scheduler jobs. Feed sources
// share one limiter, so the concurrency limits hold across all of them, and
// one HTTP client per address policy (allow_private or not), which is
// decided where a connection is dialled; a non-nil gate (a cluster's) holds
// per_host across the nodes too.
func jobsFor(cfg *config.Config, log *slog.Logger, gate *postgres.HostGate) []scheduler.Job {
	fopts := fetchOptions(cfg, log)
	if gate != nil {
		fopts.Gate = gate
	}
	clients := map[bool]*http.Client{}
	var jobs []scheduler.Job
	for _, s := range cfg.Sources {
		norm := normalizeSource(cfg, s)
		zone := norm.Zone
		switch s.Kind {
		case "files":
			src := files.New(s.Name, s.Path, files.Options{Labels: s.Labels, Zone: cfg.Site.Location, MaxBytes: cfg.Fetch.MaxBody})
			jobs = append(jobs, scheduler.Job{Source: src, Norm: norm, Schedule: s.Schedule})
		case "feed":
			o := fopts
			o.Zone = zone
			o.Log = log.With("source", s.Name)
			o.AllowPrivate = cfg.AllowPrivateOf(s)
			if clients[o.AllowPrivate] == nil {
				clients[o.AllowPrivate] = feed.NewClient(o)
			}
			o.Client = clients[o.AllowPrivate]
			r := cfg.RetentionOf(s)
			jobs = append(jobs, scheduler.Job{
				Source:    feed.New(s.Name, s.URL, o),
				Norm:      norm,
				Schedule:  s.Schedule,
				Retention: scheduler.Retention{MaxAge: r.MaxAge, MaxItems: r.MaxItems},
			})
		}
	}
	return jobs
}

// normalizeSource is what normalize needs of a configured source: its
// language and zone, defaulting to the first language and the site's zone.
func normalizeSource(cfg *config.Config, s config.Source) normalize.Source {
	n := normalize.Source{Name: s.Name, Language: s.Language, Zone: s.Location, Feed: s.Kind == "feed"}
	if n.Language == "" {
		n.Language = cfg.Languages[0].Tag
	}
	if n.Zone == nil {
		n.Zone = cfg.Site.Location
	}
	return n
}

// fetchOptions are the fetcher's limits from config; Zone, Log and
// AllowPrivate are per source.
func fetchOptions(cfg *config.Config, log *slog.Logger) feed.Options {
	return feed.Options{
		UserAgent: userAgent(),
		Timeout:   cfg.Fetch.Timeout,
		MaxBody:   cfg.Fetch.MaxBody,
		MaxItems:  cfg.Fetch.MaxItems,
		Limiter:   feed.NewLimiter(cfg.Fetch.Concurrency, cfg.Fetch.PerHost),
		Zone:      cfg.Site.Location,
		Log:       log,
	}
}

func userAgent() string { return "feedloom/" + version + " (+https://github.com/feedloom/feedloom)" }

func normalizeOptions(cfg *config.Config) normalize.Options {
	return normalize.Options{
		Host:     cfg.Host(),
		Zone:     cfg.Site.Location,
		SiteLink: cfg.Site.Link,
	}
}

func publishOptions(cfg *config.Config) publish.Options {
	langs := make([]publish.Language, len(cfg.Languages))
	for i, l := range cfg.Languages {
		langs[i] = publish.Language{Tag: l.Tag, Title: l.Title, MaxItems: l.MaxItems}
	}
	return publish.Options{
		Dir:       cfg.Output.Dir,
		BaseURL:   strings.TrimSuffix(cfg.Site.BaseURL, "/") + "/",
		Title:     cfg.Site.Title,
		Link:      cfg.Site.Link,
		Author:    feeds.Person{Name: cfg.Site.Author.Name, Email: cfg.Site.Author.Email},
		Zone:      cfg.Site.Location,
		Languages: langs,
		MaxItems:  cfg.Output.MaxItems,
		Hub:       cfg.WebSub.Hub,
		Generator: "feedloom " + version,
	}
}
