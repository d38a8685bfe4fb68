// Package scheduler chains feedloom's steps: it fetches each source, hands
// the stories to normalize, writes the items to the store and has publish
// write the output. RunOnce is one such pass (feedloom build); it is the only
// package that calls from one step into the next.
package scheduler
