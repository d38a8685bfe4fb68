// Package feed is the source kind for upstream RSS 0.9x/1.0/2.0, Atom
// 0.3/1.0 and JSON Feed 1.0/1.1 feeds, fetched politely over HTTP
// (conditional GET, a body cap after gzip, bounded redirects, retries that
// honour Retry-After, per-host concurrency) or read from a local file, and
// parsed with gofeed from bytes already in the right charset.
package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedloom/feedloom/sources"
)

const projectURL = "https://github.com/feedloom/feedloom"

// Options configure a feed Source. The zero value is usable: every zero
// field means the default given beside it.
type Options struct {
	UserAgent string         // "feedloom/<version> (+https://github.com/feedloom/feedloom)" when empty
	Timeout   time.Duration  // one fetch, redirects, retries and body included; 0 = 30s; connect and response-header waits are a third each
	MaxBody   int64          // bytes after decompression; 0 = 10 MiB
	Retries   int            // extra attempts on 429/5xx within one Fetch; 0 = 2, negative = none
	RetryWait time.Duration  // first wait between attempts, doubled each time, when there is no Retry-After; 0 = 1s
	Zone      *time.Location // for zoneless and ambiguous upstream dates; nil = UTC
	Limiter   *Limiter       // shared by every feed source; nil = no limit
	Gate      Gate           // per-host slots shared with other processes (a cluster); nil = none
	// Client is nil for NewClient(opts). Fetch follows redirects and bounds
	// time itself, overriding its CheckRedirect and Timeout. Unless
	// AllowPrivate, it must be a client NewClient built with AllowPrivate
	// false, its Transport as NewClient set it: only that transport
	// refuses non-public addresses, so Fetch refuses to send anything
	// through any other (&http.Client{}, a client built with AllowPrivate,
	// a wrapped transport) and returns ErrUnguardedClient.
	Client *http.Client
	// AllowPrivate lets the fetcher connect to loopback, private,
	// link-local, CGNAT and unspecified addresses; false refuses them at
	// dial time and on every redirect. NewClient reads it.
	AllowPrivate bool
	MaxItems     int // items kept from one response, in document order; 0 = 1,000
	// Header is sent with every request to the configured URL's host
	// (credentials such as Authorization), never to another host a
	// redirect leads to, and never logged. The fetcher's own headers
	// (conditional GET, Accept-Encoding) win over it.
	Header http.Header
	Now    func() time.Time
	Log    *slog.Logger // nil = discard; every URL a Source logs is redacted
	// HashKeys, shared by the sources of one configuration, makes the keys
	// of their entry hashes once for all of them; nil = once per Shared.
	HashKeys *HashKeys

	guard *guard // tests: their own address rule, resolver and proxy; nil = the real ones
}

