package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one subcommand. The usage text, the shell completions and the
// man page are generated from the table of them, and each command parses
// its arguments with the same flags function the table holds, so what is
// documented is what is parsed. Adding a command is adding an entry.
type command struct {
	// name is one word, or two for a command under a group ("opml
	// export"): the group takes the first word.
	name    string
	aliases []string // also accepted, never offered or documented
	// forms are the operands after the flags, one synopsis line each;
	// none means the command takes no operands. An uppercase FILE or DIR
	// completes file or folder names; a|b|c completes those words.
	forms   []string
	summary string // one line: usage, completion menus
	doc     string // a paragraph more for the man page; may be empty
	// flags defines the command's flags on fs; nil when it has none.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands is the command table, in the order usage and the man page list
// them. It is a function, not a variable, because help, completion and
// the man page read it.
func commands() []command {
	return []command{
		{
			name: "build", summary: "refresh every source once and publish",
			doc: "Schedules are ignored (cron is the schedule in this mode), politeness is not: a feed source inside its failure backoff, " +
				"its Retry-After or its upstream's cache window is skipped and logged. On a terminal a line shows the sources done, " +
				"items, failures, the time taken and an estimate of the rest; elsewhere it logs plain lines.",
			flags: func(fs *flag.FlagSet) { buildFlags(fs) }, run: cmdBuild,
		},
		{
			name: "serve", summary: "refresh each source on its schedule, publish after changes, and serve the output folder over HTTP",
			doc:   "Runs until SIGINT or SIGTERM, then lets an in-flight publish finish and exits 0.",
			flags: func(fs *flag.FlagSet) { serveFlags(fs) }, run: cmdServe,
		},
		{
			name: "check", summary: "validate the config (errors name file:line:col and field)",
			flags: func(fs *flag.FlagSet) { configOnlyFlags(fs) }, run: cmdCheck,
		},
		{
			name: "fetch", forms: []string{"URL", "--source NAME"},
			summary: "print what a feed or a configured source normalizes to, one JSON item a line",
			doc: "The fetch details (status, validators) go to standard error. It uses --config (or ./config.yaml when present) " +
				"for ids and time zone, and writes nothing.",
			flags: func(fs *flag.FlagSet) { fetchFlags(fs) }, run: cmdFetch,
		},
		{
			name: "opml export", summary: "print the upstream subscriptions (feed sources, and the feeds of opml sources) as OPML 2.0",
			flags: func(fs *flag.FlagSet) { configOnlyFlags(fs) }, run: cmdOPML,
		},
		{
			name: "healthcheck", summary: "exit 0 when a running serve's /healthz answers 200, else 1",
			doc:   "It is what a container's HEALTHCHECK runs, since a scratch image has no shell or curl.",
			flags: func(fs *flag.FlagSet) { healthcheckFlags(fs) }, run: cmdHealthcheck,
		},
		{
			name: "init", forms: []string{"DIR"},
			summary: "start a site in DIR: a config, an example story in English and in Chinese, a README",
			doc:     "DIR is created when missing. Nothing is written when any of the files is there already.",
			run:     cmdInit,
		},
		{
			name: "completion", forms: []string{"bash|zsh|fish"},
			summary: "print the shell completion script for bash, zsh or fish",
			doc: "For bash: source <(feedloom completion bash). For zsh: feedloom completion zsh > \"${fpath[1]}/_feedloom\". " +
				"For fish: feedloom completion fish > ~/.config/fish/completions/feedloom.fish.",
			run: cmdCompletion,
		},
		{
			name: "version", aliases: []string{"--version"},
			summary: "print the version, commit, build date and Go version",
			run: func(_ context.Context, _ []string, stdout, _ io.Writer) int {
				fmt.Fprint(stdout, versionLine())
				return exitOK
			},
		},
		{
			name: "help", aliases: []string{"-h", "--help"}, summary: "print this help",
			run: func(_ context.Context, _ []string, stdout, _ io.Writer) int {
				fmt.Fprint(stdout, usage())
				return exitOK
			},
		},
	}
}

// group is the first word of the command's name; sub the second, or "".
func (c command) group() string { g, _, _ := strings.Cut(c.name, " "); return g }
func (c command) sub() string   { _, s, _ := strings.Cut(c.name, " "); return s }

// flagSet is the command's flags, for documenting them.
func (c command) flagSet() *flag.FlagSet {
	fs := newFlags(c.name, io.Discard)
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// option is one flag as documented: its name, the name of its value
// (empty for a switch), its usage and its default.
type option struct {
	name, value, usage, def string
}

// options lists the command's flags in the flag package's order (by name).
func (c command) options() []option {
	var opts []option
	c.flagSet().VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			value = ""
		}
		def := f.DefValue
		if def == "false" || def == "0" {
			def = ""
		}
		opts = append(opts, option{name: f.Name, value: value, usage: usage, def: def})
	})
	return opts
}

// synopses are the command's synopsis lines without "feedloom ": its name,
// its flags in brackets and each form. A flag that a form names belongs to
// that form alone (fetch's --source NAME instead of a URL).
func (c command) synopses() []string {
	forms := c.forms
	if len(forms) == 0 {
		forms = []string{""}
	}
	var out []string
	for _, form := range forms {
		words := []string{c.name}
		for _, o := range c.options() {
			if slices.ContainsFunc(forms, func(f string) bool { return strings.Contains(f, "--"+o.name) }) {
				continue
			}
			if o.value == "" {
				words = append(words, "[--"+o.name+"]")
			} else {
				words = append(words, "[--"+o.name+" "+o.value+"]")
			}
		}
		if form != "" {
			words = append(words, form)
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

// lookup finds the command args name, and the arguments left for it. A
// group word alone, or with a word that is none of its commands, is
// reported as want: the names that may follow it.
func lookup(args []string) (cmd command, rest []string, want []string, ok bool) {
	for _, c := range commands() {
		if args[0] != c.group() && !slices.Contains(c.aliases, args[0]) {
			continue
		}
		if c.sub() == "" {
			return c, args[1:], nil, true
		}
		if len(args) > 1 && args[1] == c.sub() {
			return c, args[2:], nil, true
		}
		want = append(want, c.sub())
	}
	return command{}, nil, want, false
}

// usage is the help text, from the command table.
func usage() string {
	var b strings.Builder
	b.WriteString("feedloom publishes RSS 2.0, Atom 1.0 and JSON Feed 1.1 files from story\nfiles and upstream feeds.\n\nUsage:\n")
	const indent, column, width = 2, 45, 100
	for _, c := range commands() {
		syn := c.synopses()
		for i, s := range syn {
			line := strings.Repeat(" ", indent) + "feedloom " + s
			if i < len(syn)-1 {
				b.WriteString(line + "\n")
				continue
			}
			if len(line)+2 > column {
				b.WriteString(line + "\n")
				line = ""
			}
			for j, w := range wrap(c.summary, width-column) {
				if j > 0 {
					line = ""
				}
				b.WriteString(pad(line, column) + w + "\n")
			}
		}
	}
	b.WriteString("\nExit codes: 0 ok; 1 published, but some sources or story files failed;\n2 usage or config error; 3 nothing published.\n")
	return b.String()
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
