package postgres

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store/storetest"
)

// listening starts s.Listen and returns a channel that gets a value for
// each call of changed.
func listening(t *testing.T, s *Store) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan struct{}, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Listen(ctx, func() { got <- struct{}{} }, nil)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return got
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
	}
}

func quiet(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("unexpected %s", what)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestListen: a node hears, once it listens, the item changes of another
// node's store, and nothing for writes that change no item.
func TestListen(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	heard := listening(t, b)
	// Listen calls changed once it listens, for what came before.
	wait(t, heard, "the call once listening")
	quiet(t, heard, "a second call without a change")

	item := feeds.Item{ID: "urn:x", Title: "X", Language: "en", Published: t0, Updated: t0}
	if _, err := storetest.Upsert(ctx, a, "newsroom", []feeds.Item{item}); err != nil {
		t.Fatal(err)
	}
	wait(t, heard, "notification of an insert")
	// The same item again changes nothing, nor does a fetch state.
	if _, err := storetest.Upsert(ctx, a, "newsroom", []feeds.Item{item}); err != nil {
		t.Fatal(err)
	}
	mustSave(t, a, "newsroom", sources.State{CheckedAt: t0})
	quiet(t, heard, "notification without a change")
	if _, err := a.Release(ctx, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Remove(ctx, a, "newsroom", []string{"urn:x"}); err != nil {
		t.Fatal(err)
	}
	wait(t, heard, "notification of a removal")
}

// waitListening waits until some session of this test's database listens
// on the content channel (other packages' tests listen on theirs).
func waitListening(t *testing.T, s *Store) {
	t.Helper()
	for range 200 {
		var n int
		if err := s.pool.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query = 'LISTEN `+contentChannel+`'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("Listen did not start listening")
}

// throughProxy returns dsn pointing at a proxy in front of its server.
func throughProxy(t *testing.T, dsn string) (string, *testenv.Proxy) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skip("the proxy tests need a postgres:// URL")
	}
	p := testenv.NewProxy(t, u.Host)
	u.Host = p.Addr()
	return u.String(), p
}

// TestListenReconnects: when the connection breaks, Listen reports it,
// reconnects, calls changed once for what it may have missed, and hears
// later changes.
func TestListenReconnects(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	viaProxy, proxy := throughProxy(t, dsn)
	writer := openAt(t, dsn)
	node := openAt(t, viaProxy)

	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	heard := make(chan struct{}, 100)
	broken := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		node.Listen(lctx, func() { heard <- struct{}{} }, func(error) {
			select {
			case broken <- struct{}{}:
			default: // one report is enough
			}
		})
	})
	wait(t, heard, "the call once listening")

	proxy.Cut()
	item := feeds.Item{ID: "urn:y", Title: "Y", Language: "en", Published: t0, Updated: t0}
	if _, err := storetest.Upsert(ctx, writer, "newsroom", []feeds.Item{item}); err != nil {
		t.Fatal(err)
	}
	// Listen has seen the connection break (and waits a second before
	// reconnecting) before the proxy lets connections through again.
	wait(t, broken, "report of the broken connection")
	proxy.Restore()
	wait(t, heard, "catch-up call after reconnecting")
	waitListening(t, writer)
	item.Title = "Y2"
	if _, err := storetest.Upsert(ctx, writer, "newsroom", []feeds.Item{item}); err != nil {
		t.Fatal(err)
	}
	wait(t, heard, "notification after reconnecting")
	cancel()
	wg.Wait()
}