// Gate bounds the requests to one host across processes, where Limiter
// bounds them within one: the nodes of a cluster share its slots. A
// request takes its Limiter slot first, then its Gate slot.
type Gate interface {
	Acquire(ctx context.Context, host string) (release func(), err error)
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = userAgent(buildVersion())
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 10 << 20
	}
	switch {
	case o.Retries == 0:
		o.Retries = 2
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RetryWait <= 0 {
		o.RetryWait = time.Second
	}
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxItems <= 0 {
		o.MaxItems = 1000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

func userAgent(version string) string {
	return "feedloom/" + version + " (+" + projectURL + ")"
}

// buildVersion is the main module's version when the binary was built from
// a tagged module, else "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Source is one upstream feed. It is safe for concurrent use, though the
// scheduler never fetches one source twice at once.
type Source struct {
	name   string
	url    string
	sh     *Shared
	accept string // the Accept header; acceptFeeds when empty (Get sets its own)
}

// Shared is what feed sources made with the same Options share: the options
// with their defaults, the client and the logger. The feeds of one list are
// made from one Shared, so 100,000 of them do not hold as many copies.
type Shared struct {
	opts      Options
	client    *http.Client
	unguarded bool // !AllowPrivate, and client does not refuse private addresses
	log       *slog.Logger
	// hashKey is readerVersion and the zoneKey of opts.Zone, for entry
	// hashes: made when first needed, as most sources of a large list
	// never answer with a body in a process's life.
	hashKey func() (reader, zone string)
}

// NewShared prepares opts for the sources Shared.Source makes.
func NewShared(opts Options) *Shared {
	opts = opts.withDefaults()
	client := opts.Client
	if client == nil {
		client = NewClient(opts)
	}
	// Fetch follows redirects itself, hop by hop, so it can count them,
	// take a Limiter slot per host and notice permanent moves; and one
	// deadline spans its hops and retries, so the client's own per-request
	// timeout steps aside.
	own := *client
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	own.Timeout = 0
	return &Shared{
		opts:      opts,
		client:    &own,
		unguarded: !opts.AllowPrivate && !guarded(client),
		log:       redactLogger(opts.Log),
		hashKey: sync.OnceValues(func() (string, string) {
			return opts.HashKeys.get(opts.Zone)
		}),
	}
}

// New returns the Source called name for feedURL: an http(s) URL, a file://
// URL or a local path (made absolute by the caller). Fetch uses a stored
// State.URL instead when there is one, so the scheduler clears State.URL
// when the configured URL changes.
func New(name, feedURL string, opts Options) *Source {
	return NewShared(opts).Source(name, feedURL)
}

// Source is New with sh's options.
func (sh *Shared) Source(name, feedURL string) *Source {
	return &Source{name: name, url: feedURL, sh: sh}
}

// log logs under the source's name; made when used, since a Source is
// kept for every feed of a list.
func (s *Source) log() sources.Log { return sources.Log{L: s.sh.log, Name: s.name} }

// Name is the configured source name.
func (s *Source) Name() string { return s.name }

// Fetch reads the feed at prev.URL, or at the configured URL when prev has
// none or was reached from another configured URL, and returns its items as
// stories in feed order. A 304 answer, or a local file whose content hash
// equals prev.ETag, is NotModified with prev's validators. On success State
// carries the new validators, the URL a permanent redirect moved to, and
// NextDue: the upstream's own floor (Cache-Control, else Expires, else RSS
// <ttl>, capped at 24h) from now, zero when it gives none. Its CheckedAt,
// LastSuccess, Failures and LastError are prev's (zero when the configured
// URL changed): recording the outcome, with State.Succeed or State.Fail, is
// the caller's. Errors name the source and URL; see StatusError,
// ErrTooLarge, ErrEmpty, ErrNotAFeed, ErrParse, ErrPrivateAddress and
// ErrUnguardedClient.
func (s *Source) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	return s.fetch(ctx, prev, nil)
}

// FetchKnown is Fetch that does not parse the entries the store holds
// already: it hashes each entry's bytes with all else its story depends
// on (see layout.hashes) and the salt known returns, and an entry whose
// hash known's test reports (known is called once, after a response with
// entries) is left out of Stories, its hash listed in Known. Hashes holds
// the hash of each story. A document whose entries cannot be found
// without parsing it is parsed whole, its stories without hashes. Whole
// parses the same response again with nothing left out.
func (s *Source) FetchKnown(ctx context.Context, prev sources.State, known func() (salt string, has func(hash string) bool)) (sources.Result, error) {
	return s.fetch(ctx, prev, &skip{known: known})
}

// skip is what FetchKnown asks of a parse: known is called at most once,
// its answer kept for a Whole.
type skip struct {
	known func() (string, func(hash string) bool)
	asked bool
	salt  string
	has   func(hash string) bool
}

// ask returns known's answer.
func (k *skip) ask() (string, func(hash string) bool) {
	if !k.asked {
		k.salt, k.has = k.known()
		k.asked = true
	}
	return k.salt, k.has
}

// nothingKnown is the skip of a Whole: every entry parsed, every one
// hashed with the salt given before.
func (k *skip) nothingKnown() *skip {
	salt, _ := k.ask()
	return &skip{asked: true, salt: salt, has: func(string) bool { return false }}
}

// withWhole gives res, when it left entries out, a Whole that parses body
// again with nothing left out.
func (s *Source) withWhole(res sources.Result, raw string, body []byte, contentType string, sk *skip, fail func(error) (sources.Result, error)) sources.Result {
	if len(res.Known) == 0 {
		return res
	}
	st := res.State
	res.Whole = func() (sources.Result, error) {
		p, err := s.parse(raw, body, contentType, sk.nothingKnown())
		if err != nil {
			return fail(err)
		}
		return p.result(st, s.sh.opts.Zone), nil
	}
	return res
}

func (s *Source) fetch(ctx context.Context, prev sources.State, sk *skip) (sources.Result, error) {
	raw, prev := s.Where(prev)
	if path, ok := localPath(raw); ok {
		return s.fetchFile(ctx, raw, path, prev, sk)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return sources.Result{}, fmt.Errorf("feed %q: GET %s: not an http(s) URL, file:// URL or path", s.name, sources.RedactURL(raw))
	}
	fail := func(err error) (sources.Result, error) {
		// Redacted whole: the scheduler shows err.Error() on /healthz.
		return sources.Result{}, redactError(fmt.Errorf("feed %q: GET %s: %w", s.name, sources.RedactURL(raw), err))
	}

	if s.sh.unguarded {
		return fail(ErrUnguardedClient)
	}
	r, moved, err := s.get(ctx, u, prev)
	if err != nil {
		return fail(err)
	}
	now := s.sh.opts.Now()
	st := prev
	st.URL = raw
	if moved != nil {
		st.URL = moved.String()
		s.log().Info("feed moved permanently", "from", raw, "to", st.URL)
	}
	fresh, hasFresh := r.Fresh(now)

	if r.NotModified() {
		st.ETag = firstNonBlank(r.ETag(), prev.ETag)
		st.LastModified = firstNonBlank(r.LastModified(), prev.LastModified)
		st.NextDue = due(now, fresh)
		s.log().Debug("not modified", "url", r.url.String(), "etag", st.ETag, "last_modified", st.LastModified)
		return sources.Result{State: st, NotModified: true}, nil
	}
	if !r.OK() {
		return fail(r.StatusError(now))
	}

	p, err := s.parse(raw, r.body, r.ContentType(), sk)
	if err != nil {
		return fail(err)
	}
	if !hasFresh {
		fresh = p.ttl()
	}
	st.ETag = r.ETag()
	st.LastModified = r.LastModified()
	st.NextDue = due(now, fresh)
	res := s.withWhole(p.result(st, s.sh.opts.Zone), raw, r.body, r.ContentType(), sk, fail)
	s.log().Debug("fetched", "url", r.url.String(), "status", r.status, "bytes", len(r.body),
		"items", len(res.Stories), "known", len(res.Known), "etag", st.ETag, "last_modified", st.LastModified, "next_due", st.NextDue)
	return res, nil
}

// fetchFile reads a local feed with the same cap, charset rules and parser.
// Its State.ETag is a hash of the bytes, so an unchanged file is
// NotModified.
func (s *Source) fetchFile(ctx context.Context, raw, path string, prev sources.State, sk *skip) (sources.Result, error) {
	fail := func(err error) (sources.Result, error) {
		return sources.Result{}, fmt.Errorf("feed %q: read %s: %w", s.name, raw, err)
	}
	d, err := s.readLocal(ctx, path, prev)
	if err != nil {
		return fail(err)
	}
	st := prev
	st.URL = raw
	st.ETag, st.LastModified, st.NextDue = d.ETag, "", time.Time{}
	if d.NotModified {
		return sources.Result{State: st, NotModified: true}, nil
	}
	p, err := s.parse(raw, d.Body, "", sk)
	if err != nil {
		return fail(err)
	}
	return s.withWhole(p.result(st, s.sh.opts.Zone), raw, d.Body, "", sk, fail), nil
}

// parse decodes the body's charset, refuses what is not a feed, and parses
// it with gofeed, keeping the original document for what gofeed's model
// drops and no more than MaxItems items. Bytes no charset reading decodes
// cost their own characters, not the source: they are replaced and logged.
// feedURL is the URL (or path) the body was read from; the stories see only
// its publicURL. With sk, the entries it knows are left out (parseSplit).
func (s *Source) parse(feedURL string, body []byte, contentType string, sk *skip) (parsed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return parsed{}, ErrEmpty
	}
	dec, err := decodeBody(body, contentType)
	if err != nil {
		return parsed{}, err
	}
	if len(bytes.TrimSpace(dec.body)) == 0 {
		return parsed{}, ErrEmpty
	}
	if isHTML(dec.body) {
		return parsed{}, fmt.Errorf("%w: an HTML page (Content-Type %q)", ErrNotAFeed, contentType)
	}
	s.log().Debug("charset", "url", feedURL, "charset", dec.charset, "from", dec.from, "confidence", dec.confidence)
	if dec.from == "detected" || dec.from == "fallback" {
		s.log().Info("feed declares no charset that fits; guessed", "url", feedURL,
			"charset", dec.charset, "from", dec.from, "confidence", dec.confidence)
	}
	if dec.replaced > 0 {
		s.log().Warn("feed has bytes invalid in its charset; replaced with U+FFFD", "url", feedURL,
			"charset", dec.charset, "from", dec.from, "replaced", dec.replaced)
	}
	// A document whose entries the scan finds is read with their
	// children's contents cut out of the side readings, and without the
	// entries sk knows; past fetch.max_items it is read whole, so that
	// every entry is read as gofeed reads it.
	text := dec.text()
	if l, ok := split(text); ok && len(l.entries) <= s.sh.opts.MaxItems {
		if p, ok := s.parseSplit(feedURL, text, l, contentType, sk); ok {
			s.warnLeftOut(p, feedURL)
			return p, nil
		}
	}
	p, err := gofeedParse(publicURL(feedURL), dec.body, nil, contentType)
	if err != nil {
		return parsed{}, err
	}
	s.keepFirst(&p, feedURL)
	s.warnLeftOut(p, feedURL)
	return p, nil
}

