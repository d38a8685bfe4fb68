package normalize

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// civil is a calendar day, with no zone.
type civil struct {
	year  int
	month time.Month
	day   int
}

func (c civil) midnight(zone *time.Location) time.Time {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, zone)
}

// after reports whether c is a later day than o.
func (c civil) after(o civil) bool {
	if c.year != o.year {
		return c.year > o.year
	}
	if c.month != o.month {
		return c.month > o.month
	}
	return c.day > o.day
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// makeCivil returns the day y-m-d when it is a real calendar date.
func makeCivil(y int, m time.Month, d int) (civil, bool) {
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return civil{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return civil{}, false // 30 February
	}
	return civil{y, m, d}, true
}

const monthNames = `january|february|march|april|may|june|july|august|september|october|november|december|` +
	`jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`

// Patterns of a stated day. A year alone (by 2045, 2024年) and a month alone
// match none of them; times of day (下午, afternoon) are not read. Word
// boundaries the patterns cannot express (a digit right before 3月) are
// checked by firstDay. White space inside a date is bounded so that a match
// never reaches further from its digits than dateSpans looks.
var (
	reCJKDay = regexp.MustCompile(`(?:(\d{4})\s{0,3}年\s{0,3})?(\d{1,2})\s{0,3}月\s{0,3}(\d{1,2})\s{0,3}[日号號]`)
	reDMY    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s{1,3}(?:of\s{1,3})?(` + monthNames + `)\b\.?(?:,?\s{1,3}(\d{4})\b)?`)
	reMDY    = regexp.MustCompile(`(?i)\b(` + monthNames + `)\b\.?\s{1,3}(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s{1,3}(\d{4})\b)?`)
	reISO    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
)

// How far a date can reach, in bytes, before and after one of its runs of
// digits ("September. 13", "13th of September, 2025", "2025 年 3 月 13 日").
const (
	dateReachBefore = 16
	dateReachAfter  = 32
)

// monthNumber is the month a name of monthNames stands for; its first three
// letters tell them apart.
func monthNumber(name string) time.Month {
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", strings.ToLower(name)[:3])
	return time.Month(i/3 + 1)
}

// dayMatch is one candidate day found in a text. yearless marks a
// month-and-day whose year was not written.
type dayMatch struct {
	start, end int
	day        civil
	yearless   bool
}

// statedDay returns the first real calendar day that text states, in the
// forms 3月13日, 2025年3月13日, 13 March [2025], 13th March, March 13[, 2025],
// Mar 13 and 2025-03-13 (English month names in any case). A day written
// without a year falls in year.
//
// Every form holds digits, so only the stretches of text around runs of
// digits are searched: a long story without dates costs a byte scan, not
// four regular-expression passes.
func statedDay(text string, year int) (civil, bool) {
	m, ok := findDay(text, year)
	return m.day, ok
}

// findDay is statedDay, also telling whether the year was written.
func findDay(text string, year int) (dayMatch, bool) {
	for _, sp := range dateSpans(text) {
		if m, ok := firstDay(text, sp[0], sp[1], year); ok {
			return m, true
		}
	}
	return dayMatch{}, false
}

// textDay is the day a story's title, else its text, states (rule 1 of
// dateListing). A month-and-day without a year falls in lineYear, the
// listing's year line; without one, in seenYear, the year the listing was
// first seen, unless that puts it after today: then it is last year's (a
// "28 December" story read on 3 January). A day still after today is an
// announcement (entries close, due by), not the story's day: the story is
// undated, so that nothing but an explicit date can hold a story back.
func textDay(today civil, lineYear, seenYear int, texts ...string) (civil, bool) {
	year := cmp.Or(lineYear, seenYear)
	for _, text := range texts {
		m, ok := findDay(text, year)
		if !ok {
			continue
		}
		day := m.day
		if m.yearless && lineYear == 0 && day.after(today) {
			if day, ok = makeCivil(day.year-1, day.month, day.day); !ok {
				return civil{}, false // 29 February of a common year
			}
		}
		if day.after(today) {
			return civil{}, false
		}
		return day, true
	}
	return civil{}, false
}

// dateSpans returns the disjoint stretches of text, in order, that hold every
// possible date: each run of digits widened by the reach of a date, then to
// rune starts and ASCII word boundaries (so that \b reads as in the whole
// text).
func dateSpans(text string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		lo, hi := max(0, i-dateReachBefore), min(len(text), j+dateReachAfter)
		for lo > 0 && (!utf8.RuneStart(text[lo]) || isWordByte(text[lo-1])) {
			lo--
		}
		for hi < len(text) && (!utf8.RuneStart(text[hi]) || isWordByte(text[hi])) {
			hi++
		}
		if n := len(spans); n > 0 && lo <= spans[n-1][1] {
			spans[n-1][1] = max(spans[n-1][1], hi)
		} else {
			spans = append(spans, [2]int{lo, hi})
		}
		i = j
	}
	return spans
}

// firstDay returns the first real day stated in text[lo:hi].
func firstDay(text string, lo, hi, year int) (dayMatch, bool) {
	s := text[lo:hi]
	var found []dayMatch
	// add records a candidate; y is the written year, "" when there is none.
	add := func(start, end int, y string, m time.Month, d int) {
		yearless := y == ""
		yy := year
		if !yearless {
			yy = atoi(y)
		}
		if c, ok := makeCivil(yy, m, d); ok {
			found = append(found, dayMatch{start, end, c, yearless})
		}
	}
	for _, m := range reCJKDay.FindAllStringSubmatchIndex(s, -1) {
		if lo+m[0] > 0 && isDigit(text[lo+m[0]-1]) {
			continue // 123月: not a month
		}
		add(m[0], m[1], group(s, m, 1), time.Month(atoi(group(s, m, 2))), atoi(group(s, m, 3)))
	}
	for _, m := range reDMY.FindAllStringSubmatchIndex(s, -1) {
		add(m[0], m[1], group(s, m, 3), monthNumber(group(s, m, 2)), atoi(group(s, m, 1)))
	}
	for _, m := range reMDY.FindAllStringSubmatchIndex(s, -1) {
		add(m[0], m[1], group(s, m, 3), monthNumber(group(s, m, 1)), atoi(group(s, m, 2)))
	}
	for _, m := range reISO.FindAllStringSubmatchIndex(s, -1) {
		add(m[0], m[1], group(s, m, 1), time.Month(atoi(group(s, m, 2))), atoi(group(s, m, 3)))
	}
	if len(found) == 0 {
		return dayMatch{}, false
	}
	// The first in the text; at one position the longest (13 March 2025
	// over 13 March).
	return slices.MinFunc(found, func(a, b dayMatch) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	}), true
}

func group(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
