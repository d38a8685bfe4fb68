package scheduler

import "testing"

// TestCounts: a number set is read back, a source never set reads zero,
// and a number set back to zero leaves no entry, so that 100,000 sources
// with nothing to count hold no memory.
func TestCounts(t *testing.T) {
	var c counts
	c.set("wire", 3)
	c.set("campus", 0)
	if got := c.get("wire"); got != 3 {
		t.Errorf("wire = %d, want 3", got)
	}
	if got := c.get("campus"); got != 0 {
		t.Errorf("campus = %d, want 0", got)
	}
	if got := c.get("never"); got != 0 {
		t.Errorf("never set = %d, want 0", got)
	}
	c.set("wire", 0)
	if got := c.get("wire"); got != 0 || len(c.n) != 0 {
		t.Errorf("wire set to 0: reads %d, %d entries kept; want 0 and none", got, len(c.n))
	}
}
