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
	fs := newFlags("opml export", stderr)
	o := configOnlyFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := config.Load(o.config, config.LoadOptions{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	b, err := wiring.ExportOPML(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", o.config, err)
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
