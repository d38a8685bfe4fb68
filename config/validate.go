package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/page"
)

// Defaults of every optional key.
const (
	defaultDataDir     = "data"
	defaultLockTimeout = 30 * time.Second
	defaultDriver      = "sqlite"
	defaultLease       = 2 * time.Minute
	defaultOutputDir   = "public"
	defaultMaxItems    = 50
	defaultArchiveSize = 50
	defaultPageSize    = 20
	defaultArchiveAge  = 24 * time.Hour
	defaultMaxAge      = 90 * 24 * time.Hour
	defaultKeepItems   = 500
	defaultJitter      = 0.10
	defaultDebounce    = 2 * time.Second
	defaultConcurrency = 16
	defaultPerHost     = 2
	defaultMaxBody     = 10 << 20
	defaultTimeout     = 30 * time.Second
	defaultFetchItems  = 1000
	defaultAddr        = "127.0.0.1:8080"
	defaultServeMaxAge = 5 * time.Minute
	defaultStaleAfter  = 2 * time.Hour
	defaultSchedule    = "@every 10m"
	defaultTimezone    = "UTC"
)

// DSNEnv names the environment variable that provides (and overrides) store.dsn.
const DSNEnv = "FEEDLOOM_DSN"

// sourceName is what a source name must look like: it goes unescaped into
// tag: URIs and file names.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// builder turns the raw file into a Config, applying defaults and recording
// every problem with the field it concerns.
type builder struct {
	p    *problems
	opts LoadOptions
	dir  string
}

func (b *builder) build(raw *rawConfig, c *Config) {
	c.Site = b.site(raw.Site)
	c.DataDir = b.path(cmp.Or(raw.DataDir, defaultDataDir))
	c.LockTimeout = b.duration("lock_timeout", raw.LockTimeout, defaultLockTimeout, true)
	c.Store = b.store(raw.Store)
	c.Output = Output{
		Dir:         b.path(cmp.Or(raw.Output.Dir, defaultOutputDir)),
		MaxItems:    b.count("output.max_items", raw.Output.MaxItems, defaultMaxItems),
		ArchiveSize: b.docCount("output.archive_size", raw.Output.ArchiveSize, defaultArchiveSize),
		PageSize:    b.docCount("output.page_size", raw.Output.PageSize, defaultPageSize),
	}
	c.Retention = Retention{
		MaxAge:   b.duration("retention.max_age", raw.Retention.MaxAge, defaultMaxAge, false),
		MaxItems: b.count("retention.max_items", raw.Retention.MaxItems, defaultKeepItems),
	}
	c.Languages = b.languages(raw.Languages, c.Site.Title, c.Output.MaxItems)
	c.Sources = b.sources(raw.Sources, c.Retention)
	c.Channels = b.channels(raw.Channels, c)
	c.Output.Categories = b.categories("output.categories", raw.Output.Categories)
	b.placement(c)
	c.Scheduler = Scheduler{
		Jitter:   defaultJitter,
		Debounce: b.duration("scheduler.debounce", raw.Scheduler.Debounce, defaultDebounce, true),
	}
	if raw.Scheduler.Jitter != "" {
		j, err := parsePercent(raw.Scheduler.Jitter)
		if err != nil {
			b.p.at("scheduler.jitter", "%v", err)
		}
		c.Scheduler.Jitter = j
	}
	c.Fetch = Fetch{
		Concurrency: b.count("fetch.concurrency", raw.Fetch.Concurrency, defaultConcurrency),
		PerHost:     b.count("fetch.per_host", raw.Fetch.PerHost, defaultPerHost),
		MaxBody:     b.size("fetch.max_body", raw.Fetch.MaxBody, defaultMaxBody),
		Timeout:     b.duration("fetch.timeout", raw.Fetch.Timeout, defaultTimeout, false),
		// The key is a plain bool: absent and false are the same.
		AllowPrivate: raw.Fetch.AllowPrivate,
		MaxItems:     b.count("fetch.max_items", raw.Fetch.MaxItems, defaultFetchItems),
	}
	b.private(c)
	if c.Store.Driver == "postgres" && c.Store.Lease > 0 && c.Store.Lease <= c.Fetch.Timeout {
		// A lease that runs out mid-fetch lets another node fetch the
		// source too.
		b.p.at("store.lease", "must be longer than fetch.timeout (%s)", c.Fetch.Timeout)
	}
	c.Serve = Serve{
		Addr:          b.addr("serve.addr", cmp.Or(raw.Serve.Addr, defaultAddr)),
		MaxAge:        b.duration("serve.max_age", raw.Serve.MaxAge, defaultServeMaxAge, true),
		StaleAfter:    b.duration("serve.stale_after", raw.Serve.StaleAfter, defaultStaleAfter, false),
		ArchiveMaxAge: b.duration("serve.archive_max_age", raw.Serve.ArchiveMaxAge, defaultArchiveAge, true),
	}
	if raw.WebSub.Hub != "" {
		b.httpURL("websub.hub", raw.WebSub.Hub)
	}
	c.WebSub = WebSub{Hub: raw.WebSub.Hub}
}

