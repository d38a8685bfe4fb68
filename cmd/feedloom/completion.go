package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// cmdCompletion prints the completion script for one shell. The scripts
// are written from the command table, so they offer exactly the commands
// and flags the binary parses.
func cmdCompletion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	gen := map[string]func(io.Writer, []command){"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}
	if len(args) != 1 || gen[args[0]] == nil {
		fmt.Fprintln(stderr, "usage: feedloom completion bash|zsh|fish")
		return exitUsage
	}
	gen[args[0]](stdout, commands())
	return exitOK
}

// operand is how a command's operands complete: "file", "dir", or a
// list of words; none when its forms name nothing completable.
func (c command) operand() (kind string, words []string) {
	for _, f := range c.forms {
		switch {
		case f == "FILE":
			return "file", nil
		case f == "DIR":
			return "dir", nil
		case strings.Contains(f, "|"):
			return "words", strings.Split(f, "|")
		}
	}
	return "", nil
}

// valueKind is how a flag's value completes: "file" or "dir" when its
// value is named so, else "" (anything).
func (o option) valueKind() string {
	switch o.value {
	case "FILE":
		return "file"
	case "DIR":
		return "dir"
	}
	return ""
}

// groups are the first words of the commands, in table order, each once,
// with the summary to show: a group's is its commands' names.
func groups(cmds []command) (names, summaries []string) {
	seen := map[string]int{}
	for _, c := range cmds {
		g := c.group()
		if i, ok := seen[g]; ok {
			summaries[i] += ", " + c.sub()
			continue
		}
		seen[g] = len(names)
		names = append(names, g)
		if c.sub() != "" {
			summaries = append(summaries, "commands: "+c.sub())
		} else {
			summaries = append(summaries, c.summary)
		}
	}
	return names, summaries
}

