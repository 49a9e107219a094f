package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

type examDetail struct {
	ID                int64    `json:"id"`
	Title             string   `json:"title"`
	Duration          *string  `json:"duration"`
	PassPercentage    *float64 `json:"pass_percentage"`
	NumberOfQuestions int      `json:"number_of_questions"`
	TotalMarks        string   `json:"total_marks"`
	Sections          []struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		Questions []struct {
			ID    int64  `json:"id"`
			Order int    `json:"order"`
			Type  string `json:"type"`
		} `json:"questions"`
	} `json:"sections"`
}

func TestAuthoringEndpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		for _, name := range []string{"asha", "bala"} {
			a.must(201, "POST", "/api/v2.5/admin/users/", admin, map[string]any{"username": name, "password": "pw-" + name}, nil)
		}
		login := func(name, password string) string {
			var tok struct{ Token string }
			a.must(200, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": name, "password": password}, &tok)
			return tok.Token
		}
		asha, bala := login("asha", "pw-asha"), login("bala", "pw-bala")
		expect := func(status int, method, path, token string, body any, want string) {
			t.Helper()
			resp := a.do(method, path, "JWT "+token, "application/json", jsonText(t, body))
			if resp.status != status || (want != "" && resp.body != want) {
				t.Errorf("%s %s: %d %s, want %d %s", method, path, resp.status, resp.body, status, want)
			}
		}

		// Subjects.
		var science, physics struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Science"}, &science)
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Physics", "parent": science.ID}, &physics)
		sub := func(id int64) string { return fmt.Sprintf("/api/v2.5/admin/subjects/%d/", id) }
		expect(200, "PATCH", sub(physics.ID), admin, map[string]any{"name": "Physics I"},
			fmt.Sprintf(`{"id":%d,"name":"Physics I","parent":%d}`, physics.ID, science.ID))
		expect(400, "PATCH", sub(science.ID), admin, map[string]any{"parent": physics.ID}, `{"parent":["A subject cannot sit below itself."]}`)
		expect(400, "PATCH", sub(science.ID), admin, map[string]any{"parent": 999}, `{"parent":["Invalid pk \"999\" - object does not exist."]}`)
		expect(400, "DELETE", sub(science.ID), admin, nil, `{"detail":"This subject has sub-subjects; move or delete them first."}`)
		expect(204, "DELETE", sub(physics.ID), admin, nil, "")
		expect(404, "DELETE", sub(physics.ID), admin, nil, `{"detail":"Not found."}`)
		expect(403, "PATCH", sub(science.ID), asha, map[string]any{"name": "x"}, "")

		// An exam: q1 (4 marks) in Part A, q2 (2 marks) in Part B.
		var exam, other examDetail
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{
			"slug": "crud", "title": "CRUD", "pass_percentage": "50", "published": true, "mark_per_question": "4",
			"sections": []map[string]any{
				{"name": "Part A", "questions": []map[string]any{{"type": "mcq_single", "question_html": "q1",
					"answers": []map[string]any{{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}}},
				{"name": "Part B", "questions": []map[string]any{{"type": "true_false", "question_html": "q2", "marks": "2",
					"answers": []map[string]any{{"text_html": "True", "is_correct": true}, {"text_html": "False"}}}}},
			}}, &exam)
		if exam.PassPercentage == nil || *exam.PassPercentage != 50 {
			t.Errorf("created exam's pass_percentage = %v, want 50", exam.PassPercentage)
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "other", "title": "Other",
			"sections": []map[string]any{{"name": "Only"}}}, &other)
		examPath := fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID)

		var patched examDetail
		a.must(200, "PATCH", examPath, admin, map[string]any{"title": "CRUD 2", "duration": "2:00:00", "pass_percentage": nil}, &patched)
		if patched.Title != "CRUD 2" || *patched.Duration != "2:00:00" || patched.PassPercentage != nil || patched.NumberOfQuestions != 2 {
			t.Errorf("patched exam = %+v", patched)
		}
		expect(400, "PATCH", examPath, admin, map[string]any{"slug": "history"},
			`{"slug":["\"history\" names a list of exams in the student API; choose another slug."]}`)
		expect(400, "PATCH", examPath, admin, map[string]any{"duration": "two hours"},
			`{"duration":["Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."]}`)
		expect(400, "PATCH", examPath, admin, map[string]any{"slug": "other"}, `{"slug":["exam with this slug already exists."]}`)
		expect(404, "PATCH", "/api/v2.5/admin/exams/999/", admin, map[string]any{"title": "x"}, `{"detail":"Not found."}`)

		// Two students complete it: Asha answers q1 right (4 of 6), Bala nothing (0).
		for _, tok := range []string{asha, bala} {
			var at struct{ ID int64 }
			a.must(201, "POST", "/api/v2.2/exams/crud/attempts/", tok, nil, &at)
			if tok == asha {
				var page struct{ Results []e2eItem }
				a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", at.ID), tok, nil, &page)
				a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", at.ID, page.Results[0].ID), tok,
					map[string]any{"selected_answers": []int64{page.Results[0].Question.Answers[0].ID}}, nil)
			}
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", at.ID), tok, nil, nil)
		}
		ashaAttempt := func() e2eAttempt {
			var list struct{ Results []e2eAttempt }
			a.must(200, "GET", "/api/v2.2/attempts/", asha, nil, &list)
			return list.Results[0]
		}
		if at := ashaAttempt(); at.Score != "4.00" || at.Percentage != 66.67 || at.MaxRank != float64(2) {
			t.Fatalf("asha before changes = %s", at.summary())
		}

		// Sections and questions.
		a.must(201, "POST", examPath+"sections/", admin, map[string]any{"name": "Part C"}, &patched)
		if len(patched.Sections) != 3 || patched.Sections[2].Name != "Part C" {
			t.Errorf("after adding a section: %+v", patched.Sections)
		}
		expect(400, "POST", examPath+"questions/", admin, map[string]any{"section": other.Sections[0].ID, "type": "essay", "question_html": "e"},
			fmt.Sprintf(`{"section":["Invalid pk \"%d\" - not a section of this exam."]}`, other.Sections[0].ID))
		expect(400, "POST", examPath+"questions/", admin, map[string]any{"section": exam.Sections[0].ID, "type": "numerical",
			"question_html": "n", "numerical_min": "5", "numerical_max": "1"}, `{"numerical_max":["Ensure numerical_max is not less than numerical_min."]}`)
		// A 4-mark essay joins Part A after q1: q2 moves to third place; Asha's 4 is now of 10 marks.
		a.must(201, "POST", examPath+"questions/", admin, map[string]any{"section": exam.Sections[0].ID, "type": "essay", "question_html": "e"}, &patched)
		if q := patched.Sections[0].Questions; len(q) != 2 || q[1].Type != "Essay" || q[1].Order != 1 || patched.Sections[1].Questions[0].Order != 2 {
			t.Errorf("after adding a question: %+v", patched.Sections)
		}
		if at := ashaAttempt(); at.Score != "4.00" || at.Percentage != 40 || at.Unanswered != 2 {
			t.Errorf("asha after the exam grew = %s", at.summary())
		}
		expect(400, "DELETE", fmt.Sprintf("%squestions/%d/", examPath, exam.Sections[0].Questions[0].ID), admin, nil,
			`{"detail":"The questions of an exam with attempts cannot be removed."}`)
		expect(400, "DELETE", examPath, admin, nil, `{"detail":"An exam with attempts cannot be deleted; unpublish it instead."}`)
		// An exam without attempts loses questions freely.
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/", other.ID), admin,
			map[string]any{"section": other.Sections[0].ID, "type": "essay", "question_html": "e"}, &other)
		gone := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", other.ID, other.Sections[0].Questions[0].ID)
		expect(204, "DELETE", gone, admin, nil, "")
		expect(404, "DELETE", gone, admin, nil, `{"detail":"Not found."}`)
		expect(204, "DELETE", fmt.Sprintf("/api/v2.5/admin/exams/%d/", other.ID), admin, nil, "")

		// Users: update, block, new password, delete (Bala leaves the rank population).
		users, _, _ := a.db.Users(t.Context(), examhall.UserFilter{Query: "bala", Limit: 1})
		balaPath := fmt.Sprintf("/api/v2.5/admin/users/%d/", users[0].ID)
		var updated struct {
			FirstName string   `json:"first_name"`
			Batches   []string `json:"batches"`
			IsBlocked bool     `json:"is_blocked"`
		}
		a.must(200, "PATCH", balaPath, admin, map[string]any{"first_name": "Bala", "batches": []string{"JEE"}, "is_blocked": true}, &updated)
		if updated.FirstName != "Bala" || len(updated.Batches) != 1 || !updated.IsBlocked {
			t.Errorf("patched user = %+v", updated)
		}
		expect(401, "GET", "/api/v2.2/attempts/", bala, nil, `{"detail":"User account is disabled."}`)
		a.must(200, "PATCH", balaPath, admin, map[string]any{"is_blocked": false, "password": "new-pw"}, nil)
		login("bala", "new-pw")
		expect(400, "PATCH", balaPath, admin, map[string]any{"role": "king"}, `{"role":["\"king\" is not a valid choice. Valid choices: admin, staff, student."]}`)
		expect(400, "PATCH", balaPath, admin, map[string]any{"username": "ASHA"}, `{"username":["A user with that username already exists."]}`)
		expect(204, "DELETE", balaPath, admin, nil, "")
		expect(404, "GET", balaPath, admin, nil, `{"detail":"Not found."}`)
		if at := ashaAttempt(); at.Rank != float64(1) || at.MaxRank != float64(1) {
			t.Errorf("asha after bala was deleted = %s", at.summary())
		}
		expect(403, "DELETE", balaPath, asha, nil, "")
	})
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
