// Package opml is the source kind for a live list of upstream feeds: an
// OPML 1.0 or 2.0 file (a planet's or a reader's subscription list),
// fetched with the feed source's fetcher and read into the feeds it names,
// each of which the scheduler runs as a feed source of its own. The list
// itself yields no stories.
package opml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// acceptOPML is the Accept header of a list fetch: OPML has no registered
// media type, so servers send it as XML of one kind or another.
const acceptOPML = "text/x-opml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// DefaultMaxSources is how many feeds one list may name when Options say
// nothing.
const DefaultMaxSources = 1000

var (
	// ErrNotOPML means the answer is no OPML document: an HTML page, a
	// feed, other XML or no XML at all.
	ErrNotOPML = errors.New("opml: not an OPML document")
	// ErrNoFeeds means an OPML document that names no feed feedloom may
	// fetch. It is an error, not an empty list, so that a list emptied by
	// mistake retires nothing.
	ErrNoFeeds = errors.New("opml: names no feed")
)

// Options configure a list Source. The zero value is usable.
type Options struct {
	MaxSources int // feeds kept from one list, in document order; 0 = DefaultMaxSources
	Now        func() time.Time
	Log        *slog.Logger // nil = discard
}

// Source is one OPML list. It is safe for concurrent use.
type Source struct {
	name  string
	url   string
	fetch *feed.Source
	opts  Options
	log   *slog.Logger
}

// New returns the list source called name for listURL: an http(s) URL, a
// file:// URL or an absolute local path. fetcher is the feed source whose
// client, limits and address guard fetch it (feed.New with the list's own
// name and URL).
func New(name, listURL string, fetcher *feed.Source, opts Options) *Source {
	if opts.MaxSources <= 0 {
		opts.MaxSources = DefaultMaxSources
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Source{name: name, url: listURL, fetch: fetcher, opts: opts, log: opts.Log.With("source", name)}
}

// Name is the configured source name.
func (s *Source) Name() string { return s.name }

// Fetch reads the list, as feed.Source.Fetch reads a feed (a conditional
// GET from prev's validators, a permanent redirect remembered in
// State.URL, the upstream's cache window in State.NextDue), and returns
// the feeds it names in Result.Listed. A 304, or a local file whose hash
// is prev.ETag, is NotModified. An answer that is not OPML, or names no
// feed, is an error: the caller keeps the list it knew.
func (s *Source) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	raw, prev := s.fetch.Where(prev)
	fail := func(err error) (sources.Result, error) {
		return sources.Result{}, fmt.Errorf("opml %q: %w", s.name, err)
	}
	d, err := s.fetch.Get(ctx, raw, prev, acceptOPML)
	if err != nil {
		return fail(err)
	}
	now := s.opts.Now()
	st := d.Next(prev, raw, now)
	if d.Moved != "" {
		s.log.Info("list moved permanently", "from", sources.RedactURL(raw), "to", sources.RedactURL(d.Moved))
	}
	if d.NotModified {
		return sources.Result{State: st, NotModified: true}, nil
	}
	if !d.OK() {
		return fail(fmt.Errorf("GET %s: %w", sources.RedactURL(raw), d.StatusError(now)))
	}
	listed, err := s.read(d.Body, d.ContentType, d.URL)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", sources.RedactURL(raw), err))
	}
	s.log.Debug("list read", "url", sources.RedactURL(d.URL), "feeds", len(listed))
	return sources.Result{Listed: listed, State: st}, nil
}

// read parses a list body read from docURL (a URL, or a local path) and
// names its feeds, keeping the first MaxSources.
func (s *Source) read(body []byte, contentType, docURL string) ([]sources.Listed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, feed.ErrEmpty
	}
	dec, err := feed.DecodeXML(body, contentType)
	if err != nil {
		return nil, err
	}
	if dec.Replaced > 0 {
		s.log.Warn("list has bytes invalid in its charset; replaced with U+FFFD", "url", sources.RedactURL(docURL),
			"charset", dec.Charset, "replaced", dec.Replaced)
	}
	doc, err := parse(dec.Body)
	if err != nil {
		return nil, err
	}
	base := newBase(docURL)
	var listed []sources.Listed
	seen := map[string]bool{}
	for _, o := range doc.feeds() {
		u, ok := base.resolve(o.xmlURL)
		if !ok {
			s.log.Warn("outline skipped: its xmlUrl is not an http(s) URL"+base.also(), "outline", o.title,
				"xml_url", sources.RedactURL(o.xmlURL))
			continue
		}
		if seen[u] {
			continue // listed twice (in two folders): the first place counts
		}
		seen[u] = true
		listed = append(listed, sources.Listed{
			URL:      u,
			Title:    o.title,
			Category: o.folder,
			Site:     o.htmlURL,
			Name:     s.name + "-" + Slug(o.title, u),
		})
	}
	if len(listed) == 0 {
		return nil, ErrNoFeeds
	}
	if n := len(listed); n > s.opts.MaxSources {
		s.log.Warn("list names more feeds than max_sources; kept the first", "kept", s.opts.MaxSources, "dropped", n-s.opts.MaxSources)
		listed = listed[:s.opts.MaxSources]
	}
	return listed, nil
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
