package feeds

import "time"

// zone is the location every date of f is written in: f.Zone, else UTC.
func (f *Feed) zone() *time.Location {
	if f.Zone == nil {
		return time.UTC
	}
	return f.Zone
}

// updated is the feed's own date: f.Updated, or the Unix epoch when it is
// zero, so that an empty feed still carries a valid, stable date.
func (f *Feed) updated() time.Time {
	if f.Updated.IsZero() {
		return time.Unix(0, 0)
	}
	return f.Updated
}

// formatTime renders t in the feed's zone with layout, truncated to whole
// seconds so that every format shows the same instant. A zero t gives "".
func (f *Feed) formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return InZone(t.Truncate(time.Second), f.zone()).Format(layout)
}

// InZone is t in zone, or in UTC where zone's offset at t is not a whole
// number of minutes: before standard time a zone is its city's local mean
// time (Hong Kong's +7:36:42 until 1904), which RFC 3339 and RFC 822 dates
// cannot write, and a date written with its seconds cut off the offset
// names another instant.
func InZone(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	if _, off := t.Zone(); off%60 != 0 {
		return t.UTC()
	}
	return t
}
