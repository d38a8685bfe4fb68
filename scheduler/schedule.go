package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a 5-field cron spec, a descriptor (@hourly) or
// @every, with an optional CRON_TZ= prefix. robfig/cron panics on some
// malformed specs (a bare CRON_TZ=UTC); that is returned as an error.
// @every ticks on whole multiples of its interval since the zero time,
// not relative to the start: every node, and every restart, ticks at the
// same instants, which is what lets a cluster fetch a source once per tick.
func ParseSchedule(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("schedule %q: %v", spec, r)
		}
	}()
	if spec == "" {
		return nil, errors.New("empty schedule")
	}
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return aligned{every.Delay}, nil
	}
	return sched, nil
}

// aligned is an @every schedule on the epoch's grid.
type aligned struct{ every time.Duration }

func (a aligned) Next(t time.Time) time.Time {
	// Truncate works on absolute time, so the grid does not depend on the
	// zone t is in.
	return t.Truncate(a.every).Add(a.every).In(t.Location())
}

// jitter shifts a schedule by a stable per-source offset, up to frac of its
// interval, so many sources on the same spec do not fire in the same second.
// The offset is a hash of the name: the same on every run and node.
func jitter(sched cron.Schedule, gap time.Duration, name string, frac float64) cron.Schedule {
	if frac <= 0 {
		return sched
	}
	span := time.Duration(float64(gap) * frac)
	if span < time.Second {
		return sched
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	offset := time.Duration(h.Sum64() % uint64(span/time.Second) * uint64(time.Second))
	return shifted{sched, offset}
}

// shortestGap is the shortest time between two of a schedule's first ticks
// after a fixed instant, so the offset does not depend on when Run started.
// Irregular specs (0 8 * * 1-5, 0 8,9 * * *) have several gaps; taking the
// shortest keeps the shift from reordering ticks.
func shortestGap(sched cron.Schedule) time.Duration {
	var gap time.Duration
	a := sched.Next(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	for range 16 {
		b := sched.Next(a)
		if !b.After(a) {
			break // no further tick within cron's search limit
		}
		if d := b.Sub(a); gap == 0 || d < gap {
			gap = d
		}
		a = b
	}
	return gap
}

// shifted is a schedule delayed by a fixed offset.
type shifted struct {
	cron.Schedule
	offset time.Duration
}

func (s shifted) Next(t time.Time) time.Time {
	return s.Schedule.Next(t.Add(-s.offset)).Add(s.offset)
}

// prevTick is e's latest scheduled time at or before now: the due time a
// tick that fires at now serves, the same on every node whatever the
// delay in firing. A schedule with no tick before now gives now.
func prevTick(e *entry, now time.Time) time.Time {
	return latestTick(e.sched, e.gap, now)
}

func latestTick(sched cron.Schedule, gap time.Duration, now time.Time) time.Time {
	if gap <= 0 {
		return now.Truncate(time.Second)
	}
	// Step back by the shortest gap until a tick lies between there and
	// now, then walk forward to the last one at or before now.
	from := now.Add(-gap)
	for range 64 {
		if !sched.Next(from).After(now) {
			break
		}
		from = from.Add(-gap)
	}
	p := sched.Next(from)
	if p.After(now) {
		return now.Truncate(time.Second)
	}
	for {
		n := sched.Next(p)
		if n.After(now) || !n.After(p) {
			return p
		}
		p = n
	}
}

// nextTickAfter is the first scheduled tick at or after t.
func nextTickAfter(e *entry, t time.Time) time.Time {
	return e.sched.Next(t.Add(-time.Second))
}

// sleep waits d, or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// every calls f every d until ctx is done or f returns false.
func every(ctx context.Context, d time.Duration, f func() bool) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !f() {
				return
			}
		}
	}
}
