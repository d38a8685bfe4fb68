package config

import "testing"

func TestCheckSchedule(t *testing.T) {
	for _, tc := range []struct {
		spec string
		dev  bool
		want string // the spec as the scheduler gets it
		err  string
	}{
		{spec: "@every 10m", want: "@every 10m"},
		{spec: "@every 1m", want: "@every 1m"},
		{spec: "*/30 * * * *", want: "*/30 * * * *"},
		{spec: "@hourly", want: "@hourly"},
		{spec: "CRON_TZ=Asia/Hong_Kong 0 8 * * *", want: "CRON_TZ=Asia/Hong_Kong 0 8 * * *"},
		{spec: "TZ=Asia/Hong_Kong @every 10m", want: "TZ=Asia/Hong_Kong @every 10m"},
		// cron's @every knows no days.
		{spec: "@every 1d", want: "@every 24h0m0s"},
		{spec: "CRON_TZ=UTC @every 1d12h", want: "CRON_TZ=UTC @every 36h0m0s"},
		{spec: "@every 30s", dev: true, want: "@every 30s"},
		{spec: "@every 1s", dev: true, want: "@every 1s"},
		{spec: "@every 30s", err: `interval 30s in "@every 30s" is under one minute (allowed only with --dev)`},
		{spec: "@every 59s", err: `interval 59s in "@every 59s" is under one minute (allowed only with --dev)`},
		// cron would run these every second.
		{spec: "@every 0s", dev: true, err: `interval 0s in "@every 0s" is under one second`},
		{spec: "@every 500ms", dev: true, err: `interval 500ms in "@every 500ms" is under one second`},
		// cron.ParseStandard panics on these.
		{spec: "CRON_TZ=UTC", err: `invalid cron spec "CRON_TZ=UTC": no schedule after the time zone`},
		{spec: "TZ=0", err: `invalid cron spec "TZ=0": no schedule after the time zone`},
		{spec: "0 8 * * * *", err: `invalid cron spec "0 8 * * * *": expected exactly 5 fields, found 6: [0 8 * * * *]`},
		{spec: "0 8 * * 7", err: `invalid cron spec "0 8 * * 7": end of range (7) above maximum (6): 7`},
	} {
		got, err := checkSchedule(tc.spec, tc.dev)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.err {
			t.Errorf("checkSchedule(%q, dev=%v) = %q, %q; want %q, %q", tc.spec, tc.dev, got, gotErr, tc.want, tc.err)
		}
	}
}

// Load passes Dev through to the schedule check.
func TestLoadDev(t *testing.T) {
	path := writeConfig(t, head+"sources:\n  - {name: a, kind: feed, url: 'http://x', schedule: '@every 30s'}\n")
	if _, err := Load(path, LoadOptions{Getenv: noEnv}); err == nil {
		t.Errorf("Load without Dev accepted @every 30s")
	}
	c, err := Load(path, LoadOptions{Dev: true, Getenv: noEnv})
	if err != nil {
		t.Fatalf("Load with Dev: %v", err)
	}
	if got := c.Sources[0].Schedule; got != "@every 30s" {
		t.Errorf("Schedule = %q, want @every 30s", got)
	}
}
