package feed

import (
	"regexp"
	"strings"
	"time"
)

var (
	timeOfDay     = regexp.MustCompile(`\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?`)
	meridiem      = regexp.MustCompile(`(?i)^\s*[ap]\.?m\.?`)
	numericOffset = regexp.MustCompile(`[+-]\s?\d{1,2}(?::?\d{2})?`)
	zoneWord      = regexp.MustCompile(`[A-Za-z]+`)
	spaces        = regexp.MustCompile(`\s+`)
	// unpaddedTime is a time of day whose minutes or seconds lack their
	// leading zero ("9:8:2"), which gofeed misreads.
	unpaddedTime = regexp.MustCompile(`\b(\d{1,2}):(\d)\b(?::(\d{1,2})\b)?|\b(\d{1,2}):(\d{2}):(\d)\b`)
	// lowerISO is an RFC 3339 date written with a lower-case t (and z),
	// which RFC 3339 allows and gofeed does not read.
	lowerISO = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}`)
)

// wallLayouts read a date whose zone abbreviation was removed; they cover
// the named-zone forms feeds use (RFC 822/1123, RFC 850, Unix date, ISO-like).
var wallLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04",
	"Mon, 2 Jan 06 15:04:05",
	"Mon, 2 Jan 06 15:04",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 06 15:04:05",
	"2 Jan 06 15:04",
	"Monday, 2-Jan-06 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Mon, Jan 2, 2006 15:04:05",
	"Mon, January 2, 2006 15:04:05",
	"Monday, January 2, 2006 15:04:05",
	"Monday, 2 January 2006 15:04:05",
	"Mon, 2 January 2006 15:04:05",
	"January 2, 2006 15:04:05",
	"Jan 2, 2006 15:04:05",
	"Jan 2, 2006 3:04:05 PM",
	"Mon, 2 Jan 2006 3:04:05 PM",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006/01/02 15:04:05",
	"1/2/2006 15:04:05",
	"1/2/2006 3:04:05 PM",
}

// zoneKind says what a raw date string tells about its zone.
type zoneKind int

const (
	zoneExplicit zoneKind = iota // numeric offset, Z, GMT, UT or UTC: exact
	zoneNone                     // no zone at all
	zoneAbbrev                   // a named abbreviation such as HKT or CST
)

// rfc822Zones are the zone names RFC 822 §5.1 defines beside UT and GMT,
// read as it defines them. CST is left out on purpose: US Central to the
// RFC and to gofeed, but China Standard Time to a Chinese feed.
var rfc822Zones = map[string]int{
	"EST": -5 * 3600, "EDT": -4 * 3600,
	"CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600,
	"PST": -8 * 3600, "PDT": -7 * 3600,
}

// dateZone classifies raw by what follows its time of day (a date with no
// time has no zone), and returns the zone word it found. Any abbreviation
// other than GMT, UT, UTC, Z and those of rfc822Zones counts as ambiguous:
// CST is US Central to gofeed but China to a Chinese feed, and HKT is
// unknown to it altogether.
func dateZone(raw string) (zoneKind, string) {
	loc := timeOfDay.FindStringIndex(raw)
	if loc == nil {
		return zoneNone, ""
	}
	rest := meridiem.ReplaceAllString(raw[loc[1]:], "")
	if numericOffset.MatchString(rest) {
		return zoneExplicit, ""
	}
	words := zoneWord.FindAllString(rest, -1)
	if len(words) == 0 {
		return zoneNone, ""
	}
	for _, w := range words {
		switch strings.ToUpper(w) {
		case "Z", "GMT", "UT", "UTC":
			return zoneExplicit, w
		}
	}
	return zoneAbbrev, words[0]
}

// upstreamDate turns gofeed's reading of a date into feedloom's. gofeed
// parses in UTC: a date with an explicit offset is right and kept; a date
// with no zone keeps its wall clock, read in zone; a date with one of RFC
// 822's US zones is read at that zone's offset; a date with an ambiguous
// abbreviation is read again without it, in zone (kept as gofeed read it
// when no layout fits). A date gofeed could not parse ("… 10:00:00 gmt") is
// read again by those rules; one still unreadable is zero, so normalize
// orders the story by position. The result is in zone.
func upstreamDate(raw string, parsed *time.Time, zone *time.Location) time.Time {
	raw = strings.TrimSpace(raw)
	if padded := padTime(raw); padded != raw {
		// gofeed's reading of the unpadded form is not to be trusted
		// (it takes "9:8:2" for midnight); the padded one is read here.
		raw, parsed = padded, nil
	}
	if parsed == nil && lowerISO.MatchString(raw) {
		raw = strings.ToUpper(raw) // digits, signs and the letters T and Z
	}
	kind, word := dateZone(raw)
	switch {
	case kind == zoneNone && parsed != nil:
		w := parsed.UTC()
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), zone)
	case kind == zoneNone:
		if t, ok := parseWall(raw, zone); ok {
			return t
		}
	case kind == zoneAbbrev:
		wall := zone
		if off, ok := rfc822Zones[strings.ToUpper(word)]; ok {
			wall = time.FixedZone(strings.ToUpper(word), off)
		}
		if t, ok := parseWall(withoutWord(raw, word), wall); ok {
			return t.In(zone)
		}
	case parsed == nil && word != "":
		if t, ok := parseWall(withoutWord(raw, word), time.UTC); ok {
			return t.In(zone)
		}
	}
	if parsed == nil {
		return time.Time{}
	}
	return parsed.In(zone)
}

// padTime writes raw's time of day with two digits for its minutes and
// seconds when it has one digit for either.
func padTime(raw string) string {
	if !oneDigitAfterColon(raw) || !unpaddedTime.MatchString(raw) {
		return raw
	}
	return unpaddedTime.ReplaceAllStringFunc(raw, func(t string) string {
		parts := strings.Split(t, ":")
		for i := 1; i < len(parts); i++ {
			if len(parts[i]) == 1 {
				parts[i] = "0" + parts[i]
			}
		}
		return strings.Join(parts, ":")
	})
}

// oneDigitAfterColon reports whether raw has a colon followed by a single
// digit, which every match of unpaddedTime has: most dates have none, and
// are not matched against it, twice for every item.
func oneDigitAfterColon(raw string) bool {
	digit := func(i int) bool { return i < len(raw) && '0' <= raw[i] && raw[i] <= '9' }
	for i := 0; i < len(raw); i++ {
		if raw[i] == ':' && digit(i+1) && !digit(i+2) {
			return true
		}
	}
	return false
}

// dateOnly reports a readable date that gives a day but no time of day.
func dateOnly(raw string, parsed *time.Time) bool {
	return parsed != nil && !timeOfDay.MatchString(raw)
}

// withoutWord removes the last occurrence of word (and parentheses around
// it) from raw and tidies the spaces.
func withoutWord(raw, word string) string {
	i := strings.LastIndex(raw, word)
	s := raw[:i] + " " + raw[i+len(word):]
	s = strings.NewReplacer("()", " ", "( )", " ").Replace(s)
	return strings.Trim(spaces.ReplaceAllString(s, " "), " ,")
}

func parseWall(s string, zone *time.Location) (time.Time, bool) {
	for _, layout := range wallLayouts {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