// warnLeftOut says which fields of a JSON Feed were left out for their type.
func (s *Source) warnLeftOut(p parsed, feedURL string) {
	if len(p.leftOut) > 0 {
		s.log().Warn("feed has fields of the wrong type; left them out and read the rest", "url", feedURL,
			"fields", strings.Join(p.leftOut, ","))
	}
}

// keepFirst keeps no more than MaxItems of p's items, saying so when it
// drops some.
func (s *Source) keepFirst(p *parsed, feedURL string) {
	if dropped := p.keepFirst(s.sh.opts.MaxItems); dropped > 0 {
		s.log().Warn("feed has more items than fetch.max_items; kept the first", "url", feedURL,
			"kept", s.sh.opts.MaxItems, "dropped", dropped)
	}
}

// parseSplit parses text, a document in UTF-8 whose entries l found,
// without the entries sk knows (none when sk is nil), and with sk hashes
// every entry; false when gofeed reads the document otherwise than the
// scan found it (then the caller parses it whole, and reports its errors
// with their positions in it).
func (s *Source) parseSplit(feedURL string, text []byte, l layout, contentType string, sk *skip) (parsed, bool) {
	pub := publicURL(feedURL)
	keep := make([]bool, len(l.entries))
	var known, fresh []string
	var pos []int
	for i := range keep {
		keep[i] = true
	}
	if sk != nil {
		salt, has := sk.ask()
		reader, zone := s.sh.hashKey()
		hashes := l.hashes(text, len(l.entries), salt, pub, zone, reader)
		for i, h := range hashes {
			if has(h) {
				known = append(known, h)
				keep[i] = false
				continue
			}
			fresh = append(fresh, h)
			pos = append(pos, i)
		}
	}
	kept := func(i int) bool { return keep[i] }
	doc := text
	if len(known) > 0 {
		doc = l.without(text, kept)
	}
	var side []byte
	if !l.json {
		side = l.side(text, kept)
	}
	p, err := gofeedParse(pub, doc, side, contentType)
	if err != nil || len(p.feed.Items) != len(l.entries)-len(known) {
		return parsed{}, false
	}
	p.hashes, p.known = fresh, known
	if len(known) > 0 {
		p.pos = pos
	}
	return p, true
}

