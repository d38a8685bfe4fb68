// Package config loads and checks feedloom's YAML configuration (DESIGN's
// config contract): unknown keys, wrong types, bad zones, tags, schedules,
// URLs, durations, sizes and folders placed where serving them would publish
// what must stay private are all reported at once, each with the file, line,
// column and field it concerns; what is allowed but will likely fail (a
// feed on a private address without the opt-in) is a warning. A loaded
// Config has every default applied and every relative path made absolute
// against the config file's folder, so its users never need to know what
// was written and what was not.
package config

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config is a loaded, checked and completed config file.
type Config struct {
	Path string // absolute path of the config file
	Dir  string // absolute folder of the config file; relative paths were resolved against it

	Site        Site
	DataDir     string        // absolute; holds the lock and the SQLite store
	LockTimeout time.Duration // how long build waits for a running pass; 0 means try once
	Store       Store
	Output      Output
	Languages   []Language // at least one, tags canonical and distinct
	Sources     []Source   // names distinct
	Retention   Retention  // default for every feed source without its own
	Scheduler   Scheduler
	Fetch       Fetch
	Serve       Serve
	WebSub      WebSub
	Channels    []Channel // names distinct; their feeds under public/channels/<name>/

	// Warnings are what check reports without failing, each formatted like
	// an Error ("config.yaml:30:5: sources[2].url: ..."), in file order;
	// nil when there are none.
	Warnings []string
}

// Site describes the publisher.
type Site struct {
	Title    string
	Link     string // absolute http(s) URL of the human site
	BaseURL  string // absolute http(s) URL where the output folder is published
	Timezone string // IANA name; "UTC" when not set
	Location *time.Location
	Author   Person
}

// Person is a name and an e-mail address, either of which may be empty.
type Person struct {
	Name  string
	Email string
}

// Store selects and tunes the item store.
type Store struct {
	Driver string        // "sqlite" or "postgres"
	DSN    string        // postgres only; FEEDLOOM_DSN takes precedence over the file
	Lease  time.Duration // postgres only: how long a claimed source stays claimed
	Node   string        // postgres only: this node's name; the host name by default
}

// Output is where the feeds are written.
type Output struct {
	Dir      string // absolute
	MaxItems int    // items per feed unless a language says otherwise
	// Categories each get a channel per language, under
	// <language folder>/categories/<slug>/; nil for none.
	Categories []string
	// ArchiveSize is how many items each full archive document holds;
	// PageSize how many stories each numbered page shows. 0 writes none.
	ArchiveSize, PageSize int
}

// Language is one feed set.
type Language struct {
	Tag      string // canonical BCP 47 tag (feeds.CanonicalLang)
	Title    string // site.title when not set
	MaxItems int    // output.max_items when not set
}

// Source is one configured story source.
type Source struct {
	Name     string   // [a-z0-9][a-z0-9-]*
	Kind     string   // "files", "feed", "page" or "opml"
	Path     string   // files: absolute path of an existing folder
	URL      string   // feed, page, opml: http(s) or file:// URL, or an absolute local path
	Schedule string   // robfig/cron standard spec; "@every 10m" when not set
	Labels   []string // files only: category lines of .txt listings; nil means learn them
	Language string   // canonical tag used when detection cannot tell; may be empty
	Timezone string   // IANA name for zoneless upstream dates; empty means site.timezone
	Location *time.Location
	// Retention is nil unless the source sets its own; Config.RetentionOf
	// applies the global one then. Fields it leaves out come from the global one.
	Retention *Retention
	// AllowPrivate is nil unless the source sets its own (feed, page and
	// opml sources); Config.AllowPrivateOf applies fetch.allow_private then.
	AllowPrivate *bool
	// Headers are sent with every request of the source (credentials such
	// as Authorization), environment variables already filled in: they are
	// secrets, and nothing prints them. nil when the source sets none.
	Headers http.Header

	// Page sources only.
	Select  Select // CSS selectors of the listing, each checked to compile
	Content string // selector of the content on each item's own page; "" fetches none

	// MaxSources caps how many feeds an opml source's list names, in
	// document order; DefaultMaxSources when not set.
	MaxSources int

	// TranslationOnlyMarkers end the titles of the source's stories that
	// exist only in their own language ("(Chinese Version Only)"), each
	// trimmed, distinct and not empty; nil for none.
	TranslationOnlyMarkers []string
}

// DefaultMaxSources is max_sources when an opml source does not set it.
const DefaultMaxSources = 1000

// Select are a page source's CSS selectors as written, each optionally
// ending in "@attr" to read an attribute (sources/page's syntax). Item and
// Title are required; the others may be empty.
type Select struct {
	Item, Title, Link, Summary, Date, Category, Image, Author string
}

// Retention bounds how long items of a feed source outlive the upstream window.
type Retention struct {
	MaxAge   time.Duration
	MaxItems int
}

// Scheduler tunes the built-in scheduler.
type Scheduler struct {
	Jitter   float64 // fraction of each source's interval: 0.10 for "10%"
	Debounce time.Duration
}

// Fetch limits the upstream fetcher.
type Fetch struct {
	Concurrency int
	PerHost     int
	MaxBody     int64 // bytes, counted after decompression
	Timeout     time.Duration
	// AllowPrivate lets feed sources reach loopback, private, link-local,
	// CGNAT and unspecified addresses; false (the default) refuses them.
	// A source's own allow_private overrides it (Config.AllowPrivateOf).
	AllowPrivate bool
	MaxItems     int // items kept from one upstream response; 1000 when not set
}

// Serve configures the HTTP server.
type Serve struct {
	Addr       string // host:port
	MaxAge     time.Duration
	StaleAfter time.Duration
	// ArchiveMaxAge is the Cache-Control max-age of numbered archive
	// documents, which change only when an item in them does.
	ArchiveMaxAge time.Duration
}

// WebSub names a hub to advertise and ping; Hub is empty for none.
type WebSub struct {
	Hub string
}

// Host is the host of site.base_url, lower-case and without a port: the
// authority of every tag: URI feedloom mints.
func (c *Config) Host() string {
	u, err := url.Parse(c.Site.BaseURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// RetentionOf is the retention that applies to s: its own, else the global one.
func (c *Config) RetentionOf(s Source) Retention {
	if s.Retention != nil {
		return *s.Retention
	}
	return c.Retention
}

// AllowPrivateOf reports whether s may fetch from loopback, private,
// link-local, CGNAT and unspecified addresses: its own allow_private when
// set, else fetch.allow_private.
func (c *Config) AllowPrivateOf(s Source) bool {
	if s.AllowPrivate != nil {
		return *s.AllowPrivate
	}
	return c.Fetch.AllowPrivate
}
