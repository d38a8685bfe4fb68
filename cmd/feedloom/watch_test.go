package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeWatchesStoryFolders: under an hourly schedule, a saved story
// reaches the served feed through the folder watch; a file written in two
// steps, broken after the first, is reported once as that file's error (the
// source does not back off) and published whole after the second.
func TestServeWatchesStoryFolders(t *testing.T) {
	dir := project(t, map[string]string{"a.md": goodStory})
	cfg := strings.Replace(testConfig, "    path: stories\n", "    path: stories\n    schedule: \"@every 1h\"\nscheduler: {debounce: 300ms}\n", 1)
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	base, stderr := serveProject(t, dir)
	// The hourly schedule's first refresh (the store is empty, so it is due).
	waitFor(t, stderr, func() bool { return strings.Contains(get(t, base+"/feed.json").body, "Robotics Team Wins Final") })

	writeFile(t, filepath.Join(dir, "stories", "b.md"), strings.Replace(goodStory, "Robotics Team Wins Final", "Library Opens Late", 1))
	waitFor(t, stderr, func() bool { return strings.Contains(get(t, base+"/en/feed.json").body, "Library Opens Late") })

	// The first half of a save: front matter never closed.
	half := "---\ntitle: Harbour Swim Returns\ndate: 2025-03-14T09:00:00+08:00\n"
	writeFile(t, filepath.Join(dir, "stories", "c.md"), half)
	waitFor(t, stderr, func() bool { return strings.Contains(stderr.String(), "c.md") })
	writeFile(t, filepath.Join(dir, "stories", "c.md"), half+"language: en\n---\nThe swim is back.\n")
	waitFor(t, stderr, func() bool { return strings.Contains(get(t, base+"/feed.json").body, "Harbour Swim Returns") })

	if n := strings.Count(stderr.String(), `msg=skipped`); n != 1 {
		t.Errorf("the half-written file was reported %d times, want once:\n%s", n, stderr.String())
	}
	var health struct {
		Sources []struct {
			Failures  int    `json:"failures"`
			LastError string `json:"last_error"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(get(t, base+"/healthz").body), &health); err != nil || len(health.Sources) != 1 {
		t.Fatalf("/healthz: %v", err)
	}
	if s := health.Sources[0]; s.Failures != 0 || s.LastError != "" {
		t.Errorf("source after the whole file: failures %d, last error %q; want none", s.Failures, s.LastError)
	}
	if got := strings.Count(stderr.String(), `msg=refreshed`); got != 4 {
		t.Errorf("%d refreshes, want 4 (the start, one per save):\n%s", got, stderr.String())
	}
}
