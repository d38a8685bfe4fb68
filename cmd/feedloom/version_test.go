package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStampedVersion builds the binary as make release does, stamped at
// link time, and checks that `feedloom version` prints what was stamped.
func TestStampedVersion(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("builds and runs a linux binary")
	}
	if testing.Short() {
		t.Skip("links a whole binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "feedloom")
	const ldflags = "-s -w -X main.version=1.2.3 -X main.commit=abc1234def56 -X main.date=2026-12-05T10:00:00Z"
	build := exec.Command(gobin, "build", "-trimpath", "-ldflags", ldflags, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "feedloom 1.2.3 (commit abc1234def56, built 2026-12-05T10:00:00Z, " + runtime.Version() + " linux/" + runtime.GOARCH + ")\n"
	if string(out) != want {
		t.Errorf("version printed %q, want %q", out, want)
	}
}

// TestUnstampedVersion: a binary built without the stamps says so rather
// than print empty fields, and keeps "feedloom <version>" first.
func TestUnstampedVersion(t *testing.T) {
	line := versionLine()
	if !strings.HasPrefix(line, "feedloom "+version+" (commit ") || strings.Contains(line, "commit ,") || strings.Contains(line, "built ,") {
		t.Errorf("version line %q", line)
	}
}
