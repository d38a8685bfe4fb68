package feed

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
)

// Limiter bounds concurrent upstream requests overall and per host. One
// Limiter is shared by every feed source. A request waits for its host's slot
// before it takes an overall one, so requests queued behind a slow host never
// hold overall slots that other hosts could use. A nil *Limiter means no
// limit.
type Limiter struct {
	total   chan struct{}
	perHost int

	mu    sync.Mutex
	hosts map[string]chan struct{} // one semaphore per host name, created on first use

	waiting atomic.Int64 // requests queued for a slot: the queue depth
}

// NewLimiter returns a Limiter allowing total requests at once, and perHost
// of them to any one host name (ports ignored). Zero or less means the
// defaults, 16 and 2.
func NewLimiter(total, perHost int) *Limiter {
	if total <= 0 {
		total = 16
	}
	if perHost <= 0 {
		perHost = 2
	}
	return &Limiter{
		total:   make(chan struct{}, total),
		perHost: perHost,
		hosts:   make(map[string]chan struct{}),
	}
}

func (l *Limiter) host(name string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	sem, ok := l.hosts[name]
	if !ok {
		sem = make(chan struct{}, l.perHost)
		l.hosts[name] = sem
	}
	return sem
}

// acquire waits for a slot for host until ctx is done. The returned release
// is safe to call more than once.
func (l *Limiter) acquire(ctx context.Context, host string) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	hs := l.host(strings.ToLower(host))
	if err := l.take(ctx, hs); err != nil {
		return nil, err
	}
	if err := l.take(ctx, l.total); err != nil {
		<-hs
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.total
			<-hs
		})
	}, nil
}

// take puts a token in sem, counting the request as waiting only when it
// has to.
func (l *Limiter) take(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
