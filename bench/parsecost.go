package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"
)

// parseCost is gofeed's bare cost: parsing feeds already in memory and in
// UTF-8, on one goroutine, with no fetching, sanitizing or storing.
type parseCost struct {
	Feeds, Items int
	CPU, Wall    time.Duration
}

func (p parseCost) perItem() time.Duration { return p.CPU / time.Duration(max(p.Items, 1)) }

// parseChild generates the first n feeds, turns them into UTF-8 and times
// gofeed.Parser.Parse over them.
func parseChild(n int) error {
	bodies := make([][]byte, n)
	for i, u := range generateAll(n) {
		b := u.body
		if u.charset != "utf-8" {
			enc, _ := charset.Lookup(u.charset)
			var err error
			if b, err = enc.NewDecoder().Bytes(b); err != nil {
				return fmt.Errorf("decode %s: %w", u.name, err)
			}
			b = bytes.Replace(b, []byte(`encoding="`+strings.ToUpper(u.charset)+`"`), []byte(`encoding="UTF-8"`), 1)
		}
		bodies[i] = b
	}
	runtime.GC()
	cpu0, _ := selfCPU()
	start := time.Now()
	res := parseCost{Feeds: n}
	fp := gofeed.NewParser()
	for _, b := range bodies {
		f, err := fp.Parse(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		res.Items += len(f.Items)
	}
	res.Wall = time.Since(start)
	cpu1, _ := selfCPU()
	res.CPU = time.Duration(cpu1 - cpu0)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// measureParse runs parseChild on the first n upstreams.
func (h *harness) measureParse(ctx context.Context, n int) error {
	h.logf("gofeed bare parse cost over %d feeds", n)
	_, _, err := h.runChildJSON(ctx, filepath.Dir(h.self), "parse cost child", &h.parse, "parse", "-n", strconv.Itoa(n))
	return err
}
