package feed

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxFloor caps how long an upstream's caching headers, <ttl> or Retry-After
// may keep feedloom away.
const maxFloor = 24 * time.Hour

// response answers every question about one HTTP response; callers ask it
// rather than re-reading headers. Its body is already decompressed and
// capped, and read only for a 2xx status.
type response struct {
	url    *url.URL // the URL that answered
	status int
	header http.Header
	body   []byte
}

// readResponse reads and closes resp. The body of a 2xx response is
// decompressed (gzip) and must fit in limit bytes after decompression, so a
// gzip bomb stops at limit+1 bytes; other bodies are discarded.
func readResponse(resp *http.Response, limit int64) (*response, error) {
	defer resp.Body.Close()
	r := &response{url: resp.Request.URL, status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A little draining lets the connection be reused; a huge error
		// page is cut off by closing instead.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		return r, nil
	}
	var body io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if resp.ContentLength > limit {
			return nil, fmt.Errorf("%w (Content-Length %d, limit %d bytes)", ErrTooLarge, resp.ContentLength, limit)
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	r.body = b
	return r, nil
}

// NotModified reports a 304: the conditional request matched.
func (r *response) NotModified() bool { return r.status == http.StatusNotModified }

// OK reports a 2xx status.
func (r *response) OK() bool { return r.status >= 200 && r.status <= 299 }

// Retryable reports a status worth another attempt within one fetch.
func (r *response) Retryable() bool {
	return r.status == http.StatusTooManyRequests || r.status >= 500 && r.status <= 599
}

// Redirect returns where a 301, 302, 303, 307 or 308 points, resolved
// against the URL that answered, and whether it is permanent (301, 308).
func (r *response) Redirect() (to *url.URL, permanent, ok bool, err error) {
	switch r.status {
	case http.StatusMovedPermanently, http.StatusPermanentRedirect:
		permanent = true
	case http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
	default:
		return nil, false, false, nil
	}
	loc := r.header.Get("Location")
	if loc == "" {
		return nil, false, false, nil // judged as a plain status
	}
	to, err = r.url.Parse(loc)
	if err != nil {
		return nil, false, true, fmt.Errorf("redirect to %q: %w", loc, err)
	}
	to.Fragment = ""
	return to, permanent, true, nil
}

// StatusError describes a failed status; RetryAfter is measured against the
// response's own Date header when it has one, else now.
func (r *response) StatusError(now time.Time) *StatusError {
	return &StatusError{Code: r.status, RetryAfter: r.retryAfter(now)}
}

func (r *response) retryAfter(now time.Time) time.Duration {
	v := strings.TrimSpace(r.header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(n, 0), int64(maxFloor/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(r.serverNow(now))
	}
	return min(max(d, 0), maxFloor)
}

// serverNow is the response's Date, so that Expires and an HTTP-date
// Retry-After are read on the upstream's clock (RFC 9111 §4.2.1).
func (r *response) serverNow(now time.Time) time.Time {
	if t, err := http.ParseTime(r.header.Get("Date")); err == nil {
		return t
	}
	return now
}

// ETag and LastModified are the validators for the next conditional GET.
func (r *response) ETag() string         { return r.header.Get("ETag") }
func (r *response) LastModified() string { return r.header.Get("Last-Modified") }

// ContentType is the Content-Type header as sent.
func (r *response) ContentType() string { return r.header.Get("Content-Type") }

// Fresh is how long the upstream asks not to be fetched again: Cache-Control
// s-maxage (feedloom is a shared cache, RFC 9111 §5.2.2.10), else max-age,
// else Expires minus Date; ok is false when the response says none of them.
// no-store and no-cache mean zero. The result is capped at 24h.
func (r *response) Fresh(now time.Time) (d time.Duration, ok bool) {
	if cc := r.header.Values("Cache-Control"); len(cc) > 0 {
		dirs := cacheDirectives(strings.Join(cc, ","))
		if _, ok := dirs["no-store"]; ok {
			return 0, true
		}
		if _, ok := dirs["no-cache"]; ok {
			return 0, true
		}
		for _, name := range []string{"s-maxage", "max-age"} {
			if v, ok := dirs[name]; ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					return 0, true
				}
				return time.Duration(min(n, int64(maxFloor/time.Second))) * time.Second, true
			}
		}
	}
	if v := r.header.Get("Expires"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return 0, true // an invalid Expires means already expired (RFC 9111 §5.3)
		}
		return min(max(t.Sub(r.serverNow(now)), 0), maxFloor), true
	}
	return 0, false
}

// cacheDirectives splits a Cache-Control value into lower-case directive
// names and their unquoted values.
func cacheDirectives(v string) map[string]string {
	dirs := make(map[string]string)
	for part := range strings.SplitSeq(v, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		if name == "" {
			continue
		}
		dirs[strings.ToLower(strings.TrimSpace(name))] = strings.Trim(strings.TrimSpace(val), `"`)
	}
	return dirs
}

// contentTypeCharset is the charset parameter of a Content-Type, lower case,
// or "" when there is none.
func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}
