package main

import (
	"io"
	"sync"
	"time"
)

// logDelay is how long a log line may wait for others to share its write.
const logDelay = 20 * time.Millisecond

// maxLogBuffer is what a logWriter holds before it writes at once.
const maxLogBuffer = 64 << 10

// logWriter gathers the lines written to it for up to logDelay and writes
// them to w in one call. A pass logs a line for each source, one write to
// stderr each: at 10,000 sources answering 304 those writes were a twentieth
// of a warm build's CPU (and a write of the store's goroutine, which every
// write of the pass waits for). A process that dies unflushed loses at most
// logDelay of lines; the commands close it before they return.
type logWriter struct {
	w      io.Writer
	mu     sync.Mutex
	buf    []byte
	timer  *time.Timer
	closed bool // Close was called: lines go straight to w
}

func newLogWriter(w io.Writer) *logWriter { return &logWriter{w: w} }

// Write keeps p for the next flush. It never fails: what the writer
// underneath refuses is lost, as it would have been written directly.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.w.Write(p)
		return len(p), nil
	}
	l.buf = append(l.buf, p...)
	switch {
	case len(l.buf) >= maxLogBuffer:
		l.flushLocked()
	case l.timer == nil:
		l.timer = time.AfterFunc(logDelay, l.Flush)
	}
	return len(p), nil
}

// Flush writes what is kept.
func (l *logWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

// Close writes what is kept, and every line after it at once: a command
// closes its writer as it returns, and what is still logged then (a
// handler that outlived the server's shutdown) must not wait for a flush
// the process may exit before.
func (l *logWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	l.closed = true
	return nil
}

func (l *logWriter) flushLocked() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.buf) > 0 {
		l.w.Write(l.buf)
		l.buf = l.buf[:0]
	}
}
