package webhook_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/examhall/examhall/webhook"
)

// checkAllOnce checks that the receiver got every one of want deliveries
// (2xx), each attempt's exam.started before its exam.completed, and returns
// how many 2xx requests were duplicates (a delivery id seen again).
func checkAllOnce(t *testing.T, rcv *receiver, want int) (duplicates int) {
	t.Helper()
	seen := map[string]bool{}
	started := map[float64]bool{}
	for _, q := range rcv.delivered() {
		if seen[q.delivery] {
			duplicates++
			continue
		}
		seen[q.delivery] = true
		var p map[string]any
		if err := json.Unmarshal(q.body, &p); err != nil {
			t.Fatal(err)
		}
		id := p["attempt_id"].(float64)
		switch q.event {
		case "exam.started":
			started[id] = true
		case "exam.completed":
			if !started[id] {
				t.Errorf("attempt %v: completed delivered before started", id)
			}
		}
	}
	if len(seen) != want {
		t.Errorf("%d distinct deliveries received, want %d (lost %d)", len(seen), want, want-len(seen))
	}
	return duplicates
}

// countingOutbox counts the deliveries a worker claims.
type countingOutbox struct {
	examhall.WebhookOutbox
	claimed atomic.Int64
}

func (o *countingOutbox) ClaimWebhookDeliveries(ctx context.Context, owner string, limit int, lease time.Duration) ([]examhall.WebhookDelivery, error) {
	list, err := o.WebhookOutbox.ClaimWebhookDeliveries(ctx, owner, limit, lease)
	o.claimed.Add(int64(len(list)))
	return list, err
}

// runWorkers runs the workers, then during, until done, or fails after a
// guard of 60s (a hang, not a timing).
func runWorkers(t *testing.T, workers []*webhook.Worker, during func(), done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	during()
	guard := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(guard) {
			t.Fatal("deliveries did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTwoReplicas500Events: two replicas (two *sqlstore.DB on one
// PostgreSQL database, each with its worker) deliver 500 events: none is
// lost, each attempt's in order; the duplicates are counted and logged (at
// least once allows them; the claim's FOR UPDATE SKIP LOCKED and lease
// should make them none). On SQLite, which one process serves, two workers
// share one DB.
func TestTwoReplicas500Events(t *testing.T) {
	const students = 250 // a start and an end each
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, engine)
			open := func() *sqlstore.DB {
				db, err := sqlstore.Open(ctx, dsn, examhall.SystemClock{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			a := open()
			b := a
			if engine == sqlstore.Postgres {
				b = open()
			}
			rcv := newReceiver(t, nil)
			_, users := fixture(t, a, rcv.srv.URL, students)
			b.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: rcv.srv.URL, PublicKey: publicKey, PrivateKey: privateKey,
				Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}})
			opts := fastOptions()
			opts.Batch = 8
			outA, outB := &countingOutbox{WebhookOutbox: a}, &countingOutbox{WebhookOutbox: b}
			workers := []*webhook.Worker{webhook.New(outA, opts), webhook.New(outB, opts)}
			// The events are written while both workers run, half the
			// attempts by each replica, at once.
			runWorkers(t, workers, func() {
				var wg sync.WaitGroup
				for i, db := range []*sqlstore.DB{a, b} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						mine := users[i*students/2 : (i+1)*students/2]
						for _, u := range mine {
							ctx := context.Background()
							at, err := db.StartAttempt(ctx, u.ID, "mock", "")
							if err == nil {
								_, err = db.End(ctx, u.ID, at.ID)
							}
							if err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
			}, func() bool { return pending(t, a) == 0 })

			dups := checkAllOnce(t, rcv, 2*students)
			t.Logf("%s: %d events, %d requests, %d duplicates; claimed by worker A %d, by worker B %d",
				engine, 2*students, len(rcv.all()), dups, outA.claimed.Load(), outB.claimed.Load())
			if outA.claimed.Load() == 0 || outB.claimed.Load() == 0 {
				t.Errorf("one worker delivered everything: the replicas did not share the work")
			}
			list, n, err := a.WebhookDeliveries(ctx, examhall.WebhookDeliveryFilter{Limit: 2 * students})
			if err != nil || n != 2*students {
				t.Fatalf("outbox: %d rows, %v", n, err)
			}
			tries := 0
			for _, d := range list {
				if d.State != examhall.DeliveryDelivered {
					t.Errorf("delivery %d is %s", d.ID, d.State)
				}
				tries += d.Tries
			}
			if tries != len(rcv.all()) {
				t.Errorf("tries recorded %d, requests received %d", tries, len(rcv.all()))
			}
		})
	}
}

// TestOneHourOutage: the receiver is down for an hour of a fake clock
// (shared by the store and the worker, with the default backoff 10s…1h
// and give-up 72h) while attempts keep starting and ending; 0 events are
// lost, none fails, each attempt's are in order, and every event arrives
// within the longest backoff (1h) of the receiver coming back.
func TestOneHourOutage(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := examhalltest.NewClock(start)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(start)
		back := start.Add(time.Hour)
		rcv := newReceiver(t, func(int) bool { return clock.Now().Before(back) })
		_, users := fixture(t, db, rcv.srv.URL, 12)
		w := webhook.New(db, webhook.Options{Timeout: 5 * time.Second, Clock: clock, AllowPrivate: true})
		drain := func() {
			t.Helper()
			for {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		var lastDelivered time.Time
		step := 0
		for step < 12 || pending(t, db) > 0 {
			if clock.Now().After(start.Add(5 * time.Hour)) {
				t.Fatalf("still %d pending 5h after the outage began", pending(t, db))
			}
			// A student takes the exam every 5 minutes of the outage's first hour.
			if step < 12 {
				takeExam(t, db, users[step:step+1])
			}
			before := len(rcv.delivered())
			drain()
			if len(rcv.delivered()) > before {
				lastDelivered = clock.Now()
			}
			step++
			clock.Advance(5 * time.Second)
			if step < 12 {
				clock.Advance(5*time.Minute - 5*time.Second)
			}
		}
		if dups := checkAllOnce(t, rcv, 24); dups != 0 {
			t.Errorf("%d duplicates from one worker", dups)
		}
		failed := len(rcv.all()) - len(rcv.delivered())
		if failed == 0 {
			t.Error("no request failed: the outage was not simulated")
		}
		if lastDelivered.After(back.Add(time.Hour + 5*time.Second)) {
			t.Errorf("last delivery at %s, more than the longest backoff after the receiver came back at %s", lastDelivered, back)
		}
		fs := examhall.DeliveryFailed
		if _, n, _ := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{State: &fs, Limit: 1}); n != 0 {
			t.Errorf("%d deliveries failed", n)
		}
		t.Logf("24 events over a 1h outage: %d failed tries, all delivered by %s after the receiver came back",
			failed, lastDelivered.Sub(back))
	})
}
