package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// call sends body as JSON with the token and decodes the answer into out.
func (a *testAPI) call(method, path, token string, body any, out any) int {
	a.t.Helper()
	var text string
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		text = string(b)
	}
	auth := ""
	if token != "" {
		auth = "JWT " + token
	}
	resp := a.do(method, path, auth, "application/json", text)
	if out != nil && resp.body != "" {
		if err := json.Unmarshal([]byte(resp.body), out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, resp.body)
		}
	}
	return resp.status
}

// must is call that fails the test unless the status is want.
func (a *testAPI) must(want int, method, path, token string, body any, out any) {
	a.t.Helper()
	var raw json.RawMessage
	if got := a.call(method, path, token, body, &raw); got != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatal(err)
		}
	}
}

type e2eAttempt struct {
	ID             int64    `json:"id"`
	Score          string   `json:"score"`
	Percentage     float64  `json:"percentage"`
	Percentile     *float64 `json:"percentile"`
	CorrectCount   int      `json:"correct_count"`
	IncorrectCount int      `json:"incorrect_count"`
	Unanswered     int      `json:"unanswered_count"`
	TimeTaken      string   `json:"time_taken"`
	RemainingTime  *string  `json:"remaining_time"`
	State          string   `json:"state"`
	Rank           any      `json:"rank"`
	MaxRank        any      `json:"max_rank"`
	Speed          int      `json:"speed"`
	Accuracy       int      `json:"accuracy"`
}

// summary renders the numbers a teacher would check by hand.
func (x e2eAttempt) summary() string {
	pct := "null"
	if x.Percentile != nil {
		pct = fmt.Sprint(*x.Percentile)
	}
	remaining := "null"
	if x.RemainingTime != nil {
		remaining = *x.RemainingTime
	}
	return fmt.Sprintf("%s score=%s pct=%v correct=%d incorrect=%d unanswered=%d time=%s left=%s rank=%v/%v percentile=%s speed=%d accuracy=%d",
		x.State, x.Score, x.Percentage, x.CorrectCount, x.IncorrectCount, x.Unanswered, x.TimeTaken, remaining,
		x.Rank, x.MaxRank, pct, x.Speed, x.Accuracy)
}

type e2eItem struct {
	ID       int64 `json:"id"`
	Question struct {
		Answers []struct {
			ID       int64  `json:"id"`
			TextHTML string `json:"text_html"`
		} `json:"answers"`
		Type string `json:"type"`
	} `json:"question"`
	Result       *string `json:"result"`
	MarksAwarded *string `json:"marks_awarded"`
}

