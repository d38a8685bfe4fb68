package config

import (
	"cmp"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// envRef is a reference to an environment variable in a header value:
// ${NAME}. A bare $ is left as written, since tokens may hold one.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ownHeaders are those the fetcher sets itself: conditional GET, the
// encodings it decodes, and what the transport owns.
var ownHeaders = []string{
	"Accept-Encoding", "Connection", "Content-Length", "Host", "If-Modified-Since",
	"If-None-Match", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// headers checks a source's request headers and fills in the environment
// variables their values name. Messages name the header and the variable,
// never the value.
func (b *builder) headers(field string, raw map[string]string) http.Header {
	h := make(http.Header, len(raw))
	// In file order, so that of two spellings of one name the second is
	// the one reported.
	names := slices.SortedFunc(maps.Keys(raw), func(x, y string) int {
		pa, pb := b.p.where(child(field, x)), b.p.where(child(field, y))
		return cmp.Or(cmp.Compare(pa.line, pb.line), cmp.Compare(pa.column, pb.column))
	})
	for _, name := range names {
		value := raw[name]
		f := child(field, name)
		canon := http.CanonicalHeaderKey(name)
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			b.p.at(f, "%q is not a valid header name", name)
			continue
		case slices.Contains(ownHeaders, canon):
			b.p.at(f, "%s is set by the fetcher and cannot be configured", canon)
			continue
		case h.Get(canon) != "":
			b.p.at(f, "%s is set twice (header names ignore case)", canon)
			continue
		}
		missing := ""
		expanded := envRef.ReplaceAllStringFunc(value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v := b.opts.Getenv(name)
			if v == "" && missing == "" {
				missing = name
			}
			return v
		})
		switch {
		case missing != "":
			b.p.at(f, "names the environment variable %s, which is not set", missing)
		case strings.TrimSpace(expanded) == "":
			b.p.at(f, "must not be empty")
		case !httpguts.ValidHeaderFieldValue(expanded):
			b.p.at(f, "holds a character a header value cannot carry (a line break or a control)")
		default:
			h.Set(canon, expanded)
		}
	}
	return h
}
