package scheduler

import (
	"context"

	"github.com/feedloom/feedloom/store"
)

// grouper writes the batches of refreshes that finish side by side in one
// transaction (groupApplier), a cluster node's above all: what its
// database spends most on is round trips, and a group's are as few as one
// refresh's. One writer takes every batch that came while the group
// before it was written, up to groupMax; a lone batch is written as it is.
// A group the store refuses is written again batch by batch, so that the
// failure is the source's that caused it and the others are stored.
type grouper struct {
	st   store.Store
	ga   groupApplier
	in   chan *groupWrite
	done chan struct{}
}

// groupWrite is one refresh's batch waiting for its group.
type groupWrite struct {
	ctx    context.Context
	source string
	b      store.Batch
	res    chan groupResult
}

type groupResult struct {
	done store.Applied
	err  error
}

func newGrouper(st store.Store, ga groupApplier) *grouper {
	g := &grouper{st: st, ga: ga, in: make(chan *groupWrite, groupMax), done: make(chan struct{})}
	go g.run()
	return g
}

// apply writes source's batch with the others that come meanwhile, within
// ctx (the group's is that of its first batch), and returns what Apply
// would.
func (g *grouper) apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	w := &groupWrite{ctx: ctx, source: source, b: b, res: make(chan groupResult, 1)}
	g.in <- w
	r := <-w.res
	return r.done, r.err
}

// close waits for the batches given so far to be written; apply must not
// be called after it.
func (g *grouper) close() {
	close(g.in)
	<-g.done
}

func (g *grouper) run() {
	defer close(g.done)
	group := make([]*groupWrite, 0, groupMax)
	for w := range g.in {
		group = append(group[:0], w)
	fill:
		for len(group) < groupMax {
			select {
			case w, ok := <-g.in:
				if !ok {
					break fill
				}
				group = append(group, w)
			default:
				break fill
			}
		}
		g.write(group)
	}
}

// write writes one group: a list's batch on its own (its names are
// decided against every list), the others together.
func (g *grouper) write(group []*groupWrite) {
	var together []*groupWrite
	for _, w := range group {
		if w.b.List != nil {
			g.one(w)
		} else {
			together = append(together, w)
		}
	}
	if len(together) > 1 {
		batches := make([]store.SourceBatch, len(together))
		for i, w := range together {
			batches[i] = store.SourceBatch{Source: w.source, Batch: w.b}
		}
		if done, err := g.ga.ApplyGroup(together[0].ctx, batches); err == nil {
			for i, w := range together {
				w.res <- groupResult{done: done[i]}
			}
			return
		}
	}
	for _, w := range together {
		g.one(w)
	}
}

func (g *grouper) one(w *groupWrite) {
	done, err := g.st.Apply(w.ctx, w.source, w.b)
	w.res <- groupResult{done, err}
}
