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
	// A fragment is never sent, but one shaped like a token
	// (#access_token=…, OAuth's implicit flow) was pasted with one.
	tokenFragment := strings.Contains(u.EscapedFragment(), "=")
	if u.User == nil && u.RawQuery == "" && !tokenFragment {
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
	if tokenFragment {
		r.Fragment, r.RawFragment = Redacted, ""
	}
	return &r
}

// redactQuery keeps the order and the keys of a query and replaces each
// value, without re-encoding what it does not touch. A part with no "=" is
// all value (?s3cr3tT0ken), so it goes whole.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		switch key, _, hasValue := strings.Cut(p, "="); {
		case hasValue:
			parts[i] = key + "=" + Redacted
		case p != "":
			parts[i] = Redacted
		}
	}
	return strings.Join(parts, "&")
}

// RedactText redacts every URL found in s (any scheme, written in any
// case: http, https, ftp, a postgres:// DSN), so an error message that
// quotes one (as net/http's and database drivers' do) can be shown.
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

// indexURL is where the first URL in s starts: the scheme before the first
// "://" that has one, or -1.
func indexURL(s string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], "://")
		if i < 0 {
			return -1
		}
		i += off
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		// A scheme starts with a letter (RFC 3986 §3.1).
		for start < i && !isLetter(s[start]) {
			start++
		}
		if start < i {
			return start
		}
		off = i + len("://")
	}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}
