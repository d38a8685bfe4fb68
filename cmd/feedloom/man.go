package main

import (
	"fmt"
	"io"
	"strings"
)

// manPage writes feedloom(1) in roff from the command table. It carries
// no date or version, so the checked-in docs/feedloom.1 changes only when
// a command or flag does (`make man` rewrites it; a test fails while it is
// stale).
func manPage(w io.Writer, cmds []command) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p(`.\" Generated from the command table in cmd/feedloom by "make man"; do not edit.`)
	p(`.TH FEEDLOOM 1 "" "feedloom" "User Commands"`)
	p(".SH NAME")
	p(`feedloom \- publish RSS, Atom and JSON feeds from story files and upstream feeds`)
	p(".SH SYNOPSIS")
	for _, c := range cmds {
		for _, s := range c.synopses() {
			p(".br")
			p(".B feedloom")
			p("%s", roffSynopsis(s))
		}
	}
	p(".SH DESCRIPTION")
	p("%s", roffText("feedloom reads story sources (folders of story files written by a newsroom, upstream RSS, Atom and JSON feeds, "+
		"and news pages without a feed), normalizes every story into one item with a stable id, a language and a date, keeps them "+
		"in a store, and writes for each configured language an RSS 2.0, an Atom 1.0 and a JSON Feed 1.1 file, a merged feed of "+
		"everything, an index.html, an OPML list and a page for every story that has no page of its own."))
	p(".SH COMMANDS")
	for _, c := range cmds {
		for i, s := range c.synopses() {
			if i == 0 {
				p(".TP")
			} else {
				p(".TQ")
			}
			p("%s", roffSynopsis(s))
		}
		text := c.summary
		if text != "" {
			text = strings.ToUpper(text[:1]) + text[1:] + "."
		}
		if c.doc != "" {
			text += " " + c.doc
		}
		p("%s", roffText(text))
		if opts := c.options(); len(opts) > 0 {
			p(".RS")
			for _, o := range opts {
				p(".TP")
				if o.value == "" {
					p(`.B \-\-%s`, o.name)
				} else {
					p(`.BI \-\-%s " %s"`, o.name, o.value)
				}
				u := o.usage
				if o.def != "" {
					u += " (default " + o.def + ")"
				}
				p("%s", roffText(u))
			}
			p(".RE")
		}
	}
	p(".SH EXIT STATUS")
	for _, e := range []struct{ code, text string }{
		{"0", "Everything was published."},
		{"1", "Published, but some sources or story files failed."},
		{"2", "A usage or config error, including a store that cannot be opened or whose schema is newer than the binary."},
		{"3", "Nothing was published: the output folder is not writable, the store failed during the run, or the lock in data_dir was not acquired within lock_timeout."},
	} {
		p(".TP")
		p(".B %s", e.code)
		p("%s", roffText(e.text))
	}
	p(".SH ENVIRONMENT")
	p(".TP")
	p(".B FEEDLOOM_DSN")
	p("%s", roffText("The PostgreSQL connection string, when store.driver is postgres and the config gives no store.dsn."))
	p(".TP")
	p(".B " + addrEnv)
	p("%s", roffText("The address serve listens on when --addr does not say (before serve.addr), and where healthcheck asks."))
	p(".SH FILES")
	p(".TP")
	p(".I config.yaml")
	p("%s", roffText("The config read by default, from the current folder. Relative paths in it are relative to its folder."))
	p(".SH SEE ALSO")
	p("%s", roffText("The README in feedloom's source and release archives describes the config, the story formats and the output."))
}

// roffSynopsis sets a synopsis line: the command and flags in bold, their
// values in italics, the brackets in roman.
func roffSynopsis(s string) string {
	var b strings.Builder
	for i, word := range strings.Fields(s) {
		if i > 0 {
			b.WriteString(" ")
		}
		open := strings.HasPrefix(word, "[")
		closed := strings.HasSuffix(word, "]")
		word = strings.Trim(word, "[]")
		if open {
			b.WriteString(`\fR[`)
		}
		switch {
		case strings.HasPrefix(word, "--"):
			b.WriteString(`\fB` + roffEscape(word))
		case word == strings.ToUpper(word) && strings.ToUpper(word) != strings.ToLower(word):
			b.WriteString(`\fI` + roffEscape(word))
		default:
			b.WriteString(`\fB` + roffEscape(word))
		}
		if closed {
			b.WriteString(`\fR]`)
		}
	}
	return b.String() + `\fR`
}

// roffText is a paragraph of plain text, safe in roff.
func roffText(s string) string {
	s = roffEscape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffEscape escapes the backslash, and writes hyphens as roff's minus so
// that options can be copied from the page.
func roffEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}