func bashCompletion(w io.Writer, cmds []command) {
	names, _ := groups(cmds)
	fmt.Fprintf(w, `# bash completion for feedloom, from `+"`feedloom completion bash`"+`.
# Load it with: source <(feedloom completion bash)
_feedloom() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W %q -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[1]} first=2
    case $cmd in
`, strings.Join(names, " "))
	// A group's second word is part of the command's name.
	subs := map[string][]string{}
	for _, c := range cmds {
		if c.sub() != "" {
			subs[c.group()] = append(subs[c.group()], c.sub())
		}
	}
	for _, g := range names {
		if len(subs[g]) == 0 {
			continue
		}
		fmt.Fprintf(w, `    %s)
        if (( COMP_CWORD == 2 )); then
            COMPREPLY=($(compgen -W %q -- "$cur"))
            return
        fi
        cmd="$cmd ${COMP_WORDS[2]}" first=3
        ;;
`, g, strings.Join(subs[g], " "))
	}
	fmt.Fprint(w, "    esac\n    case $cmd in\n")
	for _, c := range cmds {
		opts := c.options()
		kind, words := c.operand()
		if len(opts) == 0 && kind == "" {
			continue
		}
		fmt.Fprintf(w, "    %q)\n", c.name)
		var flags []string
		for _, o := range opts {
			flags = append(flags, "--"+o.name)
			if o.value == "" {
				continue
			}
			fmt.Fprintf(w, "        if [[ $prev == --%s || $prev == -%s ]]; then\n", o.name, o.name)
			switch o.valueKind() {
			case "file":
				fmt.Fprint(w, "            compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n")
			case "dir":
				fmt.Fprint(w, "            compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n")
			default:
				fmt.Fprint(w, "            COMPREPLY=()\n")
			}
			fmt.Fprint(w, "            return\n        fi\n")
		}
		if len(flags) > 0 {
			fmt.Fprintf(w, "        if [[ $cur == -* ]]; then\n            COMPREPLY=($(compgen -W %q -- \"$cur\"))\n            return\n        fi\n", strings.Join(flags, " "))
		}
		switch kind {
		case "file":
			fmt.Fprint(w, "        compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n")
		case "dir":
			fmt.Fprint(w, "        compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n")
		case "words":
			// Only the first operand is one of the words.
			fmt.Fprintf(w, "        (( COMP_CWORD == first )) && COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(words, " "))
		}
		fmt.Fprint(w, "        ;;\n")
	}
	fmt.Fprint(w, "    esac\n}\ncomplete -F _feedloom feedloom\n")
}

func zshCompletion(w io.Writer, cmds []command) {
	names, summaries := groups(cmds)
	fmt.Fprint(w, "#compdef feedloom\n# zsh completion for feedloom, from `feedloom completion zsh`.\n"+
		"# Install it with: feedloom completion zsh > \"${fpath[1]}/_feedloom\"\n_feedloom() {\n    local -a commands\n    commands=(\n")
	for i, g := range names {
		fmt.Fprintf(w, "        %s\n", zshQuote(zshEscape(g, ":")+":"+summaries[i]))
	}
	fmt.Fprint(w, "    )\n    if (( CURRENT == 2 )); then\n        _describe -t commands 'feedloom command' commands\n        return\n    fi\n"+
		"    shift words\n    (( CURRENT-- ))\n    local cmd=$words[1]\n")
	subs := map[string][]string{}
	for _, c := range cmds {
		if c.sub() != "" {
			subs[c.group()] = append(subs[c.group()], zshQuote(zshEscape(c.sub(), ":")+":"+c.summary))
		}
	}
	fmt.Fprint(w, "    case $cmd in\n")
	for _, g := range names {
		if len(subs[g]) == 0 {
			continue
		}
		fmt.Fprintf(w, "    %s)\n        if (( CURRENT == 2 )); then\n            local -a subs\n            subs=(%s)\n"+
			"            _describe -t commands 'feedloom %s command' subs\n            return\n        fi\n"+
			"        cmd=\"$cmd $words[2]\"\n        shift words\n        (( CURRENT-- ))\n        ;;\n", g, strings.Join(subs[g], " "), g)
	}
	fmt.Fprint(w, "    esac\n    case $cmd in\n")
	for _, c := range cmds {
		opts := c.options()
		kind, words := c.operand()
		if len(opts) == 0 && kind == "" {
			continue
		}
		fmt.Fprintf(w, "    %s)\n        _arguments -S", zshQuote(c.name))
		for _, o := range opts {
			spec := "--" + o.name
			if o.value != "" {
				spec += "="
			}
			spec += "[" + zshEscape(o.usage, "[]:") + "]"
			if o.value != "" {
				action := " "
				switch o.valueKind() {
				case "file":
					action = "_files"
				case "dir":
					action = "_files -/"
				}
				spec += ":" + zshEscape(o.value, ":") + ":" + action
			}
			fmt.Fprintf(w, " \\\n            %s", zshQuote(spec))
		}
		switch kind {
		case "file":
			fmt.Fprintf(w, " \\\n            %s", zshQuote("1:file:_files"))
		case "dir":
			fmt.Fprintf(w, " \\\n            %s", zshQuote("1:directory:_files -/"))
		case "words":
			fmt.Fprintf(w, " \\\n            %s", zshQuote("1:"+c.forms[0]+":("+strings.Join(words, " ")+")"))
		}
		fmt.Fprint(w, "\n        ;;\n")
	}
	fmt.Fprint(w, "    esac\n}\n_feedloom \"$@\"\n")
}

// zshEscape backslashes the characters special to a spec field.
func zshEscape(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// zshQuote single-quotes s for a shell.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fishCompletion(w io.Writer, cmds []command) {
	names, summaries := groups(cmds)
	q := zshQuote // fish reads '…' the same way, and '\'' too
	fmt.Fprint(w, "# fish completion for feedloom, from `feedloom completion fish`.\n"+
		"# Install it with: feedloom completion fish > ~/.config/fish/completions/feedloom.fish\n"+
		"complete -c feedloom -f\n")
	for i, g := range names {
		fmt.Fprintf(w, "complete -c feedloom -n __fish_use_subcommand -a %s -d %s\n", q(g), q(summaries[i]))
	}
	for _, c := range cmds {
		cond := "__fish_seen_subcommand_from " + c.group()
		if c.sub() != "" {
			fmt.Fprintf(w, "complete -c feedloom -n %s -a %s -d %s\n",
				q(cond+"; and not __fish_seen_subcommand_from "+c.sub()), q(c.sub()), q(c.summary))
			cond += "; and __fish_seen_subcommand_from " + c.sub()
		}
		for _, o := range c.options() {
			line := "complete -c feedloom -n " + q(cond) + " -l " + o.name
			switch {
			case o.value == "":
			case o.valueKind() == "file":
				line += " -r -F"
			case o.valueKind() == "dir":
				line += " -x -a '(__fish_complete_directories)'"
			default:
				line += " -x"
			}
			fmt.Fprintln(w, line+" -d "+q(o.usage))
		}
		switch kind, words := c.operand(); kind {
		case "file":
			fmt.Fprintf(w, "complete -c feedloom -n %s -F\n", q(cond))
		case "dir":
			fmt.Fprintf(w, "complete -c feedloom -n %s -a '(__fish_complete_directories)'\n", q(cond))
		case "words":
			fmt.Fprintf(w, "complete -c feedloom -n %s -a %s\n", q(cond+"; and not __fish_seen_subcommand_from "+strings.Join(words, " ")), q(strings.Join(words, " ")))
		}
	}
}
