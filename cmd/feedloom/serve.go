package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/internal/wiring"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/server"
	"github.com/feedloom/feedloom/watch"
)

// shutdownGrace bounds how long open HTTP requests may finish after a
// signal.
const shutdownGrace = 5 * time.Second

// serveOptions are serve's flags.
type serveOptions struct {
	config, addr string
	dev          bool
}

func serveFlags(fs *flag.FlagSet) *serveOptions {
	o := new(serveOptions)
	configFlag(fs, &o.config, "config.yaml")
	fs.StringVar(&o.addr, "addr", "", "listen on `ADDR`, such as 127.0.0.1:8080 (default $"+addrEnv+", else serve.addr from the config)")
	fs.BoolVar(&o.dev, "dev", false, "for a local preview: allow schedules under one minute, and serve pages with site.base_url rewritten to this server's address")
	return o
}

// cmdServe runs the scheduler and the HTTP server until ctx is cancelled
// (SIGINT, SIGTERM), then shuts down cleanly and returns 0.
func cmdServe(ctx context.Context, args []string, _, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	o := serveFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	out := newLogWriter(stderr)
	defer out.Close()
	log := newLogger(out)
	cfg, err := config.Load(o.config, config.LoadOptions{Dev: o.dev})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	logWarnings(log, cfg)
	if o.addr == "" {
		o.addr = cmp.Or(os.Getenv(addrEnv), cfg.Serve.Addr)
	}
	set := metrics.NewSet()
	m := scheduler.NewMetrics(set)
	site, code := wire(ctx, cfg, wiring.Options{Role: wiring.Serve, Metrics: m}, log)
	if site == nil {
		return code
	}
	defer site.Close()
	if rt, ok := site.Store.(interface{ RoundTripsFor() map[string]uint64 }); ok {
		m.StoreRoundTrips(rt.RoundTripsFor)
	}
	if site.Node != "" {
		log = log.With("node", site.Node)
	}
	sched := site.Scheduler
	sopts := server.Options{
		MaxAge:        cfg.Serve.MaxAge,
		ArchiveMaxAge: cfg.Serve.ArchiveMaxAge,
		StaleAfter:    cfg.Serve.StaleAfter,
		Health:        sched,
		Metrics:       metricsHandler(set),
		Title:         cfg.Site.Title,
	}
	if site.Node != "" {
		sopts.Node = sched
	}
	if o.dev {
		// A local preview's pages link to the preview, not to production.
		sopts.DevBaseURL = cfg.Site.BaseURL
	}
	h := server.New(cfg.Output.Dir, sopts, log)

	if err := site.Publisher.Check(); err != nil {
		log.Error("output folder is not writable", "err", err)
		return exitFailed
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		log.Error("cannot listen", "addr", o.addr, "err", err)
		return exitUsage
	}
	srv := server.NewServer(ln.Addr().String(), h)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// A cluster node's log lines carry its node id already.
	log.Info("serving", "addr", ln.Addr().String(), "dir", cfg.Output.Dir, "sources", len(cfg.Sources))
	defer watchFolders(ctx, cfg, sched, log)()
	return runUntilDone(ctx, sched, srv, served, log)
}

// metricsHandler writes the types and help of feedloom's own metrics, set,
// then the Go runtime's and the process's metrics, in Prometheus' text
// format (version 0.0.4, which every scraper reads). The file descriptor counts are asked for apart because
// WriteProcessMetrics leaves them out, and Prometheus' process collector,
// which dashboards were built on, had them.
func metricsHandler(set *metrics.Set) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		scheduler.WriteMetricsHelp(w)
		set.WritePrometheus(w)
		metrics.WriteProcessMetrics(w)
		metrics.WriteFDMetrics(w)
	})
}

// watchFolders refreshes a files source when its folder changes, after
// scheduler.debounce of quiet, until the returned stop is called. Without
// events (a file system that gives none, no inotify watches left) the
// schedule still runs.
func watchFolders(ctx context.Context, cfg *config.Config, sched *scheduler.Scheduler, log *slog.Logger) (stop func()) {
	var folders []watch.Folder
	for _, src := range cfg.Sources {
		if src.Kind == "files" {
			folders = append(folders, watch.Folder{Source: src.Name, Path: src.Path})
		}
	}
	if len(folders) == 0 {
		return func() {}
	}
	w, err := watch.New(folders, watch.Options{Debounce: cfg.Scheduler.Debounce, Trigger: sched.Trigger, Log: log})
	if err != nil {
		log.Warn("story folders are not watched; their schedules still run", "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// runUntilDone runs sched beside srv (whose Serve reports on served) until
// ctx is cancelled or either stops. Whatever ends first — a signal, the
// server, the scheduler — the others are stopped and awaited before the
// store is closed.
func runUntilDone(ctx context.Context, sched *scheduler.Scheduler, srv *http.Server, served <-chan error, log *slog.Logger) int {
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	ran := make(chan error, 1)
	go func() { ran <- sched.Run(runCtx) }()

	code := exitOK
	schedDone := false
	select {
	case <-ctx.Done():
	case err := <-served:
		log.Error("server stopped", "err", err)
		code = exitFailed
	case err := <-ran:
		schedDone = true
		if err != nil {
			log.Error("scheduler stopped", "err", err)
			code = exitFailed
		}
	}
	stopRun()
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("open connections cut at shutdown", "err", err)
	}
	if !schedDone {
		if err := <-ran; err != nil {
			log.Error("scheduler stopped", "err", err)
			code = exitFailed
		}
	}
	log.Info("stopped")
	return code
}
