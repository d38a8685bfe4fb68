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
	"strings"
	"syscall"

	"github.com/feedloom/feedloom/internal/gcfloor"

	// Zone names in config must resolve on machines without a zoneinfo folder.
	_ "time/tzdata"
)

const (
	exitOK      = 0
	exitPartial = 1
	exitUsage   = 2
	exitFailed  = 3
)

// heapFloor is the heap goal below which the collector does not run (see
// gcfloor): a refresh of a thousand feeds lives in a few tens of MiB, and
// collecting it each time it doubled cost a sixth of its CPU. 128 MiB saved
// little more and took a cold build of 5,000 feeds to 233 MiB.
const heapFloor = 96 << 20

// floorAfter is what a process allocates before the floor holds: the page
// faults of a heap grown to the floor cost more than the collections they
// save until about 100 MiB has been allocated (a cold build of 1,000 feeds
// allocates some GiB, a warm one far less).
const floorAfter = 256 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		// GOGC set by hand is taken as it is. The floor lasts as long as
		// the process.
		gcfloor.Start(heapFloor, floorAfter)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command args name (see commands.go) and returns its exit
// code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	cmd, rest, want, ok := lookup(args)
	switch {
	case ok:
		return cmd.run(ctx, rest, stdout, stderr)
	case len(want) > 0:
		fmt.Fprintf(stderr, "feedloom %s: want the subcommand %s\n\n%s", args[0], strings.Join(want, " or "), usage())
	default:
		fmt.Fprintf(stderr, "feedloom: unknown command %q\n\n%s", args[0], usage())
	}
	return exitUsage
}

// newFlags returns a FlagSet of its own per subcommand: the global
// flag.CommandLine is never used (a dependency registers flags on it).
// Its usage is the command's synopses from the table, then the flags.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("feedloom "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		for _, c := range commands() {
			if c.name != name {
				continue
			}
			prefix := "usage:"
			for _, s := range c.synopses() {
				fmt.Fprintf(fs.Output(), "%s feedloom %s\n", prefix, s)
				prefix = "      "
			}
		}
		fs.PrintDefaults()
	}
	return fs
}

// configFlag defines --config, which most commands take.
func configFlag(fs *flag.FlagSet, p *string, def string) {
	fs.StringVar(p, "config", def, "read the config from `FILE`")
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
