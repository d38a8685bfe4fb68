// Command feedloom publishes per-language RSS, Atom and JSON feeds from story
// files and upstream feeds. main parses flags, loads the config, wires the
// steps together and maps the outcome to the exit codes of the contract:
// 0 ok, 1 published but some sources or story files failed, 2 usage or
// config error, 3 nothing published.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	// Zone names in config must resolve on machines without a zoneinfo folder.
	_ "time/tzdata"
)

// version is set at link time (-ldflags "-X main.version=…").
var version = "0.1.0-dev"

const (
	exitOK      = 0
	exitPartial = 1
	exitUsage   = 2
	exitFailed  = 3
)

const usage = `feedloom publishes RSS 2.0, Atom 1.0 and JSON Feed 1.1 files from story
files and upstream feeds.

Usage:
  feedloom build [--config FILE] [--force]   refresh every source once and publish
  feedloom serve [--config FILE] [--addr 127.0.0.1:8080] [--dev]
                                             refresh on schedule and serve the output folder
  feedloom check [--config FILE]             validate the config
  feedloom fetch [--config FILE] URL         print what a feed normalizes to, one JSON item a line
  feedloom fetch [--config FILE] --source NAME
                                             print what a configured source yields, the same way
  feedloom opml export [--config FILE]       print the upstream subscriptions (feed sources, and
                                             the feeds of opml sources) as OPML 2.0
  feedloom healthcheck [--url URL | --addr ADDR]
                                             exit 0 when a running serve's /healthz answers 200, else 1
  feedloom version                           print the version

Exit codes: 0 ok; 1 published, but some sources or story files failed;
2 usage or config error; 3 nothing published.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "build":
		return cmdBuild(ctx, rest, stderr)
	case "serve":
		return cmdServe(ctx, rest, stderr)
	case "check":
		return cmdCheck(ctx, rest, stdout, stderr)
	case "fetch":
		return cmdFetch(ctx, rest, stdout, stderr)
	case "opml":
		return cmdOPML(ctx, rest, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "feedloom %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "feedloom: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// newFlags returns a FlagSet of its own per subcommand: the global
// flag.CommandLine is never used (a dependency registers flags on it).
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("feedloom "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags maps flag outcomes to exit codes: -h is success, anything else
// wrong is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK, false
	case err != nil:
		return exitUsage, false
	case fs.NArg() > 0:
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return exitOK, true
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
