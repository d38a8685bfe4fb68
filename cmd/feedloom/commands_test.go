package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestManPageIsCurrent fails while docs/feedloom.1 differs from the page
// the command table makes; -update (make man) rewrites it.
func TestManPageIsCurrent(t *testing.T) {
	var b bytes.Buffer
	manPage(&b, commands())
	path := filepath.Join("..", "..", "docs", "feedloom.1")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run `make man` to write it", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatalf("docs/feedloom.1 is stale: the commands or flags changed; run `make man` (go test ./cmd/feedloom -run TestManPageIsCurrent -update) and commit it")
	}
	if man, err := exec.LookPath("man"); err == nil {
		// man -l renders a local file; a roff mistake shows as a warning.
		cmd := exec.Command(man, "--warnings", "-l", "-Tutf8", path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("man -l %s: %v\n%s", path, err, stderr.String())
		}
		if !strings.Contains(string(out), "build") {
			t.Errorf("the rendered page lacks the build command:\n%s", out)
		}
	}
}

// TestEveryCommandIsDocumented: each command of the table is in the usage
// text, the man page and every completion script, with each of its flags,
// and its --help names it.
func TestEveryCommandIsDocumented(t *testing.T) {
	var man bytes.Buffer
	manPage(&man, commands())
	scripts := map[string]string{}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, stderr := feedloom(t, "completion", sh)
		if code != exitOK {
			t.Fatalf("completion %s: exit %d, %s", sh, code, stderr)
		}
		scripts[sh] = out
	}
	help := usage()
	for _, c := range commands() {
		for _, s := range c.synopses() {
			if !strings.Contains(help, "feedloom "+s) {
				t.Errorf("usage lacks %q", s)
			}
		}
		if !strings.Contains(man.String(), roffEscape(c.group())) {
			t.Errorf("man page lacks %q", c.name)
		}
		for sh, script := range scripts {
			if !strings.Contains(script, c.group()) || !strings.Contains(script, c.sub()) {
				t.Errorf("%s completion lacks %q", sh, c.name)
			}
		}
		for _, o := range c.options() {
			if !strings.Contains(man.String(), roffEscape("--"+o.name)) {
				t.Errorf("man page lacks %s --%s", c.name, o.name)
			}
			for sh, script := range scripts {
				if !strings.Contains(script, o.name) {
					t.Errorf("%s completion lacks %s --%s", sh, c.name, o.name)
				}
			}
		}
		args := append(strings.Fields(c.name), "--help")
		if c.flags == nil {
			continue
		}
		code, _, stderr := feedloom(t, args...)
		if code != exitOK || !strings.Contains(stderr, "usage: feedloom "+c.synopses()[0]) {
			t.Errorf("%s --help: exit %d, %q", c.name, code, stderr)
		}
	}
}

func TestCompletionArguments(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, _ := feedloom(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := feedloom(t, "opml"); code != exitUsage || !strings.Contains(stderr, "want the subcommand export") {
		t.Errorf("opml alone: exit %d, %q", code, stderr)
	}
}

// TestBashCompletion runs the bash script as bash's completion would, on
// what a user has typed so far.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	_, script, _ := feedloom(t, "completion", "bash")
	writeFile(t, filepath.Join(dir, "feedloom.bash"), script)
	if err := os.Mkdir(filepath.Join(dir, "site"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "site.yaml"), "")
	tests := []struct {
		line string // typed so far; a trailing space starts a new word
		want string // the offers, one per line
	}{
		{"feedloom ", "build\nserve\ncheck\nfetch\nopml\nhealthcheck\ninit\ncompletion\nversion\nhelp"},
		{"feedloom se", "serve"},
		{"feedloom build --", "--config\n--force"},
		{"feedloom serve --config si", "site\nsite.yaml"},
		{"feedloom serve --addr ", ""},
		{"feedloom opml ", "export"},
		{"feedloom opml export --", "--config"},
		{"feedloom init s", "site"},
		{"feedloom completion ", "bash\nzsh\nfish"},
		{"feedloom completion bash ", ""},
		{"feedloom fetch --", "--allow-private\n--config\n--source"},
	}
	for _, tt := range tests {
		words := strings.Fields(tt.line)
		if strings.HasSuffix(tt.line, " ") {
			words = append(words, "")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source feedloom.bash; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			string(rune('0'+len(words)-1)) + "; _feedloom; printf '%s\\n' \"${COMPREPLY[@]}\""
		cmd := exec.Command(bash, "--norc", "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		offers := strings.Fields(string(out))
		if strings.Contains(tt.line, "--config") {
			slices.Sort(offers) // in the file system's order
		}
		if got := strings.Join(offers, "\n"); got != tt.want {
			t.Errorf("%q offers %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestFishAndZshCompletion checks the zsh script's syntax and asks fish
// for its offers, where those shells are installed.
func TestFishAndZshCompletion(t *testing.T) {
	dir := t.TempDir()
	if zsh, err := exec.LookPath("zsh"); err == nil {
		_, script, _ := feedloom(t, "completion", "zsh")
		writeFile(t, filepath.Join(dir, "_feedloom"), script)
		if out, err := exec.Command(zsh, "-n", filepath.Join(dir, "_feedloom")).CombinedOutput(); err != nil {
			t.Errorf("zsh -n: %v\n%s", err, out)
		}
	} else {
		t.Log("no zsh: its script's syntax was not checked")
	}
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Log("no fish: its script was not run")
		return
	}
	_, script, _ := feedloom(t, "completion", "fish")
	writeFile(t, filepath.Join(dir, "feedloom.fish"), script)
	for line, want := range map[string]string{
		"feedloom bu":               "build",
		"feedloom build --f":        "--force",
		"feedloom opml ":            "export",
		"feedloom opml export --co": "--config",
		"feedloom completion z":     "zsh",
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source feedloom.fish; complete -C'"+line+"'")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish %q: %v\n%s", line, err, out)
		}
		first, _, _ := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], "\t")
		if first != want {
			t.Errorf("fish %q offers %q first, want %q", line, out, want)
		}
	}
}