// gofeedParse parses doc with gofeed, and reads the Atom and RSS
// attributes its model drops from side, or from doc when side is nil.
// docURL is the document's publicURL.
func gofeedParse(docURL string, doc, side []byte, contentType string) (parsed, error) {
	doc = absoluteBases(withoutBadCharRefs(doc), docURL)
	if side != nil {
		side = withoutBadCharRefs(side)
	}
	fp := gofeed.NewParser()
	fp.KeepOriginalFeed = true
	// gofeed's own guess at an item's picture parses the item's HTML once
	// more; feedloom never reads it (itemImage, and normalize's first
	// picture of the sanitized content, decide).
	fp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	f, err := fp.Parse(bytes.NewReader(doc))
	var leftOut []string
	for range maxRepairs {
		mistyped := mistypedField(err)
		if mistyped == nil {
			break
		}
		fixed, field, ok := leaveOutMistyped(doc, mistyped)
		if !ok {
			break
		}
		doc, leftOut = fixed, append(leftOut, field)
		f, err = fp.Parse(bytes.NewReader(doc))
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return parsed{}, fmt.Errorf("%w: no RSS, Atom or JSON Feed found (Content-Type %q)", ErrNotAFeed, contentType)
	}
	if err != nil {
		return parsed{}, fmt.Errorf("%w: %w", ErrParse, err)
	}
	p := parsed{url: docURL, feed: f, leftOut: leftOut}
	if side == nil {
		side = doc
	}
	if f.FeedType == "atom" {
		p.atom = readAtomEntries(side, p.url)
	}
	if f.FeedType == "rss" {
		p.rss = readRSSItems(side, p.url)
	}
	return p, nil
}

// isHTML reports a body that starts as an HTML page does: the error or
// login page some servers send with status 200.
func isHTML(b []byte) bool {
	head := strings.ToLower(string(bytes.TrimSpace(b[:min(len(b), 512)])))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// localPath reports whether raw names a file: a file:// URL (empty host or
// localhost) or a path rather than an http(s) URL.
func localPath(raw string) (string, bool) {
	if strings.HasPrefix(raw, "file:") {
		u, err := url.Parse(raw)
		if err != nil || (u.Host != "" && u.Host != "localhost") {
			return "", false
		}
		return u.Path, true
	}
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") || strings.Contains(raw, "://") {
		return "", false
	}
	return raw, true
}

// due is when a source may be fetched again, given the upstream's floor.
func due(now time.Time, fresh time.Duration) time.Time {
	if fresh <= 0 {
		return time.Time{}
	}
	return now.Add(min(fresh, maxFloor))
}
