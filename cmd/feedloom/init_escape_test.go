package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitStaysInDir: a stories folder that links out of DIR is refused,
// and nothing is written there or in DIR.
func TestInitStaysInDir(t *testing.T) {
	base := t.TempDir()
	dir, outside := filepath.Join(base, "site"), filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "stories")); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := cmdInit(context.Background(), []string{dir}, &out, &errb); code != exitUsage {
		t.Errorf("exit %d, want %d (%s)", code, exitUsage, errb.String())
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("init wrote %d files outside %s", len(entries), dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); err == nil {
		t.Error("config.yaml left behind after the refusal")
	}
}

// TestHealthcheckTimeoutPositive: a zero or negative --timeout is a usage
// error, not a check that always fails.
func TestHealthcheckTimeoutPositive(t *testing.T) {
	for _, v := range []string{"0", "-1s"} {
		var out, errb bytes.Buffer
		code := cmdHealthcheck(context.Background(), []string{"--timeout", v, "--url", "http://127.0.0.1:1/healthz"}, &out, &errb)
		if code != exitUsage {
			t.Errorf("--timeout %s: exit %d (%q), want a usage error", v, code, errb.String())
		}
	}
}

// TestBashCompletionKeepsFileNames: a file name with a space is offered
// as one word.
func TestBashCompletionKeepsFileNames(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "my site.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var script bytes.Buffer
	bashCompletion(&script, commands())
	script.WriteString("\nCOMP_WORDS=(feedloom build --config \"\"); COMP_CWORD=3; _feedloom; printf '[%s]' \"${COMPREPLY[@]}\"; echo\n")
	cmd := exec.Command(bash, "-c", script.String())
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "[my site.yaml]" {
		t.Errorf("--config <TAB> offers %s, want [my site.yaml]", got)
	}
}
