package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/examhall/examhall/webhook"
)

// receiver is a webhook receiver that records what it is sent; fail says
// whether to answer the n-th request (from 1) with a 500.
type receiver struct {
	mu       sync.Mutex
	requests []request
	fail     func(n int) bool
	srv      *httptest.Server
}

type request struct {
	event, delivery, contentType string
	body                         []byte
	status                       int
}

func newReceiver(t *testing.T, fail func(n int) bool) *receiver {
	r := &receiver{fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		status := 200
		if r.fail != nil && r.fail(len(r.requests)+1) {
			status = 500
		}
		r.requests = append(r.requests, request{req.Header.Get("X-Examhall-Event"), req.Header.Get("X-Examhall-Delivery"),
			req.Header.Get("Content-Type"), body, status})
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.requests...)
}

// delivered are the requests answered 2xx, in the order they came.
func (r *receiver) delivered() []request {
	var ok []request
	for _, q := range r.all() {
		if q.status == 200 {
			ok = append(ok, q)
		}
	}
	return ok
}

const publicKey, privateKey = "pub key/1", "s3cr&t"

// fixture opens a database with an exam and students, whose webhooks go to
// url.
func fixture(t *testing.T, db *sqlstore.DB, url string, students int) (*examhall.Exam, []*examhall.User) {
	t.Helper()
	ctx := context.Background()
	db.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: url, PublicKey: publicKey, PrivateKey: privateKey,
		Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}})
	hour := time.Hour
	exam := &examhall.Exam{Slug: "mock", Title: `Mock "1" | é`, Duration: &hour, Published: true,
		MarkPerQuestion: decimal.Decimal(400), Sections: []examhall.Section{{Name: "A", Questions: []examhall.ExamQuestion{
			{Marks: decimal.Decimal(400), Question: examhall.Question{Type: examhall.MCQSingle, QuestionHTML: "<p>g?</p>",
				Answers: []examhall.Answer{{TextHTML: "9.8", IsCorrect: true}, {TextHTML: "10"}}}},
		}}}}
	if err := db.CreateExam(ctx, exam); err != nil {
		t.Fatal(err)
	}
	var users []*examhall.User
	for i := range students {
		u := &examhall.User{Username: fmt.Sprintf("student%d", i), Email: fmt.Sprintf("s%d@example.com", i),
			Role: examhall.RoleStudent}
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	return exam, users
}

// takeExam starts and ends an attempt of each user.
func takeExam(t *testing.T, db *sqlstore.DB, users []*examhall.User) []*examhall.Attempt {
	t.Helper()
	ctx := context.Background()
	var attempts []*examhall.Attempt
	for _, u := range users {
		a, err := db.StartAttempt(ctx, u.ID, "mock", "")
		if err != nil {
			t.Fatal(err)
		}
		if a, err = db.End(ctx, u.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		attempts = append(attempts, a)
	}
	return attempts
}

func fastOptions() webhook.Options {
	return webhook.Options{Timeout: 2 * time.Second, BackoffMin: 2 * time.Millisecond, BackoffMax: 10 * time.Millisecond,
		GiveUpAfter: time.Hour, PollInterval: time.Millisecond, AllowPrivate: true}
}

// runUntil runs w until no delivery is pending (or the guard of 30s ends it:
// a hang, not a timing).
func runUntil(t *testing.T, db *sqlstore.DB, w *webhook.Worker, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(ctx) }()
	defer func() { cancel(); <-stopped }()
	guard := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(guard) {
			t.Fatal("deliveries did not finish")
		}
		time.Sleep(time.Millisecond)
	}
}

