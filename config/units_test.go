package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{in: "30s", want: 30 * time.Second},
		{in: "2m", want: 2 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "90d", want: 90 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: "", err: true},
		{in: "5", err: true},
		{in: "-1s", err: true},
		{in: "+1s", err: true},
		{in: "10 minutes", err: true},
		{in: "1y", err: true},
		{in: "d", err: true},
		{in: "1.2.3d", err: true},
		{in: "200000000d", err: true}, // overflows time.Duration
		{in: "100000d100000d100000d", err: true},
	} {
		got, err := parseDuration(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{in: "10MiB", want: 10 << 20},
		{in: "512KiB", want: 512 << 10},
		{in: "1GiB", want: 1 << 30},
		{in: "1MB", want: 1_000_000},
		{in: "2kB", want: 2000},
		{in: "2KB", want: 2000},
		{in: "3GB", want: 3_000_000_000},
		{in: "100B", want: 100},
		{in: "1048576", want: 1 << 20},
		{in: "10 MiB", want: 10 << 20},
		{in: "0", want: 0},
		{in: "", err: true},
		{in: "MiB", err: true},
		{in: "-1MiB", err: true},
		{in: "1.5MiB", err: true},
		{in: "10mb", err: true},
		{in: "10 furlongs", err: true},
		{in: "9999999999999GiB", err: true}, // overflows int64
	} {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  bool
	}{
		{in: "10%", want: 0.10},
		{in: "0%", want: 0},
		{in: "100%", want: 1},
		{in: "2.5%", want: 0.025},
		{in: "10", err: true},
		{in: "%", err: true},
		{in: "-5%", err: true},
		{in: "100.1%", err: true},
		{in: "NaN%", err: true},
		{in: "ten%", err: true},
	} {
		got, err := parsePercent(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parsePercent(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
