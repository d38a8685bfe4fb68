package sources

import "testing"

func TestHostRule(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"localhost", "loopback host name"},
		{"Intranet.LOCALHOST.", "loopback host name"},
		{"127.0.0.1", "loopback address"},
		{"::ffff:10.1.2.3", "private address"},
		{"fe80::1%eth0", "link-local address"},
		{"169.254.169.254", "cloud metadata address"},
		{"93.184.216.34", ""},
		{"feeds.example.org", ""}, // only resolving it can tell
		{"localhost.example.org", ""},
	} {
		if got := HostRule(tc.host); got != tc.want {
			t.Errorf("HostRule(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
}
