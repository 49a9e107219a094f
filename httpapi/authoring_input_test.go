package httpapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// authorTest is the API with an admin, and expect: one request, its exact
// status and (when want is not "") its exact body.
type authorTest struct {
	*testAPI
	admin string
}

func newAuthorTest(t *testing.T, engine sqlstore.Engine) *authorTest {
	a := newTestAPI(t, engine)
	a.addUser("admin", examhall.RoleAdmin)
	return &authorTest{testAPI: a, admin: a.token("admin")}
}

func (a *authorTest) expect(t *testing.T, status int, method, path string, body any, want string) string {
	t.Helper()
	resp := a.do(method, path, "JWT "+a.admin, "application/json", jsonText(t, body))
	if resp.status != status || (want != "" && resp.body != want) {
		t.Errorf("%s %s: %d %s\nwant %d %s", method, path, resp.status, resp.body, status, want)
	}
	return resp.body
}

func choiceQuestion(typ string) map[string]any {
	return map[string]any{"type": typ, "question_html": "<p>" + typ + "</p>",
		"answers": []map[string]any{{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}
}

// Issue 12: a question's type is accepted in every spelling examhall
// writes: its name, the admin API's label and the student API's code.
func TestQuestionTypeSpellings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		var exam examDetail
		body := a.expect(t, 201, "POST", "/api/v2.5/admin/exams/", map[string]any{"slug": "spell", "title": "Spellings",
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
				choiceQuestion("mcq_single"), choiceQuestion("MCQ, Multiple Correct"), choiceQuestion("T"),
				{"type": "Short Answer", "question_html": "s", "accepted_answers": []string{"x"}},
			}}}}, "")
		if err := json.Unmarshal([]byte(body), &exam); err != nil || len(exam.Sections) == 0 {
			t.Fatalf("created exam: %s", body)
		}
		path := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/", exam.ID)
		a.expect(t, 201, "POST", path, map[string]any{"section": exam.Sections[0].ID, "type": "N", "question_html": "n",
			"numerical_min": "1", "numerical_max": "2"}, "")
		a.expect(t, 201, "POST", path, map[string]any{"section": exam.Sections[0].ID, "type": "Essay", "question_html": "e"}, "")
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), a.admin, nil, &exam)
		var types []string
		for _, q := range exam.Sections[0].Questions {
			types = append(types, q.Type)
		}
		want := []string{"MCQ, Single Correct", "MCQ, Multiple Correct", "True or False", "Short Answer", "Numerical", "Essay"}
		if !reflect.DeepEqual(types, want) {
			t.Errorf("types = %q, want %q", types, want)
		}

		// The bundle takes them too.
		a.expect(t, 200, "POST", "/api/v2.5/admin/import/", map[string]any{"format": "examhall-bundle/1",
			"exams": []map[string]any{{"slug": "bundled", "title": "Bundled", "sections": []map[string]any{{"name": "A",
				"questions": []map[string]any{withKey(choiceQuestion("R"), "b1"), withKey(choiceQuestion("MCQ, Single Correct"), "b2")}}}}}},
			`{"created":{"exams":1},"updated":{},"unchanged":{},"dry_run":false}`)
	})
}

func withKey(q map[string]any, key string) map[string]any {
	q["key"] = key
	return q
}

