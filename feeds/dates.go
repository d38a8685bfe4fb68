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
	return t.Truncate(time.Second).In(f.zone()).Format(layout)
}
