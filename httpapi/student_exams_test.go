package httpapi_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestStudentExams lists exams through the student API: an admin creates
// them around the test clock, a student completes one, and each list shows
// exactly the exams of its window, newest start date first.
func TestStudentExams(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		admin, asha, bala := a.token("admin"), a.token("asha"), a.token("bala")
		E := epoch
		at := func(d time.Duration) string { return E.Add(d).Format(time.RFC3339Nano) }
		day := 24 * time.Hour

		question := func(n int) map[string]any {
			return map[string]any{"type": "mcq_single", "question_html": fmt.Sprintf("<p>q%d</p>", n),
				"answers": []map[string]any{{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}
		}
		oneSection := []map[string]any{{"name": "All", "questions": []map[string]any{question(1)}}}
		ids := map[string]int64{}
		for _, exam := range []map[string]any{
			{"slug": "algebra", "title": "Algebra Mock", "description": "<p>Chapters 1–3 & 5</p>",
				"start_date": at(-day), "end_date": at(7 * day), "duration": "1:30:00",
				"mark_per_question": "4", "negative_marks": "1.25", "allow_retake": true, "max_retakes": 2,
				"enable_ranks": false, "show_answers": false, "published": true,
				"sections": []map[string]any{
					{"name": "Part A", "duration": "0:45:00", "cut_off": "5", "questions": []map[string]any{question(1), question(2)}},
					{"name": "Part B", "questions": []map[string]any{question(3)}},
				}},
			{"slug": "geometry", "title": "Geometry", "published": true, "sections": oneSection},                                                                  // no dates
			{"slug": "calculus", "title": "Calculus", "start_date": at(-2 * time.Hour), "published": true, "sections": oneSection},                                // started today
			{"slug": "physics", "title": "Physics", "start_date": at(2 * day), "published": true, "sections": oneSection},                                         // upcoming
			{"slug": "chemistry", "title": "Chemistry", "start_date": at(10 * day), "published": true, "sections": oneSection},                                    // upcoming, later
			{"slug": "ancient-history", "title": "Ancient History", "start_date": at(-10 * day), "end_date": at(-day), "published": true, "sections": oneSection}, // ended
			{"slug": "draft", "title": "Draft", "sections": oneSection},                                                                                           // unpublished
		} {
			var created struct{ ID int64 }
			a.must(201, "POST", "/api/v2.5/admin/exams/", admin, exam, &created)
			ids[exam["slug"].(string)] = created.ID
		}

		// asha completes algebra and leaves calculus running; bala completes geometry.
		var attempt struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/algebra/attempts/", asha, nil, &attempt)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), asha, nil, nil)
		a.must(201, "POST", "/api/v2.2/exams/calculus/attempts/", asha, nil, nil)
		a.must(201, "POST", "/api/v2.2/exams/geometry/attempts/", bala, nil, &attempt)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), bala, nil, nil)

		type page struct {
			Count    int
			Next     *string
			Previous *string
			PerPage  int `json:"per_page"`
			Results  []struct {
				ID   int64
				Slug string
			}
		}
		list := func(path, token string) (page, []int64) {
			t.Helper()
			var p page
			a.must(200, "GET", path, token, nil, &p)
			got := []int64{}
			for _, e := range p.Results {
				got = append(got, e.ID)
			}
			return p, got
		}
		want := func(slugs ...string) []int64 {
			out := []int64{}
			for _, s := range slugs {
				out = append(out, ids[s])
			}
			return out
		}
		for _, tt := range []struct {
			path, token string
			want        []int64
		}{
			{"/api/v2.2/exams/", asha, want("chemistry", "physics", "calculus", "algebra", "ancient-history", "geometry")},
			{"/api/v2.2/exams/available/", asha, want("calculus", "algebra", "geometry")},
			{"/api/v2.2/exams/upcoming/", asha, want("chemistry", "physics")},
			{"/api/v2.2/exams/history/", asha, want("algebra")},
			{"/api/v2.2/exams/history/", bala, want("geometry")},
			{"/api/v2.2/exams/history/", admin, want()},
			{"/api/v2.2/exams/available", asha, want("calculus", "algebra", "geometry")}, // without the slash
		} {
			p, got := list(tt.path, tt.token)
			if !reflect.DeepEqual(got, tt.want) || p.Count != len(tt.want) || p.PerPage != 20 || p.Next != nil || p.Previous != nil {
				t.Errorf("GET %s: ids %v count %d per_page %d next %v previous %v; want ids %v",
					tt.path, got, p.Count, p.PerPage, p.Next, p.Previous, tt.want)
			}
		}
		golden(t, "student_exams_available.json", a.do("GET", "/api/v2.2/exams/available/", "JWT "+asha, "", "").body)
		golden(t, "student_exam_algebra.json", a.do("GET", "/api/v2.2/exams/algebra/", "JWT "+asha, "", "").body)

		// Pages of two: links keep the other parameters; past the end is 404.
		p, got := list("/api/v2.2/exams/?page_size=2&page=2", asha)
		if !reflect.DeepEqual(got, want("calculus", "algebra")) || p.Count != 6 || p.PerPage != 2 ||
			p.Next == nil || *p.Next != baseURL+"/api/v2.2/exams/?page=3&page_size=2" ||
			p.Previous == nil || *p.Previous != baseURL+"/api/v2.2/exams/?page_size=2" {
			t.Errorf("page 2 of 2: %+v", p)
		}
		if _, got := list("/api/v2.2/exams/?page_size=1000", asha); len(got) != 6 {
			t.Errorf("page_size above the cap: %v", got)
		}
		if _, got := list("/api/v2.2/exams/history/?page=last", asha); !reflect.DeepEqual(got, want("algebra")) {
			t.Errorf("last page of history: %v", got)
		}
		// The windows move with the clock: three days on, physics has started
		// (and runs on, having no end date) and the same lists change.
		a.clock.Advance(3 * day)
		admin, asha, bala = a.token("admin"), a.token("asha"), a.token("bala") // the old ones have expired
		if _, got := list("/api/v2.2/exams/available/", asha); !reflect.DeepEqual(got, want("physics", "calculus", "algebra", "geometry")) {
			t.Errorf("available three days on: %v", got)
		}
		if _, got := list("/api/v2.2/exams/upcoming/", asha); !reflect.DeepEqual(got, want("chemistry")) {
			t.Errorf("upcoming three days on: %v", got)
		}

		for _, tt := range []struct {
			path, authorization string
			status              int
			body                string
		}{
			{"/api/v2.2/exams/draft/", "JWT " + asha, 404, `{"detail":"Not found."}`},
			{"/api/v2.2/exams/draft/", "JWT " + admin, 404, `{"detail":"Not found."}`}, // the student API shows no drafts, even to an admin
			{"/api/v2.2/exams/nope/", "JWT " + asha, 404, `{"detail":"Not found."}`},
			{"/api/v2.2/exams/upcoming/?page=2", "JWT " + asha, 404, `{"detail":"Invalid page."}`},
			{"/api/v2.2/exams/?page=0", "JWT " + asha, 404, `{"detail":"Invalid page."}`},
			{"/api/v2.2/exams/history/?page=2", "JWT " + bala, 404, `{"detail":"Invalid page."}`},
			{"/api/v2.2/exams/", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"/api/v2.2/exams/available/", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"/api/v2.2/exams/history/", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"/api/v2.2/exams/algebra/", "", 401, `{"detail":"Authentication credentials were not provided."}`},
		} {
			resp := a.do("GET", tt.path, tt.authorization, "", "")
			if resp.status != tt.status || resp.body != tt.body {
				t.Errorf("GET %s (%.10s): %d %s, want %d %s", tt.path, tt.authorization, resp.status, resp.body, tt.status, tt.body)
			}
		}
		if resp := a.do("POST", "/api/v2.2/exams/", "JWT "+asha, "application/json", "{}"); resp.status != 405 ||
			resp.body != `{"detail":"Method \"POST\" not allowed."}` {
			t.Errorf("POST /api/v2.2/exams/: %d %s", resp.status, resp.body)
		}
	})
}
