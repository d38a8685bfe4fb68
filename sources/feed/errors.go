package feed

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinels for the conditions a caller branches on. Fetch wraps them with
// the source name and URL: `feed "name": GET url: feed: body too large …`.
var (
	// ErrTooLarge means the body, counted after gzip decompression, passed
	// Options.MaxBody.
	ErrTooLarge = errors.New("feed: body too large")
	// ErrEmpty means the upstream answered 200 (or 204) with nothing but
	// white space.
	ErrEmpty = errors.New("feed: empty body")
	// ErrNotAFeed means the body is an HTML page or no format gofeed knows
	// (RSS, Atom, JSON Feed).
	ErrNotAFeed = errors.New("feed: not a feed")
)

// StatusError is an HTTP status that is neither success, 304 nor a followed
// redirect. RetryAfter is the upstream's Retry-After (seconds or an HTTP
// date, capped at 24h), zero when it sent none; the scheduler parks only this
// source for that long.
type StatusError struct {
	Code       int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("status %d %s", e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	return msg
}

// RetryAfterDuration lets sources.State.Fail honour Retry-After without
// importing this package.
func (e *StatusError) RetryAfterDuration() time.Duration { return e.RetryAfter }
