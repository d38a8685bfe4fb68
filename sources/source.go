// Package sources defines what a story source produces — Story, Result and the
// fetch State — and the Source interface every kind implements (files/ for
// story folders, feed/ for upstream feeds, page/ for listing pages without
// a feed).
package sources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// Source produces raw stories. Fetch returns the whole current set of a
// source's stories, in source order (newest first within each file or feed).
// A failure of the source as a whole is the returned error; problems with
// single files are reported in Result.Problems and the rest still returns.
type Source interface {
	Name() string
	Fetch(ctx context.Context, prev State) (Result, error)
}

// Result is one fetch of one source.
type Result struct {
	Stories     []Story // in source order
	State       State   // validators and timing for the next fetch; the caller records the outcome
	NotModified bool    // nothing changed upstream; Stories is empty

	// Problems are files (or entries) that could not be read; they were
	// skipped.
	Problems []error

	// Listed is what a list source (kind opml) names, in document order,
	// when it answered; nil for other kinds and for NotModified. A list
	// that names no feed is an error, never an empty Listed, so that a
	// broken answer retires nothing.
	Listed []Listed

	// Files, from a source that reads only what changed (a Folder), are
	// the fingerprints of every story file it found, in path order; a file
	// with a problem has no Hash. Unchanged are those of them it did not
	// read: their fingerprints matched, so their stories are not in
	// Stories and what was stored of them stands. Read counts the files
	// read and parsed. NotModified means that no file changed: none is
	// gone, and none was read but those with a problem, which are read
	// every time so that their problem is reported.
	Files     []FileStamp
	Unchanged []string
	Read      int

	// Hashes, from a source that leaves out what it read before (a
	// Skipper), are the hashes of Stories, one each, in the same order
	// (an empty one, or a nil Hashes, when the source could not take it);
	// Known are the hashes of the entries it did not read because it was
	// told they are stored, whose stories are not in Stories. Whole
	// reads the same answer again with nothing left out, for when what it
	// was told no longer holds; nil when nothing was left out.
	Hashes []string
	Known  []string
	Whole  func() (Result, error) `json:"-"`
}

// Skipper is a source whose answer repeats most of what it said before
// and that can tell the repeated parts without reading them: an upstream
// feed, whose unchanged entries are hashed as bytes, not parsed.
type Skipper interface {
	Source
	// FetchKnown is Fetch that leaves out of Stories every entry whose
	// hash, taken with the salt known returns (the caller's rules and
	// settings), known's test reports. It calls known at most once, only
	// when the answer has entries to read, so that one not modified costs
	// the caller nothing.
	FetchKnown(ctx context.Context, prev State, known func() (salt string, has func(hash string) bool)) (Result, error)
}

// Folder is a source of story files that can skip the files it read
// before (files.Source).
type Folder interface {
	Source
	// FetchChanged is Fetch given the fingerprints of the files last read,
	// in path order: a file whose size and modification time match its
	// fingerprint is not read, nor one whose content still has its Hash;
	// a fingerprint without a Hash never matches.
	FetchChanged(ctx context.Context, prev State, files []FileStamp) (Result, error)
	// Settings stands for everything but the files' bytes that decides
	// their stories: fingerprints taken under other settings are not to be
	// given to FetchChanged.
	Settings() string
}

// FileStamp is the fingerprint of one story file.
type FileStamp struct {
	Path    string    // slash-separated, relative to the folder
	Size    int64     // bytes
	ModTime time.Time // to the nanosecond the file system keeps
	// Hash is the hex SHA-256 of the content; empty for a file that must be
	// read again whatever its size and time (it had a problem).
	Hash string
}

// Story is one raw story, faithful to what its file or feed said and not yet
// normalized. Zero values mean "not given".
type Story struct {
	File     string // path relative to the source folder, or the upstream URL
	Line     int    // 1-based line where the story starts in File, 0 if unknown
	Position int    // index within File, 0 = top

	ID        string // explicit id or upstream guid
	Title     string
	TitleHTML bool // Title may hold markup and entities (RSS, Atom type="html")
	Link      string
	Base      string // base URL for relative links in Link and Content
	// ContentBase is the base for relative links in Content (or in the
	// Summary that stands in for it) when the element holding it declares
	// its own (xml:base on an Atom content or an RSS description); empty
	// when Base serves.
	ContentBase string

	Summary     string // as written
	SummaryHTML bool
	Content     string   // HTML as written (Markdown already rendered)
	Text        []string // plain-text paragraphs, when there is no Content

	Authors    []feeds.Person
	Categories []string
	Language   string // declared language of the item itself; empty when it declares none
	// FeedLanguage is the language the story's feed declares for all its
	// items (RSS <language>, the Atom feed's xml:lang, JSON Feed language);
	// empty for story files and feeds that declare none.
	FeedLanguage string
	Image        string
	Enclosures   []feeds.Enclosure

	Published time.Time // explicit date; zero when none
	DateOnly  bool      // Published is a calendar day with no time of day
	Updated   time.Time

	// Year is the year line of the listing the story came from (0 when the
	// listing has none): the year of a month-and-day written in the text.
	Year int
	// DateText is text that may state the story's day in words, searched
	// after its title and body when it has no explicit date: a page item's
	// own text, where a date often sits outside what becomes the story.
	// Left out of JSON when empty, as it is for every kind but pages.
	DateText string `json:",omitempty"`

	Origin *feeds.Origin // upstream feed, for aggregated items
	// OriginHTML: Origin.Title may hold markup and entities (an RSS
	// channel's title, an Atom feed's of type "html" or "xhtml").
	OriginHTML bool `json:",omitempty"`

	// TranslationKey is a story file's translation_key: the stories of
	// every source that share it are one story in several languages.
	// Translations are the story in other languages as an upstream entry
	// names them (Atom links rel="alternate" with hreflang): the tag and
	// URL as written, the URL resolved against Base; no ID. Both are left
	// out of JSON when empty, as they are for most stories.
	TranslationKey string              `json:",omitempty"`
	Translations   []feeds.Translation `json:",omitempty"`
}

// State is a source's fetch state, kept by the store between runs.
type State struct {
	URL           string // current URL (updated by permanent redirects)
	ConfiguredURL string // the configured URL that URL was reached from; a new one resets URL
	ETag          string
	LastModified  string

	CheckedAt   time.Time // last attempt
	LastSuccess time.Time
	LastError   string
	Failures    int       // consecutive
	NextDue     time.Time // not fetched before this (backoff, Retry-After, Cache-Control)
}

// ErrNotNow marks a fetch that could not start for a reason that is not
// the source's: the cluster's shared slots were out of reach. The source's
// state is left as it was, no failure counted, and the fetch tried again.
var ErrNotNow = errors.New("not fetched: the cluster's slots are out of reach")

// FileError is a problem with one story file, located as precisely as the
// format allows.
type FileError struct {
	Path string
	Line int // 0 when unknown
	Col  int // 0 when unknown
	Err  error
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.Path, e.Line, e.Col, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }
