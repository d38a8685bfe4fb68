package scheduler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/feedloom/feedloom/sources"
)

// isFeed reports whether an output file is one a WebSub hub is told about.
func isFeed(name string) bool {
	switch name {
	case "rss.xml", "atom.xml", "feed.json":
		return true
	}
	return false
}

func isFeedPath(p string) bool { return isFeed(path.Base(p)) }

// Announce tells the WebSub hub about the feeds among changed (a Report's
// Published). RunOnce leaves it to its caller, to do after letting go of the
// lock: a hub that does not answer must not hold up other runs. In a
// cluster only the leader pings, after ClusterOptions.PingDelay.
func (s *Scheduler) Announce(ctx context.Context, changed []string) {
	s.announce(ctx, changed, true)
}

// announce pings the hub about changed feeds when the coordinator says
// this process is the one to, after the delay it gives; without wait, a
// delayed ping goes on in the background (Run waits for it as it stops).
func (s *Scheduler) announce(ctx context.Context, changed []string, wait bool) {
	if s.opts.Hub == "" || !slices.ContainsFunc(changed, isFeedPath) {
		return
	}
	delay, ok := s.coord.pinger(ctx)
	if !ok {
		return
	}
	ping := func() {
		if sleep(ctx, delay) {
			s.pingHub(ctx, changed)
		}
	}
	if wait || delay <= 0 {
		ping()
		return
	}
	s.pings.Go(ping)
}

// pingHub tells the configured WebSub hub which feeds changed
// (hub.mode=publish, one request per feed URL, as most hubs expect). A
// failing hub is logged, never fatal: readers still poll.
func (s *Scheduler) pingHub(ctx context.Context, changed []string) {
	if s.opts.Hub == "" {
		return
	}
	for _, p := range changed {
		if !isFeedPath(p) {
			continue
		}
		feedURL := strings.TrimSuffix(s.opts.BaseURL, "/") + "/" + p
		if err := s.ping(ctx, feedURL); err != nil {
			if ctx.Err() != nil {
				return // shutting down: not the hub's failure
			}
			s.log.Warn("websub ping failed", "hub", sources.RedactURL(s.opts.Hub), "feed", feedURL, "err", sources.RedactText(err.Error()))
			continue
		}
		s.log.Debug("websub ping", "hub", sources.RedactURL(s.opts.Hub), "feed", feedURL)
	}
}

func (s *Scheduler) ping(ctx context.Context, feedURL string) error {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {feedURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.Hub, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hub answered %s", resp.Status)
	}
	return nil
}
