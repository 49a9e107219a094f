package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

// dashboardBundle is an institute whose numbers are worked out by hand in
// TestDashboardEndpoints. "dash" (untimed, pass mark 50 %) scores from −1.00
// (a wrong choice, nothing else) to 16.00:
//   - asha's first attempt: A, 9.8, essay graded 8 → 14.00, Pass; her retake
//     (all right, essay 10 → 16.00) stays out of the population (SPEC §5);
//   - chitra (submitted 10:45) and bala (11:00): essays awaiting grading;
//   - dev: B, 9.80, no essay → −1 + 2 = 1.00, Fail;
//   - eve: running.
const dashboardBundle = `{"format": "examhall-bundle/1",
 "users": [
  {"username": "asha", "email": "asha@example.com", "first_name": "Asha", "last_name": "Rao", "role": "student"},
  {"username": "bala", "email": "bala@example.com", "first_name": "Bala", "last_name": "Iyer", "role": "student"},
  {"username": "chitra", "email": "chitra@example.com", "first_name": "Chitra", "last_name": "", "role": "student"},
  {"username": "dev", "email": "dev@example.com", "first_name": "Dev", "last_name": "Shah", "role": "student"},
  {"username": "eve", "email": "eve@example.com", "role": "student"}],
 "subjects": [{"key": "phy", "name": "Physics", "parent": null}],
 "exams": [
  {"slug": "dash", "title": "Dashboard Test", "start_date": "2026-01-01T09:00:00+05:30", "duration": null,
   "pass_percentage": 50, "enable_ranks": true, "allow_retake": true, "published": true,
   "sections": [
    {"name": "Part A", "questions": [
     {"key": "d-1", "type": "mcq_single", "question_html": "<p>Pick A</p>", "subject": "phy", "marks": "4.00", "negative_marks": "1.00",
      "answers": [{"text_html": "A", "is_correct": true}, {"text_html": "B", "is_correct": false}]},
     {"key": "d-2", "type": "numerical", "question_html": "<p>g?</p>", "marks": "2.00", "numerical_min": "9.75", "numerical_max": "9.85"}]},
    {"name": "Part B", "questions": [
     {"key": "d-3", "type": "essay", "question_html": "<p>Explain <b>inertia</b>.</p>", "subject": "phy", "marks": "10.00"}]}]},
  {"slug": "quiet", "title": "No Attempts", "start_date": "2026-01-01T09:00:00+05:30", "published": true,
   "sections": [{"name": "Only", "questions": [{"key": "o-1", "type": "essay", "question_html": "<p>Why?</p>", "marks": "5.00"}]}]}],
 "attempts": [
  {"exam": "dash", "user": "asha", "started": "2026-01-02T10:00:00+05:30", "completed": "2026-01-02T10:30:00+05:30",
   "answers": [{"question": "d-1", "selected": [0]}, {"question": "d-2", "value": "9.8"},
               {"question": "d-3", "essay": "Things keep moving.", "marks_awarded": "8.00"}]},
  {"exam": "dash", "user": "bala", "started": "2026-01-02T10:05:00+05:30", "completed": "2026-01-02T11:00:00+05:30",
   "answers": [{"question": "d-1", "selected": [1]}, {"question": "d-2", "value": "1"}, {"question": "d-3", "essay": "It is lazy."}]},
  {"exam": "dash", "user": "chitra", "started": "2026-01-02T10:10:00+05:30", "completed": "2026-01-02T10:45:00+05:30",
   "answers": [{"question": "d-3", "essay": "Mass <script>alert(1)</script> & motion"}]},
  {"exam": "dash", "user": "dev", "started": "2026-01-02T10:20:00+05:30", "completed": "2026-01-02T12:00:00+05:30",
   "answers": [{"question": "d-1", "selected": [1]}, {"question": "d-2", "value": "9.80"}]},
  {"exam": "dash", "user": "asha", "started": "2026-01-03T10:00:00+05:30", "completed": "2026-01-03T10:20:00+05:30",
   "answers": [{"question": "d-1", "selected": [0]}, {"question": "d-2", "value": "9.8"},
               {"question": "d-3", "essay": "Again.", "marks_awarded": "10.00"}]},
  {"exam": "dash", "user": "eve", "started": "2026-01-04T10:00:00+05:30", "answers": []}]}`

