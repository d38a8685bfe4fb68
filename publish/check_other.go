//go:build !unix

package publish

// writable cannot be asked without writing on this platform; the first
// write reports a folder that is not.
func writable(string) error { return nil }
