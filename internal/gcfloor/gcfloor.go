// Package gcfloor lets a process's heap grow to a floor before the garbage
// collector paces it by GOGC. Go's collector starts at a 4 MiB heap and
// collects each time the heap doubles what was live: a refresh, which
// allocates its way through thousands of documents with a few tens of MiB
// live, spends a sixth of its CPU collecting. With a floor the heap goal is
// the larger of the floor and what GOGC gives, so a small heap is collected
// far less often and a large one exactly as before: unlike a memory limit,
// a floor never makes the collector run more often than GOGC would.
//
// A heap grown to the floor is memory the process touches for the first
// time, and each page of it is a fault the kernel serves: on a virtual
// machine about 5 µs, 20-40 ms for the pages of a 96 MiB floor. A process
// that allocates little saves less than that in collections (a warm build
// of 1,000 feeds took 0.02 s more system time with the floor, and no less
// user time), so the floor waits until the process has allocated a given
// amount in all.
package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Floor keeps the heap goal at or above its bytes while it runs.
type Floor struct {
	bytes uint64
	after uint64 // bytes allocated before the floor holds
	base  int    // the GOGC in force when it started

	mu      sync.Mutex
	stopped bool
	seen    int // collections heard of
	sample  []metrics.Sample
}

// Start keeps the heap goal at or above bytes, from the first collection
// after the process has allocated after bytes in all, until Stop. It does
// nothing, and returns nil, when GOGC turns the collector off.
func Start(bytes, after uint64) *Floor {
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if base < 0 {
		return nil
	}
	f := &Floor{bytes: bytes, after: after, base: base, sample: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}, {Name: "/gc/gogc:percent"},
		{Name: "/gc/heap/allocs:bytes"},
	}}
	f.arm()
	return f
}

// Stop gives the collector back its own pacing.
func (f *Floor) Stop() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	debug.SetGCPercent(f.base)
}

// maxPercent bounds the GOGC set. A collection that begins right after the
// last one may come and go before the next sentinel is let go (an object
// allocated while the collector marks survives that cycle), and then the
// GOGC set for one live heap serves the next: bounded, the goal a missed
// cycle leaves is at most five times what is live, and a heap of less
// than a fifth of the floor reaches it over a few cycles, not one.
const maxPercent = 400

// sentinel is what is let go so that its cleanup tells of a collection.
// Larger than the tiny allocator's 16 bytes, so it is freed on its own.
type sentinel [32]byte

// arm asks to hear of the next collection: a cleanup runs once the
// sentinel is collected, on the first cycle after this one.
func (f *Floor) arm() {
	s := new(sentinel)
	runtime.AddCleanup(s, func(f *Floor) { f.collected() }, f)
}

// collected sets GOGC so that the next heap goal is the floor, or what the
// base GOGC gives when that is more. The goal is what was live plus GOGC
// percent of what the collector scans (the live heap, stacks and globals),
// so the bytes one percent stands for are read off the goal in force.
func (f *Floor) collected() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return
	}
	defer f.arm()
	f.seen++
	metrics.Read(f.sample)
	live, goal, gogc, allocs := f.sample[0].Value, f.sample[1].Value, f.sample[2].Value, f.sample[3].Value
	for _, v := range []metrics.Value{live, goal, gogc, allocs} {
		if v.Kind() != metrics.KindUint64 {
			return
		}
	}
	if allocs.Uint64() < f.after {
		return // GOGC is still the base
	}
	l, g, p := live.Uint64(), goal.Uint64(), gogc.Uint64()
	if p == 0 || g <= l {
		return
	}
	perPercent := float64(g-l) / float64(p)
	pct := f.base
	if f.bytes > l {
		pct = max(pct, int(min(float64(f.bytes-l)/perPercent, maxPercent)))
	}
	if uint64(pct) != p {
		debug.SetGCPercent(pct)
	}
}
