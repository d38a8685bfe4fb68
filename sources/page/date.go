package page

import (
	"strings"
	"time"
)

// Layouts of a date selector's value, tried in order. Pages write dates for
// people as often as for machines, so besides ISO 8601 and RFC 1123 the
// common English and Chinese day forms are read too.
var (
	// zonedLayouts carry their own offset or zone name.
	zonedLayouts = []string{
		time.RFC3339,
		"2006-01-02T15:04Z07:00",
		"2006-01-02 15:04:05Z07:00",
		time.RFC1123Z,
		time.RFC1123,
		time.RFC850,
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
	}
	// wallLayouts are a time of day with no zone: the source's zone.
	wallLayouts = []string{
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2 January 2006 15:04",
		"January 2, 2006 15:04",
		"2006年1月2日 15:04",
	}
	// dayLayouts give a calendar day.
	dayLayouts = []string{
		"2006-01-02",
		"2006/1/2",
		"2 January 2006",
		"2 Jan 2006",
		"January 2, 2006",
		"Jan 2, 2006",
		"Monday, 2 January 2006",
		"Mon, 2 Jan 2006",
		"Monday, January 2, 2006",
		"2006年1月2日",
	}
	// yearlessLayouts give a month and day only.
	yearlessLayouts = []string{
		"1月2日",
		"2 January",
		"2 Jan",
		"January 2",
		"Jan 2",
	}
)

// readDate reads a date selector's value in zone. A time without a zone is
// a wall time in zone; a day is midnight in zone, dateOnly. A month and day
// without a year takes the year of now in zone, or the year before when
// that would put it more than a day ahead of now (a "28 December" story
// read on 3 January). ok is false for anything else: the caller leaves the
// text to normalize's reading of the item's words.
func readDate(raw string, zone *time.Location, now time.Time) (t time.Time, dateOnly, ok bool) {
	s := strings.Join(strings.Fields(raw), " ")
	if s == "" {
		return time.Time{}, false, false
	}
	for _, layout := range zonedLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return inZone(t, zone), false, true
		}
	}
	for _, layout := range wallLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, false, true
		}
	}
	for _, layout := range dayLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, true, true
		}
	}
	for _, layout := range yearlessLayouts {
		p, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		year := now.In(zone).Year()
		if day(year, p.Month(), p.Day(), zone).After(now.Add(24 * time.Hour)) {
			year--
		}
		t := day(year, p.Month(), p.Day(), zone)
		if t.Day() != p.Day() {
			return time.Time{}, false, false // 29 February of a common year
		}
		return t, true, true
	}
	return time.Time{}, false, false
}

func day(year int, m time.Month, d int, zone *time.Location) time.Time {
	return time.Date(year, m, d, 0, 0, 0, 0, zone)
}

// inZone is t in zone. A zone name time.Parse does not know (it gives
// such a name a zero offset) says nothing reliable, so its wall time is
// read in zone, as a feed's ambiguous zone names are.
func inZone(t time.Time, zone *time.Location) time.Time {
	name, off := t.Zone()
	if off == 0 && name != "" && name != "UTC" && name != "GMT" && name != "UT" && name != "Z" {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
	}
	return t.In(zone)
}
