package feed

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// recordingGate is a Gate that logs what it is asked and fails on demand.
type recordingGate struct {
	mu    sync.Mutex
	log   []string
	held  int
	err   error
	block bool // wait for ctx instead, as a gate whose slots are all taken
}

func (g *recordingGate) Acquire(ctx context.Context, host string) (func(), error) {
	g.mu.Lock()
	g.log = append(g.log, "acquire "+host)
	block := g.block
	g.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return nil, g.err
	}
	g.held++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.held--
		g.log = append(g.log, "release "+host)
	}, nil
}

// TestGate: every request, redirects included, takes a cluster slot for
// its own host and gives it back once answered; a gate that cannot be
// reached makes the fetch ErrNotNow, not the source's failure, while a
// fetch cancelled while waiting is an ordinary error.
func TestGate(t *testing.T) {
	body := fixture(t, "rss20.xml")
	final := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	first := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(final.URL, "127.0.0.1", "localhost", 1)+"/feed.xml", http.StatusFound)
	}))
	gate := &recordingGate{}
	opts := testOptions(t)
	opts.Gate = gate
	src := New("up", first.URL+"/feed.xml", opts)
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil || len(res.Stories) != 3 {
		t.Fatalf("Fetch = %d stories, %v", len(res.Stories), err)
	}
	if got, want := strings.Join(gate.log, ", "), "acquire 127.0.0.1, release 127.0.0.1, acquire localhost, release localhost"; got != want {
		t.Errorf("gate saw %q, want %q", got, want)
	}
	if gate.held != 0 {
		t.Errorf("%d slots still held", gate.held)
	}

	gate.err = errors.New("postgres: slot for 127.0.0.1: connection refused")
	_, err = New("up", final.URL+"/feed.xml", opts).Fetch(context.Background(), sources.State{})
	if !errors.Is(err, sources.ErrNotNow) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("gate away: %v, want ErrNotNow naming the cause", err)
	}

	// The fetch's own deadline ends while it waits for a slot.
	gate.err, gate.block, gate.log = nil, true, nil
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = New("up", final.URL+"/feed.xml", opts).Fetch(ctx, sources.State{})
	if err == nil || errors.Is(err, sources.ErrNotNow) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline while waiting for a slot: %v, want a deadline error that is not ErrNotNow", err)
	}
	if len(gate.log) != 1 {
		t.Errorf("gate saw %q, want the one wait", gate.log)
	}
}