// TestLead: one node of several leads; when its session ends, another
// takes over on its next call.
func TestLead(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	for i, want := range []bool{true, true} {
		if got, err := a.Lead(ctx); err != nil || got != want {
			t.Fatalf("a.Lead #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	if got, err := b.Lead(ctx); err != nil || got {
		t.Fatalf("b.Lead while a leads = %v, %v; want false", got, err)
	}
	a.Close()
	if got, err := b.Lead(ctx); err != nil || !got {
		t.Fatalf("b.Lead after a closed = %v, %v; want true", got, err)
	}
}

// TestLeadLostSession: a leader whose connection breaks stops leading, so
// that another node can.
func TestLeadLostSession(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	viaProxy, proxy := throughProxy(t, dsn)
	a, b := openAt(t, viaProxy), openAt(t, dsn)
	if got, err := a.Lead(ctx); err != nil || !got {
		t.Fatalf("a.Lead = %v, %v; want true", got, err)
	}
	proxy.Cut()
	if got, _ := a.Lead(ctx); got {
		t.Error("a still leads without a connection")
	}
	// The server notices the closed session at once on loopback; give it
	// a moment all the same.
	var got bool
	for range 100 {
		var err error
		if got, err = b.Lead(ctx); err != nil {
			t.Fatal(err)
		}
		if got {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !got {
		t.Fatal("b did not take over the lead")
	}
	proxy.Restore()
	if got, err := a.Lead(ctx); err != nil || got {
		t.Errorf("a.Lead after reconnecting = %v, %v; want false (b leads)", got, err)
	}
}

// TestHostGate: two nodes with two slots per host never hold more than
// two slots of one host together; other hosts are not held up; a node
// that loses its session loses its slots.
func TestHostGate(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	viaProxy, proxy := throughProxy(t, dsn)
	a, b := openAt(t, dsn).HostGate(2), openAt(t, viaProxy).HostGate(2)
	defer a.Close()
	defer b.Close()

	var mu sync.Mutex
	inFlight, peak := 0, 0
	var wg sync.WaitGroup
	for i := range 12 {
		g := a
		if i%2 == 1 {
			g = b
		}
		wg.Go(func() {
			release, err := g.Acquire(ctx, "Example.org")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			inFlight--
			mu.Unlock()
			release()
			release() // twice is harmless
		})
	}
	wg.Wait()
	if peak != 2 {
		t.Errorf("peak requests to one host = %d, want 2", peak)
	}

	// b holds both slots of example.org; a waits, but not for another host.
	r1, err := b.Acquire(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.Acquire(ctx, "EXAMPLE.org")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	if _, err := a.Acquire(short, "example.org"); err == nil {
		t.Error("a took a third slot of example.org")
	}
	cancel()
	other, err := a.Acquire(ctx, "example.net")
	if err != nil {
		t.Fatal(err)
	}
	other()

	// b's session dies: its slots are free for a.
	proxy.Cut()
	got, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	release, err := a.Acquire(got, "example.org")
	if err != nil {
		t.Fatalf("slot of a dead session not freed: %v", err)
	}
	release()
	r1()
	r2()
}

// TestUnavailable: errors of a database out of reach are told apart from
// the database refusing a write.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	viaProxy, proxy := throughProxy(t, dsn)
	s := openAt(t, viaProxy)
	_, refused := storetest.Upsert(ctx, s, "newsroom", []feeds.Item{{ID: "urn:z", Title: "Nul \x00 byte", Language: "en", Published: t0, Updated: t0}})
	if refused == nil {
		t.Fatal("a NUL byte in a title was stored")
	}
	if s.Unavailable(refused) {
		t.Errorf("Unavailable(%v) = true, want false: the database refused it", refused)
	}
	proxy.Cut()
	_, away := s.Version(ctx)
	if away == nil {
		t.Fatal("Version through a cut connection succeeded")
	}
	if !s.Unavailable(away) {
		t.Errorf("Unavailable(%v) = false, want true", away)
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := s.Version(cctx)
	if err == nil || !s.Unavailable(err) {
		t.Errorf("Unavailable(%v) = false for a connect that was turned away", err)
	}
}

// TestHostGateKeepsSlots: a slot given back is kept for the node's next
// request to the host, without a round trip; another node gets it once it
// has been idle for gateIdle, and a node busy with the host lets it go
// once it has held it for gateHold.
func TestHostGateKeepsSlots(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	sa := openAt(t, dsn)
	a, b := sa.HostGate(1), openAt(t, dsn).HostGate(1)
	defer a.Close()
	defer b.Close()

	r, err := a.Acquire(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	r()
	before := sa.RoundTrips()
	r, err = a.Acquire(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if n := sa.RoundTrips() - before; n != 0 {
		t.Errorf("taking a kept slot again made %d round trips, want 0", n)
	}
	r()

	// Idle: b gets the slot once a let it go.
	start := time.Now()
	rb, err := b.Acquire(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("b waited %s for a slot idle on a", waited)
	}
	rb()
	time.Sleep(2 * gateIdle) // b lets it go too

	// Busy: a takes the slot again and again; b still gets it.
	stop := make(chan struct{})
	done, holding := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for first := true; ; first = false {
			select {
			case <-stop:
				return
			default:
			}
			r, err := a.Acquire(ctx, "example.org")
			if err != nil {
				t.Error(err)
				return
			}
			if first {
				close(holding)
			}
			time.Sleep(5 * time.Millisecond)
			r()
		}
	}()
	<-holding
	wctx, cancel := context.WithTimeout(ctx, 4*gateHold)
	defer cancel()
	rb, err = b.Acquire(wctx, "example.org")
	if err == nil {
		rb()
	}
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("b never got the slot a kept taking: %v", err)
	}
}

// TestHostGateOnePoller: of a node's requests waiting for one host, one at
// a time asks the database; the others wait for it, then get their turn.
func TestHostGateOnePoller(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	sb := openAt(t, dsn)
	a, b := openAt(t, dsn).HostGate(1), sb.HostGate(1)
	defer a.Close()
	defer b.Close()
	hold, err := a.Acquire(ctx, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	before := sb.RoundTrips()
	wctx, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := b.Acquire(wctx, "example.org"); err == nil {
				t.Error("b took a slot a holds")
			}
		})
	}
	wg.Wait()
	cancel()
	// One waiter backing off from 10 ms to 200 ms asks about 7 times in
	// 600 ms (plus b's connection); five asking each would ask 35.
	if n := sb.RoundTrips() - before; n > 14 {
		t.Errorf("5 waiters made %d round trips in 600 ms, want those of one", n)
	}
	hold()
	// Every waiter still gets its turn once the slot is free.
	for range 3 {
		r, err := b.Acquire(ctx, "example.org")
		if err != nil {
			t.Fatal(err)
		}
		r()
	}
}
