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
// letters tell them apart. The patterns fold case as Unicode does, so a name
// may be written with a long s (ſept), which is read as an s.
func monthNumber(name string) time.Month {
	name = strings.ReplaceAll(strings.ToLower(name), "ſ", "s")
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", name[:3])
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
	// Each pattern needs a literal that most stretches lack: 月, a month
	// name or a digit-dash-digit. Looking for it first skips the regular
	// expressions that cannot match, which are most of the cost of a long text.
	cjk, months, iso := strings.Contains(s, "月"), mayHoldMonth(s), mayHoldISO(s)
	if !cjk && !months && !iso {
		return dayMatch{}, false
	}
	for _, m := range findAll(cjk, reCJKDay, s) {
		if lo+m[0] > 0 && isDigit(text[lo+m[0]-1]) {
			continue // 123月: not a month
		}
		add(m[0], m[1], group(s, m, 1), time.Month(atoi(group(s, m, 2))), atoi(group(s, m, 3)))
	}
	for _, m := range findAll(months, reDMY, s) {
		add(m[0], m[1], group(s, m, 3), monthNumber(group(s, m, 2)), atoi(group(s, m, 1)))
	}
	for _, m := range findAll(months, reMDY, s) {
		add(m[0], m[1], group(s, m, 3), monthNumber(group(s, m, 1)), atoi(group(s, m, 2)))
	}
	for _, m := range findAll(iso, reISO, s) {
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

// findAll is re's matches in s, or none when may says re cannot match.
func findAll(may bool, re *regexp.Regexp, s string) [][]int {
	if !may {
		return nil
	}
	return re.FindAllStringSubmatchIndex(s, -1)
}

// mayHoldMonth reports whether s may hold a month name of monthNames: every
// name begins with one of the twelve three-letter abbreviations. The
// patterns match case-insensitively with Unicode folding, under which "ſ"
// (long s) is an s, so a text holding one is searched.
func mayHoldMonth(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i]|0x20 < 'a' || s[i]|0x20 > 'z' {
			continue
		}
		var abbr [3]byte
		for j := range abbr {
			abbr[j] = s[i+j] | 0x20 // lower case for letters; other bytes never match
		}
		switch string(abbr[:]) {
		case "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec":
			return true
		}
	}
	return strings.Contains(s, "ſ")
}

// mayHoldISO reports whether s holds a digit, a dash and a digit, which
// every match of reISO does.
func mayHoldISO(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '-' && isDigit(s[i-1]) && isDigit(s[i+1]) {
			return true
		}
	}
	return false
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
