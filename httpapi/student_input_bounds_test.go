package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestStudentInputBounds: every value a student sends with an answer save has
// a bound, answered with a 400 naming the field that changes nothing, and an
// exam's duration is bounded too (issue 10, fault 7: a duration of 9.2e9
// seconds overflowed the section's sum, "99999999 days" became 80135 days).
func TestStudentInputBounds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, student := a.token("admin"), a.token("asha")
		var exam struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{
			"slug": "bounds", "title": "Bounds", "duration": "1:00:00", "published": true,
			"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "mcq_multiple", "question_html": "q1", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}},
				{"type": "numerical", "question_html": "q2", "numerical_min": "1", "numerical_max": "1"},
				{"type": "short_answer", "question_html": "q3", "accepted_answers": []string{"x"}},
			}}},
		}, &exam)
		if got := a.do("POST", "/api/v2.2/exams/bounds/attempts/", "JWT "+student, "application/json",
			`{"institute_attempt_id": "`+strings.Repeat("x", 256)+`"}`); got.status != 400 ||
			got.body != `{"institute_attempt_id":["Ensure this field has no more than 255 characters."]}` {
			t.Errorf("institute_attempt_id of 256 characters: %d %.200s", got.status, got.body)
		}
		var attempt struct{ ID int64 }
		a.must(201, "POST", "/api/v2.2/exams/bounds/attempts/", student, map[string]any{"institute_attempt_id": strings.Repeat("x", 255)}, &attempt)
		var page struct{ Results []e2eItem }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), student, nil, &page)
		mcq, numerical, short := page.Results[0], page.Results[1], page.Results[2]
		a1, a2 := mcq.Question.Answers[0].ID, mcq.Question.Answers[1].ID
		item := func(it e2eItem) string {
			return fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attempt.ID, it.ID)
		}
		// A save that counts: 30 seconds on the numerical question.
		a.must(200, "PUT", item(numerical), student, map[string]any{"numeric_value": "1", "duration": 30}, nil)

		tests := []struct {
			name string
			it   e2eItem
			body string
			want string
		}{
			{"duration 9.2e9 s", numerical, `{"duration": 9.2e9}`,
				`{"duration":["Ensure this value is less than or equal to 86400."]}`},
			{"duration 1e300 s", numerical, `{"duration": 1e300}`,
				`{"duration":["Ensure this value is less than or equal to 86400."]}`},
			{"duration a day and a second", numerical, `{"duration": 86401}`,
				`{"duration":["Ensure this value is less than or equal to 86400."]}`},
			{"negative duration", numerical, `{"duration": -1e300}`,
				`{"duration":["Ensure this value is greater than or equal to 0."]}`},
			{"numeric value of 51 digits", numerical, `{"numeric_value": "` + strings.Repeat("9", 51) + `"}`,
				`{"numeric_value":["Ensure this field has no more than 50 characters."]}`},
			{"numeric value of 20,000 digits", numerical, `{"numeric_value": "` + strings.Repeat("9", 20000) + `"}`,
				`{"numeric_value":["Ensure this field has no more than 50 characters."]}`},
			{"short text of 1,001 characters", short, `{"short_text": "` + strings.Repeat("ü", 1001) + `"}`,
				`{"short_text":["Ensure this field has no more than 1000 characters."]}`},
			{"more choices than answers", mcq, fmt.Sprintf(`{"selected_answers": [%d, %d, %d]}`, a1, a2, a1),
				`{"selected_answers":["Ensure this field has no more than 2 elements."]}`},
			{"one answer twice", mcq, fmt.Sprintf(`{"selected_answers": [%d, %d]}`, a1, a1),
				fmt.Sprintf(`{"selected_answers":["Answer \"%d\" is chosen twice."]}`, a1)},
		}
		for _, tt := range tests {
			got := a.do("PUT", item(tt.it), "JWT "+student, "application/json", tt.body)
			if got.status != 400 || got.body != tt.want {
				t.Errorf("%s: %d %.300s\nwant 400 %s", tt.name, got.status, got.body, tt.want)
			}
		}
		// Within the bounds: accepted.
		a.must(200, "PUT", item(numerical), student, map[string]any{"numeric_value": "0." + strings.Repeat("9", 48), "duration": 86400}, nil)
		a.must(200, "PUT", item(short), student, map[string]any{"short_text": strings.Repeat("ü", 1000)}, nil)
		a.must(200, "PUT", item(mcq), student, map[string]any{"selected_answers": []int64{a2, a1}}, nil)

		// Nothing refused was stored: the numerical answer holds 30 s + 1 day.
		var answers struct {
			Results struct {
				UserAnswers []struct {
					ExamQuestionID int64 `json:"exam_question_id"`
					Duration       int64 `json:"duration"`
				} `json:"user_answers"`
			}
		}
		a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/", attempt.ID), admin, nil, &answers)
		durations := map[int64]int64{}
		for _, ua := range answers.Results.UserAnswers {
			durations[ua.ExamQuestionID] = ua.Duration
		}
		var sum int64
		for _, d := range durations {
			sum += d
		}
		if sum != 86430 {
			t.Errorf("durations %v: want 30 + 86400 seconds in all", durations)
		}

		// Exam durations: bounded, on create, on change and per section.
		tooLong := `{"duration":["Ensure this value is less than or equal to 365 days, 0:00:00."]}`
		for _, tt := range []struct {
			name, method, path, body, want string
		}{
			{"create, 99999999 days", "POST", "/api/v2.5/admin/exams/", `{"slug": "long", "title": "Long", "duration": "99999999 days, 0:00:00",
				"sections": [{"name": "A", "questions": [{"type": "essay", "question_html": "e"}]}]}`,
				`{"duration":["The number of days must be between -106751 and 106751."]}`},
			{"create, 366 days", "POST", "/api/v2.5/admin/exams/", `{"slug": "long", "title": "Long", "duration": "366 days, 0:00:00",
				"sections": [{"name": "A", "questions": [{"type": "essay", "question_html": "e"}]}]}`, tooLong},
			{"create, a section of 999999999999 hours", "POST", "/api/v2.5/admin/exams/", `{"slug": "long", "title": "Long",
				"sections": [{"name": "A", "duration": "999999999999:00:00", "questions": [{"type": "essay", "question_html": "e"}]}]}`,
				`{"sections[0].duration":["The number of days must be between -106751 and 106751."]}`},
			{"change, 400 days", "PATCH", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), `{"duration": "400 days, 0:00:00"}`, tooLong},
		} {
			got := a.do(tt.method, tt.path, "JWT "+admin, "application/json", tt.body)
			if got.status != 400 || got.body != tt.want {
				t.Errorf("%s: %d %.300s\nwant 400 %s", tt.name, got.status, got.body, tt.want)
			}
		}
		var after struct{ Duration string }
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), admin, nil, &after)
		if after.Duration != "1:00:00" {
			t.Errorf("exam duration after refused changes: %s", after.Duration)
		}
	})
}

