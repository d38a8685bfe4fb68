package feed

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
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
	// ErrParse means gofeed recognised the format but could not parse the
	// body (malformed XML or JSON); the message keeps gofeed's reason.
	ErrParse = errors.New("feed: cannot parse")
	// ErrPrivateAddress means the fetcher refused to connect to an address
	// that is not on the public internet (see Options.AllowPrivate); an
	// *AddressError says which and by what rule.
	ErrPrivateAddress = errors.New("feed: refused a non-public address")
	// ErrUnguardedClient means Options.AllowPrivate is false but
	// Options.Client is not a client NewClient built with AllowPrivate
	// false, the only kind that refuses non-public addresses; Fetch sends
	// it no request.
	ErrUnguardedClient = errors.New("feed: Options.Client does not refuse non-public addresses (build it with NewClient, AllowPrivate false)")
)

// AddressError is a connection the fetcher refused because of where it
// would have gone: at dial time, on a redirect to a host refused as
// written, or before a request is handed to a proxy. It wraps
// ErrPrivateAddress.
type AddressError struct {
	Host string     // what was asked for, host:port, as in the URL
	Addr netip.Addr // the address refused, Host resolved to it; zero when the host itself is refused
	Rule string     // the range it fell in ("loopback address", "private address", …), or why the host is: "loopback host name", "IPv4 address in a non-standard form"
}

func (e *AddressError) Error() string {
	to := e.Host
	if host, _, err := net.SplitHostPort(e.Host); e.Addr.IsValid() && (err != nil || host != e.Addr.String()) {
		to += " (" + e.Addr.String() + ")"
	}
	return fmt.Sprintf("feed: refused to connect to %s: %s (set allow_private to fetch from it)", to, e.Rule)
}

func (e *AddressError) Unwrap() error { return ErrPrivateAddress }

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
