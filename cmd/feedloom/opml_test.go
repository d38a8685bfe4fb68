package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// opmlProject is a project whose config has a feed source and an opml
// source, both local, so a build runs offline.
func opmlProject(t *testing.T) string {
	t.Helper()
	dir := project(t, map[string]string{"robotics.md": goodStory})
	cfg := testConfig + `  - name: partner
    kind: feed
    url: upstream/partner.xml
  - name: remote
    kind: feed
    url: https://engineering.example.edu/feed.xml?key=abc&amp=1
    schedule: "@daily"
  - name: planet
    kind: opml
    url: upstream/planet.opml
`
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	if err := os.MkdirAll(filepath.Join(dir, "upstream"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"partner", "alpha", "beta"} {
		writeFile(t, filepath.Join(dir, "upstream", name+".xml"), `<?xml version="1.0"?>
<rss version="2.0"><channel><title>`+name+`</title><link>https://`+name+`.example/</link><language>en</language>
<item><title>News from `+name+`</title><link>https://`+name+`.example/news</link><pubDate>Thu, 13 Mar 2025 09:00:00 +0800</pubDate></item>
</channel></rss>
`)
	}
	writeFile(t, filepath.Join(dir, "upstream", "planet.opml"), `<?xml version="1.0"?>
<opml version="2.0"><head><title>Planet</title></head><body>
  <outline text="Alpha &amp; Co" type="rss" xmlUrl="alpha.xml" htmlUrl="https://alpha.example/"/>
  <outline text="Science"><outline text="Beta" type="rss" xmlUrl="beta.xml"/></outline>
  <outline text="Remote" type="rss" xmlUrl="http://127.0.0.1:9/feed"/>
</body></opml>
`)
	return dir
}

// TestOPMLExport: the export lists the feed sources and the feeds the
// store knows of each list, in its folders; before any build, a list is
// an empty folder.
func TestOPMLExport(t *testing.T) {
	dir := opmlProject(t)
	cfg := filepath.Join(dir, "config.yaml")
	code, before, stderr := feedloom(t, "opml", "export", "--config", cfg)
	if code != exitOK {
		t.Fatalf("export before a build: exit %d: %s", code, stderr)
	}
	if !strings.Contains(before, `<outline text="planet"></outline>`) {
		t.Errorf("before a build, the list is not an empty folder:\n%s", before)
	}
	// The outline on loopback is refused (no allow_private): the build is
	// partial, and the subscription stands.
	if code, _, stderr := feedloom(t, "build", "--config", cfg); code != exitPartial {
		t.Fatalf("build: exit %d, want %d (the remote feed is unreachable): %s", code, exitPartial, stderr)
	}
	code, out, stderr := feedloom(t, "opml", "export", "--config", cfg)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	got := strings.ReplaceAll(out, filepath.ToSlash(dir), "DIR")
	golden := filepath.Join("testdata", "opml_export.opml")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("export differs from %s (go test ./cmd/feedloom -run OPMLExport -update):\n%s", golden, got)
	}
}

func TestOPMLUsage(t *testing.T) {
	for _, args := range [][]string{{"opml"}, {"opml", "import"}, {"opml", "export", "extra"}} {
		if code, _, _ := feedloom(t, args...); code != exitUsage {
			t.Errorf("feedloom %q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestFetchSourceList: `feedloom fetch --source` of an opml source prints
// one feed it names per line, and writes nothing.
func TestFetchSourceList(t *testing.T) {
	dir := opmlProject(t)
	code, stdout, stderr := feedloom(t, "fetch", "--config", filepath.Join(dir, "config.yaml"), "--source", "planet")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"Name":"planet-alpha-co"`) || !strings.Contains(lines[1], `"Category":"Science"`) {
		t.Errorf("stdout:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "feedloom.db")); err == nil {
		t.Error("fetch wrote a store")
	}
}
