// Package page is the source kind for an HTML listing page that has no
// feed: fetched by the feed source's fetcher (sources/feed's Get, so
// politeness, charsets, size caps, redirects, backoff and 304s are the
// same), under the rules of the page host's robots.txt, and read with CSS
// selectors (goquery) into one story per item element, in page order. Each
// item's own page may be fetched for its content.
package page

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// Options configure a page Source.
type Options struct {
	// Fetch are the fetcher's options, shared with the feed sources: its
	// client, limiter, gate, timeout, body cap and AllowPrivate govern the
	// page, its robots.txt and its item pages alike. Its Zone reads zoneless
	// dates, its MaxItems caps the items taken from the page, its Now and
	// Log serve the page too.
	Fetch   feed.Options
	Select  Selectors
	Content string // selector of the content on each item's own page; "" fetches no item page
	// ContentWorkers bounds the item pages fetched at once by this source;
	// 0 means 4. The Limiter's per-host bound holds whatever it is.
	ContentWorkers int
}

// Source is one listing page. It is safe for concurrent use, though the
// scheduler never fetches one source twice at once.
type Source struct {
	name    string
	url     string
	sel     compiled
	content *Selector // nil: no item pages
	workers int

	fetch    *feed.Source
	zone     *time.Location
	now      func() time.Time
	maxItems int
	log      *slog.Logger
	robots   *robots

	mu    sync.Mutex
	pages map[string]itemPage // an item page's content, for the next conditional GET
}

// compiled are the selectors of Selectors; an optional one not configured
// has an empty Raw.
type compiled struct {
	item, title, link, summary, date, category, image, author Selector
}

// itemPage is what the last fetch of an item page gave.
type itemPage struct {
	etag, lastModified string
	content, base      string
}

// MatchError is a required selector that matched nothing on the page: the
// page changed its markup, and the source fails rather than publish
// nothing (its stored items stay).
type MatchError struct {
	Key string // select.item or select.title
	URL string // redacted
}

func (e *MatchError) Error() string {
	return fmt.Sprintf("%s matched 0 elements on %s", e.Key, e.URL)
}

