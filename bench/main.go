// Command bench is feedloom's end-to-end benchmark (make bench). It generates
// N synthetic upstream feeds deterministically, serves them from 16 loopback
// addresses with ETag/Last-Modified/304 and a per-request latency, and runs
// the real `feedloom build` against them as a child process: cold, then warm
// (every answer a 304) with and without latency. It runs a naive baseline
// (sequential gofeed ParseURL + gorilla/feeds) on the same feeds, times
// publishing a large store alone, loads `feedloom serve` with wrk when it is
// installed, and prints one markdown table with the machine and the issue's
// targets. It fails only when a run exits non-zero or its output is wrong
// (a feed missing, a warm run that rewrote files), never on a time.
//
// Usage (from the repository root):
//
//	go run ./bench [-n 100,1000,5000] [-latency 50ms] [-out bench/results.md]
//	go run ./bench -smoke        # CI: N = 50, no latency, small store, < 1 min
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	ns           []int
	latency      time.Duration
	baselineMax  int
	parseFeeds   int
	publishItems int
	publishPages int
	wrkDuration  time.Duration
	wrkConns     int
	smoke        bool
	out          string
	keep         bool
	cluster      int
	scale        int // feed sources of the scale benchmark; 0 leaves it out
	clusterDSN   string
	clusterNodes []int
	only         string // "publish" or "folder": only those runs
	// folderStories is the story folder benchmark's size; 0 leaves it out.
	folderStories int
	binary        string // a feedloom binary to run instead of building one
}

// harness holds one invocation's state and results.
type harness struct {
	opts     options
	root     string // module root
	work     string // temporary folder
	feedloom string // the built binary
	self     string // this binary, for children
	up       *upstreams
	machine  machine

	runs         []run
	baseline     map[int]baselineResult
	parse        parseCost
	publish      []publishRun
	syndication  []publishRun // the same store with channels, categories, archives and pages
	folder       []folderRun
	rev          int // the upstreams' revision (generateRev)
	fillTook     time.Duration
	wrk          []wrkRun
	serveSkipped string
	problems     []string
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// fail records a wrong result: the table is still printed, then the
// harness exits 1.
func (h *harness) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	h.problems = append(h.problems, msg)
	h.logf("FAIL: %s", msg)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run1(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run1(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	ns := fs.String("n", "100,1000,5000", "upstream feed counts, comma-separated (each at most 10000)")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "delay of every upstream answer")
	fs.IntVar(&o.baselineMax, "baseline-max", 5000, "run the baseline only for N up to this (it is sequential: N × latency)")
	fs.IntVar(&o.parseFeeds, "parse-feeds", 1000, "feeds parsed to measure gofeed's bare cost")
	fs.IntVar(&o.publishItems, "publish-items", 100_000, "items in the publish-alone store")
	fs.IntVar(&o.publishPages, "publish-pages", 2_000, "of them, story-file items without a link (one permalink page each)")
	fs.DurationVar(&o.wrkDuration, "wrk-duration", 5*time.Second, "length of each wrk load")
	fs.IntVar(&o.wrkConns, "wrk-conns", 64, "wrk connections")
	fs.BoolVar(&o.smoke, "smoke", false, "CI smoke: N = 50, no latency, a 3,000-item store, 1s wrk loads")
	fs.StringVar(&o.out, "out", "", "also write the table to this file")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder")
	fs.IntVar(&o.scale, "scale", 0, "run only the scale benchmark, with this many feed sources on one node (the issue's case: 100000; ~2M items, ~10 GB of store)")
	fs.IntVar(&o.cluster, "cluster", 0, "run only the cluster benchmark, with this many sources (needs PostgreSQL)")
	fs.StringVar(&o.clusterDSN, "cluster-dsn", os.Getenv("FEEDLOOM_TEST_PG"), "PostgreSQL server the cluster benchmark creates its databases on")
	nodes := fs.String("cluster-nodes", "1,3", "node counts of the cluster benchmark")
	fs.StringVar(&o.only, "only", "", `"publish": run only the publish-alone measurement; "folder": only the story folder's; "refresh": only the builds against the upstreams and gofeed's bare parse`)
	fs.StringVar(&o.binary, "feedloom", "", "run this feedloom binary instead of building ./cmd/feedloom (another commit's, for a before run)")
	fs.IntVar(&o.folderStories, "folder-stories", 10_000, "stories in the story folder benchmark (the issue's case: 100000); 0 leaves it out")
	child := fs.String("child", "", "internal: run as the baseline, publish or parse child")
	urls := fs.String("urls", "", "internal: baseline URL list")
	dir := fs.String("dir", "", "internal: child output folder")
	db := fs.String("db", "", "internal: publish child store")
	syndication := fs.Bool("syndication", false, "internal: the publish child writes channels, category channels, archives and numbered pages")
	rusage := fs.String("rusage", "", "internal: where the exec child writes the rusage of what it ran")
	cpuProfile := fs.String("cpuprofile", "", "with -child: write a CPU profile of the child's work to this file")
	memProfile := fs.String("memprofile", "", "with -child: write an allocation profile to this file on exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *child != "" {
		stop, err := profile(*cpuProfile, *memProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			return 2
		}
		defer stop()
	}
	switch *child {
	case "":
	case "exec":
		return exitOf(launch(*rusage, fs.Args()))
	case "baseline":
		return exitOf(baseline(*urls, *dir))
	case "publish":
		return exitOf(publishChild(*db, *dir, *syndication))
	case "pooled":
		return exitOf(pooled(*urls, *dir))
	case "fetch":
		return exitOf(fetchOnly(*urls))
	case "parse":
		n, _ := strconv.Atoi(fs.Lookup("n").Value.String())
		return exitOf(parseChild(n))
	default:
		fmt.Fprintf(os.Stderr, "bench: unknown child %q\n", *child)
		return 2
	}
	if o.smoke {
		*ns = "50"
		o.latency = 0
		o.baselineMax = 50
		o.parseFeeds = 50
		o.publishItems, o.publishPages = 3_000, 300
		o.wrkDuration = time.Second
		o.folderStories = min(o.folderStories, 2_000)
	}
	for _, s := range strings.Split(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > dateStride {
			fmt.Fprintf(os.Stderr, "bench: -n %q: each count must be 1 … %d\n", s, dateStride)
			return 2
		}
		o.ns = append(o.ns, n)
	}
	if o.only != "" && o.only != "publish" && o.only != "folder" && o.only != "refresh" {
		fmt.Fprintf(os.Stderr, "bench: -only %q: \"publish\", \"folder\" and \"refresh\" are known\n", o.only)
		return 2
	}
	slices.Sort(o.ns)
	for _, s := range strings.Split(*nodes, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || k < 1 || k > 16 {
			fmt.Fprintf(os.Stderr, "bench: -cluster-nodes %q: each count must be 1 … 16\n", s)
			return 2
		}
		o.clusterNodes = append(o.clusterNodes, k)
	}
	h := &harness{opts: o, baseline: map[int]baselineResult{}}
	if err := h.run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	if len(h.problems) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d problems:\n  %s\n", len(h.problems), strings.Join(h.problems, "\n  "))
		return 1
	}
	return 0
}

