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
	ctx = purpose(ctx, store.PurposeCluster)
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
	ctx = purpose(ctx, store.PurposeCluster)
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
	return s.lead.lead(purpose(ctx, store.PurposeCluster))
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
// this node's. A node that dies loses its session and with it its slots,
// so no slot outlives its holder.
//
// A slot is a round trip to take and one to give back, and a node fetches
// one host again and again: so a slot given back is kept a while (gateIdle)
// for this node's next request to that host, and is let go for good once
// it has been held gateHold since it was taken, whoever waits — a node busy
// with one host cannot keep it from the other nodes for longer than that.
type HostGate struct {
	cfg     *pgx.ConnConfig
	perHost int

	mu    sync.Mutex
	conn  *pgx.Conn
	gen   int                    // which session conn is: a slot is given back only on the session that took it
	held  map[[2]int32]gateSlot  // slots this node holds: a session may take its own lock again
	cool  map[[2]int32]time.Time // slots let go after gateHold, not to be taken again before then
	sweep *time.Timer            // lets go of the kept slots gone idle
	// freed is closed, per host key, when this node gives back one of its
	// slots: its own waiters try again at once rather than at their next
	// pause's end.
	freed   map[int32]chan struct{}
	polling map[int32]bool // keys one of this node's waiters asks the database for
}

// gateSlot is one slot this node holds: since when, and whether a request
// uses it now.
type gateSlot struct {
	taken time.Time
	idle  time.Time // when it was last given back; zero while in use
}

const (
	// gateRetry is the longest pause between two tries for a slot, and
	// gateFirstPause the first: a slot another node holds is held for a
	// request, tens of milliseconds, and each try is a round trip.
	gateRetry      = 200 * time.Millisecond
	gateFirstPause = 25 * time.Millisecond
	// gateIdle is how long a slot given back is kept for this node's next
	// request to its host.
	gateIdle = 250 * time.Millisecond
	// gateHold is how long a node keeps a slot it took before letting
	// it go at its next release; it then leaves the slot to the other
	// nodes for gateCool, longer than their pause between two tries.
	gateHold = 2 * time.Second
	gateCool = 2 * gateRetry
)

// HostGate returns a gate of perHost slots per host (at least 1).
func (s *Store) HostGate(perHost int) *HostGate {
	return &HostGate{cfg: s.pool.Config().ConnConfig, perHost: max(perHost, 1),
		held: map[[2]int32]gateSlot{}, cool: map[[2]int32]time.Time{},
		freed: map[int32]chan struct{}{}, polling: map[int32]bool{}}
}

// Acquire waits until one of host's slots is free in the whole cluster and
// takes it, or ctx is done. Host names are compared without case. The
// returned release gives the slot back; it is safe to call more than once.
func (g *HostGate) Acquire(ctx context.Context, host string) (release func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(host)))
	key := int32(h.Sum32())
	ctx = purpose(ctx, store.PurposeGate)
	pause := gateFirstPause
	polls := false // this waiter is the node's one asking the database for key
	defer func() {
		if polls {
			g.stopPolling(key)
		}
	}()
	for {
		slot, gen, freed, err := g.try(ctx, key, &polls)
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
			pause = min(2*pause, gateRetry)
		case <-freed:
			t.Stop()
		}
	}
}

// stopPolling ends a waiter's turn asking the database for key's slots,
// and wakes the node's other waiters, one of which takes the turn.
func (g *HostGate) stopPolling(key int32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.polling, key)
	g.wake(key)
}

// wake wakes the node's waiters for key; g.mu is held.
func (g *HostGate) wake(key int32) {
	if ch, ok := g.freed[key]; ok {
		close(ch)
		delete(g.freed, key)
	}
}

// trySlot takes the first free slot ($2 of them) of key $1 that this
// session does not hold already, nor leaves to the others now ($3), in
// one round trip. CASE keeps the
// lock function from ever running on a held slot, which would take it a
// second time.
const trySlot = `SELECT s FROM generate_series(0, $2::int4 - 1) AS s
WHERE CASE WHEN s = ANY($3::int4[]) THEN false ELSE pg_try_advisory_lock($1::int4, s) END
LIMIT 1`

