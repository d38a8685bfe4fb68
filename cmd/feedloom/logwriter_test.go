package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// writes records each call it is given.
type writes struct {
	mu    sync.Mutex
	calls []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

// TestLogWriter: lines written together reach the writer underneath in
// one write, whole and in order: at Flush, by themselves soon after, or at
// once when they fill the buffer; after Close each line goes at once; lines
// from many goroutines stay whole.
func TestLogWriter(t *testing.T) {
	t.Run("flush", func(t *testing.T) {
		var w writes
		l := newLogWriter(&w)
		l.Write([]byte("a=1\n"))
		l.Write([]byte("b=2\n"))
		l.Flush()
		if got := w.get(); len(got) != 1 || got[0] != "a=1\nb=2\n" {
			t.Errorf("writes %q, want one of both lines", got)
		}
		l.Flush()
		if got := w.get(); len(got) != 1 {
			t.Errorf("a flush of nothing wrote: %q", got)
		}
	})
	t.Run("closed", func(t *testing.T) {
		var w writes
		l := newLogWriter(&w)
		l.Write([]byte("a=1\n"))
		l.Close()
		l.Write([]byte("b=2\n"))
		if got := w.get(); len(got) != 2 || got[0] != "a=1\n" || got[1] != "b=2\n" {
			t.Errorf("writes %q, want the kept line at Close, then the next at once", got)
		}
	})
	t.Run("by themselves", func(t *testing.T) {
		var w writes
		l := newLogWriter(&w)
		l.Write([]byte("a=1\n"))
		l.Write([]byte("b=2\n"))
		for deadline := time.Now().Add(10 * time.Second); len(w.get()) == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if got := w.get(); len(got) != 1 || got[0] != "a=1\nb=2\n" {
			t.Errorf("writes %q, want one of both lines", got)
		}
	})
	t.Run("full", func(t *testing.T) {
		var w writes
		l := newLogWriter(&w)
		line := strings.Repeat("x", 1023) + "\n"
		for range maxLogBuffer / len(line) {
			l.Write([]byte(line))
		}
		if got := w.get(); len(got) != 1 || len(got[0]) != maxLogBuffer {
			t.Errorf("%d writes after %d bytes, want one of them all", len(got), maxLogBuffer)
		}
		l.Flush()
	})
	t.Run("goroutines", func(t *testing.T) {
		var out bytes.Buffer
		l := newLogWriter(&out)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 500 {
					fmt.Fprintf(l, "goroutine=%d line=%d\n", g, i)
				}
			})
		}
		wg.Wait()
		l.Flush()
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 8*500 {
			t.Fatalf("%d lines, want %d", len(lines), 8*500)
		}
		next := map[string]int{}
		for _, line := range lines {
			var g, i int
			if _, err := fmt.Sscanf(line, "goroutine=%d line=%d", &g, &i); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if key := fmt.Sprint(g); i != next[key] {
				t.Fatalf("goroutine %d wrote line %d after %d", g, i, next[key]-1)
			}
			next[fmt.Sprint(g)]++
		}
	})
}
