package normalize

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
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
// checked by statedDay.
var (
	reCJKDay = regexp.MustCompile(`(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]`)
	reDMY    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(` + monthNames + `)\b\.?(?:,?\s+(\d{4})\b)?`)
	reMDY    = regexp.MustCompile(`(?i)\b(` + monthNames + `)\b\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`)
	reISO    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
)

var monthByName = func() map[string]time.Month {
	m := make(map[string]time.Month)
	for i, name := range strings.Split(monthNames, "|")[:12] {
		m[name] = time.Month(i + 1)
		m[name[:3]] = time.Month(i + 1)
	}
	m["sept"] = time.September
	return m
}()

// dayMatch is one candidate day found in a text.
type dayMatch struct {
	start, end int
	day        civil
}

// statedDay returns the first real calendar day that text states, in the
// forms 3月13日, 2025年3月13日, 13 March [2025], 13th March, March 13[, 2025],
// Mar 13 and 2025-03-13 (English month names in any case). A day written
// without a year falls in year.
func statedDay(text string, year int) (civil, bool) {
	var found []dayMatch
	add := func(start, end, y int, m time.Month, d int) {
		if c, ok := makeCivil(y, m, d); ok {
			found = append(found, dayMatch{start, end, c})
		}
	}
	yearOr := func(s string) int {
		if s == "" {
			return year
		}
		y, _ := strconv.Atoi(s)
		return y
	}
	for _, m := range reCJKDay.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 && isDigit(text[m[0]-1]) {
			continue // 123月: not a month
		}
		y := year
		if m[2] >= 0 {
			y = atoi(text[m[2]:m[3]])
		}
		add(m[0], m[1], y, time.Month(atoi(text[m[4]:m[5]])), atoi(text[m[6]:m[7]]))
	}
	for _, m := range reDMY.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], m[1], yearOr(group(text, m, 3)), monthByName[strings.ToLower(text[m[4]:m[5]])], atoi(text[m[2]:m[3]]))
	}
	for _, m := range reMDY.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], m[1], yearOr(group(text, m, 3)), monthByName[strings.ToLower(text[m[2]:m[3]])], atoi(text[m[4]:m[5]]))
	}
	for _, m := range reISO.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], m[1], atoi(text[m[2]:m[3]]), time.Month(atoi(text[m[4]:m[5]])), atoi(text[m[6]:m[7]]))
	}
	if len(found) == 0 {
		return civil{}, false
	}
	// The first in the text; at one position the longest (13 March 2025
	// over 13 March).
	best := slices.MinFunc(found, func(a, b dayMatch) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	return best.day, true
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
