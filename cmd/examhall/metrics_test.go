package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// scrape reads GET url (a /metrics) with the Prometheus text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return families
}

// series finds the series of family name whose labels include labels
// ("k=v" pairs); nil when there is none.
func series(families map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

// value is the value of a counter, gauge or untyped series (a histogram's
// sample count), or -1 when the series is missing.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m := series(families, name, labels...)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return m.Untyped.GetValue()
}

// TestMetrics scrapes a real server's /metrics on --metrics-addr and checks
// that the numbers follow what was done: the request counter and histogram
// of a route by pattern (never the raw path) move by exactly the requests
// made; the write queue's depth, the 503s shed, the refused writes and
// (SQLite) the batch sizes; the running attempts; the webhook backlog and
// delivery outcomes; the pools; Go and process metrics.
func TestMetrics(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			// The receiver holds every delivery until release is closed, so
			// that the backlog stands still while it is read.
			release := make(chan struct{})
			var releaseOnce sync.Once
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-release:
				case <-r.Context().Done():
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			defer receiver.Close()
			defer releaseOnce.Do(func() { close(release) })
			dsn := sqltest.DSN(t, engine)
			run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "secret", "--bcrypt-cost", "4")
			// A short queue on SQLite, which the test fills; on PostgreSQL
			// HoldWriter takes every place of the admission anyway, and a
			// short one would refuse the worker's writes too.
			queue := "1000"
			if engine == sqlstore.SQLite {
				queue = "8"
			}
			m, _ := start(t, "--db", dsn, "--metrics-addr", "127.0.0.1:0", "--write-queue", queue,
				"--exam-webhook-url", receiver.URL, "--webhook-allow-private", "--webhook-timeout", "30s")
			url := m.MetricsURL()
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("MetricsURL %q", url)
			}
			c := newCrashClient(m.URL())
			students := c.setup(t, c.login(t, "root", "secret"))[:3]

			const startRoute = "/api/v2.2/exams/{slug}/attempts/{$}"
			before := scrape(t, url)
			if got := value(before, "examhall_http_requests_total", "route="+startRoute); got != -1 {
				t.Errorf("before any start: %v starts counted", got)
			}
			var ids []int64
			for _, s := range students {
				var started struct{ ID int64 }
				c.mustJSON(t, http.MethodPost, "/api/v2.2/exams/"+c.exam+"/attempts/", s.token, nil, http.StatusCreated, &started)
				ids = append(ids, started.ID)
			}
			c.mustJSON(t, http.MethodPut, fmt.Sprintf("/api/v2.2/attempts/%d/end/", ids[0]), students[0].token, nil, http.StatusOK, nil)
			// A start refused (the exam does not exist) counts under its own code.
			c.mustJSON(t, http.MethodPost, "/api/v2.2/exams/no-such-exam/attempts/", students[0].token, nil, http.StatusNotFound, nil)

			after := scrape(t, url)
			for _, tc := range []struct {
				name   string
				labels []string
				want   float64
			}{
				{"examhall_http_requests_total", []string{"route=" + startRoute, "method=POST", "code=201"}, 3},
				{"examhall_http_request_duration_seconds", []string{"route=" + startRoute, "method=POST", "code=201"}, 3},
				{"examhall_http_requests_total", []string{"route=" + startRoute, "method=POST", "code=404"}, 1},
				{"examhall_http_requests_total", []string{"route=/api/v2.2/attempts/{id}/end/{$}", "method=PUT", "code=200"}, 1},
				{"examhall_attempts_running", nil, 2},
				// 3 started and 1 completed event, none delivered yet: the
				// first of each attempt is held by the receiver, the rest
				// waits behind it.
				{"examhall_webhook_backlog", nil, 4},
				{"examhall_webhook_tries_total", []string{"outcome=delivered"}, 0},
				{"examhall_export_jobs", []string{"state=queued"}, 0},
			} {
				if got := value(after, tc.name, tc.labels...); got != tc.want {
					t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
				}
			}
			for _, f := range after {
				for _, s := range f.Metric {
					for _, l := range s.Label {
						if l.GetName() == "route" && strings.Contains(l.GetValue(), c.exam) {
							t.Errorf("%s has a raw path as route: %q", f.GetName(), l.GetValue())
						}
					}
				}
			}
			for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_open_fds", "process_resident_memory_bytes"} {
				if after[name] == nil {
					t.Errorf("%s missing", name)
				}
			}
			pool, maxOpen := "main", 32.0
			if engine == sqlstore.SQLite {
				pool, maxOpen = "write", 1
			}
			if got := value(after, "examhall_db_max_open_connections", "pool="+pool); got != maxOpen {
				t.Errorf("max open connections of %s: %v, want %v", pool, got, maxOpen)
			}
			open, inUse, idle := value(after, "examhall_db_open_connections", "pool="+pool),
				value(after, "examhall_db_in_use_connections", "pool="+pool), value(after, "examhall_db_idle_connections", "pool="+pool)
			if open < 1 || inUse+idle != open {
				t.Errorf("pool %s: open %v, in use %v, idle %v", pool, open, inUse, idle)
			}

			// Deliveries go through once the receiver answers.
			releaseOnce.Do(func() { close(release) })
			var done map[string]*dto.MetricFamily
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if done = scrape(t, url); value(done, "examhall_webhook_tries_total", "outcome=delivered") == 4 {
					break
				}
			}
			if got := value(done, "examhall_webhook_tries_total", "outcome=delivered"); got != 4 {
				t.Errorf("delivered tries: %v, want 4", got)
			}
			if got := value(done, "examhall_webhook_backlog"); got != 0 {
				t.Errorf("backlog once delivered: %v, want 0", got)
			}

			testWriteQueueMetrics(t, m, c, url, engine, students[1:], ids[1:])
		})
	}
}

