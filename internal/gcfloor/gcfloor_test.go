package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
)

var sink []byte

// cycles is how many collections allocating n bytes of garbage in 64 KiB
// pieces takes.
func cycles(n int) uint32 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n / (64 << 10) {
		sink = make([]byte, 64<<10)
	}
	sink = nil
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

// TestFloor: with a 64 MiB floor, 1 GiB of garbage with next to nothing
// live takes about sixteen collections, not the hundreds of a 4 MiB goal;
// Stop gives GOGC back.
func TestFloor(t *testing.T) {
	base := debug.SetGCPercent(100)
	defer debug.SetGCPercent(base)

	without := cycles(1 << 30)
	f := Start(64 << 20)
	cycles(256 << 20) // the floor is reached over the first few cycles
	with := cycles(1 << 30)
	f.Stop()
	t.Logf("1 GiB of garbage: %d collections with the floor, %d without", with, without)
	if with > 40 || without < 2*with {
		t.Errorf("1 GiB of garbage: %d collections with a 64 MiB floor, %d without; want at most 40, and half of those without", with, without)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after Stop, GOGC = %d, want 100 back", got)
	}
}

// TestFloorOff: GOGC=off is left off.
func TestFloorOff(t *testing.T) {
	base := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(base)
	if f := Start(64 << 20); f != nil {
		f.Stop()
		t.Fatal("Start with the collector off returned a floor")
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC = %d, want it left off", got)
	}
}
