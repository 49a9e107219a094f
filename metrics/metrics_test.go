package metrics_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/metrics"
)

var _ httpapi.RequestObserver = (*metrics.Metrics)(nil)

func families(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/metrics", nil)
	m.Handler().ServeHTTP(rec, req)
	p := expfmt.NewTextParser(model.UTF8Validation)
	f, err := p.TextToMetricFamilies(strings.NewReader(rec.body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type recorder struct {
	header http.Header
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(int)             {}

// The labels a request is counted under: an unrouted request and an unknown
// method each fall in one bucket, whatever the client sent; the shed reasons
// match httpapi's; webhook outcomes follow the outcome.
func TestLabels(t *testing.T) {
	m := metrics.New(nil)
	m.ObserveRequest("", "GET", 400, time.Millisecond)
	m.ObserveRequest("/x/{$}", "BREW", 200, time.Millisecond)
	m.ObserveRequest("/x/{$}", "BREW2", 200, time.Millisecond)
	m.ObserveShed(httpapi.ShedInFlightLimit)
	m.ObserveWebhook(examhall.WebhookOutcome{Delivered: true})
	m.ObserveWebhook(examhall.WebhookOutcome{NextTry: time.Now()})
	m.ObserveWebhook(examhall.WebhookOutcome{})
	m.ObserveWebhook(examhall.WebhookOutcome{})
	got := map[string]float64{}
	for _, name := range []string{"examhall_http_requests_total", "examhall_http_shed_total", "examhall_webhook_tries_total"} {
		for _, s := range families(t, m)[name].Metric {
			var labels []string
			for _, l := range s.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			got[name+"{"+strings.Join(labels, ",")+"}"] = s.Counter.GetValue()
		}
	}
	want := map[string]float64{
		"examhall_http_requests_total{code=400,method=GET,route=unrouted}": 1,
		"examhall_http_requests_total{code=200,method=OTHER,route=/x/{$}}": 2,
		"examhall_http_shed_total{reason=in_flight_limit}":                 1,
		"examhall_http_shed_total{reason=write_queue_full}":                0,
		"examhall_webhook_tries_total{outcome=delivered}":                  1,
		"examhall_webhook_tries_total{outcome=retry}":                      1,
		"examhall_webhook_tries_total{outcome=failed}":                     2,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("series: %v", got)
	}
}

// BenchmarkObserveRequest is what the middleware adds to a request.
func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New(nil)
	for b.Loop() {
		m.ObserveRequest("/api/v2.2/attempts/{id}/questions/{item}/{$}", "PUT", 200, time.Millisecond)
	}
}