// dashboardFixture is the API with dashboardBundle imported and a Not
// Started attempt of dev's.
type dashboardFixture struct {
	*testAPI
	admin, staff, student string
	dash, quiet           int64
	attempts              map[string]int64 // first attempt by username
	essays                map[string]int64 // the essay's user answer by username
	users                 map[string]int64
	essayQuestion         [2]int64 // the essay's question and exam question ids
}

func newDashboardFixture(t *testing.T, engine sqlstore.Engine) *dashboardFixture {
	a := newTestAPI(t, engine)
	a.addUser("admin", examhall.RoleAdmin)
	a.addUser("sita", examhall.RoleStaff)
	a.addUser("ravi", examhall.RoleStudent)
	f := &dashboardFixture{testAPI: a, admin: a.token("admin"), staff: a.token("sita"), student: a.token("ravi"),
		attempts: map[string]int64{}, essays: map[string]int64{}, users: map[string]int64{}}
	a.must(200, "POST", "/api/v2.5/admin/import/", f.admin, rawJSON(dashboardBundle), nil)
	var exams struct{ Results []struct{ ID int64 } }
	a.must(200, "GET", "/api/v2.5/admin/exams/?ordering=start_date", f.admin, nil, &exams)
	f.dash, f.quiet = exams.Results[0].ID, exams.Results[1].ID
	var list struct {
		Results []struct {
			ID    int64  `json:"id"`
			Email string `json:"email"`
		}
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/attempts/?exams=%d&ordering=date", f.dash), f.admin, nil, &list)
	for _, at := range list.Results {
		user := strings.TrimSuffix(at.Email, "@example.com")
		if _, ok := f.attempts[user]; ok {
			continue
		}
		f.attempts[user] = at.ID
		var answers struct {
			Results struct {
				UserAnswers   []struct{ ID int64 } `json:"user_answers"`
				ExamQuestions []struct {
					ID         int64
					QuestionID int64 `json:"question_id"`
				} `json:"exam_questions"`
			}
		}
		a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", at.ID), f.admin, nil, &answers)
		f.essays[user] = answers.Results.UserAnswers[2].ID
		f.essayQuestion = [2]int64{answers.Results.ExamQuestions[2].QuestionID, answers.Results.ExamQuestions[2].ID}
		u, _, err := a.db.UserCredentials(context.Background(), user)
		if err != nil {
			t.Fatal(err)
		}
		f.users[user] = u.ID
	}
	// An attempt created, never started (the demo makes these).
	if err := a.db.InsertAttempts(context.Background(), []examhall.AttemptRecord{{Attempt: examhall.Attempt{ExamID: f.dash,
		UserID: f.users["dev"], State: examhall.AttemptNotStarted, Date: epoch.Add(-time.Hour), LastActivity: epoch.Add(-time.Hour),
		Result: "Not taken"}}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// rawJSON is a request body sent as it is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// counts is one exam's row of the counts, as the API writes it.
func counts(id int64, running, completed, pending, notStarted int) string {
	return fmt.Sprintf(`{"exam_id":%d,"running":%d,"completed":%d,"pending_evaluation":%d,"not_started":%d}`,
		id, running, completed, pending, notStarted)
}

// bins are the 20 bins from lowest in steps of step (both in hundredths),
// holding counts by bin.
func bins(lowest, step int64, counts map[int]int) string {
	var b []string
	for i := range int64(20) {
		b = append(b, fmt.Sprintf(`{"from":"%s","to":"%s","count":%d}`,
			decimal.Decimal(lowest+step*i), decimal.Decimal(lowest+step*(i+1)), counts[int(i)]))
	}
	return "[" + strings.Join(b, ",") + "]"
}

// pendingEssay is the grading queue's row of the user's essay.
func (f *dashboardFixture) pendingEssay(user, name, essay, submitted string) string {
	return fmt.Sprintf(`{"attempt_id":%d,"user_answer_id":%d,"exam_id":%d,"exam_title":"Dashboard Test","user_id":%d,"name":%s,`+
		`"question_id":%d,"exam_question_id":%d,"question_html":"<p>Explain <b>inertia</b>.</p>","essay_text":%q,`+
		`"marks":"10.00","submitted":%q}`, f.attempts[user], f.essays[user], f.dash, f.users[user], name,
		f.essayQuestion[0], f.essayQuestion[1], essay, submitted)
}

// TestDashboardEndpoints: the three dashboard reads with their exact bodies,
// for admin and staff; the refusals (401, 403, 404, 400, 405), which change
// nothing; and grading an essay, which moves it out of the queue and its
// attempt from the pending count into the graded population.
func TestDashboardEndpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		f := newDashboardFixture(t, engine)
		var detail struct {
			Sections []struct{ ID int64 }
		}
		f.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", f.dash), f.admin, nil, &detail)
		partA, partB := detail.Sections[0].ID, detail.Sections[1].ID
		var quiet struct {
			Sections []struct{ ID int64 }
		}
		f.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", f.quiet), f.admin, nil, &quiet)
		summary := func(counts, graded, passRate, mean, bins, meanA, meanB, physics, none string) string {
			return strings.TrimSuffix(counts, "}") + `,"title":"Dashboard Test","graded_count":` + graded + `,"pass_rate":` + passRate +
				`,"mean_score":` + mean + `,"min_score":"-1.00","max_score":"16.00","score_distribution":` + bins +
				fmt.Sprintf(`,"sections":[{"section_id":%d,"name":"Part A","mean_score":%s,"max_score":"6.00"},`, partA, meanA) +
				fmt.Sprintf(`{"section_id":%d,"name":"Part B","mean_score":%s,"max_score":"10.00"}]`, partB, meanB) +
				`,"subjects":[{"subject_id":1,"name":"Physics","mean_score":` + physics + `,"max_score":"14.00"},` +
				`{"subject_id":null,"name":"Uncategorized","mean_score":` + none + `,"max_score":"2.00"}]}`
		}
		countsPath := fmt.Sprintf("/api/v2.5/admin/exam-counts/?exams=%d,%d,%[1]d", f.quiet, f.dash)
		summaryPath := fmt.Sprintf("/api/v2.5/admin/exams/%d/summary/", f.dash)
		queuePath := fmt.Sprintf("/api/v2.5/admin/grading-queue/?exams=%d", f.dash)
		chitra := f.pendingEssay("chitra", `"Chitra"`, "Mass <script>alert(1)</script> & motion", "2026-01-02T10:45:00+05:30")
		bala := f.pendingEssay("bala", `"Bala Iyer"`, "It is lazy.", "2026-01-02T11:00:00+05:30")
		queue := func(essays ...string) string {
			return fmt.Sprintf(`{"count":%d,"next":null,"previous":null,"per_page":50,"results":[%s]}`, len(essays), strings.Join(essays, ","))
		}

		// Asha 14.00 (Pass) and Dev 1.00 (Fail) are graded; Bala and Chitra wait.
		before := map[string]string{
			countsPath: `{"results":[` + counts(f.quiet, 0, 0, 0, 0) + "," + counts(f.dash, 1, 5, 2, 1) + `]}`,
			summaryPath: summary(counts(f.dash, 1, 5, 2, 1), "2", "50.0", `"7.50"`, bins(-100, 85, map[int]int{2: 1, 17: 1}),
				`"3.50"`, `"4.00"`, `"5.50"`, `"2.00"`),
			fmt.Sprintf("/api/v2.5/admin/exams/%d/summary", f.quiet): strings.TrimSuffix(counts(f.quiet, 0, 0, 0, 0), "}") +
				`,"title":"No Attempts","graded_count":0,"pass_rate":null,"mean_score":null,"min_score":"0.00","max_score":"5.00",` +
				`"score_distribution":` + bins(0, 25, nil) +
				fmt.Sprintf(`,"sections":[{"section_id":%d,"name":"Only","mean_score":null,"max_score":"5.00"}],`, quiet.Sections[0].ID) +
				`"subjects":[{"subject_id":null,"name":"Uncategorized","mean_score":null,"max_score":"5.00"}]}`,
			queuePath:                        queue(chitra, bala),
			"/api/v2.5/admin/grading-queue/": queue(chitra, bala),
			queuePath + "&page_size=1": fmt.Sprintf(`{"count":2,"next":"%s/api/v2.5/admin/grading-queue/?exams=%d&page=2&page_size=1",`+
				`"previous":null,"per_page":1,"results":[%s]}`, baseURL, f.dash, chitra),
			queuePath + "&page_size=1&page=2": fmt.Sprintf(`{"count":2,"next":null,"previous":"%s/api/v2.5/admin/grading-queue/?exams=%d&page_size=1",`+
				`"per_page":1,"results":[%s]}`, baseURL, f.dash, bala),
			fmt.Sprintf("/api/v2.5/admin/grading-queue/?exams=%d", f.quiet): queue(),
		}
		for path, want := range before {
			f.expect("GET", path, f.admin, "", 200, want)
			f.expect("GET", path, f.staff, "", 200, want)
		}

		hundredAndOne := strings.TrimSuffix(strings.Repeat(fmt.Sprint(f.dash)+",", 101), ",")
		for _, tt := range []struct {
			method, path, token string
			status              int
			want                string
		}{
			{"GET", countsPath, "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"GET", countsPath, f.student, 403, `{"detail":"You do not have permission to perform this action."}`},
			{"GET", "/api/v2.5/admin/exam-counts/", f.admin, 400, `{"exams":["This field is required."]}`},
			{"GET", "/api/v2.5/admin/exam-counts/?exams=", f.admin, 400, `{"exams":["This field is required."]}`},
			{"GET", fmt.Sprintf("/api/v2.5/admin/exam-counts/?exams=%d,x", f.dash), f.admin, 400, `{"exams":["Enter a number."]}`},
			{"GET", fmt.Sprintf("/api/v2.5/admin/exam-counts/?exams=%d,,%[1]d", f.dash), f.admin, 400, `{"exams":["Enter a number."]}`},
			{"GET", "/api/v2.5/admin/exam-counts/?exams=" + hundredAndOne, f.admin, 400, `{"exams":["Ensure this field has no more than 100 elements."]}`},
			{"GET", fmt.Sprintf("/api/v2.5/admin/exam-counts/?exams=%d,999", f.dash), f.admin, 404, `{"detail":"Not found."}`},
			{"POST", countsPath, f.admin, 405, `{"detail":"Method \"POST\" not allowed."}`},
			{"GET", summaryPath, "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"GET", summaryPath, f.student, 403, `{"detail":"You do not have permission to perform this action."}`},
			{"GET", "/api/v2.5/admin/exams/999/summary/", f.admin, 404, `{"detail":"Not found."}`},
			{"GET", "/api/v2.5/admin/exams/abc/summary/", f.staff, 404, `{"detail":"Not found."}`},
			{"GET", queuePath, "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"GET", queuePath, f.student, 403, `{"detail":"You do not have permission to perform this action."}`},
			{"GET", "/api/v2.5/admin/grading-queue/?exams=999", f.admin, 404, `{"detail":"Not found."}`},
			{"GET", "/api/v2.5/admin/grading-queue/?exams=x", f.admin, 400, `{"exams":["Enter a number."]}`},
			{"GET", fmt.Sprintf("/api/v2.5/admin/grading-queue/?exams=%d,%d", f.dash, f.quiet), f.admin, 400, `{"exams":["Enter one exam id."]}`},
			{"GET", queuePath + "&page=3", f.admin, 404, `{"detail":"Invalid page."}`},
		} {
			f.expect(tt.method, tt.path, tt.token, "", tt.status, tt.want)
		}
		for path, want := range before {
			f.expect("GET", path, f.admin, "", 200, want)
		}

		// Staff grade Chitra's essay 5 of 10: 5.00, Fail. It leaves the queue,
		// her attempt the pending count; the graded population is 14, 1 and 5.
		var graded struct{ Result string }
		f.must(200, "PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", f.attempts["chitra"], f.essays["chitra"]),
			f.staff, map[string]any{"marks": "5"}, &graded)
		after := map[string]string{
			countsPath: `{"results":[` + counts(f.quiet, 0, 0, 0, 0) + "," + counts(f.dash, 1, 5, 1, 1) + `]}`,
			summaryPath: summary(counts(f.dash, 1, 5, 1, 1), "3", "33.33", `"6.67"`, bins(-100, 85, map[int]int{2: 1, 7: 1, 17: 1}),
				`"2.33"`, `"4.33"`, `"5.33"`, `"1.33"`),
			queuePath:                        queue(bala),
			"/api/v2.5/admin/grading-queue/": queue(bala),
		}
		for path, want := range after {
			f.expect("GET", path, f.staff, "", 200, want)
		}
	})
}
