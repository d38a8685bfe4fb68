package sources

import "testing"

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://host/feed.xml", "https://host/feed.xml"},
		{"https://host/feed?apikey=s3cret", "https://host/feed?apikey=REDACTED"},
		{"https://host/feed?apikey=s3cret&lang=en#top", "https://host/feed?apikey=REDACTED&lang=REDACTED#top"},
		{"http://user:pass@host/feed", "http://user:xxxxx@host/feed"},
		{"http://token@host/feed", "http://xxxxx@host/feed"},
		{"http://user:pass@host:8080/f?k=v", "http://user:xxxxx@host:8080/f?k=REDACTED"},
		{"https://host/feed?s3cr3tT0ken", "https://host/feed?REDACTED"},
		{"https://host/feed?lang=en&s3cr3tT0ken", "https://host/feed?lang=REDACTED&REDACTED"},
		{"https://host/feed#access_token=abc", "https://host/feed#REDACTED"},
		{"/srv/feeds/partner.xml", "/srv/feeds/partner.xml"},
		{"file:///srv/feeds/partner.xml", "file:///srv/feeds/partner.xml"},
		{"http://h/%zz?key=secret", "http://h/%zz?REDACTED"},
		{"https://u:pw@host:port/", "https://u:xxxxx@host:port/"},
		{"https://u:pw@host:port/feed?k=v", "https://u:xxxxx@host:port/feed?REDACTED"},
		{"https://token@example.com:port/f", "https://xxxxx@example.com:port/f"},
		{"https://u:p@w@example.com:port/", "https://u:xxxxx@example.com:port/"},
		{"https://example.com:port/a@b", "https://example.com:port/a@b"}, // an @ in the path is no userinfo
		{"news@example.edu", "news@example.edu"},
		{"feeds/partner.xml?key=secret", "feeds/partner.xml?key=REDACTED"},
		{"feeds/100%.xml", "feeds/100%.xml"},
	} {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactTextSchemes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"GET HTTPS://bob:pw@h/f?k=v failed", "GET https://bob:xxxxx@h/f?k=REDACTED failed"},
		{`connect "postgres://feedloom:s3cret@db:5432/feedloom?sslmode=disable"`, `connect "postgres://feedloom:xxxxx@db:5432/feedloom?sslmode=REDACTED"`},
		{"ftp://u:p@files/x and then ://nothing", "ftp://u:xxxxx@files/x and then ://nothing"},
		{"no url here", "no url here"},
	} {
		if got := RedactText(tc.in); got != tc.want {
			t.Errorf("RedactText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	in := `Get "https://u:pw@feeds.example/rss?token=abc": dial tcp: refused; then http://h/x?k=1.`
	want := `Get "https://u:xxxxx@feeds.example/rss?token=REDACTED": dial tcp: refused; then http://h/x?k=REDACTED.`
	if got := RedactText(in); got != want {
		t.Errorf("RedactText:\n got %s\nwant %s", got, want)
	}
}
