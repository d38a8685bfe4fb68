package config

import (
	"slices"
	"strings"
	"testing"
)

func TestPrivateHost(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"localhost", "a loopback host name"},
		{"LocalHost.", "a loopback host name"},
		{"api.localhost", "a loopback host name"}, // RFC 6761 §6.3
		{"127.0.0.1", "a loopback address"},
		{"127.8.9.10", "a loopback address"},
		{"::1", "a loopback address"},
		{"::ffff:127.0.0.1", "a loopback address"}, // IPv4-mapped (RFC 4291 §2.5.5.2)
		{"10.1.2.3", "a private address"},          // RFC 1918
		{"172.16.0.1", "a private address"},
		{"172.31.255.255", "a private address"},
		{"192.168.0.10", "a private address"},
		{"::ffff:192.168.0.10", "a private address"},
		{"fd12:3456::1", "a private address"}, // RFC 4193
		{"169.254.1.2", "a link-local address"},
		{"169.254.169.254", "a cloud metadata address"},
		{"::ffff:169.254.169.254", "a cloud metadata address"},
		{"168.63.129.16", "a cloud metadata address"},
		{"fec0::1", "a private address"},
		{"64:ff9b::7f00:1", "a loopback address"},  // NAT64 (RFC 6052)
		{"2002:c0a8:0101::1", "a private address"}, // 6to4 of 192.168.1.1 (RFC 3056)
		{"::10.0.0.1", "a private address"},        // IPv4-compatible (RFC 4291 §2.5.5.1)
		{"224.0.0.251", "a multicast address"},
		{"255.255.255.255", "a broadcast address"},
		{"240.0.0.1", "a reserved address"},
		{"0.1.2.3", "an unspecified address"},
		{"fe80::1", "a link-local address"},
		{"fe80::1%eth0", "a link-local address"},
		{"ff02::1", "a multicast address"},
		{"100.64.0.1", "a CGNAT address"}, // RFC 6598
		{"100.127.255.254", "a CGNAT address"},
		{"0.0.0.0", "an unspecified address"},
		{"::", "an unspecified address"},
		{"::ffff:0.0.0.0", "an unspecified address"},

		{"example.com", ""},
		{"localhost.example.com", ""},
		{"mylocalhost", ""},
		{"8.8.8.8", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2001:4860:4860::8888", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
		{"2002:808:808::1", ""},
		{"2130706433", ""}, // not a literal address; the fetcher judges what it resolves to
	} {
		if got := privateHost(tc.host); got != tc.want {
			t.Errorf("privateHost(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
}

func TestPrivateWarnings(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"public, local and file URLs", "sources:\n  - {name: a, kind: feed, url: 'https://example.com/feed.xml'}\n  - {name: b, kind: feed, url: 'file:///srv/feed.xml'}\n  - {name: c, kind: feed, url: 'file://localhost/srv/feed.xml'}\n  - {name: d, kind: feed, url: feeds/local.xml}\n",
			nil},
		{"private hosts without the opt-in", "sources:\n  - name: a\n    kind: feed\n    url: https://example.com/feed.xml\n  - name: b\n    kind: feed\n    url: http://127.0.0.1:8080/feed.xml\n  - name: c\n    kind: feed\n    url: http://[::ffff:10.0.0.1]/feed\n  - name: d\n    kind: feed\n    url: https://Intranet.localhost/rss\n  - name: e\n    kind: feed\n    url: http://[fe80::1%25eth0]:8080/\n  - name: f\n    kind: feed\n    url: http://100.100.1.1/\n  - name: g\n    kind: feed\n    url: http://0.0.0.0/\n",
			[]string{
				"config.yaml:13:5: sources[1].url: http://127.0.0.1:8080/feed.xml is a loopback address; fetching it needs allow_private: true",
				"config.yaml:16:5: sources[2].url: http://[::ffff:10.0.0.1]/feed is a private address; fetching it needs allow_private: true",
				"config.yaml:19:5: sources[3].url: https://Intranet.localhost/rss is a loopback host name; fetching it needs allow_private: true",
				"config.yaml:22:5: sources[4].url: http://[fe80::1%25eth0]:8080/ is a link-local address; fetching it needs allow_private: true",
				"config.yaml:25:5: sources[5].url: http://100.100.1.1/ is a CGNAT address; fetching it needs allow_private: true",
				"config.yaml:28:5: sources[6].url: http://0.0.0.0/ is an unspecified address; fetching it needs allow_private: true",
			}},
		{"the source's own opt-in", "sources:\n  - {name: a, kind: feed, url: 'http://127.0.0.1/', allow_private: true}\n  - {name: b, kind: feed, url: 'http://127.0.0.1/', allow_private: false}\n",
			[]string{"config.yaml:9:27: sources[1].url: http://127.0.0.1/ is a loopback address; fetching it needs allow_private: true"}},
		{"the global opt-in, and a source that declines it", "fetch: {allow_private: true}\nsources:\n  - {name: a, kind: feed, url: 'http://127.0.0.1/'}\n  - {name: b, kind: feed, url: 'http://localhost/', allow_private: false}\n",
			[]string{"config.yaml:10:27: sources[1].url: http://localhost/ is a loopback host name; fetching it needs allow_private: true"}},
		{"secrets of the URL redacted", "sources:\n  - name: a\n    kind: feed\n    url: http://feeds:hunter2@192.168.1.5/feed.xml?token=abc&page=2\n",
			[]string{"config.yaml:10:5: sources[0].url: http://feeds:xxxxx@192.168.1.5/feed.xml?token=REDACTED&page=REDACTED is a private address; fetching it needs allow_private: true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, head+tc.src)
			c, err := Load(path, LoadOptions{Getenv: noEnv, Hostname: fixedHost})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := make([]string, len(c.Warnings))
			for i, w := range c.Warnings {
				got[i] = strings.Replace(w, path, "config.yaml", 1)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.want == nil && c.Warnings != nil {
				t.Errorf("Warnings = %#v, want nil", c.Warnings)
			}
		})
	}
}

func TestAllowPrivateOf(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		global bool
		own    *bool
		want   bool
	}{
		{false, nil, false},
		{true, nil, true},
		{false, &yes, true},
		{true, &no, false},
	} {
		c := &Config{Fetch: Fetch{AllowPrivate: tc.global}}
		if got := c.AllowPrivateOf(Source{AllowPrivate: tc.own}); got != tc.want {
			t.Errorf("AllowPrivateOf(global %v, own %v) = %v, want %v", tc.global, tc.own, got, tc.want)
		}
	}
}
