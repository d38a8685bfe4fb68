package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cmdInit writes a new site into a folder: a config that builds at once,
// an example story in each of its two languages, and a README saying what
// to edit. It refuses, writing nothing, when any of those files exists.
func cmdInit(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlags("init", stderr)
	if err := flags.Parse(args); err != nil {
		return parseCode(err)
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return exitUsage
	}
	dir := flags.Arg(0)
	files := initFiles(time.Now())
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if _, err := os.Lstat(path); err == nil {
			fmt.Fprintf(stderr, "feedloom init: %s exists; nothing was written\n", path)
			return exitUsage
		} else if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "feedloom init: %v\n", err)
			return exitUsage
		}
	}
	if err := writeNew(dir, files); err != nil {
		fmt.Fprintf(stderr, "feedloom init: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "wrote %s: edit config.yaml and the stories, then run: feedloom build --config %s\n",
		dir, filepath.Join(dir, "config.yaml"))
	return exitOK
}

// parseCode is the exit code of a failed Parse: -h is success.
func parseCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

type initFile struct{ name, text string }

// writeNew creates dir and the files in it, none of which may exist: a
// file that appeared since they were checked is not overwritten, and
// what this call wrote is removed again. The files are written through an
// os.Root of dir, so a symlink in dir (a stories folder linked elsewhere)
// cannot lead a write out of it.
func writeNew(dir string, files []initFile) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	var written []string
	undo := func() {
		for _, name := range written {
			root.Remove(name)
		}
	}
	for _, f := range files {
		if err := root.MkdirAll(filepath.Dir(f.name), 0o755); err != nil {
			undo()
			return fmt.Errorf("%s: %w", filepath.Join(dir, f.name), err)
		}
		out, err := root.OpenFile(f.name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			return fmt.Errorf("%s: %w", filepath.Join(dir, f.name), err)
		}
		written = append(written, f.name)
		_, err = io.WriteString(out, f.text)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			undo()
			return err
		}
	}
	return nil
}

// initFiles are the files of a new site. The stories are dated a minute
// before now, so the first build publishes them rather than hold them as
// embargoed.
func initFiles(now time.Time) []initFile {
	day := now.UTC().Add(-time.Minute).Format(time.RFC3339)
	return []initFile{
		{"config.yaml", initConfig},
		{filepath.Join("stories", "welcome.md"), strings.ReplaceAll(initStoryEN, "DATE", day)},
		{filepath.Join("stories", "welcome.zh-hant.md"), strings.ReplaceAll(initStoryZH, "DATE", day)},
		{"README.md", initReadme},
	}
}

const initConfig = `# feedloom's config for this site; every key is described in feedloom's
# README. Relative paths are relative to this file's folder.
site:
  title: My News                       # the feeds' title
  link: https://www.example.org/news   # the site people read
  base_url: https://feeds.example.org/ # where the public/ folder will be served from
  timezone: UTC                        # e.g. Asia/Hong_Kong, Europe/London
data_dir: data                         # the store and the lock
output:
  dir: public                          # the feeds and pages
languages:                             # a feed set for each
  - tag: en
    title: My News
  - tag: zh-Hant
    title: 我的新聞
sources:
  - name: newsroom
    kind: files                        # Markdown, JSON, YAML or plain-text listings
    path: stories
    schedule: "@every 10m"             # for feedloom serve; build runs every source once
`

const initStoryEN = `---
title: Welcome to the newsroom
date: DATE
language: en
translation_key: welcome
---
This is an example story. Write each story as a Markdown file in this
folder, with its title, date and language in the front matter above, and
run ` + "`feedloom build`" + ` to publish the feeds.
`

const initStoryZH = `---
title: 歡迎來到新聞室
date: DATE
language: zh-Hant
translation_key: welcome
---
這是一則示範新聞。每則新聞是這個資料夾裏的一個 Markdown 檔案，標題、日期和語言寫在上面的前置資料中；執行 ` + "`feedloom build`" + ` 即可發佈新聞來源。
`

const initReadme = `# My News

Edit ` + "`config.yaml`" + ` (the site's title, link and base_url, its languages) and the stories in ` + "`stories/`" + `, then run ` + "`feedloom build`" + ` here: the feeds appear in ` + "`public/`" + `.
`
