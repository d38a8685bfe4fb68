//go:build !unix

package main

import "testing"

// refusedAddr is an address nothing listens on: listened on once, then
// closed.
func refusedAddr(t *testing.T) string { return freeAddr(t) }
