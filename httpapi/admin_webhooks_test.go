package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// expect sends a request and fails the test unless the status and the body
// (compacted JSON, or text) are exactly the ones given.
func (a *testAPI) expect(method, path, token, body string, status int, want string) string {
	a.t.Helper()
	auth := ""
	if token != "" {
		auth = "JWT " + token
	}
	got := a.do(method, path, auth, "application/json", body)
	text := got.body
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(got.body)) == nil {
		text = buf.String()
	}
	if got.status != status || text != want {
		a.t.Errorf("%s %s %s:\n got %d %s\nwant %d %s", method, path, body, got.status, text, status, want)
	}
	return got.body
}

// webhookExam creates the published exam "hook" (one hour, one question,
// closing at 12:00 on the first day in the institute's time zone).
func webhookExam(a *testAPI, admin string) {
	a.t.Helper()
	a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{
		"slug": "hook", "title": "Hook", "duration": "1:00:00", "published": true, "end_date": "2026-01-05T12:00:00+05:30",
		"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
			{"type": "numerical", "question_html": "<p>q1</p>", "numerical_min": "1", "numerical_max": "1"},
		}}},
	}, nil)
}

// TestWebhookDeliveryLog lists the outbox through the admin API with each
// filter, refuses bad filters with field errors, and redelivers a failed
// delivery (issue 13, build 5).
func TestWebhookDeliveryLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.db.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: "https://crm.example.com/hook", PublicKey: "pub",
			PrivateKey: "s3cret", Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}})
		a.addUser("admin", examhall.RoleAdmin)
		asha := a.addUser("asha", examhall.RoleStudent)
		admin, student := a.token("admin"), a.token("asha")
		webhookExam(a, admin)
		var attempt struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/hook/attempts/", student, nil, &attempt)
		a.clock.Advance(90 * time.Second)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), student, nil, nil)

		// The start is delivered, the completion fails for good.
		ctx := context.Background()
		claimed, err := a.db.ClaimWebhookDeliveries(ctx, "test", 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		a.clock.Advance(time.Second)
		if err := a.db.FinishWebhookDelivery(ctx, claimed[0].ID, "test", examhall.WebhookOutcome{Status: 200, Delivered: true}); err != nil {
			t.Fatal(err)
		}
		if claimed, err = a.db.ClaimWebhookDeliveries(ctx, "test", 10, time.Minute); err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if err := a.db.FinishWebhookDelivery(ctx, claimed[0].ID, "test", examhall.WebhookOutcome{Status: 500, Error: "HTTP 500"}); err != nil {
			t.Fatal(err)
		}

		started := fmt.Sprintf(`{"id":1,"event":"exam.started","url":"https://crm.example.com/hook","state":"delivered","tries":1,`+
			`"last_status":200,"last_error":"","created":"2026-01-05T10:00:00.250000+05:30","next_try":null,`+
			`"delivered_at":"2026-01-05T10:01:31.250000+05:30","payload":{"username":"asha","accuracy":0,"hash":"%s",`+
			`"exam":{"id":1,"title":"Hook","duration":"1:00:00","start_date":null,"end_date":"2026-01-05T12:00:00+05:30"},"subject_stats":[],`+
			`"email":"asha@example.com","partial_correct_answers_count":0,"attempt_id":%d,"attempt_state":"started",`+
			`"incorrect_answers_count":0,"difficulty_level_stats":{},"completed_on":null,"unanswered_answers_count":1,"key":"pub",`+
			`"attempt_start_time":"2026-01-05T10:00:00.250000+05:30","user_id":%d,"percentage":0,"score":"0.00","speed":0,`+
			`"institute_attempt_id":null,"correct_answers_count":0}}`,
			examhall.WebhookHash("s3cret", "pub", fmt.Sprint(attempt.ID), "0", "s3cret", "0", "1", "0", "0.00", fmt.Sprint(asha.ID)),
			attempt.ID, asha.ID)
		completedRow := func(state string, tries int, nextTry string) string {
			return fmt.Sprintf(`{"id":2,"event":"exam.completed","url":"https://crm.example.com/hook","state":"%s","tries":%d,`+
				`"last_status":500,"last_error":"HTTP 500","created":"2026-01-05T10:01:30.250000+05:30","next_try":%s,"delivered_at":null,`+
				`"payload":{"username":"asha","accuracy":0,"hash":"%s","exam":{"id":1,"title":"Hook","duration":"1:00:00","start_date":null,"end_date":"2026-01-05T12:00:00+05:30"},`+
				`"subject_stats":[{"subject_id":null,"subject_name":"Uncategorized","total_count":1,"correct_answers_count":0,"unanswered_count":1,`+
				`"incorrect_answers_count":0,"parent_subject_id":null,"is_leaf":true,"score":"0.00","partial_correct_answers_count":0}],`+
				`"email":"asha@example.com","partial_correct_answers_count":0,"attempt_id":%d,"attempt_state":"completed",`+
				`"incorrect_answers_count":0,"difficulty_level_stats":{"uncategorized":{"correct_answers_count":0,"incorrect_answers_count":0,`+
				`"partial_correct_answers_count":0,"unanswered_count":1,"total_count":1}},"completed_on":"2026-01-05T10:01:30.250000+05:30",`+
				`"unanswered_answers_count":1,"key":"pub","attempt_start_time":"2026-01-05T10:00:00.250000+05:30","user_id":%d,`+
				`"percentage":0,"score":"0.00","speed":0,"institute_attempt_id":null,"correct_answers_count":0}}`,
				state, tries, nextTry,
				examhall.WebhookHash("s3cret", "pub", fmt.Sprint(attempt.ID), "0", "s3cret", "0", "1", "0", "0.00", fmt.Sprint(asha.ID)),
				attempt.ID, asha.ID)
		}
		completed := completedRow("failed", 1, "null")
		list := func(results ...string) string {
			return `{"count":` + fmt.Sprint(len(results)) + `,"next":null,"previous":null,"per_page":100,"results":[` + strings.Join(results, ",") + `]}`
		}
		const path = "/api/v2.5/admin/webhook-deliveries/"
		a.expect("GET", path, admin, "", 200, list(completed, started))
		a.expect("GET", path+"?state=failed", admin, "", 200, list(completed))
		a.expect("GET", path+"?state=delivered", admin, "", 200, list(started))
		a.expect("GET", path+"?state=pending", admin, "", 200, list())
		a.expect("GET", path+"?event=exam.started", admin, "", 200, list(started))
		a.expect("GET", path+fmt.Sprintf("?attempt_id=%d&state=failed", attempt.ID), admin, "", 200, list(completed))
		a.expect("GET", path+"?attempt_id=999", admin, "", 200, list())
		a.expect("GET", path+"?page_size=1", admin, "", 200, `{"count":2,"next":"`+baseURL+path+`?page=2&page_size=1","previous":null,"per_page":1,"results":[`+completed+`]}`)

		a.expect("GET", path+"?state=lost&event=exam.exploded&attempt_id=x", admin, "", 400,
			`{"attempt_id":["Enter a number."],"event":["Select a valid choice. exam.exploded is not one of the available choices."],`+
				`"state":["Select a valid choice. lost is not one of the available choices."]}`)
		a.expect("GET", path+"?page=3", admin, "", 404, `{"detail":"Invalid page."}`)
		a.expect("GET", path, student, "", 403, `{"detail":"You do not have permission to perform this action."}`)
		a.expect("GET", path, "", "", 401, `{"detail":"Authentication credentials were not provided."}`)

		// Redelivery: unknown ids and students change nothing.
		a.expect("POST", path+"999/redeliver/", admin, "", 404, `{"detail":"Not found."}`)
		a.expect("POST", path+"2/redeliver/", student, "", 403, `{"detail":"You do not have permission to perform this action."}`)
		a.expect("GET", path+"2/redeliver/", admin, "", 405, `{"detail":"Method \"GET\" not allowed."}`)
		a.expect("GET", path, admin, "", 200, list(completed, started))
		a.clock.Advance(time.Minute)
		requeued := completedRow("pending", 1, `"2026-01-05T10:02:31.250000+05:30"`)
		a.expect("POST", path+"2/redeliver/", admin, "", 200, requeued)
		a.expect("GET", path+"?state=pending", admin, "", 200, list(requeued))
		if claimed, err = a.db.ClaimWebhookDeliveries(ctx, "test", 10, time.Minute); err != nil || len(claimed) != 1 || claimed[0].ID != 2 {
			t.Fatalf("claim after redelivery: %v %v", claimed, err)
		}
	})
}

