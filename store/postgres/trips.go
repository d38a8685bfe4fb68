package postgres

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

// trips counts the round trips a Store's connections make to the server:
// each statement sent on its own (BEGIN and COMMIT included) and each
// pipelined batch once, however many statements it holds, by what they
// were for (store.Purpose). It is what a refresh costs the database beyond
// the work of its statements, and what the cluster benchmark reports per
// refresh.
type trips struct {
	mu  sync.Mutex
	n   map[string]*atomic.Uint64
	all atomic.Uint64
}

// Purposes of the round trips this package makes for itself; the others
// count under the purpose their caller marked, or "other".
const (
	forClaim   = "claim"   // leasing sources, with what a refresh reads
	forWrite   = "write"   // storing refreshes, lifting embargoes
	forLease   = "lease"   // renewing and letting go of leases, looking for expired ones
	forGate    = "gate"    // per-host slots
	forCluster = "cluster" // listening, leading, health
)

func (t *trips) add(ctx context.Context) {
	t.all.Add(1)
	p := store.Purpose(ctx, "other")
	t.mu.Lock()
	c := t.n[p]
	if c == nil {
		if t.n == nil {
			t.n = map[string]*atomic.Uint64{}
		}
		c = new(atomic.Uint64)
		t.n[p] = c
	}
	t.mu.Unlock()
	c.Add(1)
}

var (
	_ pgx.QueryTracer    = (*trips)(nil)
	_ pgx.BatchTracer    = (*trips)(nil)
	_ pgx.CopyFromTracer = (*trips)(nil)
)

func (t *trips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	t.add(ctx)
	return ctx
}

func (t *trips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *trips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.add(ctx)
	return ctx
}

func (t *trips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (t *trips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (t *trips) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	t.add(ctx)
	return ctx
}

func (t *trips) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// RoundTrips reports how many round trips the Store's connections (the
// pool's, the listener's, the leader's and the host gates') have made to
// the server since it was opened.
func (s *Store) RoundTrips() uint64 { return s.trips.all.Load() }

// RoundTripsFor reports RoundTrips by purpose.
func (s *Store) RoundTripsFor() map[string]uint64 {
	t := s.trips
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]uint64, len(t.n))
	for p, c := range t.n {
		out[p] = c.Load()
	}
	return out
}

// purpose marks ctx with p unless its caller marked it already.
func purpose(ctx context.Context, p string) context.Context {
	if store.Purpose(ctx, "") != "" {
		return ctx
	}
	return store.WithPurpose(ctx, p)
}
