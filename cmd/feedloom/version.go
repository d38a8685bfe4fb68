package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version, commit and date are set at link time:
//
//	-ldflags "-X main.version=1.2.3 -X main.commit=abc1234 -X main.date=2026-12-05T10:00:00Z"
//
// version alone is in the User-Agent and the feeds' generator, so a
// rebuild of the same release publishes the same bytes.
var (
	version = "0.1.0-dev"
	commit  = ""
	date    = ""
)

// versionLine is what `feedloom version` prints. Its first words are
// "feedloom <version>", which scripts read. A binary that was not stamped
// (go build, go install) falls back to what the toolchain recorded of the
// checkout, when it recorded anything.
func versionLine() string {
	c, d := commit, date
	if c == "" || d == "" {
		vc, vd := vcsStamp()
		if c == "" {
			c = vc
		}
		if d == "" {
			d = vd
		}
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("feedloom %s (commit %s, built %s, %s %s/%s)\n", version, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// vcsStamp is the revision and commit time the go command embedded from
// the checkout; empty without -buildvcs (or outside a repository).
func vcsStamp() (rev, at string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	// The same length `git rev-parse --short=12` gives a release.
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && dirty {
		rev += "-dirty"
	}
	return rev, at
}
