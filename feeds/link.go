package feeds

import (
	"net/url"
	"strings"
)

// CanonicalLink reduces a story link to the form used to recognise the same
// story arriving from two sources: scheme and host lower-cased, default ports
// and the fragment dropped, utm_* tracking parameters removed and the rest of
// the query kept in order. A link that does not parse as an absolute URL is
// returned trimmed but otherwise unchanged.
func CanonicalLink(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return link
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		kept := make([]string, 0, 4)
		for _, kv := range strings.Split(u.RawQuery, "&") {
			name, _, _ := strings.Cut(kv, "=")
			if kv == "" || strings.HasPrefix(strings.ToLower(name), "utm_") {
				continue
			}
			kept = append(kept, kv)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	u.ForceQuery = false
	return u.String()
}
