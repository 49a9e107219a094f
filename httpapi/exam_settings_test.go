package httpapi_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

const notFound = `{"detail":"Not found."}`

// settingsExam is an exam for the settings tests: one choice question with
// an explanation and one numerical question; fields override the defaults.
func settingsExam(slug string, fields map[string]any) map[string]any {
	exam := map[string]any{"slug": slug, "title": strings.ToUpper(slug[:1]) + slug[1:], "published": true,
		"allow_retake": true, "mark_per_question": "4", "negative_marks": "1",
		"sections": []map[string]any{{"name": "All", "questions": []map[string]any{
			{"type": "mcq_single", "question_html": "<p>2 + 2?</p>", "explanation_html": "<p>Count them.</p>",
				"answers": []map[string]any{{"text_html": "4", "is_correct": true}, {"text_html": "5"}}},
			{"type": "numerical", "question_html": "<p>g?</p>", "explanation_html": "<p>9.8 m/s².</p>",
				"numerical_min": "9.75", "numerical_max": "9.85"},
		}}}}
	for k, v := range fields {
		exam[k] = v
	}
	return exam
}

// slugsOf lists the slugs of an exam list, in order.
func (a *testAPI) slugsOf(path, token string) []string {
	a.t.Helper()
	var page struct {
		Count   int
		Results []struct{ Slug string }
	}
	a.must(200, "GET", path, token, nil, &page)
	slugs := []string{}
	for _, e := range page.Results {
		slugs = append(slugs, e.Slug)
	}
	if page.Count != len(slugs) {
		a.t.Errorf("GET %s: count %d for %d results", path, page.Count, len(slugs))
	}
	return slugs
}

