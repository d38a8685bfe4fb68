package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOPML(t *testing.T) {
	dir := tempDir(t)
	src := head + `retention: {max_age: 30d, max_items: 100}
sources:
  - name: planet
    kind: opml
    url: lists/planet.opml
    schedule: "@hourly"
    language: en
    timezone: Europe/London
    retention: {max_age: 7d}
    allow_private: true
  - name: big
    kind: opml
    url: https://lists.example.org/big.opml
    max_sources: 5000
`
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, LoadOptions{Getenv: noEnv, Hostname: fixedHost})
	if err != nil {
		t.Fatal(err)
	}
	p, big := cfg.Sources[0], cfg.Sources[1]
	if p.Kind != "opml" || p.URL != filepath.Join(dir, "lists/planet.opml") || p.MaxSources != DefaultMaxSources ||
		p.Language != "en" || p.Location.String() != "Europe/London" || !cfg.AllowPrivateOf(p) {
		t.Errorf("planet = %+v", p)
	}
	if r := cfg.RetentionOf(p); r.MaxAge.Hours() != 7*24 || r.MaxItems != 100 {
		t.Errorf("planet's retention = %+v, want its own max_age and the global max_items", r)
	}
	if big.MaxSources != 5000 || big.URL != "https://lists.example.org/big.opml" {
		t.Errorf("big = %+v", big)
	}
}

func TestLoadOPMLErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"opml fields", head + "sources:\n  - name: a\n    kind: opml\n    path: stories\n    labels: [x]\n    max_sources: 0\n  - name: b\n    kind: opml\n    url: gopher://x/list\n    max_sources: many\n",
			[]string{
				"config.yaml:8:5: sources[0].url: required",
				"config.yaml:10:5: sources[0].path: only for kind files",
				"config.yaml:11:5: sources[0].labels: only for kind files",
				"config.yaml:12:5: sources[0].max_sources: must be positive, got 0",
				`config.yaml:15:5: sources[1].url: unsupported URL scheme "gopher" (want http, https, file or a local path)`,
				`config.yaml:16:5: sources[1].max_sources: want an integer, got "many"`,
			}},
		{"page keys and headers are not a list's", head + "sources:\n  - {name: a, kind: opml, url: 'http://x', content: '.body', headers: {Authorization: x}}\n",
			[]string{
				"config.yaml:8:44: sources[0].content: only for kind page",
				"config.yaml:8:62: sources[0].headers: only for kind feed or page",
			}},
		{"max_sources is the opml kind's", head + "sources:\n  - {name: a, kind: feed, url: 'http://x', max_sources: 3}\n  - {name: b, kind: files, path: stories, max_sources: 3}\n",
			[]string{
				"config.yaml:8:44: sources[0].max_sources: only for kind opml",
				"config.yaml:9:43: sources[1].max_sources: only for kind opml",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := loadErr(t, tc.src, LoadOptions{})
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("Load error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