// TestVideoPositionBound: the position a student reports in a video is
// bounded too.
func TestVideoPositionBound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		var course struct {
			Chapters []struct{ Contents []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.token("admin"), map[string]any{"slug": "c", "title": "C",
			"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "Video", "title": "Intro", "video": map[string]any{"url": "https://v.example/1", "duration": 600}}}}}}, &course)
		var ca struct{ ID int64 }
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", course.Chapters[0].Contents[0].ID), a.token("asha"), nil, &ca)
		path := fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", ca.ID)
		for _, tt := range []struct {
			body   string
			status int
			want   string
		}{
			{`{"watched_percentage": 10, "position": 604801}`, 400, `{"position":["Ensure this value is less than or equal to 604800."]}`},
			{`{"watched_percentage": 10, "position": 1e30}`, 400, ""},
			{`{"watched_percentage": 10, "position": 604800}`, 200, ""},
		} {
			got := a.do("PUT", path, "JWT "+a.token("asha"), "application/json", tt.body)
			if got.status != tt.status || (tt.want != "" && got.body != tt.want) {
				t.Errorf("%s: %d %s, want %d %s", tt.body, got.status, got.body, tt.status, tt.want)
			}
		}
	})
}

// TestImportedDurationBounds: an imported answer's duration is bounded as a
// live one's total is (0 to 366 days, in seconds); beyond, the import is
// refused naming the answer (issue 10, fault 7: 10,000,000,000 s read back
// as -8446744073).
func TestImportedDurationBounds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		bundle := func(duration string) string {
			return `{"format": "examhall-bundle/1", "users": [{"username": "asha", "role": "student"}],
				"exams": [{"slug": "m", "title": "M", "sections": [{"name": "A", "questions": [
					{"key": "q", "type": "numerical", "question_html": "q", "numerical_min": "1", "numerical_max": "1"}]}]}],
				"attempts": [{"exam": "m", "user": "asha", "started": "2026-01-02T10:00:00Z", "completed": "2026-01-02T11:00:00Z",
					"answers": [{"question": "q", "value": "1", "duration": ` + duration + `}]}]}`
		}
		const refused = `{"attempts[0] \"m\"/\"asha\".answers[0] \"q\".duration":["Ensure this value is between 0 and 31622400."]}`
		for _, tt := range []struct {
			duration string
			status   int
			want     string
		}{
			{"10000000000", 400, refused},
			{"-500", 400, refused},
			{"31622401", 400, refused},
			{"31622400", 200, ""},
		} {
			got := a.do("POST", "/api/v2.5/admin/import/", "JWT "+a.token("admin"), "application/json", bundle(tt.duration))
			if got.status != tt.status || (tt.want != "" && got.body != tt.want) {
				t.Errorf("duration %s: %d %s, want %d %s", tt.duration, got.status, got.body, tt.status, tt.want)
			}
		}
	})
}
