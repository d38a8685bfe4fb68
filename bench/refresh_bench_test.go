package main

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/normalize"
	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/scheduler"
	"github.com/feedloom/feedloom/sources/feed"
	"github.com/feedloom/feedloom/store/sqlite"
)

var (
	benchFeeds   = flag.Int("feeds", 200, "upstream feeds of BenchmarkRefresh")
	benchLatency = flag.Duration("upstream-latency", 0, "delay of every upstream answer in BenchmarkRefresh")
)

// BenchmarkRefresh is one `feedloom build` pass in process, wired as
// cmd/feedloom wires it (one shared client and limiter, language tables
// loaded per pass), against the generated upstreams, so that pprof can see
// it:
//
//	go test ./bench -run '^$' -bench Refresh/cold -benchtime 3x -feeds 1000 \
//	    -upstream-latency 50ms -cpuprofile cpu.out -memprofile mem.out
//
// cold stores into an empty data folder every time; warm refreshes a full
// one (every answer a 304, nothing written).
func BenchmarkRefresh(b *testing.B) {
	n := *benchFeeds
	up, err := startUpstreams(generateAll(n))
	if err != nil {
		b.Fatal(err)
	}
	defer up.close()
	up.setLatency(*benchLatency)
	root := b.TempDir()
	path, err := writeConfig(root, up, n)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path, config.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pass := func(b *testing.B, dir string) {
		c := *cfg
		c.DataDir, c.Output.Dir = filepath.Join(dir, "data"), filepath.Join(dir, "public")
		rep, err := runOnce(ctx, &c)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed() {
			b.Fatalf("a source failed: %+v", rep.Sources)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir := b.TempDir()
			b.StartTimer()
			pass(b, dir)
		}
		b.ReportMetric(float64(n*itemsPerFeed*b.N)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		pass(b, dir)
		for b.Loop() {
			pass(b, dir)
		}
		b.ReportMetric(float64(n*itemsPerFeed*b.N)/b.Elapsed().Seconds(), "items/s")
	})
}

// runOnce is cmdBuild's pass, lock and exit codes aside.
func runOnce(ctx context.Context, cfg *config.Config) (scheduler.Report, error) {
	log := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "feedloom.db"))
	if err != nil {
		return scheduler.Report{}, err
	}
	defer st.Close()
	det, err := normalize.NewDetector()
	if err != nil {
		return scheduler.Report{}, err
	}
	fopts := feed.Options{
		UserAgent:    "feedloom/bench (+https://github.com/feedloom/feedloom)",
		AllowPrivate: cfg.Fetch.AllowPrivate,
		Timeout:      cfg.Fetch.Timeout,
		MaxBody:      cfg.Fetch.MaxBody,
		Limiter:      feed.NewLimiter(cfg.Fetch.Concurrency, cfg.Fetch.PerHost),
		Zone:         cfg.Site.Location,
		Log:          log,
	}
	fopts.Client = feed.NewClient(fopts)
	var jobs []scheduler.Job
	for _, s := range cfg.Sources {
		o := fopts
		o.Zone = cfg.Site.Location
		r := cfg.RetentionOf(s)
		jobs = append(jobs, scheduler.Job{
			Source:    feed.New(s.Name, s.URL, o),
			Norm:      normalize.Source{Name: s.Name, Language: s.Language, Zone: cfg.Site.Location, Feed: true},
			Schedule:  s.Schedule,
			Retention: scheduler.Retention{MaxAge: r.MaxAge, MaxItems: r.MaxItems},
		})
	}
	langs := make([]publish.Language, len(cfg.Languages))
	for i, l := range cfg.Languages {
		langs[i] = publish.Language{Tag: l.Tag, Title: l.Title, MaxItems: l.MaxItems}
	}
	pub := publish.New(st, publish.Options{
		Dir:       cfg.Output.Dir,
		BaseURL:   strings.TrimSuffix(cfg.Site.BaseURL, "/") + "/",
		Title:     cfg.Site.Title,
		Link:      cfg.Site.Link,
		Author:    feeds.Person{Name: cfg.Site.Author.Name, Email: cfg.Site.Author.Email},
		Zone:      cfg.Site.Location,
		Languages: langs,
		MaxItems:  cfg.Output.MaxItems,
		Generator: "feedloom bench",
	}, log)
	sched := scheduler.New(st, pub, det, jobs, scheduler.Options{
		Normalize:   normalize.Options{Host: cfg.Host(), Zone: cfg.Site.Location, SiteLink: cfg.Site.Link},
		Concurrency: cfg.Fetch.Concurrency,
		Force:       true,
		Now:         time.Now,
	}, log)
	return sched.RunOnce(ctx)
}
