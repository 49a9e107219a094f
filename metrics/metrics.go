// Package metrics is examhall's Prometheus instrumentation (issue 15, part
// 2): the registry served at GET /metrics on its own listener
// (--metrics-addr), the request counters and histograms the HTTP layer
// feeds, the hooks the SQLite writer and the webhook worker call, and the
// gauges read from the store at each scrape. Nothing else imports
// Prometheus: the other packages see only plain funcs and the small
// interfaces below.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/examhall/examhall"
)

// Store is what a scrape reads from the database; sqlstore.DB satisfies it.
// Each method is a query of a few rows through an index.
type Store interface {
	// RunningAttempts is how many exam attempts are running now.
	RunningAttempts(ctx context.Context) (int64, error)
	// WebhookBacklog is how many webhook deliveries are pending and due.
	WebhookBacklog(ctx context.Context) (int64, error)
	// UnfinishedExports is how many export jobs are queued and running.
	UnfinishedExports(ctx context.Context) (queued, running int64, err error)
	// PoolStats is database/sql's statistics of each connection pool, by name.
	PoolStats() map[string]sql.DBStats
	// QueuedWrites is how many writes wait for the writer now.
	QueuedWrites() int
	// WritesRefused is how many writes were refused because the queue was full.
	WritesRefused() int64
}

// scrapeTimeout bounds the store's queries of one scrape: a database too
// busy to answer within it shows as missing gauges, not as a hung scrape.
const scrapeTimeout = 5 * time.Second

// Metrics is the registry and the instruments examhall feeds. The zero
// value is not usable; call New.
type Metrics struct {
	reg      *prometheus.Registry
	logger   *slog.Logger
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	shed     *prometheus.CounterVec
	batches  prometheus.Histogram
	webhooks *prometheus.CounterVec

	// observers caches the (counter, histogram) pair of each label set, so
	// that a request costs one map read instead of hashing its labels
	// twice (prometheus's WithLabelValues).
	observers sync.Map // requestKey → *requestObservers
}

type requestKey struct {
	route, method string
	status        int
}

type requestObservers struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// New returns the registry with the Go runtime and process collectors and
// examhall's request, write-queue and webhook instruments. Call Watch to
// add the store's gauges once the database is open.
func New(logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		logger: logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examhall_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "examhall_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by route pattern, method and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examhall_http_shed_total",
			Help: "Requests answered 503 with Retry-After before any work, by reason: write_queue_full or in_flight_limit.",
		}, []string{"reason"}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "examhall_write_batch_size",
			Help:    "Writes committed together by SQLite's group commit, per commit.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examhall_webhook_tries_total",
			Help: "Webhook delivery tries, by outcome: delivered, retry (failed, tried again later) or failed (given up).",
		}, []string{"outcome"}),
	}
	for _, reason := range []string{ShedWriteQueueFull, ShedInFlightLimit} {
		m.shed.WithLabelValues(reason)
	}
	for _, outcome := range []string{"delivered", "retry", "failed"} {
		m.webhooks.WithLabelValues(outcome)
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.shed, m.batches, m.webhooks)
	return m
}

// Watch adds the gauges read from store at each scrape: running attempts,
// the webhook backlog, unfinished exports, the write queue and the
// connection pools.
func (m *Metrics) Watch(store Store) {
	m.reg.MustRegister(&storeCollector{store: store})
}

// Handler serves the registry in Prometheus's exposition formats. A store
// query that fails is logged and its gauge left out; the rest is served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError,
		ErrorLog: slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn)})
}

// The reasons of ObserveShed.
const (
	ShedWriteQueueFull = "write_queue_full"
	ShedInFlightLimit  = "in_flight_limit"
)

// ObserveRequest counts one answered request and its duration. route is the
// ServeMux pattern that served it ("" for a request answered before
// routing, counted as "unrouted"), never the raw path, so that the label
// takes as many values as there are routes. A method other than the
// standard ones is counted as "OTHER", since a client may send any token.
func (m *Metrics) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	if route == "" {
		route = "unrouted"
	}
	key := requestKey{route: route, method: knownMethod(method), status: status}
	o, ok := m.observers.Load(key)
	if !ok {
		code := strconv.Itoa(status)
		o, _ = m.observers.LoadOrStore(key, &requestObservers{
			count:    m.requests.WithLabelValues(key.route, key.method, code),
			duration: m.duration.WithLabelValues(key.route, key.method, code),
		})
	}
	obs := o.(*requestObservers)
	obs.count.Inc()
	obs.duration.Observe(elapsed.Seconds())
}

// knownMethod is method if it is one of HTTP's standard methods, else "OTHER".
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// ObserveShed counts one request refused before any work; reason is
// ShedWriteQueueFull or ShedInFlightLimit.
func (m *Metrics) ObserveShed(reason string) { m.shed.WithLabelValues(reason).Inc() }

// ObserveBatch records the size of one group commit (sqlstore.Options.ObserveBatch).
func (m *Metrics) ObserveBatch(writes int) { m.batches.Observe(float64(writes)) }

// ObserveWebhook counts one webhook try by its outcome
// (webhook.Options.ObserveOutcome).
func (m *Metrics) ObserveWebhook(o examhall.WebhookOutcome) {
	outcome := "retry"
	switch {
	case o.Delivered:
		outcome = "delivered"
	case o.NextTry.IsZero():
		outcome = "failed"
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}
