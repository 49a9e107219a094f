package httpapi_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

var kolkata = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		panic(err)
	}
	return loc
}()

func ist(year int, month time.Month, day, hour, min, sec, usec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, usec*1000, kolkata)
}

// reportFixture builds, through the engine, six attempts around the day
// boundaries (in the institute's time zone, Asia/Kolkata) that the seed's
// example queries cut at:
//
//	id user   exam      started (IST)                state     correct/incorrect/unanswered
//	1  asha   algebra   2020-01-10 23:59:59          Completed 1/0/1
//	2  asha   algebra   2020-01-11 00:00:00 (retake) Completed 0/2/0
//	3  bala   algebra   2020-06-15 12:00:00          Completed 2/0/0
//	4  bala   geometry  2021-02-02 23:59:59.999999   Running   0/0/1
//	5  chitra geometry  2021-02-03 00:00:00          Completed 1/0/0
//	6  chitra algebra   2021-03-01 09:30:00          Running   0/0/2
func reportFixture(t *testing.T, a *testAPI) {
	t.Helper()
	ctx := context.Background()
	db := a.db
	a.addUser("admin", examhall.RoleAdmin)
	users := map[string]int64{}
	for _, name := range []string{"asha", "bala", "chitra"} {
		u := &examhall.User{Username: name, Email: name + "@example.com", FirstName: map[string]string{"asha": "Asha", "bala": "Bala"}[name],
			Phone: map[string]string{"asha": "9000000001"}[name], Role: examhall.RoleStudent, IsActive: true}
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		users[name] = u.ID
	}
	start := ist(2019, 1, 1, 0, 0, 0, 0)
	four, one, two := decimal.FromInt(4), decimal.FromInt(1), decimal.FromInt(2)
	algebra := &examhall.Exam{Slug: "algebra", Title: "Algebra", StartDate: &start, Duration: ptr(time.Hour),
		PassPercentage: ptr(decimal.FromInt(50)), MarkPerQuestion: four, NegativeMarks: one, EnableRanks: true,
		AllowRetake: true, Published: true, Sections: []examhall.Section{{Name: "All", Questions: []examhall.ExamQuestion{
			{Marks: four, NegativeMarks: one, Question: examhall.Question{Type: examhall.MCQSingle, QuestionHTML: "<p>2+2?</p>",
				Answers: []examhall.Answer{{TextHTML: "4", IsCorrect: true}, {TextHTML: "5"}}}},
			{Marks: four, NegativeMarks: one, Question: examhall.Question{Type: examhall.Numerical, QuestionHTML: "<p>π?</p>",
				NumericalMin: "3.14", NumericalMax: "3.15"}},
		}}}}
	geometry := &examhall.Exam{Slug: "geometry", Title: "Geometry", StartDate: &start, MarkPerQuestion: two,
		EnableRanks: false, Published: true, Sections: []examhall.Section{{Name: "All", Questions: []examhall.ExamQuestion{
			{Marks: two, Question: examhall.Question{Type: examhall.TrueFalse, QuestionHTML: "<p>A square is a rectangle.</p>",
				Answers: []examhall.Answer{{TextHTML: "True", IsCorrect: true}, {TextHTML: "False"}}}},
		}}}}
	for _, e := range []*examhall.Exam{algebra, geometry} {
		if err := db.CreateExam(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	take := func(user, slug string, at time.Time, answers []examhall.AnswerInput, end bool) {
		t.Helper()
		a.clock.Set(at)
		attempt, err := db.StartAttempt(ctx, users[user], slug, "")
		if err != nil {
			t.Fatal(err)
		}
		a.clock.Advance(time.Minute)
		list, _ := db.Answers(ctx, users[user], attempt.ID)
		for i, in := range answers {
			if in == (examhall.AnswerInput{}) {
				continue
			}
			if _, _, err := db.SaveAnswer(ctx, users[user], attempt.ID, list[i].ID, in); err != nil {
				t.Fatal(err)
			}
		}
		if end {
			a.clock.Advance(time.Minute)
			if _, err := db.End(ctx, users[user], attempt.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	right, wrong := algebra.Sections[0].Questions[0].Question.Answers[0].ID, algebra.Sections[0].Questions[0].Question.Answers[1].ID
	tf := geometry.Sections[0].Questions[0].Question.Answers[0].ID
	take("asha", "algebra", ist(2020, 1, 10, 23, 59, 59, 0), []examhall.AnswerInput{{SelectedAnswerIDs: &[]int64{right}}}, true)
	take("asha", "algebra", ist(2020, 1, 11, 0, 0, 0, 0), []examhall.AnswerInput{{SelectedAnswerIDs: &[]int64{wrong}}, {NumericValue: ptr("3")}}, true)
	take("bala", "algebra", ist(2020, 6, 15, 12, 0, 0, 0), []examhall.AnswerInput{{SelectedAnswerIDs: &[]int64{right}}, {NumericValue: ptr("3.14159")}}, true)
	take("bala", "geometry", ist(2021, 2, 2, 23, 59, 59, 999999), nil, false)
	take("chitra", "geometry", ist(2021, 2, 3, 0, 0, 0, 0), []examhall.AnswerInput{{SelectedAnswerIDs: &[]int64{tf}}}, true)
	take("chitra", "algebra", ist(2021, 3, 1, 9, 30, 0, 0), nil, false)
	a.clock.Set(ist(2021, 3, 1, 10, 0, 0, 0))
}

func ptr[T any](v T) *T { return &v }

func listIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var env struct{ Results []struct{ ID int64 } }
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	ids := []int64{}
	for _, r := range env.Results {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestAdminAttemptList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		reportFixture(t, a)
		admin := "JWT " + a.token("admin")
		const path = "/api/v2.5/admin/attempts/"
		tests := []struct {
			query string
			ids   []int64
		}{
			// The seed's three examples (exam 5 and user 1 there are algebra and asha here).
			{"?exams=1", []int64{6, 3, 2, 1}},
			{"?users=2&exams=1", []int64{2, 1}},
			{"?date_0=2020-01-11&date_1=2021-02-02&ordering=date", []int64{2, 3, 4}},
			{"", []int64{6, 5, 4, 3, 2, 1}},
			{"?ordering=date", []int64{1, 2, 3, 4, 5, 6}},
			{"?ordering=id", []int64{1, 2, 3, 4, 5, 6}},
			{"?ordering=-id", []int64{6, 5, 4, 3, 2, 1}},
			{"?ordering=-correct_answers_count", []int64{3, 5, 1, 6, 4, 2}},
			{"?ordering=incorrect_answers_count", []int64{1, 3, 4, 5, 6, 2}},
			{"?ordering=-unanswered_count,id", []int64{6, 1, 4, 2, 3, 5}},
			{"?ordering=-incorrect_answers_count,-date", []int64{2, 6, 5, 4, 3, 1}},
			{"?ordering=score,-id", []int64{6, 5, 4, 3, 2, 1}},                    // unknown terms are ignored
			{"?ordering=id%3BDROP%20TABLE%20attempts", []int64{6, 5, 4, 3, 2, 1}}, // so is SQL
			{"?state=0", []int64{6, 4}},
			{"?state=1", []int64{5, 3, 2, 1}},
			{"?state=3", []int64{}},
			{"?users=3", []int64{4, 3}},
			{"?users=999", []int64{}},
			{"?users=0", []int64{}},
			{"?exams=2&exams=1&users=2", []int64{2, 1}}, // the last of repeated values, as Django reads them
			{"?snapshot=x&ordering=id", []int64{1, 2, 3, 4, 5, 6}},
			{"?date_0=2020-1-11&date_1=02/02/2021&ordering=date", []int64{2, 3, 4}},
			{"?date_0=2021-02-03", []int64{6, 5}},
			{"?date_1=2020-01-10", []int64{1}},
			{"?exams=2&state=1&date_0=2021-01-01&date_1=2021-12-31&ordering=date", []int64{5}},
			{"?page_size=2&page=2", []int64{4, 3}},
			{"?page_size=4&page=last", []int64{2, 1}},
		}
		for _, tt := range tests {
			got := a.do("GET", path+tt.query, admin, "", "")
			if got.status != 200 {
				t.Errorf("%s: %d %s", tt.query, got.status, got.body)
				continue
			}
			if ids := listIDs(t, got.body); !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("%s: ids %v, want %v", tt.query, ids, tt.ids)
			}
		}
		golden(t, "admin_attempts_default.json", a.do("GET", path, admin, "", "").body)
		golden(t, "admin_attempts_page2.json", a.do("GET", path+"?page_size=2&page=2&exams=1", admin, "", "").body)
		golden(t, "admin_attempt_3.json", a.do("GET", path+"3/", admin, "", "").body)
		const answers = "/api/v3/admin/attempts/2/user_answers/"
		golden(t, "admin_user_answers_2.json", a.do("GET", answers, admin, "", "").body)
		golden(t, "admin_user_answers_2_page2.json", a.do("GET", answers+"?page_size=1&page=2", admin, "", "").body)
		for _, tt := range []struct{ path, body string }{
			{"/api/v3/admin/attempts/99/user_answers/", `{"detail":"Not found."}`},
			{answers + "?page=3", `{"detail":"Invalid page."}`},
		} {
			if got := a.do("GET", tt.path, admin, "", ""); got.status != 404 || got.body != tt.body {
				t.Errorf("GET %s: %d %s", tt.path, got.status, got.body)
			}
		}

		bad := []struct {
			query  string
			status int
			body   string
		}{
			{"?users=abc", 400, `{"users":["Enter a number."]}`},
			{"?exams=1.5&users=x", 400, `{"exams":["Enter a number."],"users":["Enter a number."]}`},
			{"?state=2", 400, `{"state":["Select a valid choice. 2 is not one of the available choices."]}`},
			{"?state=running", 400, `{"state":["Select a valid choice. running is not one of the available choices."]}`},
			{"?date_0=2021-13-01", 400, `{"date":["Enter a valid date."]}`},
			{"?date_1=yesterday", 400, `{"date":["Enter a valid date."]}`},
			{"?page=0", 404, `{"detail":"Invalid page."}`},
			{"?page=abc", 404, `{"detail":"Invalid page."}`},
			{"?page=2", 404, `{"detail":"Invalid page."}`},
			{"?page=92233720368547758", 404, `{"detail":"Invalid page."}`},
		}
		for _, tt := range bad {
			if got := a.do("GET", path+tt.query, admin, "", ""); got.status != tt.status || got.body != tt.body {
				t.Errorf("%s: %d %s, want %d %s", tt.query, got.status, got.body, tt.status, tt.body)
			}
		}
		var capped struct {
			PerPage int `json:"per_page"`
		}
		a.must(200, "GET", path+"?page_size=100000", a.token("admin"), nil, &capped)
		if capped.PerPage != 1000 {
			t.Errorf("page_size=100000 gives per_page %d", capped.PerPage)
		}

		// The number of statements does not grow with the page size.
		statements := func(query string) int64 {
			before := a.db.Statements()
			if got := a.do("GET", path+query, admin, "", ""); got.status != 200 {
				t.Fatalf("%s: %d", query, got.status)
			}
			return a.db.Statements() - before
		}
		if small, large := statements("?page_size=1"), statements("?page_size=6"); small != large {
			t.Errorf("statements: %d for one attempt, %d for six", small, large)
		}

		golden(t, "admin_exam_1.json", a.do("GET", "/api/v2.5/admin/exams/1/", admin, "", "").body)
		for _, p := range []string{"/api/v3/admin/attempts/2/user_answers/", "/api/v2.5/admin/users/"} {
			before := a.db.Statements()
			a.do("GET", p+"?page_size=1", admin, "", "")
			small := a.db.Statements() - before
			before = a.db.Statements()
			a.do("GET", p+"?page_size=100", admin, "", "")
			if large := a.db.Statements() - before; large != small {
				t.Errorf("%s: %d statements for one row, %d for all", p, small, large)
			}
		}
		if got := a.do("GET", "/api/v2.5/admin/exams/99/", admin, "", ""); got.status != 404 || got.body != `{"detail":"Not found."}` {
			t.Errorf("unknown exam: %d %s", got.status, got.body)
		}
		for _, auth := range []struct {
			token  string
			status int
		}{{"", 401}, {"JWT " + a.studentToken(t), 403}} {
			for _, p := range []string{path, path + "1/", "/api/v3/admin/attempts/1/user_answers/", "/api/v2.5/admin/exams/",
				"/api/v2.5/admin/exams/1/", "/api/v2.5/admin/users/", "/api/v2.5/admin/users/1/"} {
				if got := a.do("GET", p, auth.token, "", ""); got.status != auth.status {
					t.Errorf("GET %s with %q: %d", p, auth.token, got.status)
				}
			}
		}
		for _, p := range []string{path + "99/", path + "abc/", path + "-1/", "/api/v3/admin/attempts/x/user_answers/"} {
			if got := a.do("GET", p, admin, "", ""); got.status != 404 || got.body != `{"detail":"Not found."}` {
				t.Errorf("GET %s: %d %s", p, got.status, got.body)
			}
		}
	})
}

// studentToken is a token of a student made for the purpose.
func (a *testAPI) studentToken(t *testing.T) string {
	t.Helper()
	if _, ok := a.users["student-x"]; !ok {
		a.addUser("student-x", examhall.RoleStudent)
	}
	return a.token("student-x")
}
