package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// noEnv is an environment with nothing set, so tests do not depend on the
// machine's FEEDLOOM_DSN.
func noEnv(string) string { return "" }

func fixedHost() (string, error) { return "test-node", nil }

// zones replaces every *time.Location in c by nil and returns their names,
// site first then each source, "-" for nil; the locations carry per-load
// caches that reflect.DeepEqual should not compare.
func zones(c *Config) []string {
	name := func(l *time.Location) string {
		if l == nil {
			return "-"
		}
		return l.String()
	}
	names := []string{name(c.Site.Location)}
	c.Site.Location = nil
	for i := range c.Sources {
		names = append(names, name(c.Sources[i].Location))
		c.Sources[i].Location = nil
	}
	return names
}

func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadFull(t *testing.T) {
	dir := testdata(t)
	yes := true
	got, err := Load("testdata/full.yaml", LoadOptions{Getenv: noEnv, Hostname: fixedHost})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Path: filepath.Join(dir, "full.yaml"),
		Dir:  dir,
		Site: Site{
			Title:    "HKUST News",
			Link:     "https://www.example.edu/news",
			BaseURL:  "https://Feeds.Example.edu:8443/",
			Timezone: "Asia/Hong_Kong",
			Author:   Person{Name: "Newsroom", Email: "news@example.edu"},
		},
		DataDir:     filepath.Join(dir, "var", "data"),
		LockTimeout: 45 * time.Second,
		Store: Store{
			Driver: "postgres",
			DSN:    "postgres://feedloom@db/feedloom",
			Lease:  3 * time.Minute,
			Node:   "web-1",
		},
		Output: Output{Dir: "/srv/feeds/public", MaxItems: 40, ArchiveSize: 30, PageSize: 10},
		Languages: []Language{
			{Tag: "en", Title: "HKUST News", MaxItems: 20},
			{Tag: "zh-Hant", Title: "香港科技大學新聞", MaxItems: 40},
		},
		Sources: []Source{
			{
				Name:     "newsroom",
				Kind:     "files",
				Path:     filepath.Join(dir, "stories"),
				Schedule: "@every 10m",
				Labels:   []string{"News", "Press Release"},
				// Trimmed: a title's marker is matched on its trimmed end.
				TranslationOnlyMarkers: []string{"(Chinese Version Only)", "(English Version Only)"},
			},
			{
				Name:      "engineering",
				Kind:      "feed",
				URL:       "https://engineering.example.edu/feed.xml",
				Schedule:  "*/30 * * * *",
				Language:  "en",
				Timezone:  "Asia/Hong_Kong",
				Retention: &Retention{MaxAge: 30 * 24 * time.Hour, MaxItems: 200},
			},
			{
				Name:     "partner",
				Kind:     "feed",
				URL:      filepath.Join(dir, "upstream", "partner.xml"),
				Schedule: "@hourly",
			},
			{
				Name:     "archive",
				Kind:     "feed",
				URL:      "file:///srv/archive/feed.xml",
				Schedule: "CRON_TZ=Asia/Hong_Kong 0 8 * * *",
				Language: "zh-Hans",
				// max_age not set: the global one's.
				Retention: &Retention{MaxAge: 60 * 24 * time.Hour, MaxItems: 1000},
			},
			{
				Name:         "intranet",
				Kind:         "feed",
				URL:          "http://10.1.2.3/news.xml",
				Schedule:     "@every 10m",
				AllowPrivate: &yes,
			},
		},
		Retention: Retention{MaxAge: 60 * 24 * time.Hour, MaxItems: 400},
		Scheduler: Scheduler{Jitter: 0.25, Debounce: 3 * time.Second},
		Fetch:     Fetch{Concurrency: 8, PerHost: 1, MaxBody: 512 << 10, Timeout: 90 * time.Second, MaxItems: 2000},
		Serve: Serve{Addr: "0.0.0.0:9090", MaxAge: 10 * time.Minute, StaleAfter: 24 * time.Hour,
			ArchiveMaxAge: 7 * 24 * time.Hour},
		WebSub: WebSub{Hub: "https://hub.example.org/"},
	}
	gotZones := zones(got)
	if wantZones := []string{"Asia/Hong_Kong", "-", "Asia/Hong_Kong", "-", "-", "-"}; !reflect.DeepEqual(gotZones, wantZones) {
		t.Errorf("zones = %q, want %q", gotZones, wantZones)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", got, want)
	}
	if h := got.Host(); h != "feeds.example.edu" {
		t.Errorf("Host() = %q, want feeds.example.edu", h)
	}
	for i, want := range []bool{false, false, false, false, true} {
		if got := got.AllowPrivateOf(got.Sources[i]); got != want {
			t.Errorf("AllowPrivateOf(sources[%d]) = %v, want %v", i, got, want)
		}
	}
}

