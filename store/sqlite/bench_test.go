package sqlite

import (
	"testing"

	"github.com/feedloom/feedloom/store/storetest"
)

// BenchmarkUpsert stores a batch of 10,000 new items in one transaction.
func BenchmarkUpsert(b *testing.B) { storetest.BenchUpsert(b, openTemp(b)) }

// BenchmarkItems reads one feed's worth (50) from a store of 100,000 items.
func BenchmarkItems(b *testing.B) { storetest.BenchItems(b, openTemp(b), nil) }
