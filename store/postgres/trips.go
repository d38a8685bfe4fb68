package postgres

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// trips counts the round trips a Store's connections make to the server:
// each statement sent on its own (BEGIN and COMMIT included) and each
// pipelined batch once, however many statements it holds. It is what a
// refresh costs the database beyond the work of its statements, and what
// the cluster benchmark reports per refresh.
type trips struct{ n atomic.Uint64 }

var (
	_ pgx.QueryTracer    = (*trips)(nil)
	_ pgx.BatchTracer    = (*trips)(nil)
	_ pgx.CopyFromTracer = (*trips)(nil)
)

func (t *trips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (t *trips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *trips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (t *trips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (t *trips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (t *trips) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	t.n.Add(1)
	return ctx
}

func (t *trips) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// RoundTrips reports how many round trips the Store's connections (the
// pool's, the listener's, the leader's and the host gates') have made to
// the server since it was opened.
func (s *Store) RoundTrips() uint64 { return s.trips.n.Load() }