// Issue 12: a value that is not a valid choice is told with the choices.
func TestInvalidChoiceNamesTheChoices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		types := `Valid choices: mcq_single, mcq_multiple, true_false, numerical, short_answer, essay.`
		levels := `Valid choices: easy, medium, hard.`
		bad := choiceQuestion("X")
		bad["difficulty"] = "tough"
		a.expect(t, 400, "POST", "/api/v2.5/admin/exams/", map[string]any{"slug": "c", "title": "C",
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{bad}}}},
			`{"sections[0].questions[0].type":["\"X\" is not a valid choice. `+types+`"]}`)
		good := choiceQuestion("R")
		good["difficulty"] = "tough"
		a.expect(t, 400, "POST", "/api/v2.5/admin/exams/", map[string]any{"slug": "c", "title": "C",
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{good}}}},
			`{"sections[0].questions[0].difficulty":["\"tough\" is not a valid choice. `+levels+`"]}`)
		var exam examDetail
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, map[string]any{"slug": "c", "title": "C",
			"sections": []map[string]any{{"name": "A"}}}, &exam)
		a.expect(t, 400, "POST", fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/", exam.ID),
			map[string]any{"section": exam.Sections[0].ID, "type": "Z", "question_html": "z"},
			`{"type":["\"Z\" is not a valid choice. `+types+`"]}`)
		a.expect(t, 400, "POST", "/api/v2.5/admin/users/", map[string]any{"username": "u", "password": "long-enough-pw", "role": "king"},
			`{"role":["\"king\" is not a valid choice. Valid choices: admin, staff, student."]}`)
		a.expect(t, 400, "POST", "/api/v2.5/admin/import/", map[string]any{"format": "examhall-bundle/1",
			"exams": []map[string]any{{"slug": "b", "title": "B", "sections": []map[string]any{{"name": "A",
				"questions": []map[string]any{withKey(bad, "k")}}}}}},
			`{"exams[0] \"b\".sections[0].questions[0] \"k\".type":["\"X\" is not a valid choice. `+types+`"]}`)
		// Nothing was made by the refusals.
		var list struct{ Count int }
		a.must(200, "GET", "/api/v2.5/admin/exams/", a.admin, nil, &list)
		if list.Count != 1 {
			t.Errorf("exams after the refusals: %d, want 1", list.Count)
		}
	})
}

// Issue 12: the same bad exam gets the same errors through the authoring API
// and the bundle, and the same fields are accepted by both with the same
// defaults (show_pass_or_fail, mark_per_question, direction_html null).
func TestExamInputSharedWithBundle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		bad := map[string]any{"slug": "bad", "title": "Bad", "duration": "soon", "show_pass_or_fail": false,
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
				{"key": "k1", "type": "mcq_single", "question_html": "q", "marks": "-1", "direction_html": nil,
					"answers": []map[string]any{{"text_html": "A"}, {"text_html": "B"}}},
				{"key": "k2", "type": "numerical", "question_html": "n", "numerical_min": "2", "numerical_max": "1",
					"direction": "d", "direction_html": "d"},
			}}}}
		api := a.expect(t, 400, "POST", "/api/v2.5/admin/exams/", bad, "")
		imp := a.expect(t, 400, "POST", "/api/v2.5/admin/import/", map[string]any{"format": "examhall-bundle/1", "exams": []any{bad}}, "")
		wantAPI := `{"duration":["Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."],` +
			`"sections[0].questions[0].answers":["A choice question needs at least one correct answer."],` +
			`"sections[0].questions[0].marks":["Ensure this value is greater than or equal to 0."],` +
			`"sections[0].questions[1].direction":["Give either direction_html or direction, not both."],` +
			`"sections[0].questions[1].numerical_max":["Ensure numerical_max is not less than numerical_min."]}`
		if api != wantAPI {
			t.Errorf("authoring API: %s\nwant %s", api, wantAPI)
		}
		wantImport := `{"exams[0] \"bad\".duration":["Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."],` +
			`"exams[0] \"bad\".sections[0].questions[0] \"k1\".answers":["A choice question needs at least one correct answer."],` +
			`"exams[0] \"bad\".sections[0].questions[0] \"k1\".marks":["Ensure this value is greater than or equal to 0."],` +
			`"exams[0] \"bad\".sections[0].questions[1] \"k2\".direction":["Give either direction_html or direction, not both."],` +
			`"exams[0] \"bad\".sections[0].questions[1] \"k2\".numerical_max":["Ensure numerical_max is not less than numerical_min."]}`
		if imp != wantImport {
			t.Errorf("bundle: %s\nwant %s", imp, wantImport)
		}

		// The same good exam, once through each path, comes out the same.
		good := map[string]any{"title": "Good", "show_pass_or_fail": false, "mark_per_question": "2", "negative_marks": "0.5",
			"show_answers": false, "batches": []string{"JEE"},
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{
				{"type": "R", "question_html": "q", "direction_html": nil,
					"answers": []map[string]any{{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}}}}}
		viaAPI := clone(good)
		viaAPI["slug"] = "via-api"
		viaAPI["sections"].([]any)[0].(map[string]any)["questions"].([]any)[0].(map[string]any)["key"] = "g-api"
		var fromAPI, fromBundle map[string]any
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, viaAPI, &fromAPI)
		viaBundle := clone(good)
		viaBundle["slug"] = "via-bundle"
		viaBundle["sections"].([]any)[0].(map[string]any)["questions"].([]any)[0].(map[string]any)["key"] = "g-bundle"
		a.expect(t, 200, "POST", "/api/v2.5/admin/import/", map[string]any{"format": "examhall-bundle/1", "exams": []any{viaBundle}}, "")
		var list struct{ Results []struct{ ID int64 } }
		a.must(200, "GET", "/api/v2.5/admin/exams/", a.admin, nil, &list)
		for _, e := range list.Results {
			if e.ID != int64(fromAPI["id"].(float64)) {
				a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", e.ID), a.admin, nil, &fromBundle)
			}
		}
		if got, want := content(fromBundle), content(fromAPI); !reflect.DeepEqual(got, want) {
			t.Errorf("through the bundle:\n%s\nthrough the API:\n%s", jsonText(t, got), jsonText(t, want))
		}
		if fromAPI["show_pass_or_fail"] != false || fromAPI["mark_per_question"] != "2.00" {
			t.Errorf("exam = %s", jsonText(t, fromAPI))
		}
	})
}

