package files

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// storyMeta holds the fields a Markdown story carries in its front matter and
// a JSON or YAML story carries beside its body, as written. Where two keys
// mean the same (Hugo's lastmod for updated, …) both are kept; the first
// named in each pair wins when a story gives both.
type storyMeta struct {
	Title       string     `yaml:"title" json:"title"`
	Date        string     `yaml:"date" json:"date"`
	Updated     string     `yaml:"updated" json:"updated"`
	Lastmod     string     `yaml:"lastmod" json:"lastmod"`
	Language    string     `yaml:"language" json:"language"`
	Lang        string     `yaml:"lang" json:"lang"`
	ID          string     `yaml:"id" json:"id"`
	Link        string     `yaml:"link" json:"link"`
	URL         string     `yaml:"url" json:"url"`
	Author      *person    `yaml:"author" json:"author"`
	Authors     []person   `yaml:"authors" json:"authors"`
	Categories  stringList `yaml:"categories" json:"categories"`
	Tags        stringList `yaml:"tags" json:"tags"`
	Summary     string     `yaml:"summary" json:"summary"`
	Description string     `yaml:"description" json:"description"`
	Image       string     `yaml:"image" json:"image"`
	Draft       bool       `yaml:"draft" json:"draft"`
	// TranslationKey is Hugo's translationKey, spelled as feedloom's
	// other keys are; Hugo's own spelling is read too.
	TranslationKey     string `yaml:"translation_key" json:"translation_key"`
	TranslationKeyHugo string `yaml:"translationKey" json:"translationKey"`
}

// person is an author written either as a name alone or as
// {name, email, url}.
type person struct {
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
	URL   string `yaml:"url" json:"url"`
}

// personFields is person without its unmarshalers, to decode the object form.
type personFields person

// UnmarshalYAML accepts a name alone or a mapping of name, email and url.
func (p *person) UnmarshalYAML(unmarshal func(any) error) error {
	var name string
	if err := unmarshal(&name); err == nil {
		*p = person{Name: name}
		return nil
	}
	var f personFields
	if err := unmarshal(&f); err != nil {
		return err
	}
	*p = person(f)
	return nil
}

// UnmarshalJSON accepts a name alone or an object of name, email and url.
// Unknown keys in the object are caught by indexJSON, which knows where
// they are.
func (p *person) UnmarshalJSON(b []byte) error {
	switch b = bytes.TrimSpace(b); {
	case len(b) > 0 && b[0] == '"':
		var name string
		if err := json.Unmarshal(b, &name); err != nil {
			return err
		}
		*p = person{Name: name}
		return nil
	case len(b) > 0 && b[0] == '{':
		var f personFields
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*p = person(f)
		return nil
	case string(b) == "null":
		return nil
	}
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[person]()}
}

// stringList is a list of strings that may also be written as one string
// (`categories: News`), as Hugo allows.
type stringList []string

// UnmarshalYAML accepts a sequence of strings or a single string.
func (l *stringList) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	err := unmarshal(&list)
	if err == nil {
		*l = list
		return nil
	}
	var one string
	if unmarshal(&one) == nil {
		*l = stringList{one}
		return nil
	}
	return err
}

// UnmarshalJSON accepts an array of strings or a single string.
func (l *stringList) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringList{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*l = list
	return nil
}

// jsonKind names the kind of JSON value b holds, for type errors.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '[':
		return "array"
	case b[0] == '{':
		return "object"
	case b[0] == '"':
		return "string"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "number"
}

// errNoTitle is the problem of a story without a title.
var errNoTitle = errors.New("story has no title")

// fieldError is a problem with the value of one key of a story; the format's
// parser, which knows where each key is, turns it into a located FileError.
type fieldError struct {
	key string
	err error
}

func (e *fieldError) Error() string { return e.key + ": " + e.err.Error() }

func (e *fieldError) Unwrap() error { return e.err }

// position is a place in a file; col is 0 when unknown.
type position struct{ line, col int }

// places tells where a story and its keys are in its file, for messages.
type places interface {
	start() position
	key(name string) (position, bool)
}

// knownPlaces are places found while parsing, as YAML's parser reports
// every node's line and column anyway.
type knownPlaces struct {
	at   position
	keys map[string]position
}

