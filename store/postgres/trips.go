package postgres

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

// trips counts the round trips a Store's connections make to the server:
// each statement sent on its own (BEGIN and COMMIT included) and each
// pipelined batch once, however many statements it holds, by what they
// were for (store.Purposes). It is what a refresh costs the database
// beyond the work of its statements, and what the cluster benchmark
// reports per refresh. It is read-only but for its counters.
type trips struct {
	purposes []string
	index    map[string]int // purpose → its counter
	n        []atomic.Uint64
	other    int
}

func newTrips() *trips {
	t := &trips{purposes: store.Purposes(), index: map[string]int{}}
	for i, p := range t.purposes {
		t.index[p] = i
	}
	t.n = make([]atomic.Uint64, len(t.purposes))
	t.other = t.index[store.PurposeOther]
	return t
}

func (t *trips) add(ctx context.Context) {
	i, ok := t.index[store.Purpose(ctx, store.PurposeOther)]
	if !ok {
		i = t.other
	}
	t.n[i].Add(1)
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
func (s *Store) RoundTrips() uint64 {
	var all uint64
	for i := range s.trips.n {
		all += s.trips.n[i].Load()
	}
	return all
}

// RoundTripsFor reports RoundTrips by purpose.
func (s *Store) RoundTripsFor() map[string]uint64 {
	out := make(map[string]uint64, len(s.trips.purposes))
	for i, p := range s.trips.purposes {
		out[p] = s.trips.n[i].Load()
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
