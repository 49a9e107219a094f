package httpapi_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// inputFixture is the test bundle imported through the API with a course of
// one video, and Asha (a student of it) logged in with a running attempt.
type inputFixture struct {
	a                   *testAPI
	admin, asha         string // tokens
	bundle              string // the imported bundle's text
	examID, questionID  int64  // mock-1 and its first question (q-001)
	essayAnswerID       int64  // Asha's imported essay answer (q-004)
	importedAttempt     int64  // Asha's imported attempt
	attemptID, itemID   int64  // Asha's running attempt and its first item
	contentAttempt      int64  // Asha's attempt of the video
	courseID, contentID int64  // the course and its video
	savePath, gradePath string
	shortPath           string // the answer of Asha's short-answer item (q-003)
}

const fixtureCourse = `"courses": [{"slug": "neet-physics", "title": "NEET Physics", "chapters": [{"title": "Kinematics",
	"contents": [{"type": "Video", "title": "Intro", "video": {"url": "https://v.example/1", "duration": 600}}]}]}],
  "attempts": [`

func newInputFixture(t testing.TB, engine sqlstore.Engine) *inputFixture {
	t.Helper()
	raw, err := os.ReadFile("../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	x := &inputFixture{a: newTestAPI(t, engine), bundle: strings.Replace(string(raw), `"attempts": [`, fixtureCourse, 1)}
	a := x.a
	a.addUser("admin", examhall.RoleAdmin)
	x.admin = a.token("admin")
	a.must(200, "POST", "/api/v2.5/admin/import/", x.admin, jsonRaw(x.bundle), nil)
	var tok struct{ Token string }
	a.must(200, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": "asha", "password": "asha-secret"}, &tok)
	x.asha = tok.Token

	var exams struct{ Results []struct{ ID int64 } }
	a.must(200, "GET", "/api/v2.5/admin/exams/", x.admin, nil, &exams)
	x.examID = exams.Results[0].ID
	var exam struct {
		Sections []struct {
			Questions []struct {
				ID  int64
				Key string
			}
		}
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", x.examID), x.admin, nil, &exam)
	qs := exam.Sections[0].Questions
	x.questionID = qs[0].ID
	var attempts struct {
		Results []struct {
			ID    int64
			Email string
		}
	}
	a.must(200, "GET", "/api/v2.5/admin/attempts/", x.admin, nil, &attempts)
	for _, at := range attempts.Results {
		if at.Email == "asha@example.com" {
			x.importedAttempt = at.ID
		}
	}
	var answers struct {
		Results struct {
			UserAnswers []struct {
				ID             int64
				ExamQuestionID int64 `json:"exam_question_id"`
			} `json:"user_answers"`
		}
	}
	a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", x.importedAttempt), x.admin, nil, &answers)
	for _, ua := range answers.Results.UserAnswers {
		if ua.ExamQuestionID == qs[3].ID {
			x.essayAnswerID = ua.ID
		}
	}

	var attempt struct{ ID int64 }
	a.must(201, "POST", "/api/v2.2/exams/mock-1/attempts/", x.asha, nil, &attempt)
	x.attemptID = attempt.ID
	var items struct{ Results []struct{ ID int64 } }
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", x.attemptID), x.asha, nil, &items)
	x.itemID = items.Results[0].ID
	x.shortPath = fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", x.attemptID, items.Results[2].ID)

	var courses struct{ Results []struct{ ID int64 } }
	a.must(200, "GET", "/api/v2.5/courses/", x.asha, nil, &courses)
	var course struct {
		Chapters []struct{ Contents []struct{ ID int64 } }
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/courses/%d/", courses.Results[0].ID), x.admin, nil, &course)
	x.courseID, x.contentID = courses.Results[0].ID, course.Chapters[0].Contents[0].ID
	var ca struct{ ID int64 }
	a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", x.contentID), x.asha, nil, &ca)
	x.contentAttempt = ca.ID
	x.savePath = fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", x.attemptID, x.itemID)
	x.gradePath = fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", x.importedAttempt, x.essayAnswerID)
	if x.importedAttempt == 0 || x.essayAnswerID == 0 {
		t.Fatalf("fixture: %+v", x)
	}
	return x
}

// jsonRaw is JSON text that call sends as it is.
type jsonRaw string

func (r jsonRaw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// inputCase is one request and the exact answer it must get.
type inputCase struct {
	name, method, path, token, ctype, body string
	status                                 int
	want                                   string
}

func (x *inputFixture) check(t *testing.T, tests []inputCase) {
	t.Helper()
	for _, tt := range tests {
		ctype := tt.ctype
		if ctype == "" && tt.body != "" {
			ctype = "application/json"
		}
		auth := ""
		if tt.token != "" {
			auth = "JWT " + tt.token
		}
		got := x.a.do(tt.method, tt.path, auth, ctype, tt.body)
		if got.status != tt.status || (tt.want != "" && got.body != tt.want) {
			t.Errorf("%s: %s %s: %d %s\nwant %d %s", tt.name, tt.method, tt.path, got.status, got.body, tt.status, tt.want)
		}
	}
}

// TestStrictJSON (fault 3): every JSON body is exactly one value followed only
// by whitespace, and a key appears once per object; anything else is a 400
// that changes nothing.
func TestStrictJSON(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		x := newInputFixture(t, engine)
		b := x.bundle
		changed := strings.Replace(b, `"title": "Mock Test 1"`, `"title": "Mock Test 2"`, 1)
		extra := func(at int) string {
			return `{"detail":"JSON parse error - extra data after the JSON value at byte ` + strconv.Itoa(at) + `."}`
		}
		const login = `{"username": "asha", "password": "asha-secret"}`
		x.check(t, []inputCase{
			{"two bundles", "POST", "/api/v2.5/admin/import/", x.admin, "", changed + changed, 400,
				`{"non_field_errors":["JSON parse error - extra data after the JSON value at byte ` + strconv.Itoa(len(changed)) + `."]}`},
			{"two bundles, dry run", "POST", "/api/v2.5/admin/import/?dry_run=1", x.admin, "", b + b, 400,
				`{"non_field_errors":["JSON parse error - extra data after the JSON value at byte ` + strconv.Itoa(len(b)) + `."]}`},
			{"bundle and a bracket", "POST", "/api/v2.5/admin/import/", x.admin, "", changed + "]", 400,
				`{"non_field_errors":["JSON parse error - extra data after the JSON value at byte ` + strconv.Itoa(len(changed)) + `."]}`},
			{"duplicated bundle key", "POST", "/api/v2.5/admin/import/", x.admin, "",
				strings.Replace(changed, `"marks": "4.00", "negative_marks": "1.00"`, `"marks": "4.00", "negative_marks": "1.00", "marks": "8.00"`, 1), 400,
				`{"exams[0] \"mock-1\".sections[0].questions[0] \"q-001\".marks":["This key appears more than once in its object."]}`},
			{"answer and more", "PUT", x.savePath, x.asha, "", `{"review": true} {"review": false}`, 400, extra(17)},
			{"answer and a bracket", "PUT", x.savePath, x.asha, "", `{"review": true}]`, 400, extra(16)},
			{"answer and a brace", "PUT", x.savePath, x.asha, "", "{\"review\": true}\n}", 400, extra(17)},
			{"answer key twice", "PUT", x.savePath, x.asha, "", `{"review": true, "review": false}`, 400,
				`{"review":["This key appears more than once in its object."]}`},
			{"login and a bracket", "POST", "/api/v2.5/auth-token/", "", "", login + "]", 400, extra(len(login))},
			{"login and a number", "POST", "/api/v2.5/auth-token/", "", "", login + " 1", 400, extra(len(login) + 1)},
			{"login key twice", "POST", "/api/v2.5/auth-token/", "", "", `{"username": "ravi", "username": "asha", "password": "asha-secret"}`, 400,
				`{"username":["This key appears more than once in its object."]}`},
			{"user and more", "POST", "/api/v2.5/admin/users/", x.admin, "", `{"username": "neha", "password": "pw"}{}`, 400, extra(38)},
			{"grade and more", "PUT", x.gradePath, x.admin, "", `{"marks": "5"} x`, 400, extra(15)},
			{"progress and more", "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", x.contentAttempt), x.asha, "",
				`{"watched_percentage": 95}[]`, 400, extra(26)},
			// Whitespace around the one value is fine.
			{"answer in whitespace", "PUT", x.savePath, x.asha, "", " \r\n\t{\"review\": true}\n\t ", 200, ""},
			{"login in whitespace", "POST", "/api/v2.5/auth-token/", "", "", "\n" + login + "\r\n", 200, ""},
		})
		// Nothing was imported, created, graded or progressed by the refused bodies.
		var exam struct{ Title string }
		x.a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", x.examID), x.admin, nil, &exam)
		var users struct{ Count int }
		x.a.must(200, "GET", "/api/v2.5/admin/users/?q=neha", x.admin, nil, &users)
		var graded struct{ Score string }
		x.a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/attempts/%d/", x.importedAttempt), x.admin, nil, &graded)
		// Had the refused 95 % been recorded, the video would stay Completed.
		var progress struct {
			State string `json:"state"`
		}
		x.a.must(200, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", x.contentAttempt), x.asha,
			jsonRaw(`{"watched_percentage": 10}`), &progress)
		if exam.Title != "Mock Test 1" || users.Count != 0 || graded.Score != "17.00" || progress.State != "Started" {
			t.Errorf("a refused body changed something: exam %q, users %d, score %s, video %s", exam.Title, users.Count, graded.Score, progress.State)
		}
	})
}

// TestFieldErrorsNameTheField (fault 4): a value of the wrong type or a bad
// number is a field error keyed by its path, in DRF's words.
func TestFieldErrorsNameTheField(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		x := newInputFixture(t, engine)
		questionPath := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", x.examID, x.questionID)
		progressPath := fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", x.contentAttempt)
		const q1 = `exams[0] \"mock-1\".sections[0].questions[0] \"q-001\".`
		bundle := func(from, to string) string {
			t.Helper()
			s := strings.Replace(x.bundle, from, to, 1)
			if s == x.bundle {
				t.Fatalf("%s not in the bundle", from)
			}
			return s
		}
		x.check(t, []inputCase{
			{"import a list", "POST", "/api/v2.5/admin/import/", x.admin, "", `[]`, 400,
				`{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
			{"import marks 4.005", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"marks": "4.00", "negative_marks": "1.00"`, `"marks": "4.005", "negative_marks": "abc"`), 400,
				`{"` + q1 + `marks":["Ensure that there are no more than 2 decimal places."],"` + q1 + `negative_marks":["A valid number is required."]}`},
			{"import pass_percentage", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"pass_percentage": 40`, `"pass_percentage": "forty"`), 400,
				`{"exams[0] \"mock-1\".pass_percentage":["A valid number is required."]}`},
			{"import marks_awarded", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"marks_awarded": "7.00"`, `"marks_awarded": "7.001"`), 400,
				`{"attempts[0] \"mock-1\"/\"asha\".answers[3] \"q-004\".marks_awarded":["Ensure that there are no more than 2 decimal places."]}`},
			{"import duration a number list", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"duration": "3:00:00"`, `"duration": [3]`), 400,
				`{"exams[0] \"mock-1\".duration":["Not a valid string."]}`},
			{"import sections a dict", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"sections": [`, `"sections": {"a": [`), 400,
				""},
			{"import answers a dict", "POST", "/api/v2.5/admin/import/", x.admin, "", bundle(`"answers": [{"question": "q-001", "selected": [0], "duration": 40, "review": false},
                 {"question": "q-002", "value": "9.8"},
                 {"question": "q-003", "text": "newton"},
                 {"question": "q-004", "essay": "A book on a table stays put until pushed.", "marks_awarded": "7.00"}]`, `"answers": {}`), 400,
				`{"attempts[0] \"mock-1\"/\"asha\".answers":["Expected a list of items but got type \"dict\"."]}`},
			{"change marks abc", "PUT", questionPath, x.admin, "", `{"marks": "abc"}`, 400, `{"marks":["A valid number is required."]}`},
			{"change marks 3 places", "PUT", questionPath, x.admin, "", `{"marks": 1.255}`, 400, `{"marks":["Ensure that there are no more than 2 decimal places."]}`},
			{"change partial_marks", "PUT", questionPath, x.admin, "", `{"partial_marks": "x"}`, 400, `{"partial_marks":["A valid number is required."]}`},
			{"change correct_answers", "PUT", questionPath, x.admin, "", `{"correct_answers": {"a": 1}}`, 400,
				`{"correct_answers":["Expected a list of items but got type \"dict\"."]}`},
			{"change numerical_min", "PUT", questionPath, x.admin, "", `{"numerical_min": true}`, 400, `{"numerical_min":["Not a valid string."]}`},
			{"grade marks abc", "PUT", x.gradePath, x.admin, "", `{"marks": "abc"}`, 400, `{"marks":["A valid number is required."]}`},
			{"grade marks null", "PUT", x.gradePath, x.admin, "", `{"marks": null}`, 400, `{"marks":["This field is required."]}`},
			{"grade a list", "PUT", x.gradePath, x.admin, "", `[1]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
			{"patch exam pass_percentage", "PATCH", fmt.Sprintf("/api/v2.5/admin/exams/%d/", x.examID), x.admin, "", `{"pass_percentage": "abc"}`, 400,
				`{"pass_percentage":["A valid number is required."]}`},
			{"patch exam max_retakes", "PATCH", fmt.Sprintf("/api/v2.5/admin/exams/%d/", x.examID), x.admin, "", `{"max_retakes": 2.5}`, 400,
				`{"max_retakes":["A valid integer is required."]}`},
			{"create exam nested", "POST", "/api/v2.5/admin/exams/", x.admin, "",
				`{"slug": "e2", "title": "E2", "sections": [{"name": "A", "questions": [{"type": "essay", "question_html": "q", "marks": "x"}]}]}`, 400,
				`{"sections[0].questions[0].marks":["A valid number is required."]}`},
			{"create exam unknown", "POST", "/api/v2.5/admin/exams/", x.admin, "", `{"slug": "e2", "title": "E2", "colour": "red"}`, 400,
				`{"colour":["Unknown field."]}`},
			{"create user is_active", "POST", "/api/v2.5/admin/users/", x.admin, "", `{"username": "neha", "password": "pw", "is_active": "yes"}`, 400,
				`{"is_active":["Must be a valid boolean."]}`},
			{"answer selected a dict", "PUT", x.savePath, x.asha, "", `{"selected_answers": {}}`, 400,
				`{"selected_answers":["Expected a list of items but got type \"dict\"."]}`},
			{"answer selected strings", "PUT", x.savePath, x.asha, "", `{"selected_answers": [1, "b"]}`, 400,
				`{"selected_answers[1]":["A valid integer is required."]}`},
			{"answer duration text", "PUT", x.savePath, x.asha, "", `{"duration": "long"}`, 400, `{"duration":["A valid number is required."]}`},
			{"answer review a number", "PUT", x.savePath, x.asha, "", `{"review": 1}`, 400, `{"review":["Must be a valid boolean."]}`},
			{"answer a string", "PUT", x.savePath, x.asha, "", `"review"`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got str."]}`},
			{"progress a string", "PUT", progressPath, x.asha, "", `{"watched_percentage": "most"}`, 400, `{"watched_percentage":["A valid number is required."]}`},
			{"progress above 100", "PUT", progressPath, x.asha, "", `{"watched_percentage": 100.5}`, 400, `{"watched_percentage":["Ensure this value is between 0 and 100."]}`},
			{"progress below 0", "PUT", progressPath, x.asha, "", `{"watched_percentage": -0.5}`, 400, `{"watched_percentage":["Ensure this value is between 0 and 100."]}`},
		})
		// Fractional percentages are taken; the video completes at 90 %.
		var ca struct {
			State string `json:"state"`
		}
		x.a.must(200, "PUT", progressPath, x.asha, jsonRaw(`{"watched_percentage": 89.99, "position": 540}`), &ca)
		if ca.State != "Started" {
			t.Errorf("at 89.99 %%: %s", ca.State)
		}
		x.a.must(200, "PUT", progressPath, x.asha, jsonRaw(`{"watched_percentage": 90.0, "position": 541}`), &ca)
		if ca.State != "Completed" {
			t.Errorf("at 90.0 %%: %s", ca.State)
		}
	})
}