func clone(m map[string]any) map[string]any {
	var c map[string]any
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &c) //nolint:errcheck // it was just marshalled
	return c
}

// content is an exam or a course as GET shows it without what differs
// between two copies: ids, times, slug and question keys.
func content(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "id", "question_id", "chapter_id", "created", "modified", "slug", "key":
			default:
				out[k] = content(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = content(x)
		}
		return out
	}
	return v
}

// Issue 12: an exam's own output is accepted back as input: GET, then POST
// it as a new exam, gives the same exam.
func TestExamRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		var physics struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/subjects/", a.admin, map[string]any{"name": "Physics"}, &physics)
		var created map[string]any
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, map[string]any{
			"slug": "orig", "title": "Original", "description": "d", "start_date": "2026-02-01T09:00:00+05:30",
			"end_date": "2026-02-02T09:00:00+05:30", "duration": "3:00:00", "pass_percentage": "33.33",
			"mark_per_question": "4", "negative_marks": "1", "enable_ranks": false, "allow_retake": true, "max_retakes": 2,
			"show_score": false, "show_percentile": false, "show_pass_or_fail": false, "show_answers": false,
			"published": true, "batches": []string{"NEET"},
			"sections": []map[string]any{
				{"name": "Part A", "duration": "1:00:00", "cut_off": "10", "questions": []map[string]any{
					{"type": "mcq_multiple", "question_html": "<p>m</p>", "direction_html": "<p>dir</p>", "explanation_html": "<p>why</p>",
						"subject": physics.ID, "difficulty": "hard", "partial_marks": "1", "is_bonus": true,
						"answers": []map[string]any{{"text_html": "A", "is_correct": true}, {"text_html": "B", "is_correct": true}, {"text_html": "C"}}},
					{"type": "numerical", "question_html": "n", "numerical_min": "9.75", "numerical_max": "9.85", "marks": "2"},
				}},
				{"name": "Part B", "questions": []map[string]any{
					{"type": "short_answer", "question_html": "s", "accepted_answers": []string{"Newton"}, "difficulty": "easy"},
					{"type": "essay", "question_html": "e", "negative_marks": "0"},
				}},
			}}, &created)
		var got map[string]any
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%v/", created["id"]), a.admin, nil, &got)
		got["slug"] = "copy"
		var copied map[string]any
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, got, &copied)
		if c, o := content(copied), content(got); !reflect.DeepEqual(c, o) {
			t.Errorf("copy:\n%s\noriginal:\n%s", jsonText(t, c), jsonText(t, o))
		}
	})
}