// New returns the source called name for pageURL (an http(s) URL, a file://
// URL or an absolute local path). An error says which selector is not
// valid CSS; config checks them at load time, so it is not expected.
func New(name, pageURL string, opts Options) (*Source, error) {
	s := &Source{
		name:     name,
		url:      pageURL,
		workers:  cmp.Or(opts.ContentWorkers, 4),
		zone:     opts.Fetch.Zone,
		now:      opts.Fetch.Now,
		maxItems: cmp.Or(opts.Fetch.MaxItems, 1000),
		log:      opts.Fetch.Log,
		pages:    map[string]itemPage{},
	}
	if s.zone == nil {
		s.zone = time.UTC
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("source", name)
	s.robots = &robots{agent: cmp.Or(opts.Fetch.UserAgent, "feedloom"), hosts: map[string]robotsEntry{}}
	sel := opts.Select
	for _, f := range []struct {
		key, raw string
		to       *Selector
		required bool
	}{
		{"select.item", sel.Item, &s.sel.item, true},
		{"select.title", sel.Title, &s.sel.title, true},
		{"select.link", sel.Link, &s.sel.link, false},
		{"select.summary", sel.Summary, &s.sel.summary, false},
		{"select.date", sel.Date, &s.sel.date, false},
		{"select.category", sel.Category, &s.sel.category, false},
		{"select.image", sel.Image, &s.sel.image, false},
		{"select.author", sel.Author, &s.sel.author, false},
		{"content", opts.Content, nil, false},
	} {
		if strings.TrimSpace(f.raw) == "" {
			if f.required {
				return nil, fmt.Errorf("page %q: %s is required", name, f.key)
			}
			continue
		}
		c, err := ParseSelector(f.raw)
		if err != nil {
			return nil, fmt.Errorf("page %q: %s %q: %w", name, f.key, f.raw, err)
		}
		if f.to == nil {
			s.content = &c
			continue
		}
		*f.to = c
	}
	if s.sel.item.m == nil {
		return nil, fmt.Errorf("page %q: select.item %q must select elements, not only an attribute", name, sel.Item)
	}
	s.fetch = feed.New(name, pageURL, opts.Fetch)
	return s, nil
}

// Name is the configured source name.
func (s *Source) Name() string { return s.name }

// Fetch reads the page at prev.URL (where a permanent redirect moved it), or
// at the configured URL, and returns one story per element select.item
// matches, in page order, as feed.Source.Fetch returns a feed's items: a
// 304 (or an unchanged local file) is NotModified, State carries the
// validators and the upstream's NextDue, and the outcome is the caller's to
// record. robots.txt of the page's host must allow the page. A required
// selector that matches nothing is a *MatchError. With Options.Content,
// each item's page is fetched too; one that fails is reported in
// Result.Problems and its story kept without the content.
func (s *Source) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	raw, prev := s.fetch.Where(prev)
	fail := func(err error) (sources.Result, error) {
		return sources.Result{}, fmt.Errorf("page %q: %w", s.name, err)
	}
	if err := s.allowed(ctx, raw); err != nil {
		return fail(err)
	}
	d, err := s.fetch.Get(ctx, raw, prev, feed.AcceptHTML)
	if err != nil {
		return fail(err)
	}
	now := s.now()
	st := d.Next(prev, raw, now)
	if d.Moved != "" {
		s.log.Info("page moved permanently", "from", sources.RedactURL(raw), "to", sources.RedactURL(d.Moved))
	}
	if d.NotModified {
		return sources.Result{State: st, NotModified: true}, nil
	}
	if !d.OK() {
		return fail(fmt.Errorf("GET %s: %w", sources.RedactURL(raw), d.StatusError(now)))
	}

	doc, err := s.parse(raw, d)
	if err != nil {
		return fail(err)
	}
	l := s.listing(raw, d.URL, doc)
	stories, err := l.stories(s, now)
	if err != nil {
		return fail(err)
	}
	var problems []error
	if s.content != nil {
		problems = s.contents(ctx, stories)
	}
	s.log.Debug("fetched", "url", sources.RedactURL(raw), "items", len(stories), "etag", st.ETag, "next_due", st.NextDue)
	return sources.Result{Stories: stories, State: st, Problems: problems}, nil
}

// allowed checks raw against its host's robots.txt; local pages have none.
func (s *Source) allowed(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil // a local page, or a URL Get refuses with its own error
	}
	return s.robots.allowed(ctx, s.fetch, u, s.now())
}

// parse decodes a fetched page to UTF-8 and parses it as HTML. Bytes its
// charset cannot decode are replaced and logged, as a feed's are.
func (s *Source) parse(raw string, d *feed.Document) (*goquery.Document, error) {
	if len(bytes.TrimSpace(d.Body)) == 0 {
		return nil, fmt.Errorf("GET %s: %w", sources.RedactURL(raw), feed.ErrEmpty)
	}
	dec, err := feed.DecodeHTML(d.Body, d.ContentType)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", sources.RedactURL(raw), err)
	}
	if dec.Replaced > 0 {
		s.log.Warn("page has bytes invalid in its charset; replaced with U+FFFD", "url", sources.RedactURL(raw),
			"charset", dec.Charset, "from", dec.From, "replaced", dec.Replaced)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(dec.Body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: parse HTML: %w", sources.RedactURL(raw), err)
	}
	return doc, nil
}

// ErrNoContent means select's content selector matched nothing on an
// item's page.
var ErrNoContent = errors.New("page: content matched 0 elements")

