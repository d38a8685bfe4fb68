package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const channelSources = `sources:
  - name: newsroom
    kind: files
    path: stories
`

// TestChannels: channels and category channels are read with their
// defaults; rules are phrases or /regexes/.
func TestChannels(t *testing.T) {
	dir := tempDir(t)
	if err := os.Mkdir(filepath.Join(dir, "stories"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := head + "  - tag: zh-Hant\n" + channelSources + `output:
  categories: [Research, Events]
channels:
  - name: research
    languages: [en]
    sources: [newsroom]
    categories: [Research]
    include: ["Robot", "/\\bAI\\b/"]
    exclude: ["obituary"]
    content: headlines
    max_items: 20
  - name: all
    title: Everything
`
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(src, "name: all\n", "name: everything\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, LoadOptions{Getenv: noEnv, Hostname: fixedHost})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Channels) != 2 || strings.Join(c.Output.Categories, ",") != "Research,Events" {
		t.Fatalf("channels %+v, categories %q", c.Channels, c.Output.Categories)
	}
	r, e := c.Channels[0], c.Channels[1]
	if r.Title != "T — research" || r.Content != ContentHeadlines || r.MaxItems != 20 || strings.Join(r.Languages, ",") != "en" ||
		len(r.Include) != 2 || !r.Include[0].Matches("A ROBOT wins") || !r.Include[1].Matches("the AI lab") || r.Include[1].Matches("the AIR lab") ||
		len(r.Exclude) != 1 || !r.Exclude[0].Matches("Obituary: …") {
		t.Errorf("research channel %+v", r)
	}
	if e.Title != "Everything" || e.Content != ContentFull || e.MaxItems != 50 || e.Languages != nil || e.Sources != nil {
		t.Errorf("default channel %+v", e)
	}
}

func TestChannelErrors(t *testing.T) {
	for _, tc := range []struct{ name, channels, want string }{
		{"unknown source", "  - name: a\n    sources: [wire]\n", `channels[0].sources[0]: unknown source "wire"`},
		{"language not configured", "  - name: a\n    languages: [fr]\n", `channels[0].languages[0]: language "fr" is not configured`},
		{"bad regex", "  - name: a\n    include: [\"/(unclosed/\"]\n", "config.yaml:13:15: channels[0].include[0]: not a valid regular expression"},
		{"duplicate", "  - name: a\n  - name: a\n", `config.yaml:13:5: channels[1].name: duplicate channel name "a" (first at line 12)`},
		{"bad name", "  - name: A b\n", `channels[0].name: "A b" must match`},
		{"a language's folder", "  - name: en\n", `channels[0].name: "en" is taken by a language folder or the merged feed`},
		{"content", "  - name: a\n    content: teaser\n", `channels[0].content: unknown content "teaser"`},
		{"no name", "  - title: x\n", "channels[0].name: required"},
		{"empty phrase", "  - name: a\n    exclude: [\" \"]\n", "channels[0].exclude[0]: must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := loadErr(t, head+channelSources+"channels:\n"+tc.channels, LoadOptions{})
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want %q", msg, tc.want)
			}
		})
	}
	msg := loadErr(t, head+channelSources+"output:\n  categories: [Research, research]\n", LoadOptions{})
	if !strings.Contains(msg, `output.categories[1]: category "research" is listed twice`) {
		t.Errorf("duplicate category: %q", msg)
	}
}