// try takes a free slot of key, a kept one first, or returns -1 when all
// are taken, with the session it was taken on; and the channel closed when
// this node next gives back a slot of key. Of a node's waiters for key one
// at a time asks the database (polls): the others wait for it, or for a
// slot the node gives back, rather than each making a round trip.
func (g *HostGate) try(ctx context.Context, key int32, polls *bool) (slot int32, gen int, freed <-chan struct{}, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ch, ok := g.freed[key]
	if !ok {
		ch = make(chan struct{})
		g.freed[key] = ch
	}
	if slot, gen, ok = g.kept(key); ok {
		return slot, gen, ch, nil
	}
	if g.polling[key] && !*polls {
		return -1, 0, ch, nil
	}
	slot, gen, err = g.take(ctx, key)
	switch {
	case err == nil && slot < 0:
		g.polling[key], *polls = true, true
	case *polls:
		// Done asking: another waiter takes the turn.
		delete(g.polling, key)
		*polls = false
		g.wake(key)
	}
	return slot, gen, ch, err
}

// kept takes a slot of key this node kept after a request, if it may;
// g.mu is held.
func (g *HostGate) kept(key int32) (int32, int, bool) {
	now := time.Now()
	for slot := range int32(g.perHost) {
		k := [2]int32{key, slot}
		if held, ok := g.held[k]; ok && !held.idle.IsZero() && now.Sub(held.taken) < gateHold {
			held.idle = time.Time{}
			g.held[k] = held
			return slot, g.gen, true
		}
	}
	return -1, 0, false
}

// take asks the database for a free slot of key; g.mu is held.
func (g *HostGate) take(ctx context.Context, key int32) (int32, int, error) {
	now := time.Now()
	mine := make([]int32, 0, g.perHost)
	for slot := range int32(g.perHost) {
		k := [2]int32{key, slot}
		if until, ok := g.cool[k]; ok {
			if now.Before(until) {
				mine = append(mine, slot) // not held, but not to be taken either
				continue
			}
			delete(g.cool, k)
		}
		if _, ok := g.held[k]; ok {
			mine = append(mine, slot)
		}
	}
	if len(mine) == g.perHost {
		return -1, 0, nil
	}
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
		mine = mine[:0]
	}
	var slot int32
	err := g.conn.QueryRow(ctx, trySlot, key, g.perHost, mine).Scan(&slot)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return -1, 0, nil
	case err != nil:
		g.drop()
		return -1, 0, err
	}
	g.held[[2]int32{key, slot}] = gateSlot{taken: now}
	return slot, g.gen, nil
}

// release gives back a slot taken on session gen: kept for this node's
// next request to the host if it was taken less than gateHold ago, else
// let go. Should that session have ended meanwhile, the lock went with it,
// and the same slot on a newer session is someone else's.
func (g *HostGate) release(key, slot int32, gen int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := [2]int32{key, slot}
	held, ok := g.held[k]
	if gen != g.gen || g.conn == nil || !ok {
		return
	}
	g.wake(key)
	now := time.Now()
	if now.Sub(held.taken) < gateHold {
		held.idle = now
		g.held[k] = held
		if g.sweep == nil {
			g.sweep = time.AfterFunc(gateIdle, g.letGo)
		}
		return
	}
	delete(g.held, k)
	g.cool[k] = now.Add(gateCool)
	g.unlock([]int32{key}, []int32{slot})
}

// unlockSlots lets go of the slots ($1, $2 pairwise) in one round trip.
const unlockSlots = `SELECT count(pg_advisory_unlock(k, s)) FROM unnest($1::int4[], $2::int4[]) AS u(k, s)`

// unlock lets go of slots on the session; g.mu is held.
func (g *HostGate) unlock(keys, slots []int32) {
	ctx, cancel := context.WithTimeout(purpose(context.Background(), store.PurposeGate), sessionTimeout)
	defer cancel()
	if _, err := g.conn.Exec(ctx, unlockSlots, keys, slots); err != nil {
		g.drop()
	}
}

// letGo lets go of the kept slots idle for gateIdle or held for gateHold,
// and comes again while any slot is kept.
func (g *HostGate) letGo() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep = nil
	now := time.Now()
	var keys, slots []int32
	kept := false
	for k, held := range g.held {
		switch {
		case held.idle.IsZero():
		case now.Sub(held.idle) >= gateIdle || now.Sub(held.taken) >= gateHold:
			keys, slots = append(keys, k[0]), append(slots, k[1])
			delete(g.held, k)
			if now.Sub(held.taken) >= gateHold {
				g.cool[k] = now.Add(gateCool)
			}
		default:
			kept = true
		}
	}
	if len(keys) > 0 && g.conn != nil {
		g.unlock(keys, slots)
	}
	if kept && g.conn != nil {
		g.sweep = time.AfterFunc(gateIdle, g.letGo)
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
	if g.sweep != nil {
		g.sweep.Stop()
		g.sweep = nil
	}
	g.drop()
	return nil
}