// contents fetches the item pages of stories, at most s.workers at once,
// and sets each story's Content to the inner HTML of the first element the
// content selector matches there. An item page is asked with the
// validators of its last answer, so a long-running process fetches only
// the item pages that changed; the remembered pages are those of the
// current listing.
func (s *Source) contents(ctx context.Context, stories []sources.Story) []error {
	sem := make(chan struct{}, s.workers)
	errs := make([]error, len(stories))
	var wg sync.WaitGroup
	for i := range stories {
		st := &stories[i]
		if st.Link == "" {
			continue
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = &sources.FileError{Path: sources.RedactURL(st.Link), Err: fmt.Errorf("content: %w", ctx.Err())}
				return
			}
			defer func() { <-sem }()
			p, err := s.itemContent(ctx, st.Link)
			if err != nil {
				errs[i] = &sources.FileError{Path: sources.RedactURL(st.Link), Err: fmt.Errorf("content: %w", err)}
				return
			}
			st.Content, st.ContentBase = p.content, p.base
		})
	}
	wg.Wait()

	keep := make(map[string]bool, len(stories))
	for _, st := range stories {
		keep[st.Link] = true
	}
	s.mu.Lock()
	for link := range s.pages {
		if !keep[link] {
			delete(s.pages, link)
		}
	}
	s.mu.Unlock()

	var problems []error
	for _, err := range errs {
		if err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}

// itemContent fetches one item page (or answers from the last fetch on a
// 304) and selects its content.
func (s *Source) itemContent(ctx context.Context, link string) (itemPage, error) {
	if err := s.allowed(ctx, link); err != nil {
		return itemPage{}, err
	}
	s.mu.Lock()
	last, seen := s.pages[link]
	s.mu.Unlock()
	d, err := s.fetch.Get(ctx, link, sources.State{ETag: last.etag, LastModified: last.lastModified}, feed.AcceptHTML)
	if err != nil {
		return itemPage{}, err
	}
	if d.NotModified && seen {
		return last, nil
	}
	if !d.OK() {
		return itemPage{}, fmt.Errorf("GET %s: %w", sources.RedactURL(link), d.StatusError(s.now()))
	}
	doc, err := s.parse(link, d)
	if err != nil {
		return itemPage{}, err
	}
	found := s.content.in(doc.Selection).First()
	if found.Length() == 0 {
		return itemPage{}, fmt.Errorf("%w on %s", ErrNoContent, sources.RedactURL(link))
	}
	var content string
	if s.content.Attr != "" {
		content = s.content.value(found)
	} else if content, err = found.Html(); err != nil {
		return itemPage{}, fmt.Errorf("content of %s: %w", sources.RedactURL(link), err)
	}
	p := itemPage{etag: d.ETag, lastModified: d.LastModified, content: content, base: documentBase(d.URL, doc)}
	s.mu.Lock()
	s.pages[link] = p
	s.mu.Unlock()
	return p, nil
}

// documentBase is the base of a page's relative links: its <base href>
// resolved against the URL that answered, else that URL (RFC 3986 §5.1,
// HTML's document base URL), in its public form.
func documentBase(answered string, doc *goquery.Document) string {
	page := feed.PublicURL(answered)
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b := resolve(page, href); b != "" {
			return b
		}
	}
	return page
}

// resolve is ref made absolute against base; "" when either does not parse.
func resolve(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return b.ResolveReference(r).String()
}

// webURL is ref made absolute against base when that is an http(s) URL
// with a host, "" otherwise: a page gives only web links and images.
func webURL(base, ref string) string {
	abs := resolve(base, ref)
	u, err := url.Parse(abs)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return abs
}

// origin names the page as the upstream of its items: its title, and its
// URL when that is a web address (else its canonical link); nil for a
// local page that names no web address.
func origin(pageURL string, doc *goquery.Document) *feeds.Origin {
	home := webURL("", pageURL)
	if home == "" {
		href, _ := doc.Find(`link[rel~="canonical"][href]`).First().Attr("href")
		home = webURL("", href)
	}
	if home == "" {
		return nil
	}
	return &feeds.Origin{Title: collapse(doc.Find("title").First().Text()), ID: home, Link: home}
}
