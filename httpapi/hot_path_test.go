package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestHotPathStatements bounds the SQL statements of the requests every
// student and integration sends most: an authenticated read, an answer save,
// a heartbeat and an end. A change that adds statements to them fails here.
// Before the exam cache and the one-statement authentication they took 4,
// 22, 19 and 29 statements.
//
// With an exam webhook configured, the start and the end gain one statement
// each, the outbox row (the user's name and email read by the INSERT
// itself), and the others none; without one, none at all.
func TestHotPathStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		plain := hotPathStatements(t, engine, false)
		hooked := hotPathStatements(t, engine, true)
		for name, n := range plain {
			extra := map[string]int64{"start": 1, "end": 1}[name]
			if hooked[name] > n+extra {
				t.Errorf("%s with a webhook: %d statements, without: %d; want at most %d more", name, hooked[name], n, extra)
			}
		}
	})
}

// hotPathStatements checks the bounds and returns each request's count.
func hotPathStatements(t *testing.T, engine sqlstore.Engine, webhook bool) map[string]int64 {
	counts := map[string]int64{}
	{
		a := newTestAPI(t, engine)
		if webhook {
			a.db.SetWebhooks(examhall.StaticWebhookConfig{ExamURL: "https://crm.example.com/hook",
				Events: map[examhall.WebhookEvent]bool{examhall.EventExamStarted: true, examhall.EventExamCompleted: true}})
		}
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent, "morning")
		admin, student := a.token("admin"), a.token("asha")
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{
			"slug": "hot", "title": "Hot", "duration": "1:00:00", "published": true,
			"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "mcq_single", "question_html": "<p>q1</p>", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}},
				{"type": "numerical", "question_html": "<p>q2</p>", "numerical_min": "1", "numerical_max": "1"},
			}}},
		}, nil)
		var attempt struct{ ID int64 }
		before := a.db.Statements()
		a.must(201, "POST", "/api/v2.2/exams/hot/attempts/", student, nil, &attempt)
		counts["start"] = a.db.Statements() - before
		var page struct{ Results []e2eItem }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)

		statements := func(method, path, token string, body any) int64 {
			t.Helper()
			before := a.db.Statements()
			a.must(200, method, path, token, body, nil)
			return a.db.Statements() - before
		}
		base := fmt.Sprintf("/api/v2.2/attempts/%d/", attempt.ID)
		// The attempt's row and its exam's version: one statement on
		// SQLite, two on PostgreSQL, which locks the exam's row first.
		lock := map[sqlstore.Engine]int64{sqlstore.SQLite: 1, sqlstore.Postgres: 2}[engine]
		// The attempt's timeline (issue 16): an insert of its own on
		// SQLite; on PostgreSQL a WITH clause of the attempt's update.
		events := map[sqlstore.Engine]int64{sqlstore.SQLite: 1, sqlstore.Postgres: 0}[engine]
		// An answer save's answer: a statement of its own on SQLite; on
		// PostgreSQL a WITH clause of the attempt's update too.
		answer := map[sqlstore.Engine]int64{sqlstore.SQLite: 1, sqlstore.Postgres: 0}[engine]
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			max                       int64
		}{
			// authentication 1, the user with batches 2
			{"admin user detail", "GET", "/api/v2.5/admin/users/1/", admin, nil, 3},
			// authentication 1; attempt and exam version (lock) with the
			// answer, answer saved, attempt's clock saved 1; the item is
			// rendered from what the save returned (its question has no
			// subject: no name to read). Was 8: the attempt and the whole
			// subjects table were read again after the commit; then 4 +
			// lock + events, until the answer was read with the lock and,
			// on PostgreSQL, saved with the attempt.
			{"answer save", "PUT", base + fmt.Sprintf("questions/%d/", page.Results[1].ID), student,
				map[string]any{"numeric_value": "1"}, 2 + lock + answer + events},
			// authentication 1; attempt and exam version (lock), the
			// attempt's clock saved 1; the attempt with its placement 1
			{"heartbeat", "PUT", base + "heartbeat/", student, nil, 3 + lock},
			// as a heartbeat, and scoring: answers, subjects, a result per
			// answer (2), sections, rank population, score count, course
			// progress; the attempt is read again with its rank (one
			// statement since AttemptPlaced); the item statistics (issue
			// 16): their version, the user's attempts with their
			// membership, the score, item and option counts, the
			// membership saved (6)
			{"end", "PUT", base + "end/", student, nil, 16 + lock + events},
		} {
			got := statements(c.method, c.path, c.token, c.body)
			counts[c.name] = got
			t.Logf("%s (webhook %v): %d statements", c.name, webhook, got)
			if c.name == "end" && webhook {
				c.max++ // the outbox row
			}
			if got > c.max {
				t.Errorf("%s (webhook %v): %d statements, want at most %d", c.name, webhook, got, c.max)
			}
		}
		_, n, err := a.db.WebhookDeliveries(context.Background(), examhall.WebhookDeliveryFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 0, true: 2}[webhook]; n != want {
			t.Errorf("webhook %v: %d outbox rows, want %d", webhook, n, want)
		}
	}
	return counts
}
