package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/examhall/examhall/webhook"
)

// TestSlowReceiverDoesNotSlowAttempts measures the latency of the attempt
// endpoints (POST .../exams/<slug>/attempts/ and PUT .../attempts/<id>/end/,
// through the real HTTP API) with no webhook, with a fast receiver and with
// a slow one that sleeps past a short --webhook-timeout (200ms), while the
// worker runs. It logs p50/p99 of each (a measurement, not a timed
// assertion: the machine is shared) and asserts only correctness: every
// request answers 201/200, every event is in the outbox, delivered to the
// fast receiver, pending (never lost, not failed) for the slow one.
func TestSlowReceiverDoesNotSlowAttempts(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	const students = 100
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			for _, mode := range []string{"none", "fast", "slow"} {
				t.Run(mode, func(t *testing.T) {
					measureAttempts(t, engine, mode, students)
				})
			}
		})
	}
}

func measureAttempts(t *testing.T, engine sqlstore.Engine, mode string, students int) {
	ctx := context.Background()
	db := sqltest.MustOpen(t, engine, examhall.SystemClock{})
	const timeout = 200 * time.Millisecond
	var (
		mu    sync.Mutex
		posts int
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		posts++
		mu.Unlock()
		if mode == "slow" {
			select { // past the timeout; the worker gives up on the try
			case <-time.After(5 * timeout):
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(rcv.Close)
	url := rcv.URL
	if mode == "none" {
		url = ""
	}
	fixture(t, db, url, 0)
	var users []*examhall.User
	for i := range students {
		u := &examhall.User{Username: fmt.Sprintf("s%d", i), Email: fmt.Sprintf("s%d@example.com", i),
			Role: examhall.RoleStudent, IsActive: true}
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}

	clock := examhall.SystemClock{}
	tokens := auth.NewTokens([]byte("slow-receiver-secret"), time.Hour, clock)
	api := &httpapi.Server{
		Auth:  &auth.Service{Users: db, Failures: db, Clock: clock, Tokens: tokens, Passwords: &auth.Passwords{}},
		Users: db, Exams: db, Attempts: db, Import: db, Reports: db, Courses: db, ContentReports: db, DB: db,
		Institute: db, MaxBodyBytes: 1 << 16, MaxImportBytes: 1 << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	server := httptest.NewServer(api.Handler())
	t.Cleanup(server.Close)

	opts := fastOptions()
	opts.Timeout, opts.BackoffMin, opts.BackoffMax, opts.PollInterval = timeout, 50*time.Millisecond, 200*time.Millisecond, 10*time.Millisecond
	w := webhook.New(db, opts)
	wctx, stop := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(wctx) }()
	defer func() { stop(); <-stopped }()

	call := func(method, path, token string) (int, []byte, time.Duration) {
		t.Helper()
		req, err := http.NewRequest(method, server.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "JWT "+token)
		began := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body, took
	}
	var starts, ends []time.Duration
	for _, u := range users {
		token, err := tokens.Issue(u)
		if err != nil {
			t.Fatal(err)
		}
		status, body, took := call("POST", "/api/v2.2/exams/mock/attempts/", token)
		if status != http.StatusCreated {
			t.Fatalf("start: %d %s", status, body)
		}
		starts = append(starts, took)
		var a struct{ ID int64 }
		if err := json.Unmarshal(body, &a); err != nil || a.ID == 0 {
			t.Fatalf("start: %s, %v", body, err)
		}
		status, body, took = call("PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", a.ID), token)
		if status != http.StatusOK {
			t.Fatalf("end: %d %s", status, body)
		}
		ends = append(ends, took)
		// A student's pace, so that the run spans several timeouts of the
		// slow receiver with the worker's tries in flight.
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s %-4s receiver: start p50 %v p99 %v; end p50 %v p99 %v (%d each)", engine, mode,
		percentile(starts, 50), percentile(starts, 99), percentile(ends, 50), percentile(ends, 99), students)

	want := 2 * students
	if mode == "none" {
		want = 0
	}
	if mode == "fast" {
		guard := time.Now().Add(30 * time.Second)
		for pending(t, db) > 0 {
			if time.Now().After(guard) {
				t.Fatal("deliveries did not finish")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stop()
	<-stopped
	list, n, err := db.WebhookDeliveries(ctx, examhall.WebhookDeliveryFilter{Limit: want + 1})
	if err != nil || n != want {
		t.Fatalf("outbox: %d rows, want %d; %v", n, want, err)
	}
	states := map[examhall.DeliveryState]int{}
	tries := 0
	for _, d := range list {
		states[d.State]++
		tries += d.Tries
	}
	switch mode {
	case "fast":
		if states[examhall.DeliveryDelivered] != want {
			t.Errorf("states %v, want all %d delivered", states, want)
		}
	case "slow":
		if states[examhall.DeliveryPending] != want {
			t.Errorf("states %v, want all %d pending (retried)", states, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if mode != "none" && (posts == 0 || tries > posts) {
		t.Errorf("%d tries recorded, %d requests received", tries, posts)
	}
	if mode == "slow" {
		t.Logf("slow receiver: %d tries, all timed out", tries)
	}
}

// percentile is the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)].Round(10 * time.Microsecond)
}
