package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a config file. Load returns all of a file's
// problems at once, joined with errors.Join in the order they appear in the
// file; errors.As (or the joined error's Unwrap() []error) gets them back.
type Error struct {
	File   string // the path as given to Load
	Line   int    // 1-based
	Column int    // 1-based
	Field  string // such as "sources[1].schedule"; empty for YAML syntax errors
	Msg    string
}

// Error reads "config.yaml:14:5: sources[1].schedule: message".
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Field, e.Msg)
}

type position struct{ line, column int }

// problems collects a file's errors and knows where each field was written.
type problems struct {
	file string
	// pos maps a field path to the position of its key (or, for a sequence
	// element, of the element); the root "" is the start of the document.
	pos map[string]position
	// bad holds paths whose value was of the wrong type; errors about them or
	// anything under them would only repeat that one.
	bad  map[string]bool
	errs []*Error
	// warns are kept apart: they do not make Load fail.
	warns []*Error
}

func newProblems(file string) *problems {
	return &problems{
		file: file,
		pos:  map[string]position{"": {1, 1}},
		bad:  map[string]bool{},
	}
}

// add records a problem at an explicit position.
func (p *problems) add(at position, field, format string, args ...any) {
	p.errs = append(p.errs, &Error{
		File:   p.file,
		Line:   at.line,
		Column: at.column,
		Field:  field,
		Msg:    fmt.Sprintf(format, args...),
	})
}

// at records a problem with field, placed at the field's key, or, when the
// key is absent, at the nearest enclosing mapping that is present.
func (p *problems) at(field, format string, args ...any) {
	for f := field; ; f = parent(f) {
		if p.bad[f] {
			return
		}
		if f == "" {
			break
		}
	}
	p.add(p.where(field), field, format, args...)
}

// warn records a warning with field, placed as at places errors.
func (p *problems) warn(field, format string, args ...any) {
	at := p.where(field)
	p.warns = append(p.warns, &Error{
		File:   p.file,
		Line:   at.line,
		Column: at.column,
		Field:  field,
		Msg:    fmt.Sprintf(format, args...),
	})
}

// where is the position of field, or of its nearest present ancestor.
func (p *problems) where(field string) position {
	for f := field; ; f = parent(f) {
		if at, ok := p.pos[f]; ok {
			return at
		}
	}
}

// has reports whether field's key was written in the file.
func (p *problems) has(field string) bool {
	_, ok := p.pos[field]
	return ok
}

// line is the line field was written on.
func (p *problems) line(field string) int { return p.where(field).line }

// err joins the problems in file order; nil when there are none.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	inFileOrder(p.errs)
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// warnings are the warnings' texts in file order; nil when there are none.
func (p *problems) warnings() []string {
	if len(p.warns) == 0 {
		return nil
	}
	inFileOrder(p.warns)
	texts := make([]string, len(p.warns))
	for i, w := range p.warns {
		texts[i] = w.Error()
	}
	return texts
}

// inFileOrder sorts by position, keeping the order of those at one place.
func inFileOrder(errs []*Error) {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// parent drops the last step of a field path: sources[1].name → sources[1] → sources → "".
func parent(field string) string {
	i := strings.LastIndexAny(field, ".[")
	if i < 0 {
		return ""
	}
	return field[:i]
}

// child is the path of key inside the mapping at field.
func child(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}
