package postgres

import (
	"context"
	"testing"

	"github.com/feedloom/feedloom/store/storetest"
)

// BenchmarkUpsert stores a batch of 10,000 new items in one transaction.
func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, openTemp(b)) }

// BenchmarkItems reads one feed's worth (50) from a store of 100,000 items,
// with the planner's statistics brought up to date first, as autovacuum
// would on a live database.
func BenchmarkItems(b *testing.B) {
	s := openTemp(b)
	storetest.BenchItems(b, s, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `ANALYZE items`)
		return err
	})
}
