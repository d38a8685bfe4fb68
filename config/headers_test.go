package config

import (
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const headersSources = `sources:
  - name: partner
    kind: feed
    url: https://partner.example.org/private.xml
    headers:
`

// TestHeaders: a source's headers are read with their environment
// variables filled in, under their canonical names.
func TestHeaders(t *testing.T) {
	dir := tempDir(t)
	src := head + headersSources + "      authorization: \"Bearer ${FEED_TOKEN}\"\n      X-Client: \"feedloom $1 ${ID}-${ID}\"\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FEED_TOKEN": "s3cret", "ID": "7"}
	c, err := Load(path, LoadOptions{Getenv: func(k string) string { return env[k] }, Hostname: fixedHost})
	if err != nil {
		t.Fatal(err)
	}
	want := http.Header{"Authorization": {"Bearer s3cret"}, "X-Client": {"feedloom $1 7-7"}}
	if got := c.Sources[0].Headers; !reflect.DeepEqual(got, want) {
		t.Errorf("headers %v, want %v", got, want)
	}
}

// TestHeaderErrors: each bad header is reported at its key; no message
// carries a value, since values are secrets.
func TestHeaderErrors(t *testing.T) {
	env := func(k string) string {
		if k == "SET" {
			return "s3cret-value"
		}
		return ""
	}
	for _, tc := range []struct{ name, lines, want string }{
		{"missing variable", "      Authorization: \"Bearer ${FEED_TOKEN}\"\n",
			"config.yaml:12:7: sources[0].headers.Authorization: names the environment variable FEED_TOKEN, which is not set"},
		{"bad name", "      \"Bad Name\": x\n", `config.yaml:12:7: sources[0].headers.Bad Name: "Bad Name" is not a valid header name`},
		{"fetcher's own", "      if-none-match: x\n", "config.yaml:12:7: sources[0].headers.if-none-match: If-None-Match is set by the fetcher and cannot be configured"},
		{"empty", "      X-Key: \"\"\n", "config.yaml:12:7: sources[0].headers.X-Key: must not be empty"},
		{"line break", "      X-Key: \"a\\nb ${SET}\"\n", "config.yaml:12:7: sources[0].headers.X-Key: holds a character a header value cannot carry"},
		{"twice", "      X-Key: \"${SET}\"\n      x-key: b\n", "sources[0].headers.x-key: X-Key is set twice (header names ignore case)"},
		{"not a mapping", "        - x\n", "sources[0].headers: want a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := loadErr(t, head+headersSources+tc.lines, LoadOptions{Getenv: env})
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("the error shows a value: %q", msg)
			}
		})
	}
	msg := loadErr(t, head+"sources:\n  - name: news\n    kind: files\n    path: stories\n    headers: {X-Key: x}\n", LoadOptions{})
	if !strings.Contains(msg, "sources[0].headers: only for kind feed") {
		t.Errorf("files source with headers: %q", msg)
	}
}