func (b *builder) site(raw rawSite) Site {
	s := Site{
		Title:    raw.Title,
		Link:     raw.Link,
		BaseURL:  raw.BaseURL,
		Timezone: cmp.Or(raw.Timezone, defaultTimezone),
		Author:   Person(raw.Author),
	}
	if !b.p.has("site") {
		b.p.at("site", "required")
	} else {
		b.required("site.title", raw.Title)
		if b.required("site.link", raw.Link) {
			b.httpURL("site.link", raw.Link)
		}
		if b.required("site.base_url", raw.BaseURL) {
			b.httpURL("site.base_url", raw.BaseURL)
		}
	}
	s.Location = b.zone("site.timezone", s.Timezone)
	return s
}

func (b *builder) store(raw rawStore) Store {
	s := Store{
		Driver: cmp.Or(raw.Driver, defaultDriver),
		Lease:  b.duration("store.lease", raw.Lease, defaultLease, false),
		Node:   raw.Node,
	}
	switch s.Driver {
	case "sqlite":
		if raw.DSN != "" {
			b.p.at("store.dsn", "only used with driver postgres")
		}
	case "postgres":
		s.DSN = cmp.Or(b.opts.Getenv(DSNEnv), raw.DSN)
		if s.DSN == "" {
			b.p.at("store.dsn", "required with driver postgres (or set %s)", DSNEnv)
		}
	default:
		b.p.at("store.driver", "unknown driver %q (want sqlite or postgres)", s.Driver)
	}
	if s.Node == "" {
		host, err := b.opts.Hostname()
		if err != nil && s.Driver == "postgres" {
			b.p.at("store.node", "not set, and the host name is unknown: %v", err)
		}
		s.Node = host
	}
	return s
}

func (b *builder) languages(raw []rawLanguage, siteTitle string, maxItems int) []Language {
	if len(raw) == 0 {
		b.p.at("languages", "at least one language is required")
		return nil
	}
	langs := make([]Language, len(raw))
	first := map[string]int{} // canonical tag → line
	for i, r := range raw {
		f := fmt.Sprintf("languages[%d]", i)
		l := Language{
			Title:    cmp.Or(r.Title, siteTitle),
			MaxItems: b.count(f+".max_items", r.MaxItems, maxItems),
		}
		if b.required(f+".tag", r.Tag) {
			l.Tag = b.lang(f+".tag", r.Tag)
			if line, dup := first[l.Tag]; dup && l.Tag != "" {
				b.p.at(f+".tag", "duplicate language %q (first at line %d)", l.Tag, line)
			} else if l.Tag != "" {
				first[l.Tag] = b.p.line(f + ".tag")
			}
		}
		langs[i] = l
	}
	return langs
}

func (b *builder) sources(raw []rawSource, retention Retention) []Source {
	var srcs []Source
	first := map[string]int{} // name → line
	for i, r := range raw {
		f := fmt.Sprintf("sources[%d]", i)
		s := Source{
			Name:         r.Name,
			Kind:         r.Kind,
			Timezone:     r.Timezone,
			AllowPrivate: r.AllowPrivate,
		}
		if len(r.Labels) > 0 {
			s.Labels = r.Labels // labels: [] learns them, like no labels at all
		}
		b.name(f+".name", "source", r.Name, first, nil)
		if b.required(f+".kind", r.Kind) {
			b.kind(f, r, &s)
		}
		sched, err := checkSchedule(cmp.Or(r.Schedule, defaultSchedule), b.opts.Dev)
		if err != nil {
			b.p.at(f+".schedule", "%v", err)
		}
		s.Schedule = sched
		for j, label := range r.Labels {
			if strings.TrimSpace(label) == "" {
				b.p.at(fmt.Sprintf("%s.labels[%d]", f, j), "must not be empty")
			}
		}
		if r.Language != "" {
			s.Language = b.lang(f+".language", r.Language)
		}
		s.TranslationOnlyMarkers = b.markers(f+".translation_only_markers", r.TranslationOnly)
		if r.Timezone != "" {
			s.Location = b.zone(f+".timezone", r.Timezone)
		}
		if r.Headers != nil {
			s.Headers = b.headers(f+".headers", r.Headers)
		}
		if r.Retention != nil {
			s.Retention = &Retention{
				MaxAge:   b.duration(f+".retention.max_age", r.Retention.MaxAge, retention.MaxAge, false),
				MaxItems: b.count(f+".retention.max_items", r.Retention.MaxItems, retention.MaxItems),
			}
		}
		srcs = append(srcs, s)
	}
	return srcs
}

