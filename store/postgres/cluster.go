package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/feedloom/feedloom/store"
)

// contentChannel is the LISTEN/NOTIFY channel on which every change of the
// content version is announced, with the new version as payload.
const contentChannel = "feedloom_content"

// Ping checks that the database answers, for a node's health report.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Unavailable reports whether err means the database was out of reach —
// a lost or refused connection, a server shutting down or starting, a
// timeout — so that the same request may succeed later, rather than that
// the database refused the request itself.
func (s *Store) Unavailable(err error) bool {
	if err == nil || errors.Is(err, store.ErrLeaseLost) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57: operator intervention (shutdown,
		// crash, a statement timeout); 53: out of resources; 25006: a
		// read-only server (a standby during failover); 40001, 40P01: a
		// serialization failure or deadlock; 55P03: a lock not had.
		switch {
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57"), strings.HasPrefix(pe.Code, "53"):
			return true
		}
		switch pe.Code {
		case "25006", "40001", "40P01", "55P03":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, net.ErrClosed)
}

// sessionTimeout bounds each query on the sessions of their own (the lead
// and the host slots), so that a network that drops packets silently
// cannot hang a publish or a fetch.
const sessionTimeout = 5 * time.Second

// connect opens a connection of its own, outside the pool, for the
// session-scoped work that must not tie up a pooled one: listening, and
// holding advisory locks for as long as the session lives.
func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, cfg.Copy())
}

// Listen calls changed whenever a transaction (of this or any node)
// changes the items, until ctx is done; it returns nil then. It keeps one
// connection of its own LISTENing, and calls changed once each time that
// connection starts listening, the first time included: what was committed
// before it listened would be missed otherwise. When the connection fails
// it reconnects with backoff (1 s doubling to 30 s); onError, when set,
// hears each failure.
func (s *Store) Listen(ctx context.Context, changed func(), onError func(error)) error {
	wait := time.Second
	for {
		err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return nil
		}
		if onError != nil {
			onError(fmt.Errorf("postgres: listen: %w", err))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// listen is one connection's life of Listen.
func (s *Store) listen(ctx context.Context, changed func()) error {
	conn, err := connect(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+contentChannel); err != nil {
		return err
	}
	changed()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}

// leader holds leadLock on a session of its own.
type leader struct {
	cfg *pgx.ConnConfig

	mu   sync.Mutex
	conn *pgx.Conn // non-nil while this node leads
}

// Lead reports whether this node is the cluster's leader: the one holder
// of a session advisory lock, kept on a connection of its own. The first
// node to ask becomes leader and stays so until its session ends (the
// process exits, or the connection breaks); then the next node to ask
// takes over. Every call checks the session is still alive.
func (s *Store) Lead(ctx context.Context) (bool, error) {
	return s.lead.lead(ctx)
}

func (l *leader) lead(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	defer cancel()
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err == nil {
			return true, nil
		}
		l.conn.Close(context.WithoutCancel(ctx))
		l.conn = nil
	}
	conn, err := connect(ctx, l.cfg)
	if err != nil {
		return false, fmt.Errorf("postgres: lead: %w", err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, leadLock).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return false, fmt.Errorf("postgres: lead: %w", err)
	}
	if !got {
		conn.Close(context.WithoutCancel(ctx))
		return false, nil
	}
	l.conn = conn
	return true, nil
}

func (l *leader) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		// The server frees a closed session's locks only once its backend
		// has noticed the client left; giving the lock back first hands the
		// lead over at once to the next node that asks.
		ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
		defer cancel()
		l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, leadLock)
		l.conn.Close(ctx)
		l.conn = nil
	}
}

// HostGate bounds the requests to one host across every node sharing the
// database: perHost advisory locks per host name, held on one session of
// this node's for as long as a request runs. A node that dies loses its
// session and with it its slots, so no slot outlives its holder.
type HostGate struct {
	cfg     *pgx.ConnConfig
	perHost int

	mu   sync.Mutex
	conn *pgx.Conn
	gen  int               // which session conn is: a slot is given back only on the session that took it
	held map[[2]int32]bool // slots this node holds: a session may take its own lock again
}

// gateRetry is the longest pause between two tries for a slot.
const gateRetry = 200 * time.Millisecond

// HostGate returns a gate of perHost slots per host (at least 1).
func (s *Store) HostGate(perHost int) *HostGate {
	return &HostGate{cfg: s.pool.Config().ConnConfig, perHost: max(perHost, 1), held: map[[2]int32]bool{}}
}

// Acquire waits until one of host's slots is free in the whole cluster and
// takes it, or ctx is done. Host names are compared without case. The
// returned release gives the slot back; it is safe to call more than once.
func (g *HostGate) Acquire(ctx context.Context, host string) (release func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(host)))
	key := int32(h.Sum32())
	pause := 10 * time.Millisecond
	for {
		slot, gen, err := g.try(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("postgres: slot for %s: %w", host, err)
		}
		if slot >= 0 {
			var once sync.Once
			return func() { once.Do(func() { g.release(key, slot, gen) }) }, nil
		}
		// Jittered, so that nodes waiting for one host do not retry in step.
		t := time.NewTimer(pause/2 + rand.N(pause))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("postgres: slot for %s: %w", host, ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, gateRetry)
	}
}

// try takes a free slot of key, or returns -1 when all are taken, with
// the session it was taken on.
func (g *HostGate) try(ctx context.Context, key int32) (int32, int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	defer cancel()
	if g.conn == nil || g.conn.IsClosed() {
		conn, err := connect(ctx, g.cfg)
		if err != nil {
			return -1, 0, err
		}
		g.conn = conn
		g.gen++
		clear(g.held) // a new session holds nothing
	}
	for slot := range int32(g.perHost) {
		if g.held[[2]int32{key, slot}] {
			continue
		}
		var got bool
		err := g.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1::int4, $2::int4)`, key, slot).Scan(&got)
		if err != nil {
			g.drop()
			return -1, 0, err
		}
		if got {
			g.held[[2]int32{key, slot}] = true
			return slot, g.gen, nil
		}
	}
	return -1, 0, nil
}

// release gives back a slot taken on session gen. Should that session
// have ended meanwhile, the lock went with it, and the same slot on a
// newer session is someone else's.
func (g *HostGate) release(key, slot int32, gen int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gen != g.gen || g.conn == nil || !g.held[[2]int32{key, slot}] {
		return
	}
	delete(g.held, [2]int32{key, slot})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := g.conn.Exec(ctx, `SELECT pg_advisory_unlock($1::int4, $2::int4)`, key, slot); err != nil {
		g.drop()
	}
}

// drop ends a broken session; its locks end with it.
func (g *HostGate) drop() {
	if g.conn != nil {
		g.conn.Close(context.Background())
		g.conn = nil
	}
	clear(g.held)
}

// Close ends the gate's session, letting go of every slot it holds.
func (g *HostGate) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.drop()
	return nil
}
