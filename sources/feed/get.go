package feed

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/feedloom/feedloom/sources"
)

// AcceptHTML is the Accept header of a fetch for an HTML page.
const AcceptHTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// Document is one answer to Get: a document read with the feed fetcher's
// rules but not parsed, for source kinds that read something other than a
// feed (an HTML page, robots.txt).
type Document struct {
	// URL is what answered: the URL after redirects, or the local path.
	URL string
	// Moved is where an unbroken chain of permanent redirects (301, 308)
	// led; empty when the first answer was not one.
	Moved string
	// Status is the HTTP status; 200 for a local file.
	Status int
	// Body is the body of a 2xx answer, capped at Options.MaxBody after
	// decompression and not yet decoded; nil for any other status.
	Body        []byte
	ContentType string
	// ETag and LastModified are the validators for the next conditional
	// GET; a local file's ETag is a hash of its bytes.
	ETag, LastModified string
	// NotModified is a 304, or a local file whose hash is prev.ETag.
	NotModified bool
	// Fresh is how long the upstream asks not to be asked again
	// (Cache-Control, Expires, capped at 24h); zero when it says nothing.
	Fresh time.Duration

	resp *response
}

// OK reports a 2xx answer (a local file is one).
func (d *Document) OK() bool { return d.Status >= 200 && d.Status <= 299 }

// StatusError is the error of an answer that is neither 2xx nor 304,
// with the upstream's Retry-After.
func (d *Document) StatusError(now time.Time) *StatusError {
	if d.resp == nil {
		return &StatusError{Code: d.Status}
	}
	return d.resp.StatusError(now)
}

// Where is the URL a refresh of s reads, and prev as it applies there:
// the URL a permanent redirect moved the configured one to, unless the
// configured URL changed since, when prev says nothing of it and is
// reset. The State's ConfiguredURL is the configured URL.
func (s *Source) Where(prev sources.State) (string, sources.State) {
	raw := s.url
	switch {
	case prev.ConfiguredURL != s.url && prev.ConfiguredURL != "":
		// A new URL in config: the old one's validators, redirect and
		// backoff say nothing about it.
		prev = sources.State{}
	case prev.URL != "":
		raw = prev.URL // where a permanent redirect moved the configured URL
	}
	prev.ConfiguredURL = s.url
	return raw, prev
}

// Next is the State a refresh that read raw (Where's URL) and got d leaves,
// from prev: the URL a permanent redirect moved it to, the upstream's cache
// window from now, and d's validators (on a 304 that sends none, prev's).
// Recording the outcome is the caller's.
func (d *Document) Next(prev sources.State, raw string, now time.Time) sources.State {
	st := prev
	st.URL = cmp.Or(d.Moved, raw)
	st.NextDue = time.Time{}
	if d.Fresh > 0 {
		st.NextDue = now.Add(d.Fresh)
	}
	if d.NotModified {
		st.ETag = cmp.Or(d.ETag, prev.ETag)
		st.LastModified = cmp.Or(d.LastModified, prev.LastModified)
	} else {
		st.ETag, st.LastModified = d.ETag, d.LastModified
	}
	return st
}

// Get fetches raw as Fetch fetches a feed, with the same client, limiter,
// gate, address guard, timeout, retries, redirects and body cap: a
// conditional GET when prev carries validators, accept as the Accept
// header. raw may be any http(s) URL (not only the source's), a file://
// URL or a local path, read with the same cap. Statuses other than 429 and
// 5xx (retried, then an error) are answers: the caller judges them. Errors
// name the URL, with its secrets redacted.
func (s *Source) Get(ctx context.Context, raw string, prev sources.State, accept string) (*Document, error) {
	if path, ok := localPath(raw); ok {
		d, err := s.readLocal(ctx, path, prev)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", raw, err)
		}
		return d, nil
	}
	fail := func(err error) (*Document, error) {
		return nil, redactError(fmt.Errorf("GET %s: %w", sources.RedactURL(raw), err))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(fmt.Errorf("not an http(s) URL, file:// URL or path"))
	}
	if s.sh.unguarded {
		return fail(ErrUnguardedClient)
	}
	g := *s
	g.accept = accept
	r, moved, err := g.get(ctx, u, prev)
	if err != nil {
		return fail(err)
	}
	d := &Document{
		URL:          r.url.String(),
		Status:       r.status,
		Body:         r.body,
		ContentType:  r.ContentType(),
		ETag:         r.ETag(),
		LastModified: r.LastModified(),
		NotModified:  r.NotModified(),
		resp:         r,
	}
	if moved != nil {
		d.Moved = moved.String()
	}
	d.Fresh, _ = r.Fresh(s.sh.opts.Now())
	return d, nil
}

// readLocal reads a local file under MaxBody; its ETag is a hash of the
// bytes, so an unchanged file is NotModified against prev.
func (s *Source) readLocal(ctx context.Context, path string, prev sources.State) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, s.sh.opts.MaxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > s.sh.opts.MaxBody {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, s.sh.opts.MaxBody)
	}
	sum := sha256.Sum256(body)
	etag := `"sha256:` + hex.EncodeToString(sum[:16]) + `"`
	return &Document{URL: path, Status: 200, Body: body, ETag: etag, NotModified: prev.ETag == etag}, nil
}

// Decoded is an HTML body in UTF-8 and what decided its charset.
type Decoded struct {
	Body     []byte
	Charset  string // WHATWG name
	From     string // bom, http, meta, default, detected or fallback
	Replaced int    // byte sequences invalid in Charset, now U+FFFD
}

// DecodeHTML decodes an HTML body to UTF-8 in the order of the HTML
// standard's encoding sniffing: a byte order mark, the charset of the HTTP
// Content-Type, a <meta charset> or http-equiv Content-Type in the first
// 1,024 bytes; then, as for feeds, UTF-8 when the body is valid UTF-8, else
// the charset detector's confident guess, else windows-1252. A declared
// charset that leaves invalid sequences yields to a better reading, as a
// feed's does.
func DecodeHTML(body []byte, contentType string) (Decoded, error) {
	d, err := decodeHTML(body, contentType)
	return Decoded{Body: d.body, Charset: d.charset, From: d.from, Replaced: d.replaced}, err
}

func decodeHTML(body []byte, contentType string) (decoded, error) {
	if enc, name, n := byteOrderMark(body); enc != nil {
		return transcode(body[n:], enc, name, "bom")
	}
	if label := contentTypeCharset(contentType); label != "" {
		if enc, name := charset.Lookup(label); enc != nil {
			return declared(body, enc, name, "http")
		}
	}
	// DetermineEncoding's prescan reads the <meta> declarations; without
	// one it ends in a windows-1252 default that is no declaration, told
	// apart here by the word charset, which every declaration holds.
	head := body[:min(len(body), 1024)]
	enc, name, _ := charset.DetermineEncoding(head, "")
	declares := bytes.Contains(bytes.ToLower(head), []byte("charset"))
	switch {
	case declares && name == "utf-8" && !utf8.Valid(body):
		return declared(body, enc, name, "meta")
	case declares && !wideCharset(name) && name != "utf-8":
		return declared(body, enc, name, "meta")
	case utf8.Valid(body):
		return decoded{body: body, charset: "utf-8", from: "default"}, nil
	}
	return guess(body)
}

// PublicURL is the form of a fetched URL that stories may show and store:
// for an http(s) URL its scheme, host and path, without the userinfo and
// query a configured URL may carry credentials in, and without its
// fragment; other strings as they are (see Fetch's stories).
func PublicURL(raw string) string { return publicURL(raw) }
