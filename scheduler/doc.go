// Package scheduler chains feedloom's steps: it fetches each source, hands
// the stories to normalize, writes the items to the store and has publish
// write the output. RunOnce is one such pass (feedloom build); Run keeps
// every source on its schedule (feedloom serve). It is the only package
// that calls from one step into the next.
//
// Chaining and coordination are apart: RunOnce and Run each take one path
// through the steps, and ask a coordinator (coordinator.go) which process
// refreshes a source and when, whose write counts, and who pings the hub —
// a process on its own, or one node of a cluster sharing a PostgreSQL store
// (cluster.go: leases, fencing, notifications, the leader). A tick, Run's
// start, a Trigger and an Add all reach the coordinator the same way.
package scheduler