func (p knownPlaces) start() position { return p.at }

func (p knownPlaces) key(name string) (position, bool) {
	at, ok := p.keys[name]
	return at, ok
}

// locate turns a *fieldError into a FileError at the key it names, or at
// the story's start when the story lacks that key. who names a story of a
// list ("story at index 2"); it is empty for a file holding one story.
// Other errors are returned as they are.
func locate(err error, where places, who string) error {
	var fe *fieldError
	if !errors.As(err, &fe) {
		return err
	}
	at, ok := where.key(fe.key)
	if !ok {
		at = where.start()
	}
	switch {
	case errors.Is(fe, errNoTitle) && who == "":
		return errAt(at.line, at.col, "%w", errNoTitle)
	case errors.Is(fe, errNoTitle):
		return errAt(at.line, at.col, "%s has no title", who)
	case who != "":
		return errAt(at.line, at.col, "%s: %w", who, fe)
	}
	return errAt(at.line, at.col, "%w", fe)
}

// story translates the fields shared by every structured format. It does not
// look at Draft: skipping drafts is the caller's decision. A bad date or a
// missing title is a *fieldError.
func (m storyMeta) story(zone *time.Location) (sources.Story, error) {
	title := strings.TrimSpace(m.Title)
	if title == "" {
		return sources.Story{}, &fieldError{key: "title", err: errNoTitle}
	}
	st := sources.Story{
		ID:       strings.TrimSpace(m.ID),
		Title:    title,
		Link:     firstSet(m.Link, m.URL),
		Summary:  firstSet(m.Summary, m.Description),
		Language: firstSet(m.Language, m.Lang),
		Image:    strings.TrimSpace(m.Image),

		TranslationKey: firstSet(m.TranslationKey, m.TranslationKeyHugo),
	}
	if s := strings.TrimSpace(m.Date); s != "" {
		t, dateOnly, err := parseDate(s, zone)
		if err != nil {
			return sources.Story{}, &fieldError{key: "date", err: err}
		}
		st.Published, st.DateOnly = t, dateOnly
	}
	key, s := "updated", strings.TrimSpace(m.Updated)
	if s == "" {
		key, s = "lastmod", strings.TrimSpace(m.Lastmod)
	}
	if s != "" {
		t, _, err := parseDate(s, zone)
		if err != nil {
			return sources.Story{}, &fieldError{key: key, err: err}
		}
		st.Updated = t
	}
	if m.Author != nil {
		st.Authors = appendPerson(st.Authors, *m.Author)
	}
	for _, p := range m.Authors {
		st.Authors = appendPerson(st.Authors, p)
	}
	for _, c := range slices.Concat(m.Categories, m.Tags) {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(st.Categories, c) {
			st.Categories = append(st.Categories, c)
		}
	}
	return st, nil
}

// appendPerson appends p to list unless it is empty.
func appendPerson(list []feeds.Person, p person) []feeds.Person {
	fp := feeds.Person{
		Name:  strings.TrimSpace(p.Name),
		Email: strings.TrimSpace(p.Email),
		URL:   strings.TrimSpace(p.URL),
	}
	if fp == (feeds.Person{}) {
		return list
	}
	return append(list, fp)
}

// firstSet returns the first of values that is not blank, trimmed.
func firstSet(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// parseDate reads an explicit date. A zoneless date and time is in zone; a
// bare calendar day is 00:00 in zone and reported as dateOnly.
func parseDate(s string, zone *time.Location) (t time.Time, dateOnly bool, err error) {
	zoned := []string{
		time.RFC3339,                // 2025-03-13T09:30:00+08:00; fractions are accepted too
		"2006-01-02 15:04:05Z07:00", // RFC 3339 with a space, as YAML timestamps allow
		"2006-01-02 15:04:05 -0700", // Jekyll
	}
	for _, layout := range zoned {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, false, nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, zone); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, fmt.Errorf("cannot read %q as a date: want RFC 3339 (2006-01-02T15:04:05Z07:00), 2006-01-02T15:04:05, 2006-01-02 15:04[:05] or 2006-01-02", s)
}
