package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads a Go duration ("30s", "1h30m") that may also use d for
// days of 24 hours ("90d", "1d12h"). Negative durations are refused.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration %q (want e.g. 30s, 2m, 90d)", s)
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, bad
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	for rest := s; rest != ""; {
		// One number and its unit.
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, bad
		}
		j := strings.IndexFunc(rest[i:], func(r rune) bool { return (r >= '0' && r <= '9') || r == '.' })
		if j < 0 {
			j = len(rest) - i
		}
		num, unit := rest[:i], rest[i:i+j]
		rest = rest[i+j:]
		var d time.Duration
		if unit == "d" {
			var err error
			if d, err = time.ParseDuration(num + "h"); err != nil || d > math.MaxInt64/24 {
				return 0, bad
			}
			d *= 24
		} else {
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, bad
			}
		}
		if total > math.MaxInt64-d {
			return 0, bad
		}
		total += d
	}
	return total, nil
}

// sizeUnits are the suffixes parseSize accepts, longest first so that
// "MiB" is not read as "B".
var sizeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"B", 1},
}

// parseSize reads a byte count: plain bytes ("1048576"), or a whole number
// with a binary ("512KiB", "10MiB") or decimal ("1MB") unit.
func parseSize(s string) (int64, error) {
	bad := fmt.Errorf("invalid size %q (want e.g. 10MiB, 512KiB, 1MB or a number of bytes)", s)
	num, mult := s, int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSuffix(n, " "), u.bytes
			break
		}
	}
	if num == "" || num[0] < '0' || num[0] > '9' {
		return 0, bad
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, bad
	}
	return n * mult, nil
}

// parsePercent reads "10%" (or "2.5%") as a fraction, 0.10, between 0 and 1.
func parsePercent(s string) (float64, error) {
	bad := fmt.Errorf("invalid percentage %q (want 0%% to 100%%, e.g. 10%%)", s)
	num, ok := strings.CutSuffix(s, "%")
	num = strings.TrimSpace(num)
	if !ok || num == "" || num[0] < '0' || num[0] > '9' {
		return 0, bad
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || p > 100 {
		return 0, bad
	}
	return p / 100, nil
}
