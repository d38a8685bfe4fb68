package sources

import (
	"net/url"
	"strings"
)

// Redacted stands in for a secret taken out of a URL.
const Redacted = "REDACTED"

// RedactURL returns raw with the secrets a configured URL may carry taken
// out, for logs, errors and status pages: the password of its userinfo
// becomes "xxxxx" and every query value becomes REDACTED, keeping the keys
// so an operator can still tell which URL it was. Fragments are kept;
// paths are not secrets. A local path is returned unchanged but for its
// query, if any; a string that does not parse keeps only what cannot be a
// secret: its scheme, its host and path with any userinfo hidden, and no
// query.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil {
		return redact(u).String()
	}
	head, _, hasQuery := strings.Cut(raw, "?")
	if i := strings.Index(head, "://"); i >= 0 {
		start := i + len("://")
		authority := head[start:]
		if end := strings.IndexAny(authority, "/#"); end >= 0 {
			authority = authority[:end]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			hidden := "xxxxx" // a user name alone may be a token
			if user, _, ok := strings.Cut(authority[:at], ":"); ok {
				hidden = user + ":xxxxx"
			}
			head = head[:start] + hidden + head[start+at:]
		}
	}
	if hasQuery {
		return head + "?" + Redacted
	}
	return head
}

func redact(u *url.URL) *url.URL {
	if u.User == nil && u.RawQuery == "" {
		return u
	}
	r := *u
	if r.User != nil {
		if _, ok := r.User.Password(); ok {
			r.User = url.UserPassword(r.User.Username(), "xxxxx")
		} else {
			r.User = url.User("xxxxx")
		}
	}
	if r.RawQuery != "" {
		r.RawQuery = redactQuery(r.RawQuery)
	}
	return &r
}

// redactQuery keeps the order and the keys of a query and replaces each
// value, without re-encoding what it does not touch.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		key, _, hasValue := strings.Cut(p, "=")
		if hasValue || key != "" {
			parts[i] = key + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// RedactText redacts every http(s) URL found in s, so an error message
// that quotes one (as net/http's do) can be shown.
func RedactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		i := indexURL(s)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.IndexAny(s, " \t\n\"'<>`")
		if end < 0 {
			end = len(s)
		}
		// A quoted or sentence-final URL ends before its punctuation.
		raw := strings.TrimRight(s[:end], ".,;:)]")
		b.WriteString(RedactURL(raw))
		s = s[len(raw):]
	}
}

func indexURL(s string) int {
	best := -1
	for _, scheme := range []string{"http://", "https://"} {
		if i := strings.Index(s, scheme); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}
