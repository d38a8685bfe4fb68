package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/feedloom/feedloom/config"
	"github.com/feedloom/feedloom/internal/wiring"
)

// cmdOPML runs `feedloom opml export`: the configured upstream
// subscriptions as OPML 2.0 on stdout, for moving to another reader or
// aggregator. It only reads the store.
func cmdOPML(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintf(stderr, "feedloom opml: want the subcommand export\n\n%s", usage)
		return exitUsage
	}
	fs := newFlags("opml export", stderr)
	path := fs.String("config", "config.yaml", "config file")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	cfg, err := config.Load(*path, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	b, err := wiring.ExportOPML(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *path, err)
		if errors.Is(err, wiring.ErrStore) {
			return exitUsage
		}
		return exitFailed
	}
	if _, err := stdout.Write(b); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	return exitOK
}
