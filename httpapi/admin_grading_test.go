package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestGradingAndRegradeRefusals is every refusal of essay grading and of a
// change to an exam question, each with its exact answer, and what they leave
// unchanged (issue 10, fault 12: none of them ran in a test).
func TestGradingAndRegradeRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		var exam struct {
			ID       int64
			Sections []struct {
				Questions []struct {
					ID      int64
					Answers []struct{ ID int64 }
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "graded", "title": "Graded", "published": true,
			"allow_retake": true, "sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "essay", "question_html": "Why?", "marks": "5"},
				{"type": "mcq_single", "question_html": "Which?", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}},
				{"type": "numerical", "question_html": "How much?", "numerical_min": "1", "numerical_max": "2"},
			}}}}, &exam)
		qs := exam.Sections[0].Questions
		// answers sits an attempt: the essay written or not, the choice A; it
		// returns the attempt's id and its answers' ids by question.
		sit := func(student string, essay string, end bool) (int64, map[int64]int64) {
			a.addUser(student, examhall.RoleStudent)
			tok := a.token(student)
			var at struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/graded/attempts/", tok, nil, &at)
			var page struct{ Results []e2eItem }
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", at.ID), tok, nil, &page)
			if essay != "" {
				a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, page.Results[0].ID), tok,
					map[string]any{"essay_text": essay}, nil)
			}
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, page.Results[1].ID), tok,
				map[string]any{"selected_answers": []int64{qs[1].Answers[0].ID}}, nil)
			if end {
				a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", at.ID), tok, nil, nil)
			}
			var answers struct {
				Results struct {
					UserAnswers []struct {
						ID             int64
						ExamQuestionID int64 `json:"exam_question_id"`
					} `json:"user_answers"`
				}
			}
			a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", at.ID), admin, nil, &answers)
			ids := map[int64]int64{}
			for _, ua := range answers.Results.UserAnswers {
				ids[ua.ExamQuestionID] = ua.ID
			}
			return at.ID, ids
		}
		done, doneAnswers := sit("asha", "Because.", true)
		running, runningAnswers := sit("bala", "Because.", false)
		blank, blankAnswers := sit("chitra", "", true)
		detail := func(id int64) string {
			return a.do("GET", fmt.Sprintf("/api/v2.5/admin/attempts/%d/", id), "JWT "+admin, "", "").body
		}
		before := map[int64]string{done: detail(done), running: detail(running), blank: detail(blank)}
		examBefore := a.do("GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), "JWT "+admin, "", "").body

		grade := func(attempt, answer int64) string {
			return fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", attempt, answer)
		}
		change := func(question int64) string {
			return fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, question)
		}
		for _, tt := range []struct {
			name, path, body string
			status           int
			want             string
		}{
			{"grade a running attempt", grade(running, runningAnswers[qs[0].ID]), `{"marks": "3"}`, 400,
				`{"detail":"Answers are graded once the attempt is completed."}`},
			{"grade a choice", grade(done, doneAnswers[qs[1].ID]), `{"marks": "1"}`, 400,
				`{"detail":"Only essay answers are graded by hand."}`},
			{"grade an unwritten essay", grade(blank, blankAnswers[qs[0].ID]), `{"marks": "1"}`, 400,
				`{"detail":"This essay was not answered; there is nothing to grade."}`},
			{"grade above the marks", grade(done, doneAnswers[qs[0].ID]), `{"marks": "5.01"}`, 400,
				`{"marks":["Ensure this value is between 0 and 5.00."]}`},
			{"grade below zero", grade(done, doneAnswers[qs[0].ID]), `{"marks": "-1"}`, 400,
				`{"marks":["Ensure this value is between 0 and 5.00."]}`},
			{"grade without marks", grade(done, doneAnswers[qs[0].ID]), `{}`, 400, `{"marks":["This field is required."]}`},
			{"grade another attempt's answer", grade(done, runningAnswers[qs[0].ID]), `{"marks": "1"}`, 404, `{"detail":"Not found."}`},
			{"grade an unknown attempt", grade(999, doneAnswers[qs[0].ID]), `{"marks": "1"}`, 404, `{"detail":"Not found."}`},
			{"key of another question", change(qs[1].ID), `{"correct_answers": [999]}`, 400,
				`{"correct_answers":["Invalid pk \"999\" - not an answer of this question."]}`},
			{"two keys of a single-correct question", change(qs[1].ID),
				fmt.Sprintf(`{"correct_answers": [%d, %d]}`, qs[1].Answers[0].ID, qs[1].Answers[1].ID), 400,
				`{"answers":["A single-correct question needs exactly one correct answer."]}`},
			{"no key", change(qs[1].ID), `{"correct_answers": []}`, 400,
				`{"answers":["A choice question needs at least one correct answer."]}`},
			{"range upside down", change(qs[2].ID), `{"numerical_min": "3"}`, 400,
				`{"numerical_max":["Ensure numerical_max is not less than numerical_min."]}`},
			{"negative marks below zero", change(qs[1].ID), `{"negative_marks": "-1"}`, 400,
				`{"negative_marks":["Ensure this value is greater than or equal to 0."]}`},
			{"partial marks on a single-correct question", change(qs[1].ID), `{"partial_marks": "1"}`, 400,
				`{"partial_marks":["Only multiple-correct questions give partial marks."]}`},
			{"unknown question", change(999), `{"marks": "2"}`, 404, `{"detail":"Not found."}`},
			{"every bad field at once", change(qs[1].ID), `{"negative_marks": "x", "partial_marks": "y", "is_bonus": 3}`, 400,
				`{"is_bonus":["Must be a valid boolean."],"negative_marks":["A valid number is required."],"partial_marks":["A valid number is required."]}`},
			{"null marks", change(qs[1].ID), `{"marks": null, "negative_marks": null}`, 400,
				`{"marks":["This field may not be null."],"negative_marks":["This field may not be null."]}`},
		} {
			got := a.do("PUT", tt.path, "JWT "+admin, "application/json", tt.body)
			if got.status != tt.status || got.body != tt.want {
				t.Errorf("%s: %d %s\nwant %d %s", tt.name, got.status, got.body, tt.status, tt.want)
			}
		}
		for id, body := range before {
			if got := detail(id); got != body {
				t.Errorf("attempt %d changed by refused requests:\n%s\nwas\n%s", id, got, body)
			}
		}
		if got := a.do("GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), "JWT "+admin, "", "").body; got != examBefore {
			t.Errorf("exam changed by refused requests:\n%s\nwas\n%s", got, examBefore)
		}
	})
}