// markers checks a source's translation_only_markers: a blank one would
// end every title, and one given twice is likely a typo of another.
func (b *builder) markers(f string, raw []string) []string {
	var out []string
	for j, m := range raw {
		key := fmt.Sprintf("%s[%d]", f, j)
		m = strings.TrimSpace(m)
		switch {
		case m == "":
			b.p.at(key, "must not be empty")
		case slices.Contains(out, m):
			b.p.at(key, "duplicate marker %q", m)
		default:
			out = append(out, m)
		}
	}
	return out
}

// kind checks the keys that depend on a source's kind.
func (b *builder) kind(f string, r rawSource, s *Source) {
	only := func(key, kind string) {
		if b.p.has(f + "." + key) {
			b.p.at(f+"."+key, "only for kind %s", kind)
		}
	}
	switch r.Kind {
	case "files":
		only("url", "feed, page or opml")
		only("retention", "feed, page or opml") // a story file's items live as long as the file
		only("allow_private", "feed, page or opml")
		only("select", "page")
		only("content", "page")
		only("headers", "feed or page")
		only("max_sources", "opml")
		if b.required(f+".path", r.Path) {
			s.Path = b.path(r.Path)
			b.folder(f+".path", s.Path)
		}
	case "feed":
		only("path", "files")
		only("labels", "files")
		only("select", "page")
		only("content", "page")
		only("max_sources", "opml")
		if b.required(f+".url", r.URL) {
			s.URL = b.feedURL(f+".url", r.URL)
		}
	case "opml":
		only("path", "files")
		only("labels", "files")
		only("select", "page")
		only("content", "page")
		// A list's feeds live on many hosts; credentials for one of them
		// have no place on the others.
		only("headers", "feed or page")
		if b.required(f+".url", r.URL) {
			s.URL = b.feedURL(f+".url", r.URL)
		}
		s.MaxSources = b.count(f+".max_sources", r.MaxSources, DefaultMaxSources)
	case "page":
		only("path", "files")
		only("labels", "files")
		only("max_sources", "opml")
		if b.required(f+".url", r.URL) {
			s.URL = b.feedURL(f+".url", r.URL)
		}
		b.pageSelectors(f, r, s)
	default:
		b.p.at(f+".kind", "unknown kind %q (want files, feed, page or opml)", r.Kind)
	}
}

// pageSelectors checks a page source's selectors: item and title are
// required, and each one given must be valid CSS (with an optional
// "@attr"), reported at its own key.
func (b *builder) pageSelectors(f string, r rawSource, s *Source) {
	missing := r.Select == nil
	var sel rawSelect
	if missing {
		b.required(f+".select", "")
	} else {
		sel = *r.Select
	}
	s.Select = Select(sel)
	s.Content = r.Content
	for _, c := range []struct {
		key, value string
		required   bool
	}{
		{"select.item", sel.Item, true},
		{"select.title", sel.Title, true},
		{"select.link", sel.Link, false},
		{"select.summary", sel.Summary, false},
		{"select.date", sel.Date, false},
		{"select.category", sel.Category, false},
		{"select.image", sel.Image, false},
		{"select.author", sel.Author, false},
		{"content", r.Content, false},
	} {
		field := f + "." + c.key
		switch {
		case missing && c.required:
			// select itself is reported missing.
		case strings.TrimSpace(c.value) == "":
			if c.required || b.p.has(field) {
				b.required(field, c.value)
			}
		default:
			sel, err := page.ParseSelector(c.value)
			switch {
			case err != nil:
				b.p.at(field, "%q: %v", c.value, err)
			case c.key == "select.item" && sel.CSS == "":
				b.p.at(field, "%q: must select elements, not only an attribute", c.value)
			}
		}
	}
}