// testWriteQueueMetrics holds the writer and checks the queue's depth
// (SQLite: 8 writes fill --write-queue 8), the write request shed while it
// is full and the write the store refuses, then (SQLite) that the batch
// histogram adds up to what the writer committed.
func testWriteQueueMetrics(t *testing.T, m *Main, c *crashClient, url string, engine sqlstore.Engine, students []*crashStudent, ids []int64) {
	ctx := context.Background()
	before := scrape(t, url)
	hold, err := m.db.HoldWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	var wg sync.WaitGroup
	queued := 0
	if engine == sqlstore.SQLite {
		queued = 8
		for i := range queued {
			wg.Go(func() {
				if err := m.db.SetSetting(ctx, fmt.Sprintf("metrics-test-%d", i), "x"); err != nil {
					t.Errorf("queued write %d: %v", i, err)
				}
			})
		}
		for deadline := time.Now().Add(10 * time.Second); m.db.QueuedWrites() < queued && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}
	full := scrape(t, url)
	if got := value(full, "examhall_write_queue_depth"); got != float64(queued) {
		t.Fatalf("queue depth: %v, want %d", got, queued)
	}
	// c.do, not c.write, which would retry the 503.
	heartbeat := fmt.Sprintf("/api/v2.2/attempts/%d/heartbeat/", ids[0])
	if status, answer, _, err := c.do(http.MethodPut, heartbeat, students[0].token, nil); err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("a write with the queue full: %d %s %v, want 503", status, answer, err)
	}
	if err := m.db.SetSetting(ctx, "metrics-test", "x"); !errors.Is(err, examhall.ErrWritesFull) {
		t.Errorf("a write with the queue full: %v, want ErrWritesFull", err)
	}
	shed := scrape(t, url)
	delta := func(name string, labels ...string) float64 {
		return value(shed, name, labels...) - max(0, value(before, name, labels...))
	}
	if got := delta("examhall_http_shed_total", "reason=write_queue_full"); got != 1 {
		t.Errorf("shed: %v, want 1", got)
	}
	if got := delta("examhall_http_requests_total", "route=unrouted", "method=PUT", "code=503"); got != 1 {
		t.Errorf("the shed request, unrouted: %v, want 1", got)
	}
	// The webhook worker's writes may be refused meanwhile too.
	if got := value(shed, "examhall_write_queue_refused_total"); got-value(before, "examhall_write_queue_refused_total") < 1 ||
		got > float64(m.db.WritesRefused()) {
		t.Errorf("refused: %v, before %v", got, value(before, "examhall_write_queue_refused_total"))
	}
	hold()
	wg.Wait()
	if engine != sqlstore.SQLite {
		if h := series(shed, "examhall_write_batch_size"); h.Histogram.GetSampleCount() != 0 {
			t.Errorf("batches on PostgreSQL: %d", h.Histogram.GetSampleCount())
		}
		return
	}
	// The webhook worker writes too (every second): read while the writer
	// stands still.
	for range 50 {
		batches, writes := m.db.WriteStats()
		h := series(scrape(t, url), "examhall_write_batch_size").Histogram
		if b, w := m.db.WriteStats(); b != batches || w != writes {
			continue
		}
		if h.GetSampleCount() != uint64(batches) || h.GetSampleSum() != float64(writes) || batches == 0 {
			t.Errorf("batch histogram: %d batches of %v writes; the writer committed %d of %d", h.GetSampleCount(), h.GetSampleSum(), batches, writes)
		}
		// The 8 writes queued together were committed together.
		if b := h.Bucket; b[3].GetUpperBound() != 8 || b[3].GetCumulativeCount() == b[2].GetCumulativeCount() {
			t.Errorf("no batch of 5 to 8 writes: %v", b)
		}
		return
	}
	t.Error("the writer never stood still for a scrape")
}

// TestMetricsOff: without --metrics-addr there is no metrics listener, and
// the public listener has no /metrics.
func TestMetricsOff(t *testing.T) {
	m, _ := start(t, "--db", sqltest.DSN(t, sqlstore.SQLite))
	if m.metricsSrv != nil || m.metrics != nil || m.MetricsURL() != "" {
		t.Errorf("metrics served without --metrics-addr: %v", m.MetricsURL())
	}
	for _, path := range []string{"/metrics", "/metrics/"} {
		if status, body := get(t, m.URL()+path, ""); status != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
			t.Errorf("GET %s on the public listener: %d %.200s", path, status, body)
		}
	}
}
