package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// storeCollector reads the store's gauges at each scrape, so that they are
// as fresh as the scrape and cost nothing between scrapes.
type storeCollector struct {
	store Store
}

var (
	descQueueDepth = prometheus.NewDesc("examhall_write_queue_depth",
		"Writes waiting for SQLite's writer now (0 on PostgreSQL).", nil, nil)
	descRefused = prometheus.NewDesc("examhall_write_queue_refused_total",
		"Writes refused with 503 because the write queue (SQLite) or the admission of waiting writes (PostgreSQL) was full.", nil, nil)
	descRunning = prometheus.NewDesc("examhall_attempts_running",
		"Exam attempts running now.", nil, nil)
	descBacklog = prometheus.NewDesc("examhall_webhook_backlog",
		"Webhook deliveries pending and due now (not yet sent, or due for a retry).", nil, nil)
	descExports = prometheus.NewDesc("examhall_export_jobs",
		"Export jobs not finished, by state: queued or running.", []string{"state"}, nil)
	descOpen = prometheus.NewDesc("examhall_db_open_connections",
		"Open connections of the pool (in use and idle): read and write on SQLite, main on PostgreSQL.", []string{"pool"}, nil)
	descInUse = prometheus.NewDesc("examhall_db_in_use_connections",
		"Connections of the pool in use now.", []string{"pool"}, nil)
	descIdle = prometheus.NewDesc("examhall_db_idle_connections",
		"Idle connections of the pool.", []string{"pool"}, nil)
	descMaxOpen = prometheus.NewDesc("examhall_db_max_open_connections",
		"The pool's bound on open connections.", []string{"pool"}, nil)
	descWaits = prometheus.NewDesc("examhall_db_wait_count_total",
		"Times a caller waited for a connection of the pool.", []string{"pool"}, nil)
	descWaited = prometheus.NewDesc("examhall_db_wait_duration_seconds_total",
		"Time callers spent waiting for a connection of the pool.", []string{"pool"}, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueueDepth, descRefused, descRunning, descBacklog, descExports,
		descOpen, descInUse, descIdle, descMaxOpen, descWaits, descWaited} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descQueueDepth, prometheus.GaugeValue, float64(c.store.QueuedWrites()))
	ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(c.store.WritesRefused()))
	for name, s := range c.store.PoolStats() {
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(descIdle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(descMaxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(descWaited, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	// A failed query leaves its gauge out of this scrape (an invalid metric,
	// which the handler logs and skips), so that a slow database does not
	// hide the rest.
	if n, err := c.store.RunningAttempts(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descRunning, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descRunning, prometheus.GaugeValue, float64(n))
	}
	if n, err := c.store.WebhookBacklog(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descBacklog, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, float64(n))
	}
	if queued, running, err := c.store.UnfinishedExports(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(descExports, err)
	} else {
		ch <- prometheus.MustNewConstMetric(descExports, prometheus.GaugeValue, float64(queued), "queued")
		ch <- prometheus.MustNewConstMetric(descExports, prometheus.GaugeValue, float64(running), "running")
	}
}