func exitOf(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func (h *harness) run(ctx context.Context) (err error) {
	if h.self, err = self(); err != nil {
		return err
	}
	gomod, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return fmt.Errorf("run from inside the feedloom module (go env GOMOD: %v)", err)
	}
	h.root = filepath.Dir(strings.TrimSpace(string(gomod)))
	h.machine = describeMachine(h.root)
	if h.work, err = os.MkdirTemp("", "feedloom-bench-"); err != nil {
		return err
	}
	if h.opts.keep {
		h.logf("work folder: %s", h.work)
	} else {
		defer os.RemoveAll(h.work)
	}

	h.feedloom = filepath.Join(h.work, "feedloom")
	if h.opts.binary != "" {
		if h.feedloom, err = filepath.Abs(h.opts.binary); err != nil {
			return err
		}
	} else {
		h.logf("building feedloom")
		build := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-o", h.feedloom, "./cmd/feedloom")
		build.Dir, build.Stderr = h.root, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/feedloom: %w", err)
		}
	}

	if h.opts.cluster > 0 {
		if h.opts.clusterDSN == "" {
			return errNoServer
		}
		runs, err := h.clusterBench(ctx, h.opts.cluster, h.opts.clusterDSN, h.opts.clusterNodes)
		if err != nil {
			return err
		}
		return h.emit(h.clusterTable(runs))
	}

	if h.opts.scale > 0 {
		res, err := h.scaleBench(ctx, h.opts.scale)
		if err != nil {
			return fmt.Errorf("scale: %w", err)
		}
		return h.emit(h.scaleTable(res))
	}

	if h.opts.only == "publish" {
		if err := h.publishAlone(ctx); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return h.emit(h.publishOnlyTable())
	}
	if h.opts.only == "folder" {
		if err := h.folderBench(ctx); err != nil {
			return fmt.Errorf("folder: %w", err)
		}
		return h.emit(h.folderOnlyTable())
	}

	maxN := max(h.opts.ns[len(h.opts.ns)-1], min(h.opts.parseFeeds, dateStride))
	h.logf("generating %d upstream feeds", maxN)
	start := time.Now()
	feeds := generateAll(maxN)
	var size, gz int64
	for _, f := range feeds {
		size += int64(len(f.body))
		gz += int64(len(f.gz))
	}
	h.logf("generated %d feeds in %s: %.1f MB, %.1f MB gzipped", maxN, time.Since(start).Round(time.Millisecond), float64(size)/1e6, float64(gz)/1e6)
	if h.up, err = startUpstreams(feeds); err != nil {
		return err
	}
	defer h.up.close()

	for _, n := range h.opts.ns {
		if err := h.refresh(ctx, n); err != nil {
			return fmt.Errorf("refresh with n=%d: %w", n, err)
		}
		if err := h.runPooled(ctx, n); err != nil {
			return fmt.Errorf("pooled program with n=%d: %w", n, err)
		}
		if n <= h.opts.baselineMax && h.opts.only == "" {
			if err := h.runBaseline(ctx, n); err != nil {
				return fmt.Errorf("baseline with n=%d: %w", n, err)
			}
		}
	}
	if err := h.measureParse(ctx, min(h.opts.parseFeeds, maxN)); err != nil {
		return err
	}
	if h.opts.only == "refresh" {
		return h.emit(h.table())
	}
	if err := h.publishAlone(ctx); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if h.opts.folderStories > 0 {
		if err := h.folderBench(ctx); err != nil {
			return fmt.Errorf("folder: %w", err)
		}
	}
	if err := h.serveLoad(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	return h.emit(h.table())
}

// emit prints the table and writes it to -out.
func (h *harness) emit(table string) error {
	fmt.Print(table)
	if h.opts.out != "" {
		if err := os.WriteFile(h.opts.out, []byte(table), 0o644); err != nil {
			return err
		}
		h.logf("wrote %s", h.opts.out)
	}
	return nil
}

// goTool is the go command: $GO (as make passes it) or go on PATH.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
