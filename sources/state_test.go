package sources

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// throttled stands for an upstream error that carries Retry-After, as
// feed.StatusError does.
type throttled struct{ after time.Duration }

func (e *throttled) Error() string                     { return fmt.Sprintf("status 429, retry after %s", e.after) }
func (e *throttled) RetryAfterDuration() time.Duration { return e.after }

func TestStateFail(t *testing.T) {
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	plain := errors.New("feed \"up\": GET http://x/: status 500 Internal Server Error")
	tests := []struct {
		name     string
		failures int // before this failure
		err      error
		wait     time.Duration
	}{
		{"first failure", 0, plain, 5 * time.Minute},
		{"second doubles", 1, plain, 10 * time.Minute},
		{"fifth", 4, plain, 80 * time.Minute},
		{"seventh, still under the cap", 6, plain, 320 * time.Minute},
		{"eighth is capped at 6h", 7, plain, 6 * time.Hour},
		{"hundredth is capped at 6h", 99, plain, 6 * time.Hour},
		{"longer Retry-After wins", 0, fmt.Errorf("source: %w", &throttled{2 * time.Hour}), 2 * time.Hour},
		{"shorter Retry-After loses to backoff", 2, fmt.Errorf("source: %w", &throttled{time.Minute}), 20 * time.Minute},
		{"nil error still counts", 0, nil, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lastOK := now.Add(-time.Hour)
			s := State{URL: "http://x/", ETag: `"e"`, Failures: tt.failures, LastSuccess: lastOK}
			s.Fail(now, tt.err)
			wantErr := ""
			if tt.err != nil {
				wantErr = tt.err.Error()
			}
			want := State{
				URL: "http://x/", ETag: `"e"`, LastSuccess: lastOK,
				CheckedAt: now, LastError: wantErr, Failures: tt.failures + 1, NextDue: now.Add(tt.wait),
			}
			if s != want {
				t.Errorf("state = %+v\nwant    %+v", s, want)
			}
		})
	}
}

func TestStateSucceed(t *testing.T) {
	now := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	due := now.Add(10 * time.Minute)
	s := State{URL: "http://x/", ETag: `"e"`, Failures: 3, LastError: "boom", NextDue: due}
	s.Succeed(now)
	want := State{URL: "http://x/", ETag: `"e"`, CheckedAt: now, LastSuccess: now, NextDue: due}
	if s != want {
		t.Errorf("state = %+v\nwant    %+v", s, want)
	}
}

func TestFailRedactsTheError(t *testing.T) {
	var st State
	st.Fail(time.Unix(0, 0), errors.New(`GET "https://reader:hunter2@feeds.example/rss?apikey=s3cret": 503`))
	if want := `GET "https://reader:xxxxx@feeds.example/rss?apikey=REDACTED": 503`; st.LastError != want {
		t.Errorf("LastError = %q, want %q", st.LastError, want)
	}
}
