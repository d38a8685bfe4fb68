package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// checkSchedule validates a robfig/cron standard spec (5 fields, a
// descriptor such as @hourly, or @every with a duration, each optionally
// after CRON_TZ=zone) and returns it as the scheduler should parse it: an
// @every written in days is rewritten in hours, which cron understands.
// @every intervals under one minute are refused unless dev is set, and
// under one second always, since cron would silently run them every second.
func checkSchedule(spec string, dev bool) (string, error) {
	prefix, rest := "", spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		i := strings.IndexByte(spec, ' ')
		if i < 0 {
			return "", fmt.Errorf("invalid cron spec %q: no schedule after the time zone", spec)
		}
		prefix, rest = spec[:i+1], strings.TrimLeft(spec[i+1:], " ")
	}
	if every, ok := strings.CutPrefix(rest, "@every "); ok {
		d, err := parseDuration(strings.TrimSpace(every))
		if err != nil {
			return "", fmt.Errorf("invalid cron spec %q: %w", spec, err)
		}
		switch {
		case d < time.Second:
			return "", fmt.Errorf("interval %s in %q is under one second", d, spec)
		case d < time.Minute && !dev:
			return "", fmt.Errorf("interval %s in %q is under one minute (allowed only with --dev)", d, spec)
		}
		if strings.Contains(every, "d") {
			spec = prefix + "@every " + d.String()
		}
	}
	if err := parseCron(spec); err != nil {
		return "", err
	}
	return spec, nil
}

// parseCron runs cron.ParseStandard, which panics on some malformed specs
// ("CRON_TZ=UTC" alone, "TZ=0") instead of returning an error.
func parseCron(spec string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid cron spec %q", spec)
		}
	}()
	if _, err := cron.ParseStandard(spec); err != nil {
		return fmt.Errorf("invalid cron spec %q: %w", spec, err)
	}
	return nil
}
