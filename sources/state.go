package sources

import (
	"errors"
	"time"
)

// Backoff bounds for a failing source: the first retry waits failureBackoff,
// each further consecutive failure doubles it, up to maxFailureBackoff.
const (
	failureBackoff    = 5 * time.Minute
	maxFailureBackoff = 6 * time.Hour
)

// retryAfter is satisfied by errors that carry an upstream's Retry-After,
// such as feed.StatusError, without this package importing theirs.
type retryAfter interface {
	RetryAfterDuration() time.Duration
}

// Fail records a failed fetch at now: one more consecutive failure, its
// message, and NextDue pushed to the later of the upstream's Retry-After
// (found anywhere in err's chain) and the failure backoff,
// min(5m·2^(failures-1), 6h). LastSuccess and the validators are kept.
func (s *State) Fail(now time.Time, err error) {
	s.Failures++
	s.CheckedAt = now
	s.LastError = ""
	if err != nil {
		// The last error is shown on /healthz and /status: whatever URL it
		// quotes loses its secrets here, whoever wrote the message.
		s.LastError = RedactText(err.Error())
	}
	wait := maxFailureBackoff
	if s.Failures <= 8 { // 5m·2^7 already passes 6h; avoids overflow
		wait = min(failureBackoff<<(s.Failures-1), maxFailureBackoff)
	}
	var ra retryAfter
	if errors.As(err, &ra) {
		wait = max(wait, ra.RetryAfterDuration())
	}
	s.NextDue = now.Add(wait)
}

// Succeed records a successful fetch at now: failures and the last error are
// cleared. NextDue is left as the fetch set it. The scheduler calls it, not
// the sources: a Source's Fetch leaves the outcome to its caller.
func (s *State) Succeed(now time.Time) {
	s.Failures = 0
	s.LastError = ""
	s.LastSuccess = now
	s.CheckedAt = now
}
