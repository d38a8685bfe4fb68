package main

import (
	"context"
	"flag"
	"path/filepath"
	"runtime/pprof"
	"testing"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/internal/wiring"
	"github.com/feedloom/feedloom/scheduler"
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
// one (every answer a 304, nothing written); changed refreshes a full one
// after every upstream changed one item of its 20 (every answer a 200).
// Each pass carries the pprof label pass (cold, warm, changed, or setup
// for the full store's first build), so -tagfocus pass=warm leaves the
// set-up out of a profile.
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
	pass := func(b *testing.B, dir, label string) {
		c := *cfg
		c.DataDir, c.Output.Dir = filepath.Join(dir, "data"), filepath.Join(dir, "public")
		// The label tells a profile's measured passes from the set-up
		// ones (pprof -tagfocus pass=warm): goroutines inherit it.
		pprof.Do(ctx, pprof.Labels("pass", label), func(ctx context.Context) {
			rep, err := runOnce(ctx, &c)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Failed() {
				b.Fatalf("a source failed: %+v", rep.Sources)
			}
		})
	}
	b.Run("cold", func(b *testing.B) {
		defer reportCPU(b, n)()
		for b.Loop() {
			b.StopTimer()
			dir := b.TempDir()
			b.StartTimer()
			pass(b, dir, "cold")
		}
		b.ReportMetric(float64(n*itemsPerFeed*b.N)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		pass(b, dir, "setup")
		defer reportCPU(b, n)()
		for b.Loop() {
			pass(b, dir, "warm")
		}
		b.ReportMetric(float64(n*itemsPerFeed*b.N)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("changed", func(b *testing.B) {
		dir := b.TempDir()
		pass(b, dir, "setup")
		defer reportCPU(b, n)()
		rev := 0
		for b.Loop() {
			b.StopTimer()
			rev++
			up.revise(n, rev)
			b.StartTimer()
			pass(b, dir, "changed")
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/feed")
	})
}

// runOnce is cmdBuild's pass, lock and exit codes aside, wired as
// feedloom build wires it.
func runOnce(ctx context.Context, cfg *config.Config) (scheduler.Report, error) {
	site, err := wiring.New(ctx, cfg, wiring.Options{Role: wiring.Build, Force: true, Version: "bench"})
	if err != nil {
		return scheduler.Report{}, err
	}
	defer site.Close()
	return site.Scheduler.RunOnce(ctx)
}

// reportCPU, deferred at the start of the measured loop, reports the
// process's CPU time per upstream feed and pass ("cpu-µs/feed"): less
// noisy than the wall time on a shared machine. The upstreams run in this
// process and count too, the same in every run.
func reportCPU(b *testing.B, feeds int) func() {
	start, ok := selfCPU()
	return func() {
		end, ok2 := selfCPU()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/1e3/float64(feeds*b.N), "cpu-µs/feed")
		}
	}
}