// TestWebhookSettings sets the webhook settings through one replica; the
// other uses them for its very next event (an attempt start, and the sweep
// with no request before it), null gives a setting back to its flag, bad
// input changes nothing, and the private key is shown in no response and no
// log line (issue 13, build 1).
func TestWebhookSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		flags := examhall.StaticWebhookConfig{ExamURL: "https://flag.example.com/exam", PublicKey: "flag-pub",
			PrivateKey: "flag-private-key", Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}}
		var logs syncBuffer
		logTo := func(s *httpapi.Server) {
			s.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		dsn := sqltest.DSN(t, engine)
		a := newTestAPIAt(t, dsn, examhalltest.NewClock(epoch), logTo)
		b := newTestAPIAt(t, dsn, a.clock, logTo) // a second replica
		b.users = a.users
		a.db.SetWebhooks(flags)
		b.db.SetWebhooks(flags)
		a.addUser("admin", examhall.RoleAdmin)
		for _, name := range []string{"asha", "ravi", "mina"} {
			a.addUser(name, examhall.RoleStudent)
		}
		admin := a.token("admin")
		webhookExam(a, admin)
		const path = "/api/v2.5/admin/settings/webhooks/"
		var bodies []string
		expect := func(api *testAPI, method, body string, status int, want string) {
			t.Helper()
			bodies = append(bodies, api.expect(method, path, admin, body, status, want))
		}
		const fromFlags = `{"exam_webhook_url":"https://flag.example.com/exam","content_webhook_url":"","public_key":"flag-pub",` +
			`"private_key":"********","events":["started","completed"]}`
		expect(a, "GET", "", 200, fromFlags)

		const secret = "n3w-private-key"
		const set = `{"exam_webhook_url":"https://new.example.com/exam","content_webhook_url":"https://new.example.com/content",` +
			`"public_key":"flag-pub","private_key":"********","events":["started","completed","graded"]}`
		expect(a, "PATCH", `{"exam_webhook_url": "https://new.example.com/exam", "content_webhook_url": "https://new.example.com/content",
			"private_key": "`+secret+`", "events": ["graded", "completed", "started"]}`, 200, set)
		expect(b, "GET", "", 200, set)

		// The other replica's next start goes to the new URL, signed with
		// the new key.
		startOn := func(api *testAPI, student string) (url string, payload map[string]any) {
			t.Helper()
			var attempt struct{ ID int64 }
			api.must(201, "POST", "/api/v2.2/exams/hook/attempts/", a.token(student), nil, &attempt)
			list, _, err := a.db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{AttemptID: attempt.ID, Limit: 10})
			if err != nil || len(list) != 1 {
				t.Fatalf("deliveries of attempt %d: %v %v", attempt.ID, list, err)
			}
			if err := json.Unmarshal(list[0].Payload, &payload); err != nil {
				t.Fatal(err)
			}
			return list[0].URL, payload
		}
		hashWith := func(key string, p map[string]any) string {
			return examhall.WebhookHash(key, fmt.Sprint(p["key"]), fmt.Sprint(p["attempt_id"]), fmt.Sprint(p["correct_answers_count"]),
				key, fmt.Sprint(p["incorrect_answers_count"]), fmt.Sprint(p["unanswered_answers_count"]), fmt.Sprint(p["percentage"]),
				fmt.Sprint(p["score"]), fmt.Sprint(p["user_id"]))
		}
		url, payload := startOn(b, "asha")
		if url != "https://new.example.com/exam" || payload["hash"] != hashWith(secret, payload) {
			t.Errorf("start on the other replica after PATCH: url %s, hash %v; want the new URL, signed with the new key", url, payload["hash"])
		}

		// Bad input: 400, and nothing changes on either replica.
		for _, bad := range []struct{ body, want string }{
			{`{"exam_webhook_url": "ftp://files.example.com/x"}`, `{"exam_webhook_url":["Enter a valid http:// or https:// URL."]}`},
			{`{"content_webhook_url": "crm.example.com/hook", "public_key": "other"}`, `{"content_webhook_url":["Enter a valid http:// or https:// URL."]}`},
			{`{"exam_webhook_url": "https://other.example.com/", "events": ["started", "finished"]}`,
				`{"events":["\"finished\" is not a valid event; valid events are started, completed, graded, regraded."]}`},
			{`{"events": "started"}`, `{"events":["Expected a list of items but got type \"str\"."]}`},
			{`{"private_key": ["x"]}`, `{"private_key":["Not a valid string."]}`},
			{`{"secret": "x"}`, `{"secret":["Unknown field."]}`},
		} {
			expect(a, "PATCH", bad.body, 400, bad.want)
		}
		a.expect("PATCH", path, a.token("asha"), `{"exam_webhook_url": "https://evil.example.com/"}`, 403,
			`{"detail":"You do not have permission to perform this action."}`)
		expect(a, "GET", "", 200, set)
		expect(b, "GET", "", 200, set)

		// null gives a setting back to its flag.
		const cleared = `{"exam_webhook_url":"https://flag.example.com/exam","content_webhook_url":"https://new.example.com/content",` +
			`"public_key":"flag-pub","private_key":"********","events":["started","completed","graded"]}`
		expect(b, "PATCH", `{"exam_webhook_url": null}`, 200, cleared)
		expect(a, "GET", "", 200, cleared)
		if url, payload := startOn(a, "ravi"); url != "https://flag.example.com/exam" || payload["hash"] != hashWith(secret, payload) {
			t.Errorf("start after clearing the URL: url %s, hash %v; want the flag's URL, the stored key", url, payload["hash"])
		}
		// An empty string is stored: no exam webhook, whatever the flag.
		expect(a, "PATCH", `{"exam_webhook_url": "", "private_key": null, "events": []}`, 200,
			`{"exam_webhook_url":"","content_webhook_url":"https://new.example.com/content","public_key":"flag-pub","private_key":"********","events":[]}`)

		// The sweep of a replica that served no request since notices the
		// change too: mina's attempt, ended by the sweep with the others, goes to the URL
		// set on a.
		if err := b.db.SetWebhookSettings(context.Background(), map[string]*string{examhall.SettingExamWebhookURL: ptr("https://later.example.com/exam"),
			examhall.SettingWebhookEvents: ptr("completed")}); err != nil {
			t.Fatal(err)
		}
		var attempt struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/hook/attempts/", a.token("mina"), nil, &attempt)
		expect(a, "PATCH", `{"exam_webhook_url": "https://sweep.example.com/exam"}`, 200,
			`{"exam_webhook_url":"https://sweep.example.com/exam","content_webhook_url":"https://new.example.com/content","public_key":"flag-pub",`+
				`"private_key":"********","events":["completed"]}`)
		a.clock.Advance(3 * time.Hour)                                                 // past the exam's end
		if n, err := b.db.ExpireAttempts(context.Background()); err != nil || n != 3 { // asha, ravi and mina
			t.Fatalf("sweep: %d %v", n, err)
		}
		list, _, err := a.db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{AttemptID: attempt.ID, Limit: 10})
		if err != nil || len(list) != 1 || list[0].URL != "https://sweep.example.com/exam" || list[0].Event != examhall.EventExamCompleted {
			t.Errorf("sweep on the other replica: %+v %v; want one exam.completed to https://sweep.example.com/exam", list, err)
		}

		for _, text := range append(bodies, logs.String()) {
			for _, key := range []string{secret, flags.PrivateKey} {
				if strings.Contains(text, key) {
					t.Errorf("a private key is shown: %s", text)
				}
			}
		}
		if !strings.Contains(logs.String(), "/api/v2.5/admin/settings/webhooks/") {
			t.Errorf("the requests were not logged: %s", logs.String())
		}
	})
}
