package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWidget: a partner page on another origin shows a feed's newest
// headlines through embed/widget.js, served by feedloom serve, in feed
// order and as many as asked; a hostile feed's title is shown as text and
// its script link is not followed; a feed that fails to load leaves the
// page intact with a quiet message.
func TestWidget(t *testing.T) {
	chromium := chromiumPath(t)
	stories := map[string]string{}
	for i := range 7 {
		stories[fmt.Sprintf("s%d.md", i)] = fmt.Sprintf("---\ntitle: Story number %d\ndate: 2025-03-%02dT09:00:00+08:00\nlanguage: en\n---\nBody %d.\n", i, 10+i, i)
	}
	dir := project(t, stories)
	writeFile(t, filepath.Join(dir, "config.yaml"), testConfig)
	base, stderr := serveProject(t, dir)
	waitFor(t, stderr, func() bool {
		return strings.Contains(get(t, base+"/en/feed.json").body, "Story number 6") && get(t, base+"/embed/widget.js").code == 200
	})

	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/feed+json")
		io.WriteString(w, `{"version":"https://jsonfeed.org/version/1.1","title":"H","items":[
{"id":"1","url":"https://hostile.example/1","title":"<img src=x onerror=\"document.title='pwned'\">Hostile title","date_published":"2025-03-14T09:00:00Z"},
{"id":"2","url":"javascript:document.title='pwned'","title":"Script link"},
{"id":"3","url":"https://hostile.example/3","title":"Plain <b>bold</b>"}]}`)
	}))
	defer hostile.Close()
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>Partner</title></head><body><h1>Partner page</h1>
<div id="ours" data-feedloom="%[1]s/en/feed.json" data-items="5"></div>
<div id="hostile" data-feedloom="%[2]s/feed.json"></div>
<div id="missing" data-feedloom="%[1]s/nowhere/feed.json"></div>
<p id="after">Partner footer</p>
<script src="%[1]s/embed/widget.js"></script></body></html>`, base, hostile.URL)
	}))
	defer partner.Close()

	dom := dumpDOM(t, chromium, partner.URL)
	box := func(id string) string {
		m := regexp.MustCompile(`(?s)<div id="` + id + `"[^>]*>(.*?)</div>`).FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("no #%s in the DOM:\n%s", id, dom)
		}
		return m[1]
	}
	ours := box("ours")
	titles := regexp.MustCompile(`<a class="feedloom-title" href="[^"]*"[^>]*>([^<]*)</a>`).FindAllStringSubmatch(ours, -1)
	var got []string
	for _, m := range titles {
		got = append(got, m[1])
	}
	want := []string{"Story number 6", "Story number 5", "Story number 4", "Story number 3", "Story number 2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("headlines %q, want %q; box:\n%s", got, want, ours)
	}
	h := box("hostile")
	if !strings.Contains(h, `&lt;img src=x onerror="document.title='pwned'"&gt;Hostile title`) || strings.Contains(h, "<img") {
		t.Errorf("the hostile title is not shown as text:\n%s", h)
	}
	if strings.Contains(h, "Script link") || strings.Contains(h, "javascript:") {
		t.Errorf("an item with a script link is shown:\n%s", h)
	}
	if !strings.Contains(h, "Plain &lt;b&gt;bold&lt;/b&gt;") {
		t.Errorf("the plain item is missing:\n%s", h)
	}
	if m := box("missing"); !strings.Contains(m, "Headlines are not available right now.") {
		t.Errorf("a failed feed shows %q, want the quiet message", m)
	}
	if !strings.Contains(dom, "Partner footer") || !strings.Contains(dom, "<title>Partner</title>") {
		t.Errorf("the partner page was disturbed:\n%s", dom)
	}

	// The embed page, for an iframe, is the same list.
	embed := dumpDOM(t, chromium, base+"/embed/en.html")
	if !strings.Contains(embed, ">Story number 6</a>") || strings.Contains(embed, ">Story number 1</a>") {
		t.Errorf("embed/en.html does not show the five newest headlines:\n%s", embed)
	}
}