// TestExamBatches: an exam with batches is for their students only. To a
// student outside them it does not exist: not listed, its detail and its
// start answer 404 as an unknown slug does (a 403 would confirm the slug),
// and no attempt is made. An exam without batches is for every student;
// staff and admins are not restricted. A student removed from the batch
// after taking the exam keeps their history, their attempts and the exam's
// detail (their attempts link to it), but cannot start it again.
func TestExamBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("sunil", examhall.RoleStaff)
		asha := a.addUser("asha", examhall.RoleStudent, "NEET")
		a.addUser("bala", examhall.RoleStudent, "JEE")
		a.addUser("chitra", examhall.RoleStudent)
		tok := map[string]string{}
		for name := range a.users {
			tok[name] = a.token(name)
		}
		later := epoch.Add(48 * time.Hour).Format(time.RFC3339)
		for _, exam := range []map[string]any{
			settingsExam("neet-mock", map[string]any{"batches": []string{"NEET"}}),
			settingsExam("neet-later", map[string]any{"batches": []string{"NEET"}, "start_date": later}),
			settingsExam("open-mock", nil),
			settingsExam("both", map[string]any{"batches": []string{"NEET", "JEE"}}),
		} {
			a.must(201, "POST", "/api/v2.5/admin/exams/", tok["admin"], exam, nil)
		}

		// The lists: newest start date first, then newest first.
		all := []string{"neet-later", "both", "open-mock", "neet-mock"}
		for _, tt := range []struct {
			path, user string
			want       []string
		}{
			{"/api/v2.2/exams/", "asha", all},
			{"/api/v2.2/exams/", "bala", []string{"both", "open-mock"}},
			{"/api/v2.2/exams/", "chitra", []string{"open-mock"}},
			{"/api/v2.2/exams/", "sunil", all},
			{"/api/v2.2/exams/", "admin", all},
			{"/api/v2.2/exams/available/", "asha", []string{"both", "open-mock", "neet-mock"}},
			{"/api/v2.2/exams/available/", "bala", []string{"both", "open-mock"}},
			{"/api/v2.2/exams/upcoming/", "asha", []string{"neet-later"}},
			{"/api/v2.2/exams/upcoming/", "bala", []string{}},
			{"/api/v2.2/exams/upcoming/", "sunil", []string{"neet-later"}},
		} {
			if got := a.slugsOf(tt.path, tok[tt.user]); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET %s as %s: %v, want %v", tt.path, tt.user, got, tt.want)
			}
		}
		golden(t, "student_exams_jee.json", a.do("GET", "/api/v2.2/exams/", "JWT "+tok["bala"], "", "").body)

		// Outside the batches: 404 for the detail and the start, whatever
		// else would refuse the start (neet-later has not started yet).
		type exchange struct {
			method, path, user string
			status             int
			body               string
		}
		check := func(tests []exchange) {
			t.Helper()
			for _, tt := range tests {
				resp := a.do(tt.method, tt.path, "JWT "+tok[tt.user], "", "")
				if resp.status != tt.status || (tt.body != "" && resp.body != tt.body) {
					t.Errorf("%s %s as %s: %d %s, want %d %s", tt.method, tt.path, tt.user, resp.status, resp.body, tt.status, tt.body)
				}
			}
		}
		check([]exchange{
			{"GET", "/api/v2.2/exams/neet-mock/", "bala", 404, notFound},
			{"GET", "/api/v2.2/exams/neet-later/", "bala", 404, notFound},
			{"GET", "/api/v2.2/exams/both/", "chitra", 404, notFound},
			{"POST", "/api/v2.2/exams/neet-mock/attempts/", "bala", 404, notFound},
			{"POST", "/api/v2.2/exams/neet-later/attempts/", "bala", 404, notFound},
			{"POST", "/api/v2.2/exams/both/attempts/", "chitra", 404, notFound},
			{"GET", "/api/v2.2/attempts/", "bala", 200, `{"count":0,"next":null,"previous":null,"per_page":20,"results":[]}`},
			{"GET", "/api/v2.2/attempts/", "chitra", 200, `{"count":0,"next":null,"previous":null,"per_page":20,"results":[]}`},
			// Inside them, or without batches, or staff: as before.
			{"GET", "/api/v2.2/exams/neet-mock/", "asha", 200, ""},
			{"GET", "/api/v2.2/exams/both/", "bala", 200, ""},
			{"GET", "/api/v2.2/exams/open-mock/", "chitra", 200, ""},
			{"GET", "/api/v2.2/exams/neet-mock/", "sunil", 200, ""},
			{"GET", "/api/v2.2/exams/neet-later/", "admin", 200, ""},
			{"POST", "/api/v2.2/exams/neet-later/attempts/", "asha", 400, `{"detail":"This exam has not started yet."}`},
			{"POST", "/api/v2.2/exams/both/attempts/", "bala", 201, ""},
			{"POST", "/api/v2.2/exams/open-mock/attempts/", "chitra", 201, ""},
			{"POST", "/api/v2.2/exams/neet-mock/attempts/", "sunil", 201, ""},
			{"POST", "/api/v2.2/exams/both/attempts/", "admin", 201, ""},
		})
		golden(t, "student_exam_neet_mock.json", a.do("GET", "/api/v2.2/exams/neet-mock/", "JWT "+tok["asha"], "", "").body)

		// Asha takes neet-mock, then leaves the NEET batch.
		var attempt struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/neet-mock/attempts/", tok["asha"], nil, &attempt)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), tok["asha"], nil, nil)
		a.must(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/users/%d/", asha.ID), tok["admin"], map[string]any{"batches": []string{}}, nil)
		for _, tt := range []struct {
			path string
			want []string
		}{
			{"/api/v2.2/exams/", []string{"open-mock"}},
			{"/api/v2.2/exams/available/", []string{"open-mock"}},
			{"/api/v2.2/exams/upcoming/", []string{}},
			{"/api/v2.2/exams/history/", []string{"neet-mock"}},
		} {
			if got := a.slugsOf(tt.path, tok["asha"]); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET %s after leaving the batch: %v, want %v", tt.path, got, tt.want)
			}
		}
		check([]exchange{
			{"GET", "/api/v2.2/exams/neet-mock/", "asha", 200, ""},
			{"GET", "/api/v2.2/exams/neet-later/", "asha", 404, notFound},
			{"POST", "/api/v2.2/exams/neet-mock/attempts/", "asha", 404, notFound}, // a retake would be allowed
			{"GET", fmt.Sprintf("/api/v2.2/attempts/%d/", attempt.ID), "asha", 200, ""},
			{"GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/", attempt.ID), "asha", 200, ""},
		})
		golden(t, "student_exam_neet_mock.json", a.do("GET", "/api/v2.2/exams/neet-mock/", "JWT "+tok["asha"], "", "").body)
		var attempts struct{ Count int }
		a.must(200, "GET", "/api/v2.2/attempts/", tok["asha"], nil, &attempts)
		if attempts.Count != 1 {
			t.Errorf("asha's attempts after the refused retake: %d, want 1", attempts.Count)
		}
	})
}

