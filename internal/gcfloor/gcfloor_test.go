package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// after collects, then waits for the floor to have seen the collection
// (its cleanup runs on a goroutine of its own) and returns the heap goal
// and GOGC then in force.
func after(t *testing.T, f *Floor) (goal uint64, gogc int) {
	t.Helper()
	seen := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.seen
	}
	n := seen()
	runtime.GC()
	for deadline := time.Now().Add(10 * time.Second); seen() == n; {
		if time.Now().After(deadline) {
			t.Fatal("the floor never heard of the collection")
		}
		time.Sleep(time.Millisecond)
	}
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), int(s[1].Value.Uint64())
}

func fill(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 1
	}
	return b
}

// TestFloor: with 16 MiB live, Go's default goal is 32 MiB; a 64 MiB
// floor raises it to 64 MiB. With 48 MiB live the default, 96 MiB, is
// more than the floor and stays. Stop gives GOGC back.
func TestFloor(t *testing.T) {
	base := debug.SetGCPercent(100)
	defer debug.SetGCPercent(base)
	const mib = 1 << 20

	live := fill(16 * mib)
	f := Start(64*mib, 0)
	var goal uint64
	var gogc int
	for range 3 { // the floor is reached over a collection or two
		goal, gogc = after(t, f)
	}
	if goal < 60*mib || goal > 68*mib || gogc <= 100 {
		t.Errorf("16 MiB live: goal %d MiB, GOGC %d; want about 64 MiB, above 100", goal/mib, gogc)
	}

	more := fill(32 * mib)
	goal, gogc = after(t, f)
	if gogc != 100 || goal < 90*mib {
		t.Errorf("48 MiB live: goal %d MiB, GOGC %d; want Go's own, 100", goal/mib, gogc)
	}
	runtime.KeepAlive(more)

	f.Stop()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after Stop, GOGC = %d, want 100 back", got)
	}
	runtime.KeepAlive(live)
}

// TestFloorOff: GOGC=off is left off.
func TestFloorOff(t *testing.T) {
	base := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(base)
	if f := Start(64<<20, 0); f != nil {
		f.Stop()
		t.Fatal("Start with the collector off returned a floor")
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC = %d, want it left off", got)
	}
}

// sink keeps the compiler from leaving out the garbage TestFloorAfter makes.
var sink []byte

// TestFloorAfter: the floor holds only once the process has allocated the
// bytes it waits for; until then GOGC stays the base.
func TestFloorAfter(t *testing.T) {
	base := debug.SetGCPercent(100)
	defer debug.SetGCPercent(base)
	const mib = 1 << 20

	live := fill(16 * mib)
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	f := Start(64*mib, s[0].Value.Uint64()+128*mib)
	defer f.Stop()
	for range 3 {
		if goal, gogc := after(t, f); gogc != 100 || goal > 40*mib {
			t.Fatalf("before 128 MiB more allocated: goal %d MiB, GOGC %d; want Go's own, 100", goal/mib, gogc)
		}
	}
	for range 160 {
		sink = make([]byte, mib)
	}
	sink = nil
	var goal uint64
	var gogc int
	for range 3 {
		goal, gogc = after(t, f)
	}
	if goal < 60*mib || goal > 68*mib || gogc <= 100 {
		t.Errorf("after 160 MiB allocated: goal %d MiB, GOGC %d; want about 64 MiB, above 100", goal/mib, gogc)
	}
	runtime.KeepAlive(live)
}
