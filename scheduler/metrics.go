package scheduler

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/publish"
	"github.com/feedloom/feedloom/store"
)

// Bucket bounds of the two histograms. Each bound is a bucket series' le
// label, so changing one breaks the queries and dashboards built on it.
// A fetch waits on the network, a publish on the disk.
var (
	// 0.01, 0.02, 0.04 … 20.48 seconds.
	fetchBuckets = metrics.ExponentialBuckets(0.01, 2, 12)
	// 0.005, 0.01, 0.02 … 10.24 seconds.
	publishBuckets = metrics.ExponentialBuckets(0.005, 2, 12)
)

// Metrics are the scheduler's metrics, written in Prometheus' text format
// by their set's WritePrometheus. Labels are bounded: source names and
// feed paths come from config, never from upstream data.
//
//	feedloom_fetches_total{result,source}      source refreshes by result (ok, not_modified, error, skipped, busy, held)
//	feedloom_fetch_duration_seconds{source}    histogram: time to fetch and normalize one source
//	feedloom_feed_items{feed}                  items in each published feed file
//	feedloom_publish_duration_seconds          histogram: time to render and write the output folder
//	feedloom_last_publish_timestamp_seconds    Unix time of the last successful publish
//	feedloom_claims_total{result}              due sources this node tried to lease (claimed, or taken by another node or already refreshed)
//	feedloom_lease_expiries_total              sources this node took over after another node's lease ran out
//	feedloom_notifications_total               store change notifications heard (LISTEN/NOTIFY), including catch-ups after a reconnection
//	feedloom_store_round_trips_total{purpose}  round trips to the shared database (PostgreSQL), statements sent alone and pipelined batches once each, by purpose (claim, write, lease, gate, cluster, publish, other)
type Metrics struct {
	set            *metrics.Set
	publishSeconds *metrics.PrometheusHistogram
	lastPublish    *metrics.Gauge
	leaseExpiries  *metrics.Counter
	notifications  *metrics.Counter
}

// metricsHelp is each family's type and help, as Prometheus' text format
// gives them in # TYPE and # HELP lines; the library writes none.
var metricsHelp = []struct{ name, kind, help string }{
	{"feedloom_fetches_total", "counter", "Source refreshes by source and result (ok, not_modified, error, skipped, busy, held)."},
	{"feedloom_fetch_duration_seconds", "histogram", "Time to fetch and normalize one source."},
	{"feedloom_feed_items", "gauge", "Items in each published feed file."},
	{"feedloom_publish_duration_seconds", "histogram", "Time to render and write the output folder."},
	{"feedloom_last_publish_timestamp_seconds", "gauge", "Unix time of the last successful publish."},
	{"feedloom_claims_total", "counter", "Due sources this node tried to lease, by result (claimed, or taken by another node or already refreshed)."},
	{"feedloom_lease_expiries_total", "counter", "Sources this node took over after another node's lease ran out."},
	{"feedloom_notifications_total", "counter", "Store change notifications heard (LISTEN/NOTIFY), including catch-ups after a reconnection."},
	{"feedloom_store_round_trips_total", "counter", "Round trips to the shared database (PostgreSQL), statements sent alone and pipelined batches once each, by purpose (claim, write, lease, gate, cluster, publish, other)."},
}

// WriteMetricsHelp writes the # HELP and # TYPE lines of the scheduler's
// metrics. The format lets them come first, before any sample: a type
// line need only precede its family's first sample.
func WriteMetricsHelp(w io.Writer) {
	for _, m := range metricsHelp {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.kind)
	}
}

// NewMetrics adds the scheduler's metrics to set (the caller's own, never
// the library's default set). The unlabelled ones are written from the
// start, at zero; a labelled one once its labels first occur.
func NewMetrics(set *metrics.Set) *Metrics {
	return &Metrics{
		set:            set,
		publishSeconds: set.NewPrometheusHistogramExt("feedloom_publish_duration_seconds", publishBuckets),
		lastPublish:    set.NewGauge("feedloom_last_publish_timestamp_seconds", nil),
		leaseExpiries:  set.NewCounter("feedloom_lease_expiries_total"),
		notifications:  set.NewCounter("feedloom_notifications_total"),
	}
}

// StoreRoundTrips reports the shared database's round trips by purpose,
// which trips counts, as feedloom_store_round_trips_total: what a refresh
// costs the database beyond its statements' own work, and so what bounds
// a cluster.
func (m *Metrics) StoreRoundTrips(trips func() map[string]uint64) {
	for _, p := range store.Purposes() {
		m.set.NewGauge(sample("feedloom_store_round_trips_total", "purpose", p), func() float64 {
			return float64(trips()[p])
		})
	}
}

// labelEscaper escapes a label value as the text format reads it: a
// backslash, a double quote and a line feed, and nothing else (Go's %q
// would also write \t or \u escapes, which Prometheus rejects).
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// sample names one series of family: labels are name, value pairs, written
// in the order given. Callers sort them by name, the order Prometheus'
// own client writes, so a series reads the same whichever library wrote it.
func sample(family string, labels ...string) string {
	var b strings.Builder
	b.WriteString(family)
	sep := byte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		b.WriteByte(sep)
		sep = ','
		b.WriteString(labels[i])
		b.WriteString(`="`)
		labelEscaper.WriteString(&b, labels[i+1])
		b.WriteByte('"')
	}
	if len(labels) > 0 {
		b.WriteByte('}')
	}
	return b.String()
}

func (m *Metrics) claimed(result string) {
	if m != nil {
		m.set.GetOrCreateCounter(sample("feedloom_claims_total", "result", result)).Inc()
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
	m.set.GetOrCreateCounter(sample("feedloom_fetches_total", "result", result, "source", source)).Inc()
	if took > 0 {
		m.set.GetOrCreatePrometheusHistogramExt(sample("feedloom_fetch_duration_seconds", "source", source), fetchBuckets).Update(took.Seconds())
	}
}

func (m *Metrics) published(rep publish.Report, took time.Duration, at time.Time) {
	if m == nil {
		return
	}
	m.publishSeconds.Update(took.Seconds())
	m.lastPublish.Set(float64(at.Unix()))
	for _, f := range rep.Feeds {
		m.set.GetOrCreateGauge(sample("feedloom_feed_items", "feed", f.Path), nil).Set(float64(f.Items))
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