func pending(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	s := examhall.DeliveryPending
	_, n, err := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{State: &s, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// quote is Python's urllib.parse.quote(v, safe=""), written apart from the
// code under test: url.QueryEscape leaves the same characters (letters,
// digits, - . _ ~) but writes a space as "+".
func quote(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }

func TestExamDeliveries(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		rcv := newReceiver(t, nil)
		_, users := fixture(t, db, rcv.srv.URL, 1)
		attempts := takeExam(t, db, users)
		runUntil(t, db, webhook.New(db, fastOptions()), func() bool { return len(rcv.delivered()) == 2 && pending(t, db) == 0 })

		got := rcv.delivered()
		if got[0].event != "exam.started" || got[1].event != "exam.completed" {
			t.Errorf("events = %s, %s; want exam.started, exam.completed", got[0].event, got[1].event)
		}
		for _, q := range got {
			if q.contentType != "application/json" {
				t.Errorf("Content-Type = %q", q.contentType)
			}
			var keys []string
			dec := json.NewDecoder(strings.NewReader(string(q.body)))
			dec.Token()
			for dec.More() {
				k, _ := dec.Token()
				keys = append(keys, k.(string))
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
			want := "username accuracy hash exam subject_stats email partial_correct_answers_count attempt_id attempt_state " +
				"incorrect_answers_count difficulty_level_stats completed_on unanswered_answers_count key attempt_start_time " +
				"user_id percentage score speed institute_attempt_id correct_answers_count"
			if strings.Join(keys, " ") != want {
				t.Errorf("fields = %s", strings.Join(keys, " "))
			}
			var p map[string]any
			dec = json.NewDecoder(strings.NewReader(string(q.body)))
			dec.UseNumber()
			if err := dec.Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p["username"] != "student0" || p["email"] != "s0@example.com" || p["key"] != publicKey ||
				p["attempt_id"] != json.Number(fmt.Sprint(attempts[0].ID)) {
				t.Errorf("payload = %s", q.body)
			}
			if e := p["exam"].(map[string]any); e["title"] != `Mock "1" | é` || e["duration"] != "1:00:00" {
				t.Errorf("exam = %v", e)
			}
			// The hash, recomputed from the rule (SPEC §10) and the payload.
			text := func(k string) string {
				switch v := p[k].(type) {
				case nil:
					return ""
				case string:
					return v
				default:
					return fmt.Sprint(v)
				}
			}
			msg := strings.Join([]string{quote(publicKey), quote(text("attempt_id")), quote(text("correct_answers_count")),
				quote(privateKey), quote(text("incorrect_answers_count")), quote(text("unanswered_answers_count")),
				quote(text("percentage")), quote(text("score")), quote(text("user_id"))}, "|")
			mac := hmac.New(sha512.New, []byte(privateKey))
			mac.Write([]byte(msg))
			if want := hex.EncodeToString(mac.Sum(nil)); p["hash"] != want {
				t.Errorf("%s: hash = %v, want %s (over %s)", q.event, p["hash"], want, msg)
			}
		}
		var started, completed map[string]any
		json.Unmarshal(got[0].body, &started)
		json.Unmarshal(got[1].body, &completed)
		if started["attempt_state"] != "started" || completed["attempt_state"] != "completed" ||
			completed["score"] != "0.00" || completed["completed_on"] == nil || started["completed_on"] != nil {
			t.Errorf("started %s\ncompleted %s", got[0].body, got[1].body)
		}
		list, _, err := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			if d.State != examhall.DeliveryDelivered || d.Tries != 1 || d.LastStatus == nil || *d.LastStatus != 200 || d.DeliveredAt == nil {
				t.Errorf("delivery %d: %+v", d.ID, d)
			}
		}
	})
}

// TestOutageRestartInOrder: a receiver that fails its first 15 requests (an
// outage, with the short backoff flags of a test) while the worker is
// replaced by a new one on the same database halfway; every event arrives,
// each attempt's started before its completed, with the same
// X-Examhall-Delivery on every try of an event.
func TestOutageRestartInOrder(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		rcv := newReceiver(t, func(n int) bool { return n <= 15 })
		_, users := fixture(t, db, rcv.srv.URL, 8)
		takeExam(t, db, users)
		runUntil(t, db, webhook.New(db, fastOptions()), func() bool { return len(rcv.all()) >= 8 })
		// A restart: a new worker on the same database resumes.
		runUntil(t, db, webhook.New(db, fastOptions()), func() bool { return pending(t, db) == 0 })

		ok := rcv.delivered()
		if len(ok) != 16 {
			t.Fatalf("delivered %d events, want 16", len(ok))
		}
		seen := map[string]bool{}
		var attemptOf = map[string]float64{}
		startedAt := map[float64]int{}
		for i, q := range ok {
			if seen[q.delivery] {
				t.Errorf("delivery %s delivered twice", q.delivery)
			}
			seen[q.delivery] = true
			var p map[string]any
			json.Unmarshal(q.body, &p)
			id := p["attempt_id"].(float64)
			attemptOf[q.delivery] = id
			switch q.event {
			case "exam.started":
				startedAt[id] = i
			case "exam.completed":
				if at, ok := startedAt[id]; !ok || at > i {
					t.Errorf("attempt %v: completed delivered before started", id)
				}
			}
		}
		retried := 0
		for _, q := range rcv.all() {
			if q.status == 500 {
				retried++
				if !seen[q.delivery] {
					t.Errorf("delivery %s failed and was never delivered", q.delivery)
				}
			}
		}
		if retried != 15 {
			t.Errorf("%d failed requests, want 15", retried)
		}
		list, _, _ := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{Limit: 100})
		tries := 0
		for _, d := range list {
			tries += d.Tries
		}
		if tries != 31 {
			t.Errorf("tries recorded %d, want 31 (15 failed, 16 delivered)", tries)
		}
	})
}

