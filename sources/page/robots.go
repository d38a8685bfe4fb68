package page

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// robotsTTL is how long a host's robots.txt is trusted: the day Google's
// crawler keeps one for (RFC 9309 §2.4 asks for no more than 24 hours).
const robotsTTL = 24 * time.Hour

// ErrRobots means robots.txt of the page's host disallows a URL the source
// would fetch.
var ErrRobots = errors.New("page: disallowed by robots.txt")

// robots keeps each host's robots.txt for robotsTTL.
type robots struct {
	agent string

	mu    sync.Mutex
	hosts map[string]robotsEntry // scheme://host:port → rules
}

type robotsEntry struct {
	data    *robotstxt.RobotsData
	fetched time.Time
}

// allowed reports whether u may be fetched by the user agent's group of
// its host's robots.txt, else the * group (RFC 9309 §2.2.1). A robots.txt
// that answers 4xx allows everything, one that keeps answering 5xx
// disallows everything (§2.3.1.3, §2.3.1.4); one that cannot be reached at
// all is the fetch's error.
func (r *robots) allowed(ctx context.Context, f *feed.Source, u *url.URL, now time.Time) error {
	key := u.Scheme + "://" + u.Host
	// Held while a robots.txt is fetched, so that item pages on one host
	// asked for at once fetch it once.
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.hosts[key]
	if !ok || now.Sub(e.fetched) > robotsTTL {
		data, err := fetchRobots(ctx, f, key+"/robots.txt")
		if err != nil {
			return err
		}
		e = robotsEntry{data: data, fetched: now}
		r.hosts[key] = e
	}
	if !e.data.TestAgent(u.RequestURI(), r.agent) {
		return fmt.Errorf("%w: %s", ErrRobots, sources.RedactURL(u.String()))
	}
	return nil
}

func fetchRobots(ctx context.Context, f *feed.Source, robotsURL string) (*robotstxt.RobotsData, error) {
	d, err := f.Get(ctx, robotsURL, sources.State{}, "text/plain")
	var se *feed.StatusError
	switch {
	case errors.As(err, &se):
		return robotstxt.FromStatusAndBytes(se.Code, nil)
	case err != nil:
		return nil, fmt.Errorf("robots.txt: %w", err)
	}
	status := d.Status
	if !d.OK() && (status < 400 || status > 599) {
		status = 404 // an unfollowed redirect or an odd status: no rules
	}
	data, err := robotstxt.FromStatusAndBytes(status, d.Body)
	if err != nil {
		// A file no parser reads states no rule either.
		return robotstxt.FromStatusAndBytes(404, nil)
	}
	return data, nil
}
