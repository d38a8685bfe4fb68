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
	"path/filepath"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/store/sqlite"
)

// cmdFetch prints what one feed normalizes to: one JSON item per line on
// stdout, the fetch details (status, validators, timing) on stderr. It
// writes nothing: no store, no output.
func cmdFetch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fetch", stderr)
	path := fs.String("config", "", "config file for ids and time zone (default ./config.yaml if present)")
	allowPrivate := fs.Bool("allow-private", false, "fetch from loopback, private and link-local addresses too (a configured source's allow_private applies without it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: feedloom fetch [--config FILE] [--allow-private] URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	target := fs.Arg(0)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))

	nopts := normalize.Options{Host: "localhost", Zone: time.UTC}
	src := normalize.Source{Name: "fetch", Feed: true}
	fopts := feed.Options{UserAgent: userAgent(), Log: log}
	cfg, err := fetchConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	now := time.Now().Truncate(time.Second)
	nopts.FirstRun = now.UTC().Format(time.DateOnly)
	if cfg != nil {
		nopts = normalizeOptions(cfg)
		nopts.FirstRun = now.In(cfg.Site.Location).Format(time.DateOnly)
		if first, ok := recordedFirstRun(ctx, cfg, nopts.FirstRun); ok {
			nopts.FirstRun = first
		}
		src.Language = cfg.Languages[0].Tag
		fopts = fetchOptions(cfg, log)
		src.Zone = fopts.Zone
		fopts.AllowPrivate = cfg.Fetch.AllowPrivate
		for _, s := range cfg.Sources {
			if s.Kind == "feed" && s.URL == target {
				src = normalizeSource(cfg, s)
				fopts.AllowPrivate = cfg.AllowPrivateOf(s)
			}
		}
	}
	fopts.Zone = src.Zone
	fopts.AllowPrivate = fopts.AllowPrivate || *allowPrivate

	res, err := feed.New(src.Name, target, fopts).Fetch(ctx, sources.State{})
	if err != nil {
		log.Error("fetch failed", "err", err)
		return exitPartial
	}
	det, err := normalize.NewDetector()
	if err != nil {
		log.Error("cannot load language tables", "err", err)
		return exitFailed
	}
	items, nerr := normalize.New(nopts, det).Items(src, now, res.Stories, nil)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			log.Error("write", "err", err)
			return exitFailed
		}
	}
	log.Info("fetched", "url", sources.RedactURL(target), "stories", len(res.Stories), "items", len(items))
	if nerr != nil {
		log.Warn("skipped", "err", nerr)
		return exitPartial
	}
	return exitOK
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

// recordedFirstRun reads the store's first-run date, so fetch prints the ids
// build would give; it never creates a store (an existing one without a
// date, which no build leaves, gets today's).
func recordedFirstRun(ctx context.Context, cfg *config.Config, today string) (string, bool) {
	db := filepath.Join(cfg.DataDir, "feedloom.db")
	if _, err := os.Stat(db); err != nil {
		return "", false
	}
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return "", false
	}
	defer st.Close()
	first, err := st.FirstRun(ctx, today)
	return first, err == nil && first != ""
}