// TestExamEndToEnd drives an exam through the HTTP API only: an admin builds
// it, four students take it (one pauses and resumes, one runs out of time,
// one retakes), an essay is graded and an answer key changes. Every number
// is worked out by hand in the comments.
func TestExamEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		E := epoch

		// Subjects: Science > Physics > Mechanics, Science > Chemistry.
		var science, physics, mechanics, chemistry struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Science"}, &science)
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Physics", "parent": science.ID}, &physics)
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Mechanics", "parent": physics.ID}, &mechanics)
		a.must(201, "POST", "/api/v2.5/admin/subjects/", admin, map[string]any{"name": "Chemistry", "parent": science.ID}, &chemistry)

		// The exam: 30 marks, one hour, pass at 40 %, one retake.
		choice := func(texts ...string) []map[string]any {
			var out []map[string]any
			for _, t := range texts {
				out = append(out, map[string]any{"text_html": strings.TrimSuffix(t, "*"), "is_correct": strings.HasSuffix(t, "*")})
			}
			return out
		}
		exam := map[string]any{
			"slug": "mock-e2e", "title": "Mock E2E", "start_date": E.Add(-24 * time.Hour).Format(time.RFC3339),
			"duration": "1:00:00", "pass_percentage": "40", "mark_per_question": "4", "negative_marks": "1",
			"allow_retake": true, "max_retakes": 1, "published": true,
			"sections": []map[string]any{
				{"name": "Physics and Chemistry", "questions": []map[string]any{
					{"type": "mcq_single", "question_html": "<p>q1</p>", "subject": mechanics.ID, "difficulty": "easy", "answers": choice("A*", "B")},
					{"type": "mcq_multiple", "question_html": "<p>q2</p>", "subject": chemistry.ID, "difficulty": "hard",
						"negative_marks": "2", "partial_marks": "2", "answers": choice("He*", "Ne*", "O")},
					{"type": "true_false", "question_html": "<p>q3</p>", "subject": physics.ID, "difficulty": "easy",
						"marks": "2", "negative_marks": "0", "answers": choice("True*", "False")},
				}},
				{"name": "Mixed", "questions": []map[string]any{
					{"type": "numerical", "question_html": "<p>q4</p>", "subject": mechanics.ID, "difficulty": "medium",
						"numerical_min": "9.75", "numerical_max": "9.85"},
					{"type": "short_answer", "question_html": "<p>q5</p>", "marks": "2", "negative_marks": "0",
						"accepted_answers": []string{"Newton", "Isaac Newton"}},
					{"type": "essay", "question_html": "<p>q6</p>", "difficulty": "hard", "marks": "10", "negative_marks": "0"},
					{"type": "mcq_single", "question_html": "<p>q7</p>", "subject": chemistry.ID, "difficulty": "medium",
						"is_bonus": true, "answers": choice("X*", "Y")},
				}},
			},
		}
		var created struct {
			ID         int64  `json:"id"`
			TotalMarks string `json:"total_marks"`
			Sections   []struct {
				Questions []struct {
					ID      int64 `json:"id"`
					Answers []struct {
						ID int64 `json:"id"`
					} `json:"answers"`
				} `json:"questions"`
			} `json:"sections"`
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, exam, &created)
		if created.TotalMarks != "30.00" { // 4+4+2+4+2+10+4
			t.Fatalf("total marks = %s", created.TotalMarks)
		}
		q3 := created.Sections[0].Questions[2]

		// Students, created and logged in through the API.
		tokens := map[string]string{}
		students := []string{"asha", "bala", "chitra", "dev"}
		logIn := func() { // tokens live an hour; the scenario is longer
			for _, name := range students {
				var tok struct{ Token string }
				a.must(200, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": name, "password": "pw-" + name}, &tok)
				tokens[name] = tok.Token
			}
			admin = a.token("admin")
		}
		for _, name := range students {
			a.must(201, "POST", "/api/v2.5/admin/users/", admin, map[string]any{"username": name, "password": "pw-" + name}, nil)
		}
		logIn()

		start := func(student string) int64 {
			var at e2eAttempt
			a.must(201, "POST", "/api/v2.2/exams/mock-e2e/attempts/", tokens[student], nil, &at)
			return at.ID
		}
		items := func(student string, id int64) []e2eItem {
			var page struct{ Results []e2eItem }
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/?page_size=50", id), tokens[student], nil, &page)
			return page.Results
		}
		pick := func(item e2eItem, texts ...string) []int64 {
			var ids []int64
			for _, ans := range item.Question.Answers {
				for _, text := range texts {
					if ans.TextHTML == text {
						ids = append(ids, ans.ID)
					}
				}
			}
			return ids
		}
		// answer saves the answers given per question number (1-based); nil skips one.
		answer := func(student string, id int64, answers map[int]map[string]any) {
			list := items(student, id)
			for n := 1; n <= len(list); n++ {
				body, ok := answers[n]
				if !ok {
					continue
				}
				if texts, ok := body["pick"].([]string); ok {
					body = map[string]any{"selected_answers": pick(list[n-1], texts...)}
				}
				a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", id, list[n-1].ID), tokens[student], body, nil)
			}
		}
		step := func(student string, id int64, what string) {
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/%s/", id, what), tokens[student], nil, nil)
		}
		get := func(student string, id int64) e2eAttempt {
			var at e2eAttempt
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", id), tokens[student], nil, &at)
			return at
		}
		allRight := map[int]map[string]any{
			1: {"pick": []string{"A"}}, 2: {"pick": []string{"He", "Ne"}}, 3: {"pick": []string{"True"}},
			4: {"numeric_value": "9.80"}, 5: {"short_text": " newton "},
		}

		// Asha, from E: everything right and an essay; ends at E+3m.
		a.clock.Set(E)
		asha := start("asha")
		a.clock.Set(E.Add(time.Minute))
		withEssay := map[int]map[string]any{6: {"essay_text": "Energy is conserved."}}
		for k, v := range allRight {
			withEssay[k] = v
		}
		answer("asha", asha, withEssay)
		a.clock.Set(E.Add(2 * time.Minute))
		step("asha", asha, "heartbeat")

		// Bala, from E+1m: q1 wrong, q2 half, q3 wrong, q4 wrong, q7 wrong (bonus); pauses 10 minutes.
		a.clock.Set(E.Add(time.Minute))
		bala := start("bala")
		a.clock.Set(E.Add(2 * time.Minute))
		answer("bala", bala, map[int]map[string]any{
			1: {"pick": []string{"B"}}, 2: {"pick": []string{"He"}}, 3: {"pick": []string{"False"}},
			4: {"numeric_value": 10}, 6: {"essay_text": "   "}, 7: {"pick": []string{"Y"}, "review": true},
		})

		// Chitra, from E+2m: three right answers at E+3m, then heartbeats every two minutes.
		chitra := start("chitra")
		a.clock.Set(E.Add(3 * time.Minute))
		answer("chitra", chitra, map[int]map[string]any{1: {"pick": []string{"A"}}, 4: {"numeric_value": "9.75"}, 5: {"short_text": "ISAAC NEWTON"}})

		// Dev, from E+3m: q1 right, q2 with a wrong choice; ends at E+5m.
		dev := start("dev")
		answer("dev", dev, map[int]map[string]any{1: {"pick": []string{"A"}}, 2: {"pick": []string{"He", "Ne", "O"}}})

		a.clock.Set(E.Add(3 * time.Minute))
		step("asha", asha, "end")
		a.clock.Set(E.Add(5 * time.Minute))
		step("dev", dev, "end")
		var refused map[string]any
		if code := a.call("POST", "/api/v2.2/exams/mock-e2e/attempts/", tokens["chitra"], nil, &refused); code != 400 {
			t.Fatalf("second running attempt: %d %v", code, refused)
		}

		// Dev retakes from E+6m: all right but no essay; ends at E+8m.
		a.clock.Set(E.Add(6 * time.Minute))
		devRetake := start("dev")
		answer("dev", devRetake, allRight)
		a.clock.Set(E.Add(8 * time.Minute))
		step("dev", devRetake, "end")
		if code := a.call("POST", "/api/v2.2/exams/mock-e2e/attempts/", tokens["dev"], nil, &refused); code != 400 ||
			refused["detail"] != "You have used all 1 retakes of this exam." {
			t.Fatalf("third attempt: %d %v", code, refused)
		}

		// Bala resumes at E+12m (the 10 silent minutes do not count) and ends at E+14m.
		a.clock.Set(E.Add(12 * time.Minute))
		step("bala", bala, "start")
		a.clock.Set(E.Add(13 * time.Minute))
		step("bala", bala, "heartbeat")
		a.clock.Set(E.Add(14 * time.Minute))
		step("bala", bala, "end")

		// Chitra: heartbeats every 2 minutes from E+5m to E+61m reach 59 minutes; then she goes silent
		// and her time runs out a minute after the last heartbeat, at E+62m (within the 2-minute idle limit).
		for m := 5; m <= 61; m += 2 {
			a.clock.Set(E.Add(time.Duration(m) * time.Minute))
			if m == 55 {
				logIn()
			}
			step("chitra", chitra, "heartbeat")
		}
		a.clock.Set(E.Add(70 * time.Minute))
		list := items("chitra", chitra)
		var late map[string]any
		if code := a.call("PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", chitra, list[1].ID), tokens["chitra"],
			map[string]any{"selected_answers": pick(list[1], "He")}, &late); code != 400 {
			t.Fatalf("answer after time ran out: %d %v", code, late)
		}

		check := func(stage, student string, id int64, want, wantResult string) {
			t.Helper()
			if got := get(student, id).summary(); got != want {
				t.Errorf("%s, %s:\n got %s\nwant %s", stage, student, got, want)
			}
			var detail struct{ Result string }
			a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/attempts/%d/", id), admin, nil, &detail)
			if detail.Result != wantResult {
				t.Errorf("%s, %s: result %q, want %q", stage, student, detail.Result, wantResult)
			}
		}
		// Population (first completed attempts): Asha 20, Chitra 14, Dev 6, Bala 4.
		// Asha: 4+4+2+4+2+4(bonus) = 20 of 30 = 66.67 %, essay pending (in no count); 7 answered in 3 min = 140/h; 6/7 = 86 %.
		check("before grading", "asha", asha, "Completed score=20.00 pct=66.67 correct=6 incorrect=0 unanswered=0 time=0:03:00 left=0:57:00 rank=1/4 percentile=100 speed=140 accuracy=86", "NA")
		// Bala: -1 +2(partial) +0 -1 +4(bonus) = 4 = 13.33 %; q5 and the blank essay unanswered; 1 + 2 minutes;
		// 5 answered in 3 min = 100/h; 1/5 = 20 %.
		check("before grading", "bala", bala, "Completed score=4.00 pct=13.33 correct=1 incorrect=3 unanswered=2 time=0:03:00 left=0:57:00 rank=4/4 percentile=25 speed=100 accuracy=20", "Fail")
		// Chitra: 4+4+2+4(bonus) = 14 = 46.67 %; the whole hour; 4 answered per hour; 4/4.
		check("before grading", "chitra", chitra, "Completed score=14.00 pct=46.67 correct=4 incorrect=0 unanswered=3 time=1:00:00 left=0:00:00 rank=2/4 percentile=75 speed=4 accuracy=100", "Pass")
		// Dev: 4 -2 +4(bonus) = 6 = 20 %; 3 answered in 2 min = 90/h; 2/3 = 67 %.
		check("before grading", "dev", dev, "Completed score=6.00 pct=20 correct=2 incorrect=1 unanswered=4 time=0:02:00 left=0:58:00 rank=3/4 percentile=50 speed=90 accuracy=67", "Fail")
		// Dev's retake: 20, placed at 1 against the population without joining it (max_rank stays 4).
		check("before grading", "dev", devRetake, "Completed score=20.00 pct=66.67 correct=6 incorrect=0 unanswered=1 time=0:02:00 left=0:58:00 rank=1/4 percentile=100 speed=180 accuracy=100", "Pass")

		// The essay is graded 7 of 10: partially correct; Asha 27 = 90 %.
		answers := items("asha", asha)
		var graded map[string]any
		a.must(200, "PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", asha, answers[5].ID), admin, map[string]any{"marks": "7"}, &graded)
		if graded["result"] != "Partially Correct" || graded["marks_awarded"] != "7.00" {
			t.Fatalf("graded answer = %v", graded)
		}
		check("after grading", "asha", asha, "Completed score=27.00 pct=90 correct=6 incorrect=0 unanswered=0 time=0:03:00 left=0:57:00 rank=1/4 percentile=100 speed=140 accuracy=86", "Pass")
		// The whole admin view of that attempt, pinned: sections, subject tree rows (Science > Physics >
		// Mechanics, Science > Chemistry, Uncategorized) and difficulty rows.
		golden(t, "admin_attempt_asha.json", a.do("GET", fmt.Sprintf("/api/v2.5/admin/attempts/%d/", asha), "JWT "+admin, "", "").body)
		var review struct{ Results []e2eItem }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/?page_size=50", asha), tokens["asha"], nil, &review)
		if r := review.Results[5]; *r.Result != "Partially Correct" || *r.MarksAwarded != "7.00" {
			t.Errorf("review of the essay = %+v", r)
		}

		// The key of q3 changes to False: Asha 27-2 = 25 (83.33 %), Bala 4+2 = 6 (20 %), Dev's retake 20-2 = 18 (60 %).
		var regrade struct {
			RegradedAttempts int `json:"regraded_attempts"`
		}
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", created.ID, q3.ID), admin,
			map[string]any{"correct_answers": []int64{q3.Answers[1].ID}}, &regrade)
		if regrade.RegradedAttempts != 5 {
			t.Errorf("regraded %d attempts, want 5", regrade.RegradedAttempts)
		}
		// Population now: Asha 25, Chitra 14, Dev 6, Bala 6 — Dev and Bala share rank 3.
		check("after regrade", "asha", asha, "Completed score=25.00 pct=83.33 correct=5 incorrect=1 unanswered=0 time=0:03:00 left=0:57:00 rank=1/4 percentile=100 speed=140 accuracy=71", "Pass")
		check("after regrade", "bala", bala, "Completed score=6.00 pct=20 correct=2 incorrect=2 unanswered=2 time=0:03:00 left=0:57:00 rank=3/4 percentile=50 speed=100 accuracy=40", "Fail")
		check("after regrade", "chitra", chitra, "Completed score=14.00 pct=46.67 correct=4 incorrect=0 unanswered=3 time=1:00:00 left=0:00:00 rank=2/4 percentile=75 speed=4 accuracy=100", "Pass")
		check("after regrade", "dev", dev, "Completed score=6.00 pct=20 correct=2 incorrect=1 unanswered=4 time=0:02:00 left=0:58:00 rank=3/4 percentile=50 speed=90 accuracy=67", "Fail")
		check("after regrade", "dev", devRetake, "Completed score=18.00 pct=60 correct=5 incorrect=1 unanswered=1 time=0:02:00 left=0:58:00 rank=2/4 percentile=75 speed=180 accuracy=83", "Pass")

		// Another student's attempt is not found; a student cannot author or grade.
		if code := a.call("GET", fmt.Sprintf("/api/v2.2/attempts/%d/", asha), tokens["bala"], nil, nil); code != 404 {
			t.Errorf("another student's attempt: %d", code)
		}
		if code := a.call("PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", asha, answers[5].ID), tokens["bala"],
			map[string]any{"marks": "10"}, nil); code != 403 {
			t.Errorf("student grading: %d", code)
		}
	})
}
