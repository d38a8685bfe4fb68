package files

import (
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

func hongKong(t testing.TB) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

// sameStory compares stories exactly, times by instant and by the offset
// they are written with.
func sameStory(t *testing.T, got, want sources.Story) {
	t.Helper()
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"Published", got.Published, want.Published}, {"Updated", got.Updated, want.Updated}} {
		if !tm.got.Equal(tm.want) || tm.got.Format(time.RFC3339) != tm.want.Format(time.RFC3339) {
			t.Errorf("%s = %s, want %s", tm.name, tm.got.Format(time.RFC3339), tm.want.Format(time.RFC3339))
		}
	}
	got.Published, got.Updated, want.Published, want.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("story:\n%#v\nwant\n%#v", got, want)
	}
}

const fullMarkdown = `---
title: "Campus opens a new library"
date: 2025-03-13T09:30:00+08:00
lastmod: 2025-03-14 10:00
lang: en
id: library-2025
url: https://www.example.edu/news/library
author:
  name: Ann Lee
  email: ann@example.edu
  url: https://www.example.edu/~ann
authors:
  - Bo Chan
  - {name: Cy Wu, email: cy@example.edu}
categories: [News, Campus]
tags:
  - library
  - News
description: The new library opens on Monday.
image: /images/library.jpg
draft: false
weight: 10
params:
  toc: true
---
The **new** library opens on [Monday](/calendar).
`

func TestMarkdown(t *testing.T) {
	hk := hongKong(t)
	tests := []struct {
		name string
		body string
		want sources.Story
	}{
		{
			name: "every field, aliases, unknown keys ignored",
			body: fullMarkdown,
			want: sources.Story{
				File: "s.md", Line: 1,
				ID: "library-2025", Title: "Campus opens a new library",
				Link:    "https://www.example.edu/news/library",
				Summary: "The new library opens on Monday.",
				Content: "<p>The <strong>new</strong> library opens on <a href=\"/calendar\">Monday</a>.</p>\n",
				Authors: []feeds.Person{
					{Name: "Ann Lee", Email: "ann@example.edu", URL: "https://www.example.edu/~ann"},
					{Name: "Bo Chan"},
					{Name: "Cy Wu", Email: "cy@example.edu"},
				},
				Categories: []string{"News", "Campus", "library"},
				Language:   "en",
				Image:      "/images/library.jpg",
				Published:  time.Date(2025, 3, 13, 9, 30, 0, 0, time.FixedZone("", 8*3600)),
				Updated:    time.Date(2025, 3, 14, 10, 0, 0, 0, hk),
			},
		},
		{
			name: "the first of two synonyms wins",
			body: "---\ntitle: T\nupdated: 2025-03-15\nlastmod: 2025-03-14\nlanguage: zh-Hant\nlang: en\nlink: https://a.example/\nurl: https://b.example/\n" +
				"summary: First.\ndescription: Second.\nauthor: Solo\ncategories: Single\n---\n",
			want: sources.Story{
				File: "s.md", Line: 1, Title: "T", Link: "https://a.example/", Summary: "First.",
				Authors: []feeds.Person{{Name: "Solo"}}, Categories: []string{"Single"}, Language: "zh-Hant",
				Updated: time.Date(2025, 3, 15, 0, 0, 0, 0, hk),
			},
		},
		{
			// Hugo spells it translationKey; feedloom's own spelling wins.
			name: "translation key in either spelling",
			body: "---\ntitle: T\ntranslation_key: open-day-2025\ntranslationKey: other\n---\n",
			want: sources.Story{File: "s.md", Line: 1, Title: "T", TranslationKey: "open-day-2025"},
		},
		{
			name: "Hugo's translationKey",
			body: "---\ntitle: T\ntranslationKey: \" open-day-2025 \"\n---\n",
			want: sources.Story{File: "s.md", Line: 1, Title: "T", TranslationKey: "open-day-2025"},
		},
		{
			name: "a day without time",
			body: "\uFEFF---\r\ntitle: 新圖書館啟用\r\ndate: 2025-03-13\r\n---\r\n內文。\r\n",
			want: sources.Story{
				File: "s.md", Line: 1, Title: "新圖書館啟用", Content: "<p>內文。</p>\n",
				Published: time.Date(2025, 3, 13, 0, 0, 0, 0, hk), DateOnly: true,
			},
		},
		{
			name: "title from the heading without front matter",
			body: "\n# Q&A with the *new* dean #\n\nShe answers.\n\n## Part one\n",
			want: sources.Story{
				File: "s.md", Line: 1, Title: "Q&amp;A with the <em>new</em> dean", TitleHTML: true,
				Content: "<p>She answers.</p>\n<h2>Part one</h2>\n",
			},
		},
		{
			// Rendering keeps raw HTML: normalize's sanitizer removes what is
			// unsafe, and its tests show it.
			name: "unsafe HTML reaches the sanitizer",
			body: "---\ntitle: Hello\n---\nIntro with <span onclick=\"steal()\">a span</span> and [a link](javascript:alert(1)).\n\n" +
				"<script>alert('x')</script>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n~~gone~~\n",
			want: sources.Story{
				File: "s.md", Line: 1, Title: "Hello",
				Content: "<p>Intro with <span onclick=\"steal()\">a span</span> and <a href=\"javascript:alert(1)\">a link</a>.</p>\n" +
					"<script>alert('x')</script>\n<iframe src=\"https://evil.example/\"></iframe>\n<p><del>gone</del></p>\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameStory(t, oneStory(t, "s.md", tt.body, Options{Zone: hk}), tt.want)
		})
	}
}

