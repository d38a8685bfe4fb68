package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/internal/wiring"
	"github.com/feedloom/feedloom/scheduler"
)

// configOnly are the flags of a command that takes the config alone
// (check, opml export).
type configOnly struct{ config string }

func configOnlyFlags(fs *flag.FlagSet) *configOnly {
	o := new(configOnly)
	configFlag(fs, &o.config, "config.yaml")
	return o
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	o := configOnlyFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := config.Load(o.config, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	if err := writableDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "%s: data_dir %s: %v\n", o.config, cfg.DataDir, err)
		return exitUsage
	}
	if cfg.Store.Driver == "postgres" {
		// With PostgreSQL the config is only as good as the database it
		// points at: connect, and check the schema is one this binary knows.
		st, err := wiring.OpenStore(ctx, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "%s: store: %v\n", o.config, err)
			return exitUsage
		}
		st.Close()
	}
	fmt.Fprintf(stdout, "%s: ok (%d languages, %d sources)\n", o.config, len(cfg.Languages), len(cfg.Sources))
	return exitOK
}

// buildOptions are build's flags.
type buildOptions struct {
	config string
	force  bool
}

func buildFlags(fs *flag.FlagSet) *buildOptions {
	o := new(buildOptions)
	configFlag(fs, &o.config, "config.yaml")
	fs.BoolVar(&o.force, "force", false, "fetch sources even inside their backoff or cache window")
	return o
}

func cmdBuild(ctx context.Context, args []string, _, stderr io.Writer) int {
	fs := newFlags("build", stderr)
	o := buildFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	// On a terminal a progress line stands for the sources' own lines:
	// the steps log only what went wrong, above it.
	out := newLogWriter(stderr)
	defer out.Close()
	log := newLogger(out)
	stepLog := log
	wopts := wiring.Options{Role: wiring.Build, Force: o.force}
	progress := newBuildProgress(stderr, isTerminal(stderr))
	if progress != nil {
		log = newLogger(progress)
		stepLog = slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
		wopts.Progress = progress
	}
	defer progress.End()
	cfg, err := config.Load(o.config, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	logWarnings(log, cfg)
	site, code := wire(ctx, cfg, wopts, stepLog)
	if site == nil {
		return code
	}
	defer site.Close()

	lock, err := scheduler.AcquireLock(ctx, cfg.DataDir, cfg.LockTimeout)
	if err != nil {
		log.Error("not published", "err", err)
		return exitFailed
	}
	if err := site.Publisher.Check(); err != nil {
		lock.Release()
		log.Error("not published: output folder is not writable", "err", err)
		return exitFailed
	}
	rep, err := site.Scheduler.RunOnce(ctx)
	lock.Release()
	progress.End()
	if err != nil {
		log.Error("not published", "err", err)
		return exitFailed
	}
	// A hub that does not answer must not keep a cron job running.
	hubCtx, cancel := context.WithTimeout(ctx, hubDeadline)
	site.Scheduler.Announce(hubCtx, rep.Published)
	cancel()
	return buildFinished(rep, log)
}

// wire wires cfg for build or serve; a nil Site comes with the exit code:
// a store that cannot be opened is a config-level failure (exit 2).
func wire(ctx context.Context, cfg *config.Config, opts wiring.Options, log *slog.Logger) (*wiring.Site, int) {
	opts.Version, opts.Log = version, log
	site, err := wiring.New(ctx, cfg, opts)
	switch {
	case errors.Is(err, wiring.ErrStore):
		log.Error("cannot open the store", "err", err)
		return nil, exitUsage
	case err != nil:
		log.Error("cannot wire the sources", "err", err)
		return nil, exitFailed
	}
	return site, exitOK
}

// buildFinished logs a build's outcome and returns its exit code.
func buildFinished(rep scheduler.Report, log *slog.Logger) int {
	failed := 0
	for _, sr := range rep.Sources {
		if sr.Failed() {
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
