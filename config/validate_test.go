package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// head is a valid start that cases extend.
const head = `site:
  title: T
  link: https://e.org/
  base_url: https://f.e.org/
languages:
  - tag: en
`

// loadErr loads src as config.yaml from a folder holding a stories/ folder
// and a plain file file.txt, and returns the error text with that folder
// written DIR.
func loadErr(t *testing.T, src string, opts LoadOptions) string {
	t.Helper()
	dir := tempDir(t)
	if err := os.Mkdir(filepath.Join(dir, "stories"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"config.yaml": src, "file.txt": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Getenv == nil {
		opts.Getenv = noEnv
	}
	c, err := Load("config.yaml", opts)
	if err == nil {
		t.Fatalf("Load = %+v, want an error", c)
	}
	if c != nil {
		t.Errorf("Load returned a Config with its error")
	}
	return strings.ReplaceAll(err.Error(), cwd, "DIR")
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		// YAML itself.
		{"syntax: unclosed sequence", "site:\n  title: [a\n",
			[]string{"config.yaml:2:10: sequence end token ']' not found"}},
		{"syntax: tab indent", "site:\n  title: T\n\tlink: x\n",
			[]string{"config.yaml:3:1: found character '\t' that cannot start any token"}},
		{"syntax: unterminated string", "site:\n  title: \"T\n",
			[]string{"config.yaml:2:10: could not find end character of double-quoted text"}},
		{"two documents", head + "---\nsite: {}\n",
			[]string{"config.yaml:8:5: only one YAML document is allowed (document 2)"}},
		{"top level is not a mapping", "- a\n",
			[]string{"config.yaml:1:1: want a mapping, got a sequence"}},
		{"unknown keys", head + "shedule: x\nsources:\n  - name: a\n    kind: feed\n    url: http://x\n    shedule: x\n    retention: {max_age: 1d, keep: 3}\n",
			[]string{
				"config.yaml:7:1: shedule: unknown field",
				"config.yaml:12:5: sources[0].shedule: unknown field",
				"config.yaml:13:30: sources[0].retention.keep: unknown field",
			}},
		{"duplicate keys", head + "output:\n  dir: a\n  dir: b\nsources:\n  - name: a\n    name: b\n",
			[]string{
				"config.yaml:9:3: output.dir: duplicate key (first at line 8)",
				"config.yaml:11:5: sources[0].kind: required",
				"config.yaml:12:5: sources[0].name: duplicate key (first at line 11)",
			}},
		{"merge key", head + "output: {<<: {dir: x}}\n",
			[]string{"config.yaml:7:10: output: merge keys (<<) are not supported"}},
		{"wrong types", head + "output:\n  max_items: lots\nfetch: {per_host: 1.5}\nsite2: 1\nsources: {name: a}\n",
			[]string{
				"config.yaml:8:3: output.max_items: want an integer, got \"lots\"",
				"config.yaml:9:9: fetch.per_host: want an integer, got 1.5",
				"config.yaml:10:1: site2: unknown field",
				"config.yaml:11:1: sources: want a sequence, got a mapping",
			}},
		{"a wrong type is reported once", "site: [x]\nlanguages: [{tag: en, title: {a: b}}]\n",
			[]string{
				"config.yaml:1:1: site: want a mapping, got a sequence",
				"config.yaml:2:23: languages[0].title: want a string, got a mapping",
			}},
		{"alias of the wrong type", "site: &s\n  title: T\n  link: https://e.org/\n  base_url: https://f.e.org/\nlanguages: [{tag: en, title: *s}]\n",
			[]string{"config.yaml:5:23: languages[0].title: want a string, got a mapping"}},
		{"archive and page sizes not positive", head + "output: {archive_size: -1, page_size: -3}\nserve: {archive_max_age: soon}\n",
			[]string{
				"config.yaml:7:10: output.archive_size: must be 0 (none) or positive, got -1",
				"config.yaml:7:28: output.page_size: must be 0 (none) or positive, got -3",
				`config.yaml:8:9: serve.archive_max_age: invalid duration "soon" (want e.g. 30s, 2m, 90d)`,
			}},
		{"integer out of range", head + "output: {max_items: 99999999999999999999}\n",
			[]string{`config.yaml:7:10: output.max_items: want an integer, got "99999999999999999999"`}},

		{"every kind of problem at once", "site:\n  title: T\n  link: https://e.org/\n  base_url: https://f.e.org/\n  timezone: Mars/Base\n  titel: x\nlanguages:\n  - tag: en\n  - tag: en\noutput: {max_items: many}\nsources:\n  - name: News\n    kind: files\n    kind: feed\n",
			[]string{
				`config.yaml:5:3: site.timezone: unknown time zone "Mars/Base" (want an IANA name such as Asia/Hong_Kong)`,
				`config.yaml:6:3: site.titel: unknown field`,
				`config.yaml:9:5: languages[1].tag: duplicate language "en" (first at line 8)`,
				`config.yaml:10:10: output.max_items: want an integer, got "many"`,
				`config.yaml:12:5: sources[0].name: "News" must match [a-z0-9][a-z0-9-]*`,
				`config.yaml:12:5: sources[0].path: required`,
				`config.yaml:14:5: sources[0].kind: duplicate key (first at line 13)`,
			}},

		// Required fields.
		{"empty file", "",
			[]string{
				"config.yaml:1:1: site: required",
				"config.yaml:1:1: languages: at least one language is required",
			}},
		{"site fields", "# feeds\nsite:\n  title: ''\n  timezone: UTC\nlanguages: []\n",
			[]string{
				"config.yaml:2:1: site.link: required",
				"config.yaml:2:1: site.base_url: required",
				"config.yaml:3:3: site.title: must not be empty",
				"config.yaml:5:1: languages: at least one language is required",
			}},
		{"source fields", head + "sources:\n  -\n  - kind: files\n    name: b\n  - name: c\n    kind: feed\n  - {name: d, kind: ~}\n",
			[]string{
				"config.yaml:8:4: sources[0].name: required",
				"config.yaml:8:4: sources[0].kind: required",
				"config.yaml:9:5: sources[1].path: required",
				"config.yaml:11:5: sources[2].url: required",
				"config.yaml:13:15: sources[3].kind: must not be empty",
			}},
		{"language tag", head + "  - title: X\n",
			[]string{"config.yaml:7:5: languages[1].tag: required"}},

		// Site.
		{"site URLs and zone", "site: {title: T, link: 'ftp://x', base_url: /rel, timezone: Mars/Base}\nlanguages: [{tag: en}]\n",
			[]string{
				`config.yaml:1:18: site.link: "ftp://x" is not an absolute http(s) URL`,
				`config.yaml:1:35: site.base_url: "/rel" is not an absolute http(s) URL`,
				`config.yaml:1:51: site.timezone: unknown time zone "Mars/Base" (want an IANA name such as Asia/Hong_Kong)`,
			}},
		{"Local is not a zone", "site: {title: T, link: 'https://e.org/', base_url: 'https://f.e.org/', timezone: Local}\nlanguages: [{tag: en}]\n",
			[]string{`config.yaml:1:72: site.timezone: unknown time zone "Local" (want an IANA name such as Asia/Hong_Kong)`}},
		// Languages.
		{"language tags", head + "  - tag: en_US\n  - tag: EN\n  - tag: xx-!!\n  - tag: ZH-hant\n  - tag: zh-Hant\n    max_items: 0\n",
			[]string{
				`config.yaml:7:5: languages[1].tag: language tag "en_US": use - not _`,
				`config.yaml:8:5: languages[2].tag: duplicate language "en" (first at line 6)`,
				`config.yaml:9:5: languages[3].tag: language tag "xx-!!": language: tag is not well-formed`,
				`config.yaml:11:5: languages[5].tag: duplicate language "zh-Hant" (first at line 10)`,
				`config.yaml:12:5: languages[5].max_items: must be positive, got 0`,
			}},

		// Sources.
		{"source names and kinds", head + "sources:\n  - name: Bad_Name\n    kind: files\n    path: stories\n  - name: a\n    kind: page\n  - name: a\n    kind: rss\n  - name: -a\n    kind: feed\n    url: http://x\n",
			[]string{
				`config.yaml:8:5: sources[0].name: "Bad_Name" must match [a-z0-9][a-z0-9-]*`,
				`config.yaml:11:5: sources[1].url: required`,
				`config.yaml:11:5: sources[1].select: required`,
				`config.yaml:13:5: sources[2].name: duplicate source name "a" (first at line 11)`,
				`config.yaml:14:5: sources[2].kind: unknown kind "rss" (want files, feed, page or opml)`,
				`config.yaml:15:5: sources[3].name: "-a" must match [a-z0-9][a-z0-9-]*`,
			}},
		{"files sources", head + "sources:\n  - name: a\n    kind: files\n    path: nope\n    url: http://x\n    retention: {max_age: 1d}\n  - name: b\n    kind: files\n    path: file.txt\n    labels: ['', x]\n",
			[]string{
				"config.yaml:10:5: sources[0].path: folder DIR/nope does not exist",
				"config.yaml:11:5: sources[0].url: only for kind feed, page or opml",
				"config.yaml:12:5: sources[0].retention: only for kind feed, page or opml",
				"config.yaml:15:5: sources[1].path: DIR/file.txt is not a folder",
				"config.yaml:16:14: sources[1].labels[0]: must not be empty",
			}},
		{"translation-only markers", head + "sources:\n  - name: a\n    kind: files\n    path: stories\n    translation_only_markers: [\"(Chinese Version Only)\", \" \", \" (Chinese Version Only) \"]\n  - name: b\n    kind: feed\n    url: http://x\n    translation_only_markers: (English only)\n",
			[]string{
				`config.yaml:11:58: sources[0].translation_only_markers[1]: must not be empty`,
				`config.yaml:11:63: sources[0].translation_only_markers[2]: duplicate marker "(Chinese Version Only)"`,
				`config.yaml:15:5: sources[1].translation_only_markers: want a sequence, got "(English only)"`,
			}},
		{"story folder overlapping output or data", head + "data_dir: stories/data\noutput: {dir: .}\nsources:\n  - name: a\n    kind: files\n    path: stories\n",
			[]string{
				"config.yaml:8:10: output.dir: DIR is the config file's folder: serving it would publish config.yaml",
				"config.yaml:8:10: output.dir: DIR contains data_dir DIR/stories/data: serving it would publish the store",
				"config.yaml:12:5: sources[0].path: DIR/stories overlaps output.dir DIR; keep story folders apart from feedloom's own files",
				"config.yaml:12:5: sources[0].path: DIR/stories overlaps data_dir DIR/stories/data; keep story folders apart from feedloom's own files",
			}},
		{"feed sources", head + "sources:\n  - name: a\n    kind: feed\n    url: ftp://x/y\n    labels: [x]\n    path: stories\n  - name: b\n    kind: feed\n    url: file://host/x\n  - name: c\n    kind: feed\n    url: https:///x\n  - name: d\n    kind: feed\n    url: http://x\n    timezone: Nowhere\n    language: '12345'\n    retention: {max_age: 0s, max_items: -1}\n",
			[]string{
				`config.yaml:10:5: sources[0].url: unsupported URL scheme "ftp" (want http, https, file or a local path)`,
				`config.yaml:11:5: sources[0].labels: only for kind files`,
				`config.yaml:12:5: sources[0].path: only for kind files`,
				`config.yaml:15:5: sources[1].url: "file://host/x" is not a file URL of an absolute path (file:///path)`,
				`config.yaml:18:5: sources[2].url: "https:///x" has no host`,
				`config.yaml:22:5: sources[3].timezone: unknown time zone "Nowhere" (want an IANA name such as Asia/Hong_Kong)`,
				`config.yaml:23:5: sources[3].language: language tag "12345": language: tag is not well-formed`,
				`config.yaml:24:17: sources[3].retention.max_age: must be longer than 0`,
				`config.yaml:24:30: sources[3].retention.max_items: must be positive, got -1`,
			}},
		{"page sources", head + "sources:\n  - name: a\n    kind: page\n    url: https://seng.example.edu/news\n    path: stories\n    select:\n      item: '@href'\n      link: 'h3 a@href'\n      date: 'time[datetime@datetime'\n      summary: 'div > > p'\n    content: '.body('\n  - name: b\n    kind: feed\n    url: http://x\n    select: {item: x}\n    content: main\n",
			[]string{
				`config.yaml:11:5: sources[0].path: only for kind files`,
				`config.yaml:12:5: sources[0].select.title: required`,
				`config.yaml:13:7: sources[0].select.item: "@href": must select elements, not only an attribute`,
				`config.yaml:15:7: sources[0].select.date: "time[datetime@datetime": not a valid CSS selector: expected equality operator, found "@d" instead`,
				`config.yaml:16:7: sources[0].select.summary: "div > > p": not a valid CSS selector: expected identifier, found > instead`,
				`config.yaml:17:5: sources[0].content: ".body(": not a valid CSS selector: parsing ".body(": 1 bytes left over`,
				`config.yaml:21:5: sources[1].select: only for kind page`,
				`config.yaml:22:5: sources[1].content: only for kind page`,
			}},
		{"blank source language", head + "sources:\n  - name: a\n    kind: feed\n    url: http://x\n    language: ' '\n",
			[]string{`config.yaml:11:5: sources[0].language: empty language tag`}},
		{"private address switches and item caps", head + "fetch: {allow_private: yes, max_items: 0}\nsources:\n  - name: a\n    kind: files\n    path: stories\n    allow_private: true\n  - name: b\n    kind: feed\n    url: http://x\n    allow_private: 1\n",
			[]string{
				`config.yaml:7:9: fetch.allow_private: want true or false, got "yes"`,
				`config.yaml:7:29: fetch.max_items: must be positive, got 0`,
				`config.yaml:12:5: sources[0].allow_private: only for kind feed, page or opml`,
				`config.yaml:16:5: sources[1].allow_private: want true or false, got 1`,
			}},
		{"URLs in errors are redacted", "site: {title: T, link: 'https://u:secret@e.org:bad/', base_url: 'https://f.e.org/'}\nlanguages: [{tag: en}]\nwebsub: {hub: 'hub.example.org/?key=s3cret'}\nsources:\n  - {name: a, kind: feed, url: 'http://u:pw@/feed?t=1'}\n  - {name: b, kind: feed, url: 'https://u:pw@host:port/feed'}\n  - {name: c, kind: feed, url: 'file://u:pw@host/x'}\n  - {name: d, kind: feed, url: 'feeds/100%.xml'}\n",
			[]string{
				`config.yaml:1:18: site.link: "https://u:xxxxx@e.org:bad/" is not an absolute http(s) URL`,
				`config.yaml:3:10: websub.hub: "hub.example.org/?key=REDACTED" is not an absolute http(s) URL`,
				`config.yaml:5:27: sources[0].url: "http://u:xxxxx@/feed?t=REDACTED" has no host`,
				`config.yaml:6:27: sources[1].url: "https://u:xxxxx@host:port/feed" is not a valid URL`,
				`config.yaml:7:27: sources[2].url: "file://u:xxxxx@host/x" is not a file URL of an absolute path (file:///path)`,
			}},
		{"schedules", head + "sources:\n  - {name: a, kind: feed, url: 'http://x', schedule: CRON_TZ=UTC}\n  - {name: b, kind: feed, url: 'http://x', schedule: '@every 30s'}\n  - {name: c, kind: feed, url: 'http://x', schedule: '@every 0s'}\n  - {name: d, kind: feed, url: 'http://x', schedule: '* * *'}\n  - {name: e, kind: feed, url: 'http://x', schedule: TZ=0}\n  - {name: f, kind: feed, url: 'http://x', schedule: 'CRON_TZ=Nowhere 0 8 * * *'}\n  - {name: g, kind: feed, url: 'http://x', schedule: '@every soon'}\n  - {name: h, kind: feed, url: 'http://x', schedule: '@daily 3'}\n",
			[]string{
				`config.yaml:8:44: sources[0].schedule: invalid cron spec "CRON_TZ=UTC": no schedule after the time zone`,
				`config.yaml:9:44: sources[1].schedule: interval 30s in "@every 30s" is under one minute (allowed only with --dev)`,
				`config.yaml:10:44: sources[2].schedule: interval 0s in "@every 0s" is under one second`,
				`config.yaml:11:44: sources[3].schedule: invalid cron spec "* * *": expected exactly 5 fields, found 3: [* * *]`,
				`config.yaml:12:44: sources[4].schedule: invalid cron spec "TZ=0": no schedule after the time zone`,
				`config.yaml:13:44: sources[5].schedule: invalid cron spec "CRON_TZ=Nowhere 0 8 * * *": provided bad location Nowhere: unknown time zone Nowhere`,
				`config.yaml:14:44: sources[6].schedule: invalid cron spec "@every soon": invalid duration "soon" (want e.g. 30s, 2m, 90d)`,
				`config.yaml:15:44: sources[7].schedule: invalid cron spec "@daily 3": unrecognized descriptor: @daily 3`,
			}},

		// Store.
		{"postgres without a dsn", head + "store: {driver: postgres}\n",
			[]string{"config.yaml:7:1: store.dsn: required with driver postgres (or set FEEDLOOM_DSN)"}},
		{"dsn with sqlite", head + "store: {dsn: x}\n",
			[]string{"config.yaml:7:9: store.dsn: only used with driver postgres"}},
		{"lease within the fetch timeout", head + "store: {driver: postgres, dsn: 'postgres://db/x', lease: 30s}\nfetch: {timeout: 30s}\n",
			[]string{"config.yaml:7:51: store.lease: must be longer than fetch.timeout (30s)"}},
		{"unknown driver", head + "store:\n  driver: mysql\n  lease: 0s\n",
			[]string{
				`config.yaml:8:3: store.driver: unknown driver "mysql" (want sqlite or postgres)`,
				`config.yaml:9:3: store.lease: must be longer than 0`,
			}},

		// Durations, sizes, percentages, counts, addresses.
		{"values", head + "lock_timeout: 5\noutput: {max_items: 0}\nretention: {max_age: 0, max_items: 0}\nscheduler: {jitter: 150%, debounce: -1s}\nfetch: {concurrency: -1, per_host: 0, max_body: 10 furlongs, timeout: 10 minutes}\nserve: {addr: localhost, max_age: 1y, stale_after: 0s}\nwebsub: {hub: hub.example.org}\n",
			[]string{
				`config.yaml:7:1: lock_timeout: invalid duration "5" (want e.g. 30s, 2m, 90d)`,
				`config.yaml:8:10: output.max_items: must be positive, got 0`,
				`config.yaml:9:13: retention.max_age: must be longer than 0`,
				`config.yaml:9:25: retention.max_items: must be positive, got 0`,
				`config.yaml:10:13: scheduler.jitter: invalid percentage "150%" (want 0% to 100%, e.g. 10%)`,
				`config.yaml:10:27: scheduler.debounce: invalid duration "-1s" (want e.g. 30s, 2m, 90d)`,
				`config.yaml:11:9: fetch.concurrency: must be positive, got -1`,
				`config.yaml:11:26: fetch.per_host: must be positive, got 0`,
				`config.yaml:11:39: fetch.max_body: invalid size "10 furlongs" (want e.g. 10MiB, 512KiB, 1MB or a number of bytes)`,
				`config.yaml:11:62: fetch.timeout: invalid duration "10 minutes" (want e.g. 30s, 2m, 90d)`,
				`config.yaml:12:9: serve.addr: invalid address "localhost" (want host:port)`,
				`config.yaml:12:26: serve.max_age: invalid duration "1y" (want e.g. 30s, 2m, 90d)`,
				`config.yaml:12:39: serve.stale_after: must be longer than 0`,
				`config.yaml:13:10: websub.hub: "hub.example.org" is not an absolute http(s) URL`,
			}},
		{"zero sizes and percent without a sign", head + "fetch: {max_body: 0KiB}\nscheduler: {jitter: 10}\n",
			[]string{
				`config.yaml:7:9: fetch.max_body: must be more than 0 bytes`,
				`config.yaml:8:13: scheduler.jitter: invalid percentage "10" (want 0% to 100%, e.g. 10%)`,
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

// Every problem comes back as an *Error, in file order.
func TestLoadErrorValues(t *testing.T) {
	path := writeConfig(t, head+"sources:\n  - {name: A, kind: feed, url: 'http://x', schedule: '@every 1s'}\nserve: {addr: x}\n")
	_, err := Load(path, LoadOptions{Getenv: noEnv})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Load error %T is not a joined error", err)
	}
	var got []Error
	for _, e := range joined.Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("%v is not an *Error", e)
		}
		got = append(got, *ce)
	}
	want := []Error{
		{File: path, Line: 8, Column: 6, Field: "sources[0].name", Msg: `"A" must match [a-z0-9][a-z0-9-]*`},
		{File: path, Line: 8, Column: 44, Field: "sources[0].schedule", Msg: `interval 1s in "@every 1s" is under one minute (allowed only with --dev)`},
		{File: path, Line: 9, Column: 9, Field: "serve.addr", Msg: `invalid address "x" (want host:port)`},
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got %+v\nwant %+v", got, want)
	}
}