// TestExamBatchesInCourses: a course content pointing at an exam with
// batches is, for a student outside them, as if absent: the contents and the
// course list leave it out and opening it answers 404 without starting
// anything, free preview or not. The course's own batches decide the rest as
// before; a student must be in both to start the exam through the course.
func TestExamBatchesInCourses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent, "NEET")
		a.addUser("bala", examhall.RoleStudent, "JEE")
		tok := map[string]string{}
		for name := range a.users {
			tok[name] = a.token(name)
		}
		var neet, open struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/exams/", tok["admin"], settingsExam("neet-mock", map[string]any{"batches": []string{"NEET"}}), &neet)
		a.must(201, "POST", "/api/v2.5/admin/exams/", tok["admin"], settingsExam("open-quiz", nil), &open)
		var course struct {
			ID       int64
			Chapters []struct{ Contents []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", tok["admin"], map[string]any{"slug": "physics", "title": "Physics",
			"chapters": []map[string]any{{"title": "Kinematics", "contents": []map[string]any{
				{"type": "Exam", "title": "NEET test", "exam": neet.ID, "free_preview": true},
				{"type": "Quiz", "title": "Open quiz", "exam": open.ID},
				{"type": "Notes", "title": "Summary", "notes": map[string]any{"html": "<p>v = u + at</p>"}},
			}}}}, &course)
		neetContent, openContent := course.Chapters[0].Contents[0].ID, course.Chapters[0].Contents[1].ID

		titles := func(path, user string) []string {
			t.Helper()
			var c struct {
				Chapters []struct{ Contents []struct{ Title string } }
			}
			a.must(200, "GET", path, tok[user], nil, &c)
			got := []string{}
			for _, cc := range c.Chapters[0].Contents {
				got = append(got, cc.Title)
			}
			return got
		}
		contents := fmt.Sprintf("/api/v2.5/courses/%d/contents/", course.ID)
		allTitles := []string{"NEET test", "Open quiz", "Summary"}
		for _, tt := range []struct {
			path, user string
			want       []string
		}{
			{contents, "asha", allTitles},
			{contents, "bala", []string{"Open quiz", "Summary"}},
			{fmt.Sprintf("/api/v2.5/admin/courses/%d/", course.ID), "admin", allTitles},
		} {
			if got := titles(tt.path, tt.user); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET %s as %s: %v, want %v", tt.path, tt.user, got, tt.want)
			}
		}
		golden(t, "student_course_jee.json", a.do("GET", contents, "JWT "+tok["bala"], "", "").body)
		a.must(201, "POST", "/api/v2.5/admin/courses/", tok["admin"], map[string]any{"slug": "chemistry", "title": "Chemistry",
			"chapters": []map[string]any{{"title": "Bonds", "contents": []map[string]any{
				{"type": "Notes", "title": "Ionic", "notes": map[string]any{"html": "<p>Na+ Cl-</p>"}}}}}}, nil)
		var list struct {
			Count   int
			Results []struct {
				Chapters []struct{ Contents []struct{ Title string } }
			}
		}
		a.must(200, "GET", "/api/v2.5/courses/?page_size=1", tok["bala"], nil, &list)
		if got := list.Results[0].Chapters[0].Contents; list.Count != 2 || len(got) != 2 || got[0].Title != "Open quiz" {
			t.Errorf("bala's course list: count %d, shows %+v", list.Count, got)
		}

		open2 := func(content int64, user string) response {
			return a.do("POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", content), "JWT "+tok[user], "", "")
		}
		if resp := open2(neetContent, "bala"); resp.status != 404 || resp.body != notFound {
			t.Errorf("bala opens the NEET test: %d %s", resp.status, resp.body)
		}
		empty := `{"count":0,"next":null,"previous":null,"per_page":20,"results":[]}`
		if resp := a.do("GET", "/api/v2.2/attempts/", "JWT "+tok["bala"], "", ""); resp.body != empty {
			t.Errorf("bala's attempts after the refused start: %s", resp.body)
		}
		if resp := open2(openContent, "bala"); resp.status != 201 {
			t.Errorf("bala opens the open quiz: %d %s", resp.status, resp.body)
		}
		if resp := open2(neetContent, "asha"); resp.status != 201 {
			t.Errorf("asha opens the NEET test: %d %s", resp.status, resp.body)
		}
		if resp := open2(neetContent, "admin"); resp.status != 201 {
			t.Errorf("the admin opens the NEET test: %d %s", resp.status, resp.body)
		}
	})
}

