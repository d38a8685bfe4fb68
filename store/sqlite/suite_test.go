package sqlite

import (
	"testing"

	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// TestSuite runs the behaviour suite every store shares.
func TestSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}
