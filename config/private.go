package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/feedloom/feedloom/sources"
)

// private warns about each feed, page or opml source whose URL names, literally, a host
// the fetcher refuses without allow_private: it would fail on every run.
// Only what the URL says is judged; names that resolve to such addresses
// are the fetcher's to refuse.
func (b *builder) private(c *Config) {
	for i, s := range c.Sources {
		if (s.Kind != "feed" && s.Kind != "page" && s.Kind != "opml") || s.URL == "" || c.AllowPrivateOf(s) {
			continue
		}
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if what := privateHost(u.Hostname()); what != "" {
			b.p.warn(fmt.Sprintf("sources[%d].url", i), "%s is %s; fetching it needs allow_private: true", redacted(s.URL), what)
		}
	}
}

// privateHost says what kind of non-public host host is ("a loopback
// address"), as the fetcher would name the address it refuses, or "" for
// any other host.
func privateHost(host string) string {
	rule := sources.HostRule(host)
	switch {
	case rule == "":
		return ""
	case strings.ContainsRune("aeiou", rune(rule[0])):
		return "an " + rule
	}
	return "a " + rule
}