// TestReviewSettings: the review of a completed attempt follows the exam's
// settings, as Testpress's do. show_answers false hides the answer key
// (answers[].is_correct), the explanations and each answer's result (which
// gives the key away); show_score false hides marks_awarded (it sums to the
// score; hidden with the key too, as marks give it away). Hidden values are
// null, the keys stay, so that clients see one shape. Staff see everything.
func TestReviewSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, asha := a.token("admin"), a.token("asha")
		exams := []struct {
			slug   string
			fields map[string]any
		}{
			{"keyed", nil},
			{"keyless", map[string]any{"show_answers": false}},
			{"scoreless", map[string]any{"show_score": false}},
			{"bare", map[string]any{"show_answers": false, "show_score": false}},
		}
		take := func(slug, token string) int64 {
			t.Helper()
			var at struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/"+slug+"/attempts/", token, nil, &at)
			var page struct{ Results []e2eItem }
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", at.ID), token, nil, &page)
			first := page.Results[0]
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, first.ID), token,
				map[string]any{"selected_answers": []int64{first.Question.Answers[0].ID}}, nil)
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, page.Results[1].ID), token,
				map[string]any{"numeric_value": "10"}, nil)
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", at.ID), token, nil, nil)
			return at.ID
		}
		for _, e := range exams {
			a.must(201, "POST", "/api/v2.5/admin/exams/", admin, settingsExam(e.slug, e.fields), nil)
			id := take(e.slug, asha)
			golden(t, "review_"+e.slug+".json", a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/", id), "JWT "+asha, "", "").body)
			// The questions list never shows review fields, whatever the settings.
			questions := a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", id), "JWT "+asha, "", "").body
			for _, key := range []string{"is_correct", "explanation_html", "result", "marks_awarded"} {
				if strings.Contains(questions, `"`+key+`"`) {
					t.Errorf("%s questions list shows %s: %s", e.slug, key, questions)
				}
			}
		}
		// An admin's own attempt of the bare exam: the review shows everything.
		id := take("bare", admin)
		golden(t, "review_bare_admin.json", a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/", id), "JWT "+admin, "", "").body)
	})
}

// TestExamAccessStatements: deciding an exam's batches costs the exam
// morning's requests no statement: the student's batches are read inside the
// statements the list, the detail and the start run anyway. The bounds are
// the counts before batches were enforced, with the exam cached (the detail
// then loaded the exam past the cache: 7).
func TestExamAccessStatements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent, "morning")
		a.addUser("bala", examhall.RoleStudent, "evening")
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.token("admin"),
			settingsExam("hot", map[string]any{"batches": []string{"morning", "evening"}}), nil)
		a.must(201, "POST", "/api/v2.2/exams/hot/attempts/", a.token("bala"), nil, nil) // the exam cached
		student := a.token("asha")
		for _, c := range []struct {
			name, method, path string
			status             int
			max                int64
		}{
			// authentication 1; the exams 1, their batches, sections,
			// questions, answers and accepted answers 5
			{"exam list", "GET", "/api/v2.2/exams/", 200, 7},
			// authentication 1; the exam's id and version 1
			{"exam detail", "GET", "/api/v2.2/exams/hot/", 200, 2},
			// authentication 1; the exam's id 1 and version 1, the user's
			// attempts of it (and batches) 1, the attempt, its answers and
			// sections 3, its started event 1 (issue 16); the attempt again 1
			{"start", "POST", "/api/v2.2/exams/hot/attempts/", 201, 9},
		} {
			before := a.db.Statements()
			a.must(c.status, c.method, c.path, student, nil, nil)
			got := a.db.Statements() - before
			t.Logf("%s: %d statements", c.name, got)
			if got > c.max {
				t.Errorf("%s: %d statements, want at most %d", c.name, got, c.max)
			}
		}
	})
}
