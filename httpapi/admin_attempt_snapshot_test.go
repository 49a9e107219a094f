package httpapi_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// whileRegrading reads for 2 s while a goroutine keeps changing one exam
// question, sending bodies to it in turn (each change regrades the exam's
// attempts). read returns "" for a read that agrees with itself, else what
// it mixed; the first three mixed reads fail the test.
func (a *testAPI) whileRegrading(t *testing.T, question string, bodies []string, read func() string) {
	t.Helper()
	admin := "JWT " + a.token("admin")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if got := a.do("PUT", question, admin, "application/json", bodies[i%len(bodies)]); got.status != 200 {
				t.Errorf("regrade: %d %s", got.status, got.body)
				return
			}
		}
	}()
	reads, mixed := 0, 0
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		reads++
		if what := read(); what != "" {
			mixed++
			if mixed <= 3 {
				t.Errorf("read %d mixes snapshots: %s", reads, what)
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads, %d mixed", reads, mixed)
}

// choiceExam creates the published exam "snap" of one single-choice question
// with the answers A (correct) and B; it returns the question's address in
// the authoring API and the two answers' ids.
func (a *testAPI) choiceExam(t *testing.T) (question string, first, second int64) {
	t.Helper()
	var exam struct {
		ID       int64
		Sections []struct {
			Questions []struct {
				ID      int64
				Answers []struct{ ID int64 }
			}
		}
	}
	a.must(201, "POST", "/api/v2.5/admin/exams/", a.token("admin"), map[string]any{"slug": "snap", "title": "Snap", "published": true,
		"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
			{"type": "mcq_single", "question_html": "q", "answers": []map[string]any{
				{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}}}}}, &exam)
	q := exam.Sections[0].Questions[0]
	if len(q.Answers) != 2 {
		t.Fatalf("exam body: %+v", exam)
	}
	return fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, q.ID), q.Answers[0].ID, q.Answers[1].ID
}

// keyBodies are the two question changes that move the answer key between
// answer ids x and y.
func keyBodies(x, y int64) []string {
	return []string{fmt.Sprintf(`{"correct_answers": [%d]}`, x), fmt.Sprintf(`{"correct_answers": [%d]}`, y)}
}

// TestAdminAttemptDetailIsOneSnapshot reads an attempt's admin detail while
// regrades keep changing its question's marks between 1 and 3: every body
// read must agree with itself (the score, its sections' scores and its
// subject's score are the same number), as only a read at one snapshot
// guarantees (issue 10, fault 11: six store calls could mix a regrade's
// before and after).
func TestAdminAttemptDetailIsOneSnapshot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, student := a.token("admin"), a.token("asha")
		var exam struct {
			ID       int64
			Sections []struct{ Questions []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "snap", "title": "Snap", "published": true,
			"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "numerical", "question_html": "q", "numerical_min": "1", "numerical_max": "1"}}}}}, &exam)
		attempt := a.sit(student, "snap", map[string]any{"numeric_value": "1"})
		question := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, exam.Sections[0].Questions[0].ID)
		a.whileRegrading(t, question, []string{`{"marks": "1"}`, `{"marks": "3"}`}, func() string {
			got := a.do("GET", fmt.Sprintf("/api/v2.5/admin/attempts/%d/", attempt), "JWT "+admin, "", "")
			if got.status != 200 {
				t.Fatalf("detail: %d %s", got.status, got.body)
			}
			var d struct {
				Score        string
				Sections     []struct{ Score string }
				SubjectStats []struct{ Score string } `json:"subject_stats"`
			}
			if err := json.Unmarshal([]byte(got.body), &d); err != nil {
				t.Fatal(err)
			}
			if d.Sections[0].Score != d.Score || d.SubjectStats[0].Score != d.Score {
				return fmt.Sprintf("score %s, section %s, subject %s", d.Score, d.Sections[0].Score, d.SubjectStats[0].Score)
			}
			return ""
		})
	})
}

// TestReviewIsOneSnapshot: the student's review while regrades keep moving
// the answer key between the two options: the key shown (is_correct) and the
// result shown always come from the same moment.
func TestReviewIsOneSnapshot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		student := a.token("asha")
		question, chosen, other := a.choiceExam(t)
		attempt := a.sit(student, "snap", map[string]any{"selected_answers": []int64{chosen}})
		a.whileRegrading(t, question, keyBodies(other, chosen), func() string {
			var review struct {
				Results []struct {
					Result   *string
					Question struct {
						Answers []struct {
							ID        int64
							IsCorrect *bool `json:"is_correct"`
						}
					}
				}
			}
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/", attempt), student, nil, &review)
			item := review.Results[0]
			keyed := item.Question.Answers[0].ID == chosen && *item.Question.Answers[0].IsCorrect
			if item.Result == nil || keyed != (*item.Result == "Correct") {
				return fmt.Sprintf("chosen answer is_correct %v, result %s", keyed, deref(item.Result))
			}
			return ""
		})
	})
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// sit has the student start the exam, save answers to its first questions in
// order, and end it; it returns the attempt's id.
func (a *testAPI) sit(token, slug string, answers ...map[string]any) int64 {
	a.t.Helper()
	var attempt struct{ ID int64 }
	a.must(201, "POST", "/api/v2.2/exams/"+slug+"/attempts/", token, nil, &attempt)
	var page struct{ Results []e2eItem }
	a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", attempt.ID), token, nil, &page)
	for i, body := range answers {
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", attempt.ID, page.Results[i].ID), token, body, nil)
	}
	a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt.ID), token, nil, nil)
	return attempt.ID
}

// TestStudentAttemptIsOneSnapshot: the student's own attempt while regrades
// keep moving the answer key between Asha's choice and the other two
// students': her score and her percentile always come from the same moment
// (1.00 alone at the top, percentile 100.0; 0.00 alone at the bottom, 33.33).
func TestStudentAttemptIsOneSnapshot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		for _, name := range []string{"asha", "bala", "chitra"} {
			a.addUser(name, examhall.RoleStudent)
		}
		question, first, second := a.choiceExam(t)
		asha := a.sit(a.token("asha"), "snap", map[string]any{"selected_answers": []int64{first}})
		a.sit(a.token("bala"), "snap", map[string]any{"selected_answers": []int64{second}})
		a.sit(a.token("chitra"), "snap", map[string]any{"selected_answers": []int64{second}})
		a.whileRegrading(t, question, keyBodies(second, first), func() string {
			var at struct {
				Score      string
				Percentile float64
			}
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", asha), a.token("asha"), nil, &at)
			if want := map[string]float64{"1.00": 100, "0.00": 33.33}[at.Score]; at.Percentile != want {
				return fmt.Sprintf("score %s, percentile %v", at.Score, at.Percentile)
			}
			return ""
		})
	})
}
