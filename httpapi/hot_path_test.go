package httpapi_test

import (
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
func TestHotPathStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
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
		a.must(201, "POST", "/api/v2.2/exams/hot/attempts/", student, nil, &attempt)
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
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			max                       int64
		}{
			// authentication 1, the user with batches 2
			{"admin user detail", "GET", "/api/v2.5/admin/users/1/", admin, nil, 3},
			// authentication 1; attempt and exam version (lock), answer 1,
			// answer and attempt's clock saved 2; the item is rendered from
			// what the save returned (its question has no subject: no
			// name to read). Was 8: the attempt and the whole subjects
			// table were read again after the commit.
			{"answer save", "PUT", base + fmt.Sprintf("questions/%d/", page.Results[1].ID), student,
				map[string]any{"numeric_value": "1"}, 4 + lock},
			// authentication 1; attempt and exam version (lock), the
			// attempt's clock saved 1; the attempt with its placement 1
			{"heartbeat", "PUT", base + "heartbeat/", student, nil, 3 + lock},
			// as a heartbeat, and scoring: answers, subjects, a result per
			// answer (2), sections, rank population, score count, course
			// progress; the attempt is read again with its rank (one
			// statement since AttemptPlaced)
			{"end", "PUT", base + "end/", student, nil, 10 + lock},
		} {
			got := statements(c.method, c.path, c.token, c.body)
			t.Logf("%s: %d statements", c.name, got)
			if got > c.max {
				t.Errorf("%s: %d statements, want at most %d", c.name, got, c.max)
			}
		}
	})
}