// Issue 12: a question's wording (text, direction, explanation, subject,
// difficulty, answers' text) is edited without a regrade; a new answer key
// regrades.
func TestEditQuestionWording(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		var physics struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/subjects/", a.admin, map[string]any{"name": "Physics"}, &physics)
		var exam struct {
			ID       int64
			Sections []struct {
				Questions []struct {
					ID      int64
					Answers []struct{ ID int64 }
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, map[string]any{"slug": "edit", "title": "Edit", "published": true,
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{choiceQuestion("mcq_single")}}}}, &exam)
		q := exam.Sections[0].Questions[0]
		right, wrong := q.Answers[0].ID, q.Answers[1].ID
		ashaAttempt := a.sit(a.token("asha"), "edit", map[string]any{"selected_answers": []int64{right}})
		a.sit(a.token("bala"), "edit", map[string]any{"selected_answers": []int64{wrong}})
		path := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, q.ID)
		scores := func() string {
			var at struct {
				Score string
				Rank  any
			}
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", ashaAttempt), a.token("asha"), nil, &at)
			return fmt.Sprintf("%s rank %v", at.Score, at.Rank)
		}
		report := func() string {
			var page struct {
				Results struct {
					ExamQuestions []struct {
						QuestionHTML    string  `json:"question_html"`
						Direction       *string `json:"direction"`
						DifficultyLevel *string `json:"difficulty_level"`
						Answers         []struct {
							TextHTML string `json:"text_html"`
						}
					} `json:"exam_questions"`
				}
			}
			a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", ashaAttempt), a.admin, nil, &page)
			eq := page.Results.ExamQuestions[0]
			return fmt.Sprintf("%s | %s | %s | %s", eq.QuestionHTML, deref(eq.Direction), deref(eq.DifficultyLevel), eq.Answers[0].TextHTML)
		}
		if got := scores(); got != "1.00 rank 1" {
			t.Fatalf("before: %s", got)
		}

		// Bad edits: 400, nothing changes.
		a.expect(t, 400, "PATCH", path, map[string]any{"question_html": "<p>new</p>", "difficulty": "tough"},
			`{"difficulty":["\"tough\" is not a valid choice. Valid choices: easy, medium, hard."]}`)
		a.expect(t, 400, "PATCH", path, map[string]any{"question_html": "<p>new</p>", "answers": []map[string]any{{"id": 99999, "text_html": "x"}}},
			`{"answers":["Invalid pk \"99999\" - not an answer of this question."]}`)
		a.expect(t, 400, "PATCH", path, map[string]any{"question_html": nil}, `{"question_html":["This field may not be null."]}`)
		a.expect(t, 400, "PATCH", path, map[string]any{"subject": 99999}, `{"subject":["Invalid pk \"99999\" - object does not exist."]}`)
		if got := report(); got != "<p>mcq_single</p> | null | null | A" {
			t.Errorf("report after refused edits: %s", got)
		}

		// The wording: no regrade.
		body := a.expect(t, 200, "PATCH", path, map[string]any{"question_html": "<p>new</p>", "direction_html": "<p>read</p>",
			"explanation_html": "<p>why</p>", "subject": physics.ID, "difficulty": "hard",
			"answers": []map[string]any{{"id": right, "text_html": "Alpha"}}}, "")
		var changed struct {
			RegradedAttempts int `json:"regraded_attempts"`
			Exam             struct {
				Sections []struct {
					Questions []struct {
						ExplanationHTML string `json:"explanation_html"`
						SubjectID       *int64 `json:"subject_id"`
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &changed); err != nil {
			t.Fatal(err)
		}
		if eq := changed.Exam.Sections[0].Questions[0]; changed.RegradedAttempts != 0 || eq.ExplanationHTML != "<p>why</p>" ||
			eq.SubjectID == nil || *eq.SubjectID != physics.ID {
			t.Errorf("wording change: %s", body)
		}
		if got := report(); got != "<p>new</p> | <p>read</p> | hard | Alpha" {
			t.Errorf("report after the wording change: %s", got)
		}
		if got := scores(); got != "1.00 rank 1" {
			t.Errorf("after the wording change: %s", got)
		}
		// Null clears what may be empty.
		a.expect(t, 200, "PATCH", path, map[string]any{"direction_html": nil, "difficulty": nil, "subject": nil}, "")
		if got := report(); got != "<p>new</p> | null | null | Alpha" {
			t.Errorf("report after clearing: %s", got)
		}

		// The key: both attempts are regraded, Asha drops to 0.
		body = a.expect(t, 200, "PUT", path, map[string]any{"correct_answers": []int64{wrong}}, "")
		if err := json.Unmarshal([]byte(body), &changed); err != nil || changed.RegradedAttempts != 2 {
			t.Errorf("key change: %s", body)
		}
		if got := scores(); got != "0.00 rank 2" {
			t.Errorf("after the key change: %s", got)
		}
	})
}
