package scheduler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
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
