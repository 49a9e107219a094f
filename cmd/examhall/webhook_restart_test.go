package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestWebhooksSurviveRestart is issue 13's restart case with real processes:
// the receiver is down while students start and end attempts and while
// `serve` is stopped and started again; once both are back, every event
// arrives (duplicates only as at-least-once allows), each attempt's started
// before its completed.
func TestWebhooksSurviveRestart(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			var up atomic.Bool
			var refused atomic.Int64
			var mu sync.Mutex
			type delivery struct {
				id, state string
				attempt   int64
			}
			var received []delivery
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if !up.Load() {
					refused.Add(1)
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				var p struct {
					AttemptID    int64  `json:"attempt_id"`
					AttemptState string `json:"attempt_state"`
				}
				if err := json.Unmarshal(body, &p); err != nil {
					t.Errorf("payload: %v: %s", err, body)
				}
				mu.Lock()
				received = append(received, delivery{r.Header.Get("X-Examhall-Delivery"), p.AttemptState, p.AttemptID})
				mu.Unlock()
				w.WriteHeader(http.StatusNoContent)
			}))
			defer receiver.Close()

			dsn := sqltest.DSN(t, engine)
			run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "secret", "--bcrypt-cost", "4")
			flags := []string{"--exam-webhook-url", receiver.URL, "--webhook-allow-private",
				"--webhook-backoff-min", "50ms", "--webhook-backoff-max", "200ms"}
			logs := t.TempDir()
			first := startChild(t, dsn, filepath.Join(logs, "serve-1.log"), flags...)
			c := newCrashClient(first.url)
			students := c.setup(t, c.login(t, "root", "secret"))[:3]
			var attempts []int64
			for _, s := range students {
				var started struct{ ID int64 }
				c.mustJSON(t, http.MethodPost, "/api/v2.2/exams/"+c.exam+"/attempts/", s.token, nil, http.StatusCreated, &started)
				c.mustJSON(t, http.MethodPut, fmt.Sprintf("/api/v2.2/attempts/%d/end/", started.ID), s.token, nil, http.StatusOK, nil)
				attempts = append(attempts, started.ID)
			}
			// The first server tries (and fails) before it stops.
			for deadline := time.Now().Add(20 * time.Second); refused.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			if refused.Load() == 0 {
				t.Fatal("the first server never tried to deliver")
			}
			c.client.CloseIdleConnections()
			first.stop(t)
			up.Store(true)
			second := startChild(t, dsn, filepath.Join(logs, "serve-2.log"), flags...)
			defer second.stop(t)

			want := 2 * len(attempts)
			distinct := func() map[string]bool {
				mu.Lock()
				defer mu.Unlock()
				ids := map[string]bool{}
				for _, d := range received {
					ids[d.id] = true
				}
				return ids
			}
			for deadline := time.Now().Add(30 * time.Second); len(distinct()) < want && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			got := len(distinct())
			mu.Lock()
			defer mu.Unlock()
			if got != want {
				t.Fatalf("after the restart %d distinct events arrived, want %d: %+v", got, want, received)
			}
			for _, id := range attempts {
				var states []string
				for _, d := range received {
					if d.attempt == id && !slices.Contains(states, d.state) {
						states = append(states, d.state)
					}
				}
				if !slices.Equal(states, []string{"started", "completed"}) {
					t.Errorf("attempt %d: events arrived as %v, want [started completed]", id, states)
				}
			}
			t.Logf("%d tries refused while the receiver was down; %d events arrived %d times (%d duplicates)",
				refused.Load(), want, len(received), len(received)-want)
		})
	}
}
