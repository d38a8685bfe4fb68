package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/feedloom/feedloom/publish"
)

// Metrics are the scheduler's Prometheus collectors. Labels are bounded:
// source names and feed paths come from config, never from upstream data.
type Metrics struct {
	fetches        *prometheus.CounterVec
	fetchSeconds   *prometheus.HistogramVec
	feedItems      *prometheus.GaugeVec
	publishSeconds prometheus.Histogram
	lastPublish    prometheus.Gauge
	claims         *prometheus.CounterVec
	leaseExpiries  prometheus.Counter
	notifications  prometheus.Counter
}

// NewMetrics registers the scheduler's collectors with reg (the caller's
// own registry, never the global one).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feedloom_fetches_total",
			Help: "Source refreshes by source and result (ok, not_modified, error, skipped, busy, held).",
		}, []string{"source", "result"}),
		fetchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "feedloom_fetch_duration_seconds",
			Help:    "Time to fetch and normalize one source.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
		}, []string{"source"}),
		feedItems: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "feedloom_feed_items",
			Help: "Items in each published feed file.",
		}, []string{"feed"}),
		publishSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "feedloom_publish_duration_seconds",
			Help:    "Time to render and write the output folder.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		lastPublish: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "feedloom_last_publish_timestamp_seconds",
			Help: "Unix time of the last successful publish.",
		}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feedloom_claims_total",
			Help: "Due sources this node tried to lease, by result (claimed, or taken by another node or already refreshed).",
		}, []string{"result"}),
		leaseExpiries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "feedloom_lease_expiries_total",
			Help: "Sources this node took over after another node's lease ran out.",
		}),
		notifications: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "feedloom_notifications_total",
			Help: "Store change notifications heard (LISTEN/NOTIFY), including catch-ups after a reconnection.",
		}),
	}
	reg.MustRegister(m.fetches, m.fetchSeconds, m.feedItems, m.publishSeconds, m.lastPublish,
		m.claims, m.leaseExpiries, m.notifications)
	return m
}

func (m *Metrics) claimed(result string) {
	if m != nil {
		m.claims.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) leaseExpired() {
	if m != nil {
		m.leaseExpiries.Inc()
	}
}

func (m *Metrics) notified() {
	if m != nil {
		m.notifications.Inc()
	}
}

// The methods accept a nil *Metrics, so the scheduler never checks.

func (m *Metrics) fetched(source, result string, took time.Duration) {
	if m == nil {
		return
	}
	m.fetches.WithLabelValues(source, result).Inc()
	if took > 0 {
		m.fetchSeconds.WithLabelValues(source).Observe(took.Seconds())
	}
}

func (m *Metrics) published(rep publish.Report, took time.Duration, at time.Time) {
	if m == nil {
		return
	}
	m.publishSeconds.Observe(took.Seconds())
	m.lastPublish.Set(float64(at.Unix()))
	for _, f := range rep.Feeds {
		m.feedItems.WithLabelValues(f.Path).Set(float64(f.Items))
	}
}

// result names a source's outcome for the fetches counter.
func (sr SourceReport) result() string {
	switch {
	case !sr.Skipped.IsZero():
		return "skipped"
	case sr.Held:
		return "held"
	case sr.Err != nil:
		return "error"
	case sr.NotModified:
		return "not_modified"
	}
	return "ok"
}