func TestMarkdownDraft(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"draft.md": "---\ntitle: Not yet\ndraft: true\n---\nSecret.\n",
		"live.md":  "---\ntitle: Out now\n---\n",
	})
	res := fetch(t, dir, Options{})
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v; a draft is read, not broken", res.Problems)
	}
	if len(res.Stories) != 1 || res.Stories[0].Title != "Out now" {
		t.Errorf("stories = %+v, want only %q", res.Stories, "Out now")
	}
}

func TestMarkdownErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"YAML syntax error", "---\ntitle: A title\nsummary: a: b\ndate: 2025-03-13\n---\nBody\n", "s.md:3:10: front matter: mapping value is not allowed in this context"},
		{"YAML unclosed list", "---\ntitle: A title\ntags: [a, b\n---\n", "s.md:3:7: front matter: sequence end token ']' not found"},
		{"YAML type error", "---\ntitle: A title\ndraft: maybe\n---\n", "s.md:3:8: front matter: cannot use a string as true or false"},
		{"duplicate key", "---\ntitle: A\ntitle: B\n---\n", `s.md:3:1: front matter: mapping key "title" already defined at [2:1]`},
		{"front matter not a mapping", "---\n- a\n- b\n---\n", "s.md:2:1: front matter: want a mapping of keys to values"},
		{"unterminated front matter", "---\ntitle: A\n\nBody\n", "s.md:1: front matter opened here is not closed by a --- line"},
		{"TOML front matter", "+++\ntitle = \"A\"\n+++\n", "s.md:1: TOML front matter is not supported; write YAML between --- lines"},
		{"no title key", "---\ndate: 2025-03-13\n---\nBody\n", "s.md:1: story has no title"},
		{"empty title", "---\ndate: 2025-03-13\ntitle: \"  \"\n---\n", "s.md:3:1: story has no title"},
		{"empty front matter", "---\n---\n# Heading\n", "s.md:1: story has no title"},
		{"no front matter, no heading", "Just a paragraph.\n\n# Late heading\n", "s.md:1: story has no title"},
		{"level-2 heading", "## Not a title\n", "s.md:1: story has no title"},
		{"bad date", "---\ntitle: A\ndate: 13/03/2025\n---\n", `s.md:3:1: date: cannot read "13/03/2025" as a date: want RFC 3339 (2006-01-02T15:04:05Z07:00), 2006-01-02T15:04:05, 2006-01-02 15:04[:05] or 2006-01-02`},
		{"bad lastmod", "---\ntitle: A\nlastmod: yesterday\n---\n", `s.md:3:1: lastmod: cannot read "yesterday" as a date: want RFC 3339 (2006-01-02T15:04:05Z07:00), 2006-01-02T15:04:05, 2006-01-02 15:04[:05] or 2006-01-02`},
		{"invalid UTF-8", "---\ntitle: caf\xe9\n---\n", "s.md:2:11: invalid UTF-8 (byte 0xe9)"},
		{"binary", "GIF89a\x01\x00\x01\x00", "s.md:1: binary file, not a Markdown story"},
		{"empty file", "", "s.md:1: story has no title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problemOf(t, "s.md", tt.body, Options{}).Error(); got != tt.want {
				t.Errorf("problem = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	hk := hongKong(t)
	tests := []struct {
		in       string
		want     string // RFC 3339
		dateOnly bool
	}{
		{"2025-03-13T09:30:00+08:00", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13T01:30:00Z", "2025-03-13T01:30:00Z", false},
		{"2025-03-13T09:30:00.5+08:00", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13 09:30:00+08:00", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13 09:30:00 +0800", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13T09:30:00", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13 09:30:15", "2025-03-13T09:30:15+08:00", false},
		{"2025-03-13 09:30", "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13", "2025-03-13T00:00:00+08:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, dateOnly, err := parseDate(tt.in, hk)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format(time.RFC3339) != tt.want || dateOnly != tt.dateOnly {
				t.Errorf("parseDate = %s, %v; want %s, %v", got.Format(time.RFC3339), dateOnly, tt.want, tt.dateOnly)
			}
		})
	}
	for _, bad := range []string{"13/03/2025", "2025-3-13", "2025-02-30", "March 13, 2025", "2025-03-13T25:00:00"} {
		t.Run(bad, func(t *testing.T) {
			if _, _, err := parseDate(bad, hk); err == nil {
				t.Errorf("parseDate(%q) gave no error", bad)
			}
		})
	}
	// Without a zone in the options, zoneless dates are UTC.
	st := oneStory(t, "s.md", "---\ntitle: T\ndate: 2025-03-13 09:30\n---\n", Options{})
	if got := st.Published.Format(time.RFC3339); got != "2025-03-13T09:30:00Z" {
		t.Errorf("Published = %s with no zone, want UTC", got)
	}
}
