package page

import (
	"strings"
	"testing"
	"time"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		raw, css, attr, err string
	}{
		{raw: "h3", css: "h3"},
		{raw: "h3 a@href", css: "h3 a", attr: "href"},
		{raw: "time@datetime", css: "time", attr: "datetime"},
		{raw: "@href", attr: "href"},
		{raw: `a[href$="@example"]`, css: `a[href$="@example"]`},
		{raw: `a[title="x@y"]@data-url`, css: `a[title="x@y"]`, attr: "data-url"},
		{raw: "div > > p", err: "not a valid CSS selector"},
		{raw: "h3[", err: "not a valid CSS selector"},
		{raw: " ", err: "empty selector"},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			s, err := ParseSelector(tc.raw)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || s.CSS != tc.css || s.Attr != tc.attr {
				t.Errorf("got %q @ %q, %v; want %q @ %q", s.CSS, s.Attr, err, tc.css, tc.attr)
			}
		})
	}
}

func TestReadDate(t *testing.T) {
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, hk)
	newYear := time.Date(2026, 1, 3, 9, 0, 0, 0, hk)
	tests := []struct {
		raw      string
		now      time.Time
		want     string // RFC 3339 in Hong Kong; "" when unreadable
		dateOnly bool
	}{
		{"2025-03-13T09:30:00+08:00", now, "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13T01:30:00Z", now, "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13T09:30", now, "2025-03-13T09:30:00+08:00", false},
		{"2025-03-13", now, "2025-03-13T00:00:00+08:00", true},
		{"Thu, 13 Mar 2025 01:30:00 GMT", now, "2025-03-13T09:30:00+08:00", false},
		{"Thu, 13 Mar 2025 09:30:00 +0800", now, "2025-03-13T09:30:00+08:00", false},
		{"Thu, 13 Mar 2025 09:30:00 XYZ", now, "2025-03-13T09:30:00+08:00", false}, // an unknown zone name: the source's zone
		{"13 March 2025", now, "2025-03-13T00:00:00+08:00", true},
		{"March 13, 2025", now, "2025-03-13T00:00:00+08:00", true},
		{"2025年3月13日", now, "2025-03-13T00:00:00+08:00", true},
		{"3月13日", now, "2025-03-13T00:00:00+08:00", true},
		{"13 March", now, "2025-03-13T00:00:00+08:00", true},
		{"15 March", now, "2025-03-15T00:00:00+08:00", true},        // tomorrow: within a day ahead
		{"16 March", now, "2024-03-16T00:00:00+08:00", true},        // more than a day ahead: last year's
		{"28 December", newYear, "2025-12-28T00:00:00+08:00", true}, // read on 3 January
		{"2月29日", now, "", false},                                   // this year has none: left to the text rule
		{"Posted last week", now, "", false},
		{"", now, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, dateOnly, ok := readDate(tc.raw, hk, tc.now)
			if tc.want == "" {
				if ok {
					t.Errorf("read %s, want unreadable", got)
				}
				return
			}
			if !ok || got.In(hk).Format(time.RFC3339) != tc.want || dateOnly != tc.dateOnly {
				t.Errorf("got %s (day only %v, ok %v), want %s (day only %v)", got.In(hk).Format(time.RFC3339), dateOnly, ok, tc.want, tc.dateOnly)
			}
		})
	}
}
