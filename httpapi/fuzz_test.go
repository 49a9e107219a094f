package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/examhall/examhall/sqlstore"
)

// FuzzJSONBodies sends arbitrary bodies to every student and authoring
// endpoint that reads JSON, on SQLite: whatever the body, the answer is never
// a 5xx (nor a panic, which the server would turn into a 500).
//
// Run it with: go test -run '^$' -fuzz '^FuzzJSONBodies$' -fuzztime 60s ./httpapi/
func FuzzJSONBodies(f *testing.F) {
	type target struct {
		x         *inputFixture
		endpoints []fuzzEndpoint
	}
	var targets []target
	engines := []sqlstore.Engine{sqlstore.SQLite}
	if os.Getenv("EXAMHALL_TEST_POSTGRES") != "" {
		engines = append(engines, sqlstore.Postgres) // text PostgreSQL cannot store or index is found only there
	}
	for _, engine := range engines {
		x := newInputFixture(f, engine)
		var fuzzee struct{ ID int64 }
		x.a.must(201, "POST", "/api/v2.5/admin/users/", x.admin, map[string]any{"username": "fuzzee", "password": "pw"}, &fuzzee)
		exam := fmt.Sprintf("/api/v2.5/admin/exams/%d/", x.examID)
		endpoints := []fuzzEndpoint{
			{"PUT", x.savePath, x.asha, `{"selected_answers": [1], "review": false, "duration": 12.5}`},
			{"PUT", x.shortPath, x.asha, `{"short_text": "Newton", "numeric_value": 9.8, "essay_text": "x"}`},
			{"POST", "/api/v2.2/exams/mock-1/attempts/", x.asha, `{"institute_attempt_id": "A-1"}`},
			{"PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", x.contentAttempt), x.asha, `{"watched_percentage": 89.99, "position": 12}`},
			{"POST", "/api/v2.5/auth-token/", "", `{"username": "asha", "password": "asha-secret"}`},
			{"POST", "/api/v2.5/admin/users/", x.admin, `{"username": "neha", "password": "pw", "batches": ["A"], "is_active": true}`},
			{"PATCH", fmt.Sprintf("/api/v2.5/admin/users/%d/", fuzzee.ID), x.admin, `{"first_name": "F", "is_blocked": false, "batches": []}`},
			{"POST", "/api/v2.5/admin/subjects/", x.admin, `{"name": "Chemistry", "parent": 1}`},
			{"POST", "/api/v2.5/admin/exams/", x.admin, `{"slug": "f1", "title": "F", "duration": "1:00:00", "pass_percentage": "40.5",
			"sections": [{"name": "A", "cut_off": 1, "questions": [{"type": "numerical", "question_html": "q", "numerical_min": "1", "numerical_max": 2, "marks": 4}]}]}`},
			{"PATCH", exam, x.admin, `{"pass_percentage": null, "max_retakes": 2, "end_date": "", "batches": ["A"]}`},
			{"POST", exam + "sections/", x.admin, `{"name": "B", "duration": "0:30:00", "cut_off": "0.5"}`},
			{"POST", exam + "questions/", x.admin, `{"section": 1, "type": "essay", "question_html": "q", "marks": "2.5"}`},
			{"PUT", fmt.Sprintf("%squestions/%d/", exam, x.questionID), x.admin, `{"marks": "5", "partial_marks": null, "correct_answers": [2]}`},
			{"PUT", x.gradePath, x.admin, `{"marks": "6.5"}`},
			{"POST", "/api/v2.5/admin/courses/", x.admin, `{"slug": "c2", "title": "C", "chapters": [{"title": "K", "contents": [{"type": "Notes", "title": "N", "notes": {"html": "<p>x</p>"}}]}]}`},
			{"PATCH", fmt.Sprintf("/api/v2.5/admin/courses/%d/", x.courseID), x.admin, `{"title": "C2", "batches": ["A"]}`},
			{"POST", fmt.Sprintf("/api/v2.5/admin/courses/%d/chapters/", x.courseID), x.admin, `{"title": "K2", "description": ""}`},
			{"PATCH", fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", x.contentID), x.admin, `{"title": "V", "start": null, "video": {"duration": 60}}`},
			{"POST", "/api/v2.5/admin/import/?dry_run=1", x.admin, x.bundle},
		}
		targets = append(targets, target{x, endpoints})
	}
	for i, e := range targets[0].endpoints {
		f.Add(uint8(i), e.seed)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		for _, target := range targets {
			fuzzBody(t, target.x, target.endpoints[int(which)%len(target.endpoints)], body)
		}
	})
}

// fuzzBody sends body to one endpoint; a 5xx fails.
func fuzzBody(t *testing.T, x *inputFixture, e fuzzEndpoint, body string) {
	req, err := http.NewRequest(e.method, x.a.server.URL+e.path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.token != "" {
		req.Header.Set("Authorization", "JWT "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s %q: %d %s", e.method, e.path, body, resp.StatusCode, answer)
	}
}

// fuzzEndpoint is an endpoint FuzzJSONBodies sends bodies to, with a body
// that works as its seed.
type fuzzEndpoint struct{ method, path, token, seed string }
