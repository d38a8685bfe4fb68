package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// measure is one child process's run: wall time, CPU time and peak RSS as
// the kernel accounted them to that process alone, and the CPU time this
// process spent meanwhile.
type measure struct {
	Wall      time.Duration
	User, Sys time.Duration
	MaxRSS    int64 // bytes; -1 where the platform does not say
	Exit      int
	Stdout    []byte
	Stderr    []byte
	// Here is this process's CPU time while the child ran: the upstreams
	// answering it, which run here and share the machine's cores with it
	// (the harness itself only waits). -1 where the platform does not say.
	Here time.Duration
}

func (m measure) CPU() time.Duration { return m.User + m.Sys }

// runChild runs name with args in dir and waits for it. A non-zero exit is
// not an error here: the caller decides (feedloom's exit 1 is a partial
// success).
//
// The child is started through a launcher (this binary again, -child exec)
// that runs it and reports its rusage. Started directly, its peak RSS would
// include this process's: Linux carries the parent's high-water mark into a
// vforked child's rusage across exec, and this process holds every
// generated feed. The launcher is small, so what it passes on is not.
// runChildJSON runs one of the harness's own child modes (args after
// -child) in dir and decodes the JSON it prints into out. A child that
// exits non-zero is a finding of the run, reported with h.fail under what,
// and ok is false; err is the harness's own failure.
func (h *harness) runChildJSON(ctx context.Context, dir, what string, out any, args ...string) (m measure, ok bool, err error) {
	m, err = runChild(ctx, dir, h.self, append([]string{"-child"}, args...)...)
	if err != nil {
		return m, false, err
	}
	if m.Exit != 0 {
		h.fail("%s exited %d:\n%s", what, m.Exit, tail(m.Stderr, 15))
		return m, false, nil
	}
	if err := json.Unmarshal(m.Stdout, out); err != nil {
		return m, false, fmt.Errorf("%s output %q: %w", what, m.Stdout, err)
	}
	return m, true, nil
}

func runChild(ctx context.Context, dir, name string, args ...string) (measure, error) {
	ru, err := os.CreateTemp("", "bench-rusage-")
	if err != nil {
		return measure{}, err
	}
	ru.Close()
	defer os.Remove(ru.Name())
	launcher, err := self()
	if err != nil {
		return measure{}, err
	}
	cmd := exec.CommandContext(ctx, launcher, append([]string{"-child", "exec", "-rusage", ru.Name(), "--", name}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	here0, ok0 := selfCPU()
	err = cmd.Run()
	here1, ok1 := selfCPU()
	m := measure{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Here: -1}
	if ok0 && ok1 {
		m.Here = time.Duration(here1 - here0)
	}
	if err != nil {
		return m, fmt.Errorf("run %s: %w: %s", name, err, tail(m.Stderr, 5))
	}
	b, err := os.ReadFile(ru.Name())
	if err != nil {
		return m, fmt.Errorf("run %s: %w", name, err)
	}
	var r launched
	if err := json.Unmarshal(b, &r); err != nil {
		return m, fmt.Errorf("run %s: rusage %q: %w", name, b, err)
	}
	m.Wall, m.User, m.Sys, m.MaxRSS, m.Exit = r.Wall, r.User, r.Sys, r.MaxRSS, r.Exit
	return m, nil
}

// launched is what the launcher reports of the process it ran.
type launched struct {
	Wall, User, Sys time.Duration
	MaxRSS          int64
	Exit            int
}

// launch is the launcher: it runs args with this process's stdio, times it
// and writes its rusage as JSON to rusageFile.
func launch(rusageFile string, args []string) error {
	if len(args) == 0 {
		return errors.New("launch: no command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fmt.Errorf("launch %s: %w", args[0], err)
	}
	ps := cmd.ProcessState
	b, err := json.Marshal(launched{Wall: wall, User: ps.UserTime(), Sys: ps.SystemTime(), MaxRSS: maxRSS(ps), Exit: ps.ExitCode()})
	if err != nil {
		return err
	}
	return os.WriteFile(rusageFile, b, 0o644)
}

// tail is the last few lines of b, for an error message.
func tail(b []byte, lines int) string {
	s := strings.TrimRight(string(b), "\n")
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// self is this harness's own binary, re-run for the baseline and publish
// children so that their rusage is measured as feedloom's is.
func self() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own binary: %w", err)
	}
	return p, nil
}