func TestLoadMinimalDefaults(t *testing.T) {
	dir := testdata(t)
	got, err := Load("testdata/minimal.yaml", LoadOptions{Getenv: noEnv, Hostname: fixedHost})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Config{
		Path: filepath.Join(dir, "minimal.yaml"),
		Dir:  dir,
		Site: Site{
			Title:    "Minimal",
			Link:     "https://example.org/",
			BaseURL:  "https://feeds.example.org/",
			Timezone: "UTC",
		},
		DataDir:     filepath.Join(dir, "data"),
		LockTimeout: 30 * time.Second,
		Store:       Store{Driver: "sqlite", Lease: 2 * time.Minute, Node: "test-node"},
		Output:      Output{Dir: filepath.Join(dir, "public"), MaxItems: 50, ArchiveSize: 50, PageSize: 20},
		Languages:   []Language{{Tag: "en", Title: "Minimal", MaxItems: 50}},
		Sources: []Source{{
			Name:     "stories",
			Kind:     "files",
			Path:     filepath.Join(dir, "stories"),
			Schedule: "@every 10m",
		}},
		Retention: Retention{MaxAge: 90 * 24 * time.Hour, MaxItems: 500},
		Scheduler: Scheduler{Jitter: 0.10, Debounce: 2 * time.Second},
		Fetch:     Fetch{Concurrency: 16, PerHost: 2, MaxBody: 10 << 20, Timeout: 30 * time.Second, MaxItems: 1000},
		Serve: Serve{Addr: "127.0.0.1:8080", MaxAge: 5 * time.Minute, StaleAfter: 2 * time.Hour,
			ArchiveMaxAge: 24 * time.Hour},
	}
	gotZones := zones(got)
	if wantZones := []string{"UTC", "-"}; !reflect.DeepEqual(gotZones, wantZones) {
		t.Errorf("zones = %q, want %q", gotZones, wantZones)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", got, want)
	}
	if r := got.RetentionOf(got.Sources[0]); r != got.Retention {
		t.Errorf("RetentionOf(no own retention) = %+v, want the global %+v", r, got.Retention)
	}
}

// Relative paths are relative to the config file's folder, whatever the
// working directory and however the file was named.
func TestLoadRelativePaths(t *testing.T) {
	dir := testdata(t)
	abs := filepath.Join(dir, "full.yaml")
	for _, tc := range []struct{ name, chdir, path string }{
		{"relative from the package", "", "testdata/full.yaml"},
		{"absolute", "", abs},
		{"from the config's folder", "testdata", "full.yaml"},
		{"from elsewhere", "/", abs},
		{"dotted", "testdata/stories", "../full.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.chdir != "" {
				t.Chdir(tc.chdir)
			}
			c, err := Load(tc.path, LoadOptions{Getenv: noEnv})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := []string{c.Path, c.Dir, c.DataDir, c.Output.Dir, c.Sources[0].Path, c.Sources[2].URL}
			want := []string{
				abs, dir,
				filepath.Join(dir, "var", "data"),
				"/srv/feeds/public", // absolute in the file: kept
				filepath.Join(dir, "stories"),
				filepath.Join(dir, "upstream", "partner.xml"),
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("paths = %q, want %q", got, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml", LoadOptions{})
	if err == nil {
		t.Fatal("Load of a missing file: no error")
	}
	if got, want := err.Error(), "config: open testdata/nope.yaml: no such file or directory"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
}

func TestStoreDSN(t *testing.T) {
	const site = "site: {title: T, link: 'https://e.org/', base_url: 'https://f.e.org/'}\nlanguages: [{tag: en}]\n"
	for _, tc := range []struct {
		name, store, env string
		want             Store
	}{
		{"sqlite ignores the environment", "", "postgres://env/db",
			Store{Driver: "sqlite", Lease: 2 * time.Minute, Node: "test-node"}},
		{"postgres from the file", "store: {driver: postgres, dsn: 'postgres://file/db'}\n", "",
			Store{Driver: "postgres", DSN: "postgres://file/db", Lease: 2 * time.Minute, Node: "test-node"}},
		{"the environment overrides the file", "store: {driver: postgres, dsn: 'postgres://file/db'}\n", "postgres://env/db",
			Store{Driver: "postgres", DSN: "postgres://env/db", Lease: 2 * time.Minute, Node: "test-node"}},
		{"the environment provides it", "store: {driver: postgres, node: web-2}\n", "postgres://env/db",
			Store{Driver: "postgres", DSN: "postgres://env/db", Lease: 2 * time.Minute, Node: "web-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, site+tc.store)
			getenv := func(k string) string {
				if k == "FEEDLOOM_DSN" {
					return tc.env
				}
				return ""
			}
			c, err := Load(path, LoadOptions{Getenv: getenv, Hostname: fixedHost})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Store != tc.want {
				t.Errorf("Store = %+v, want %+v", c.Store, tc.want)
			}
		})
	}
}

func TestHost(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"https://feeds.example.edu/", "feeds.example.edu"},
		{"https://Feeds.Example.EDU:8443/news/", "feeds.example.edu"},
		{"http://[::1]:8080/", "::1"},
	} {
		c := &Config{Site: Site{BaseURL: tc.base}}
		if got := c.Host(); got != tc.want {
			t.Errorf("Host() of %q = %q, want %q", tc.base, got, tc.want)
		}
	}
}

func TestRetentionOf(t *testing.T) {
	c := &Config{Retention: Retention{MaxAge: time.Hour, MaxItems: 5}}
	own := Retention{MaxAge: time.Minute, MaxItems: 1}
	if got := c.RetentionOf(Source{Retention: &own}); got != own {
		t.Errorf("RetentionOf(own) = %+v, want %+v", got, own)
	}
	if got := c.RetentionOf(Source{}); got != c.Retention {
		t.Errorf("RetentionOf(none) = %+v, want %+v", got, c.Retention)
	}
}

// writeConfig writes src as config.yaml in a fresh folder and returns its path.
func writeConfig(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
