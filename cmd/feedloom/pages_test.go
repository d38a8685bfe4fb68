package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPagesInBrowser opens the pages people read in headless Chromium: the
// merged and the Chinese front page, a story page, a feed's page (what a
// browser navigating to rss.xml is shown) and a channel's, and checks the
// DOM: feedloom's words in the page's language, a day-only story without a
// made-up time, the pictures, a story's "read in …" link to its
// translation and a story's note that it is in one language only, no raw
// XML. A screenshot of each is written
// to FEEDLOOM_SCREENSHOTS when it names a folder (else a temporary one),
// for people to look at; CI installs fonts-noto-cjk so the Chinese pages
// show their characters.
func TestPagesInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	dir := project(t, map[string]string{
		"a.md": strings.Replace(goodStory, "language: en\n", "language: en\ntranslation_key: robotics\n", 1),
		"b.md": "---\ntitle: 機械人隊奪得冠軍\ndate: 2025-03-14\nlanguage: zh-Hant\ntranslation_key: robotics\nimage: https://www.example.edu/img/team.jpg\n---\n隊伍贏了。\n",
		"c.md": "---\ntitle: Library Opens Late\nlanguage: en\ncategories: [Campus]\n---\nThe library opens until midnight.\n",
		"d.md": "---\ntitle: Minister Visits (Chinese Version Only)\ndate: 2025-03-12\nlanguage: zh-Hant\n---\n部長到訪。\n",
	})
	cfg := strings.Replace(testConfig, "    path: stories\n", "    path: stories\n    translation_only_markers: [\"(Chinese Version Only)\"]\n", 1) +
		"channels:\n  - name: campus\n    categories: [Campus]\noutput:\n  page_size: 2\n"
	writeFile(t, filepath.Join(dir, "config.yaml"), cfg)
	base, stderr := serveProject(t, dir)
	waitFor(t, stderr, func() bool {
		return strings.Contains(get(t, base+"/channels/campus/feed.json").body, "Library Opens Late") &&
			strings.Contains(get(t, base+"/zh-hant/index.html").body, "機械人隊奪得冠軍")
	})
	shots := os.Getenv("FEEDLOOM_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, p := range []struct {
		name, path string
		want       []string
		notWant    []string
	}{
		{"front", "/index.html", []string{`<html lang="en">`, "Latest news", "Robotics Team Wins Final", "機械人隊奪得冠軍",
			`<time datetime="2025-03-14">14 March 2025</time>`, `src="https://www.example.edu/img/team.jpg"`,
			`hreflang="zh-Hant">Read in Traditional Chinese</a>`, `hreflang="en">Read in English</a>`,
			`<p class="translations note">Only in Traditional Chinese</p>`}, []string{"00:00 HKT"}},
		{"front-zh-hant", "/zh-hant/index.html", []string{`<html lang="zh-Hant">`, "最新消息", "訂閱源", "機械人隊奪得冠軍",
			`<time datetime="2025-03-14">2025年3月14日</time>`, `hreflang="en">閱讀英文版本</a>`, `<p class="translations note">只有繁體中文版本</p>`},
			[]string{"Latest news", "Robotics Team Wins Final", "Read in"}},
		{"story", "/stories/" + storySlug(t, dir, "Library Opens Late") + ".html", []string{"Library Opens Late", "The library opens until midnight."},
			[]string{`class="translations`}},
		{"story-translated", "/stories/" + storySlug(t, dir, "機械人隊奪得冠軍") + ".html", []string{`<html lang="zh-Hant">`,
			`/stories/` + storySlug(t, dir, "Robotics Team Wins Final") + `.html" hreflang="en">閱讀英文版本</a>`}, []string{"Read in"}},
		// Two stories a page, numbered oldest first: d (12 March) and a
		// (13 March), then b (14 March) and c (undated: today).
		{"page", "/page/1.html", []string{`<html lang="en">`, "<h1>Page 1</h1>", "Robotics Team Wins Final", "Minister Visits",
			`<a href="2.html" rel="prev">Newer stories</a>`}, []string{"Older stories", "Library Opens Late", "機械人隊奪得冠軍"}},
		{"page-zh-hant", "/zh-hant/page/1.html", []string{`<html lang="zh-Hant">`, "<h1>第 1 頁</h1>", "機械人隊奪得冠軍",
			`<time datetime="2025-03-14">2025年3月14日</time>`, `<a href="../index.html" rel="prev">較新的新聞</a>`},
			[]string{"Page 1", "Newer stories", "Robotics Team Wins Final"}},
		{"feed-page", "/zh-hant/rss.xml", []string{"這是新聞訂閱源", "機械人隊奪得冠軍", "2025年3月14日"}, []string{"<rss", "<channel>"}},
		{"channel-page", "/channels/campus/atom.xml", []string{"Library Opens Late"}, []string{"Robotics Team Wins Final", "<feed"}},
	} {
		t.Run(p.name, func(t *testing.T) {
			dom := dumpDOM(t, chromium, base+p.path)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("%s lacks %q; DOM:\n%s", p.path, w, dom)
				}
			}
			for _, nw := range p.notWant {
				if strings.Contains(dom, nw) {
					t.Errorf("%s has %q; DOM:\n%s", p.path, nw, dom)
				}
			}
			screenshot(t, chromium, base+p.path, filepath.Join(shots, p.name+".png"))
		})
	}
	t.Logf("screenshots in %s", shots)
}

// storySlug is the slug of the story page the project's build wrote for
// the story whose title is title.
func storySlug(t *testing.T, dir, title string) string {
	t.Helper()
	var slug string
	waitFor(t, &syncBuffer{}, func() bool {
		names, _ := filepath.Glob(filepath.Join(dir, "public", "stories", "*.html"))
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil && strings.Contains(string(b), "<h1>"+title+"</h1>") {
				slug = strings.TrimSuffix(filepath.Base(n), ".html")
				return true
			}
		}
		return false
	})
	return slug
}

// screenshot writes a PNG of url as a fresh headless Chromium shows it.
func screenshot(t *testing.T, chromium, url, file string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir(),
		"--window-size=1024,1400", "--screenshot="+file, url)
	cmd := exec.CommandContext(ctx, chromium, args...)
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot %s: %v\n%s", url, err, out)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot of %s: %v", url, err)
	}
}