func TestGiveUpAndRedeliver(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		down := true
		var mu sync.Mutex
		rcv := newReceiver(t, func(int) bool { mu.Lock(); defer mu.Unlock(); return down })
		_, users := fixture(t, db, rcv.srv.URL, 1)
		ctx := context.Background()
		if _, err := db.StartAttempt(ctx, users[0].ID, "mock", ""); err != nil {
			t.Fatal(err)
		}
		opts := fastOptions()
		opts.GiveUpAfter = 20 * time.Millisecond
		runUntil(t, db, webhook.New(db, opts), func() bool { return pending(t, db) == 0 })
		list, _, _ := db.WebhookDeliveries(ctx, examhall.WebhookDeliveryFilter{Limit: 10})
		if len(list) != 1 || list[0].State != examhall.DeliveryFailed || list[0].Tries < 1 ||
			*list[0].LastStatus != 500 || list[0].LastError != "HTTP 500" {
			t.Fatalf("after give-up: %+v", list)
		}
		mu.Lock()
		down = false
		mu.Unlock()
		d, err := db.RedeliverWebhook(ctx, list[0].ID)
		if err != nil || d.State != examhall.DeliveryPending {
			t.Fatalf("redeliver: %+v, %v", d, err)
		}
		runUntil(t, db, webhook.New(db, opts), func() bool { return pending(t, db) == 0 })
		list, _, _ = db.WebhookDeliveries(ctx, examhall.WebhookDeliveryFilter{Limit: 10})
		if list[0].State != examhall.DeliveryDelivered || *list[0].LastStatus != 200 {
			t.Errorf("after redelivery: %+v", list[0])
		}
		ok := rcv.delivered()
		if len(ok) != 1 || ok[0].delivery != fmt.Sprint(list[0].ID) {
			t.Errorf("delivered %+v", ok)
		}
		if _, err := db.RedeliverWebhook(ctx, 999); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("redeliver 999: %v, want ENOTFOUND", err)
		}
	})
}

// TestPrivateAddressRefused: without --webhook-allow-private the worker does
// not connect to a loopback receiver.
func TestPrivateAddressRefused(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		rcv := newReceiver(t, nil)
		_, users := fixture(t, db, rcv.srv.URL, 1)
		if _, err := db.StartAttempt(context.Background(), users[0].ID, "mock", ""); err != nil {
			t.Fatal(err)
		}
		opts := fastOptions()
		opts.AllowPrivate, opts.GiveUpAfter = false, time.Millisecond
		runUntil(t, db, webhook.New(db, opts), func() bool { return pending(t, db) == 0 })
		list, _, _ := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{Limit: 10})
		if len(rcv.all()) != 0 || len(list) != 1 || list[0].State != examhall.DeliveryFailed || list[0].LastStatus != nil ||
			!strings.Contains(list[0].LastError, "not public") {
			t.Errorf("receiver got %d requests; delivery %+v", len(rcv.all()), list)
		}
	})
}

func TestNoWebhookNoEvent(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		_, users := fixture(t, db, "", 1)
		takeExam(t, db, users)
		if _, n, err := db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{Limit: 1}); err != nil || n != 0 {
			t.Errorf("deliveries without a URL: %d, %v", n, err)
		}
	})
}