// TestTextAtTheEdge (fault 5): invalid UTF-8 and NUL are refused wherever
// text comes in, with the same 400 on both engines.
func TestTextAtTheEdge(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		x := newInputFixture(t, engine)
		const form = "application/x-www-form-urlencoded"
		const nul = `["Null characters are not allowed."]`
		x.check(t, []inputCase{
			{"login NUL", "POST", "/api/v2.5/auth-token/", "", "", `{"username": "asha\u0000", "password": "asha-secret"}`, 400, `{"username":` + nul + `}`},
			{"login NUL password", "POST", "/api/v2.5/auth-token/", "", "", `{"username": "asha", "password": "\u0000"}`, 400, `{"password":` + nul + `}`},
			{"login NUL key", "POST", "/api/v2.5/auth-token/", "", "", `{"username": "asha", "password": "asha-secret", "x\u0000": 1}`, 400, `{"x\u0000":` + nul + `}`},
			{"login invalid UTF-8", "POST", "/api/v2.5/auth-token/", "", "", "{\"username\": \"as\xffha\", \"password\": \"x\"}", 400,
				`{"detail":"JSON parse error - invalid UTF-8 at byte 16."}`},
			{"login form NUL", "POST", "/api/v2.5/auth-token/", "", form, "username=asha%00&password=x", 400, `{"username":` + nul + `}`},
			{"login form invalid UTF-8", "POST", "/api/v2.5/auth-token/", "", form, "username=asha&password=%FF", 400, `{"password":["Not valid UTF-8 text."]}`},
			{"answer NUL", "PUT", x.savePath, x.asha, "", `{"short_text": "new\u0000ton"}`, 400, `{"short_text":` + nul + `}`},
			{"answer NUL essay", "PUT", x.savePath, x.asha, "", `{"essay_text": "\u0000"}`, 400, `{"essay_text":` + nul + `}`},
			{"answer NUL numeric", "PUT", x.savePath, x.asha, "", `{"numeric_value": "9\u0000"}`, 400, `{"numeric_value":` + nul + `}`},
			{"answer invalid UTF-8", "PUT", x.savePath, x.asha, "", "{\"short_text\": \"\xc3\"}", 400, `{"detail":"JSON parse error - invalid UTF-8 at byte 16."}`},
			{"user NUL", "POST", "/api/v2.5/admin/users/", x.admin, "", `{"username": "neha", "password": "pw", "first_name": "Ne\u0000ha"}`, 400, `{"first_name":` + nul + `}`},
			{"user NUL batch", "POST", "/api/v2.5/admin/users/", x.admin, "", `{"username": "neha", "password": "pw", "batches": ["A", "\u0000"]}`, 400, `{"batches[1]":` + nul + `}`},
			{"import NUL", "POST", "/api/v2.5/admin/import/", x.admin, "", strings.Replace(x.bundle, `"first_name": "Ravi"`, `"first_name": "Ra\u0000vi"`, 1), 400,
				`{"users[1] \"ravi\".first_name":` + nul + `}`},
			{"slug %FF", "GET", "/api/v2.2/exams/mock%FF/", x.asha, "", "", 400, `{"detail":"The URL path is not valid UTF-8 text."}`},
			{"slug %00", "POST", "/api/v2.2/exams/mock%00/attempts/", x.asha, "", "", 400, `{"detail":"The URL path holds a null character."}`},
			// Authentication comes first, as in DRF: no token, 401 whatever the path holds.
			{"slug %FF without a token", "GET", "/api/v2.2/exams/%FF", "", "", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"query %00 without a token", "GET", "/api/v2.5/admin/users/?q=%00", "", "", "", 401, `{"detail":"Authentication credentials were not provided."}`},
			{"query %00", "GET", "/api/v2.5/admin/users/?q=asha%00", x.admin, "", "", 400, `{"q":` + nul + `}`},
			{"query %FF", "GET", "/api/v2.5/admin/attempts/?exam=%FF", x.admin, "", "", 400, `{"exam":["Not valid UTF-8 text."]}`},
			{"query name %FF", "GET", "/api/v2.2/exams/?%FF=1", x.asha, "", "", 400, `{"detail":"A query parameter name is not valid UTF-8 text."}`},
			{"query name %00", "GET", "/api/v2.2/exams/?a%00=1", x.asha, "", "", 400, `{"detail":"A query parameter name holds a null character."}`},
			{"query on a POST", "POST", "/api/v2.5/auth-token/?next=%00", "", "", `{"username": "asha", "password": "asha-secret"}`, 400, `{"next":` + nul + `}`},
			// Text that is merely unusual is fine.
			{"query UTF-8", "GET", "/api/v2.5/admin/users/?q=%E0%A4%86", x.admin, "", "", 200, ""},
			{"answer escapes", "PUT", x.shortPath, x.asha, "", `{"short_text": "\u0939\ud83d\ude00 \\u0000"}`, 200, ""},
		})
	})
}
