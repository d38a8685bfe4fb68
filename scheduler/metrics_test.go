package scheduler

import (
	"bytes"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/feedloom/feedloom/publish"
)

// TestMetricsText pins what a scrape reads: the series and label names
// Prometheus' own client wrote (labels sorted by name, le last), the
// histograms' bucket bounds, and label values escaped as the text format
// wants, whatever a feed path holds.
func TestMetricsText(t *testing.T) {
	set := metrics.NewSet()
	m := NewMetrics(set)
	m.fetched("hkust-news", "ok", 30*time.Millisecond)
	m.fetched("hkust-news", "busy", 0) // counted, not timed
	m.claimed("claimed")
	m.leaseExpired()
	m.notified()
	m.published(publish.Report{Feeds: []publish.FeedStat{
		{Path: "zh-hant/feed.json", Items: 2},
		{Path: "channels/a.b/c d/\"q\"\\\n.xml", Items: 1},
	}}, 5*time.Millisecond, time.Unix(1796083200, 0))
	var nilMetrics *Metrics
	nilMetrics.fetched("hkust-news", "ok", time.Second) // a nil *Metrics counts nothing

	var b bytes.Buffer
	set.WritePrometheus(&b)
	want := `feedloom_claims_total{result="claimed"} 1
feedloom_feed_items{feed="channels/a.b/c d/\"q\"\\\n.xml"} 1
feedloom_feed_items{feed="zh-hant/feed.json"} 2
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.01"} 0
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.02"} 0
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.04"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.08"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.16"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.32"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="0.64"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="1.28"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="2.56"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="5.12"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="10.24"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="20.48"} 1
feedloom_fetch_duration_seconds_bucket{source="hkust-news",le="+Inf"} 1
feedloom_fetch_duration_seconds_sum{source="hkust-news"} 0.03
feedloom_fetch_duration_seconds_count{source="hkust-news"} 1
feedloom_fetches_total{result="busy",source="hkust-news"} 1
feedloom_fetches_total{result="ok",source="hkust-news"} 1
feedloom_last_publish_timestamp_seconds 1796083200
feedloom_lease_expiries_total 1
feedloom_notifications_total 1
feedloom_publish_duration_seconds_bucket{le="0.005"} 1
feedloom_publish_duration_seconds_bucket{le="0.01"} 1
feedloom_publish_duration_seconds_bucket{le="0.02"} 1
feedloom_publish_duration_seconds_bucket{le="0.04"} 1
feedloom_publish_duration_seconds_bucket{le="0.08"} 1
feedloom_publish_duration_seconds_bucket{le="0.16"} 1
feedloom_publish_duration_seconds_bucket{le="0.32"} 1
feedloom_publish_duration_seconds_bucket{le="0.64"} 1
feedloom_publish_duration_seconds_bucket{le="1.28"} 1
feedloom_publish_duration_seconds_bucket{le="2.56"} 1
feedloom_publish_duration_seconds_bucket{le="5.12"} 1
feedloom_publish_duration_seconds_bucket{le="10.24"} 1
feedloom_publish_duration_seconds_bucket{le="+Inf"} 1
feedloom_publish_duration_seconds_sum 0.005
feedloom_publish_duration_seconds_count 1
`
	if got := b.String(); got != want {
		t.Errorf("metrics text:\n%s\nwant:\n%s", got, want)
	}
	if got := samples(t, set)[`feedloom_feed_items{feed="channels/a.b/c d/\"q\"\\\n.xml"}`]; got != 1 {
		t.Errorf("feed path with a space, quotes, a backslash and a line feed: read %v, want 1", got)
	}
}