// name checks the name of a source or channel (what): set, of the form
// [a-z0-9][a-z0-9-]*, not seen before (first maps the names seen to their
// lines), nor reserved.
func (b *builder) name(field, what, name string, first map[string]int, reserved map[string]bool) {
	if !b.required(field, name) {
		return
	}
	switch line, dup := first[name]; {
	case !sourceName.MatchString(name):
		b.p.at(field, "%q must match [a-z0-9][a-z0-9-]*", name)
	case dup:
		b.p.at(field, "duplicate %s name %q (first at line %d)", what, name, line)
	case reserved[name]:
		b.p.at(field, "%q is taken by a language folder or the merged feed", name)
	default:
		first[name] = b.p.line(field)
	}
}

// required reports whether v is set, recording a problem when it is not.
func (b *builder) required(field, v string) bool {
	switch {
	case strings.TrimSpace(v) != "":
		return true
	case b.p.has(field):
		b.p.at(field, "must not be empty")
	default:
		b.p.at(field, "required")
	}
	return false
}

// path makes p absolute against the config file's folder.
func (b *builder) path(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(b.dir, p)
}

func (b *builder) folder(field, path string) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		b.p.at(field, "folder %s does not exist", path)
	case !fi.IsDir():
		b.p.at(field, "%s is not a folder", path)
	}
}

// httpURL checks that s is an absolute http or https URL with a host.
func (b *builder) httpURL(field, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		b.p.at(field, "%q is not an absolute http(s) URL", redacted(s))
	}
}

// schemed matches what can only be meant as a URL: a scheme and "://".
var schemed = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]+://`)

// feedURL checks a feed's url: an http(s) or file:// URL, kept as written,
// or a local path, made absolute.
func (b *builder) feedURL(field, s string) string {
	u, err := url.Parse(s)
	if err != nil && schemed.MatchString(s) {
		// Not a local path that happens not to parse (feeds/100%.xml).
		b.p.at(field, "%q is not a valid URL", redacted(s))
		return s
	}
	if err != nil || len(u.Scheme) < 2 { // C:\feed.xml has a one-letter "scheme"
		return b.path(s)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			b.p.at(field, "%q has no host", redacted(s))
		}
	case "file":
		if (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			b.p.at(field, "%q is not a file URL of an absolute path (file:///path)", redacted(s))
		}
	default:
		b.p.at(field, "unsupported URL scheme %q (want http, https, file or a local path)", u.Scheme)
	}
	return s
}

// redacted is s with the secrets a URL may carry hidden, for messages.
func redacted(s string) string { return sources.RedactURL(s) }

func (b *builder) zone(field, name string) *time.Location {
	// "Local" would make output depend on the machine.
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		b.p.at(field, "unknown time zone %q (want an IANA name such as Asia/Hong_Kong)", name)
		return nil
	}
	return loc
}

// lang is tag in its canonical case, or "" with the problem recorded in
// config's own words, built from the *feeds.LangError's fields.
func (b *builder) lang(field, tag string) string {
	canon, err := feeds.CanonicalLang(tag)
	var le *feeds.LangError
	switch {
	case err == nil:
		return canon
	case !errors.As(err, &le):
		b.p.at(field, "%v", err)
	case le.Tag == "":
		b.p.at(field, "empty language tag")
	default:
		b.p.at(field, "language tag %q: %v", le.Tag, le.Err)
	}
	return ""
}

// duration parses s, or gives def when s is empty. Zero is refused unless zeroOK.
func (b *builder) duration(field, s string, def time.Duration, zeroOK bool) time.Duration {
	if s == "" {
		return def
	}
	d, err := parseDuration(s)
	switch {
	case err != nil:
		b.p.at(field, "%v", err)
	case d == 0 && !zeroOK:
		b.p.at(field, "must be longer than 0")
	}
	return d
}

func (b *builder) size(field, s string, def int64) int64 {
	if s == "" {
		return def
	}
	n, err := parseSize(s)
	switch {
	case err != nil:
		b.p.at(field, "%v", err)
	case n == 0:
		b.p.at(field, "must be more than 0 bytes")
	}
	return n
}

// count gives *v, or def when the key is absent; counts must be positive.
// docCount is count where 0 is allowed: it turns the kind of document off.
func (b *builder) docCount(field string, v *int, def int) int {
	if v == nil {
		return def
	}
	if *v < 0 {
		b.p.at(field, "must be 0 (none) or positive, got %d", *v)
	}
	return *v
}

func (b *builder) count(field string, v *int, def int) int {
	if v == nil {
		return def
	}
	if *v <= 0 {
		b.p.at(field, "must be positive, got %d", *v)
	}
	return *v
}

func (b *builder) addr(field, s string) string {
	_, port, err := net.SplitHostPort(s)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		b.p.at(field, "invalid address %q (want host:port)", s)
	}
	return s
}
