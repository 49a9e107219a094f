package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

// records parses every line as a JSON object (failing the test on one that
// is not) and returns those for which match is true, waiting up to 5s for
// want of them: a request is logged just after its handler returns.
func (b *syncBuffer) records(t *testing.T, want int, match func(map[string]any) bool) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		text := b.String()
		var found []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			if line == "" {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %v\n%s", err, line)
			}
			if match(rec) {
				found = append(found, rec)
			}
		}
		if len(found) >= want || time.Now().After(deadline) {
			return found
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// panickingPinger panics in the readiness check, as a handler with a bug would.
type panickingPinger struct{}

func (panickingPinger) Ping(context.Context) error { panic("pinger bug") }

// TestRequestLogJSON: with the JSON handler every line parses; a request
// line carries the route pattern, status, duration, user id and request id;
// health probes are logged at debug level, not info; a panic is logged with
// its stack.
func TestRequestLogJSON(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		logs := &syncBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) { s.Logger = logger })
		admin := a.addUser("admin", examhall.RoleAdmin)
		token := "JWT " + a.token("admin")
		path := fmt.Sprintf("/api/v2.5/admin/users/%d", admin.ID)
		if got := a.doWith("GET", path, http.Header{"Authorization": {token}, "X-Request-Id": {"req-users-1"}}, ""); got.status != 200 {
			t.Fatalf("GET %s: %d %s", path, got.status, got.body)
		}
		recs := logs.records(t, 1, func(r map[string]any) bool { return r["request_id"] == "req-users-1" })
		if len(recs) != 1 {
			t.Fatalf("request lines of req-users-1: %v", recs)
		}
		rec := recs[0]
		duration, ok := rec["duration"].(float64) // nanoseconds
		if !ok || duration <= 0 {
			t.Errorf("duration = %#v, want a positive number of nanoseconds", rec["duration"])
		}
		delete(rec, "duration")
		delete(rec, "time")
		want := map[string]any{"level": "INFO", "msg": "request", "method": "GET", "path": path,
			"route": "/api/v2.5/admin/users/{id}/", "status": float64(200), "request_id": "req-users-1", "user_id": float64(admin.ID)}
		if fmt.Sprint(rec) != fmt.Sprint(want) {
			t.Errorf("request line:\n got %v\nwant %v", rec, want)
		}

		// Anonymous: no user_id; an unmatched path: an empty route.
		a.doWith("GET", "/api/v2.5/nope/", http.Header{"X-Request-Id": {"req-nope"}}, "")
		recs = logs.records(t, 1, func(r map[string]any) bool { return r["request_id"] == "req-nope" })
		if len(recs) != 1 || recs[0]["route"] != "/api/" || recs[0]["status"] != float64(404) || recs[0]["user_id"] != nil {
			t.Errorf("unknown path's line: %v", recs)
		}

		for _, probe := range []string{"/healthz/", "/readyz", "/healthz"} {
			id := "probe" + strings.ReplaceAll(probe, "/", "-")
			if got := a.doWith("GET", probe, http.Header{"X-Request-Id": {id}}, ""); got.status != 200 {
				t.Fatalf("GET %s: %d", probe, got.status)
			}
			recs := logs.records(t, 1, func(r map[string]any) bool { return r["request_id"] == id })
			if len(recs) != 1 || recs[0]["level"] != "DEBUG" || recs[0]["msg"] != "request" {
				t.Errorf("%s logged as %v, want one DEBUG request line", probe, recs)
			}
		}
	})
}

// TestFailedProbeLoggedAtInfo: a probe that fails is news, logged at info.
func TestFailedProbeLoggedAtInfo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		logs := &syncBuffer{}
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) {
			s.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			s.DB = failingPinger{}
		})
		if got := a.doWith("GET", "/readyz/", http.Header{"X-Request-Id": {"req-down"}}, ""); got.status != 503 {
			t.Fatalf("GET /readyz/: %d %s", got.status, got.body)
		}
		recs := logs.records(t, 1, func(r map[string]any) bool { return r["msg"] == "request" })
		if len(recs) != 1 || recs[0]["level"] != "INFO" || recs[0]["status"] != float64(503) || recs[0]["route"] != "/readyz/" {
			t.Errorf("failed probe's lines: %v", recs)
		}
	})
}

// failingPinger is a database that does not answer.
type failingPinger struct{}

func (failingPinger) Ping(context.Context) error { return errors.New("connection refused") }

// TestPanicLoggedWithStack: a panicking handler answers 500 with the safe
// body, and its log line holds the panic's value and the stack down to the
// function that panicked.
func TestPanicLoggedWithStack(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		logs := &syncBuffer{}
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) {
			s.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			s.DB = panickingPinger{}
		})
		got := a.doWith("GET", "/readyz/", http.Header{"X-Request-Id": {"req-panic"}}, "")
		if got.status != 500 || got.body != `{"detail":"A server error occurred."}` {
			t.Fatalf("GET /readyz/: %d %s", got.status, got.body)
		}
		recs := logs.records(t, 1, func(r map[string]any) bool { return r["msg"] == "panic" })
		if len(recs) != 1 {
			t.Fatalf("panic lines: %v", recs)
		}
		stack, _ := recs[0]["stack"].(string)
		if recs[0]["level"] != "ERROR" || recs[0]["value"] != "pinger bug" || recs[0]["request_id"] != "req-panic" ||
			!strings.HasPrefix(stack, "goroutine ") || !strings.Contains(stack, "httpapi_test.panickingPinger.Ping") {
			t.Errorf("panic line: %v", recs[0])
		}
		// The request's own line follows, with its route (the panic is
		// recorded after the route is).
		recs = logs.records(t, 1, func(r map[string]any) bool { return r["msg"] == "request" })
		if len(recs) != 1 || recs[0]["level"] != "INFO" || recs[0]["status"] != float64(500) || recs[0]["route"] != "/readyz/" {
			t.Errorf("request lines: %v", recs)
		}
	})
}
