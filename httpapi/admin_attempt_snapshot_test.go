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

		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			question := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, exam.Sections[0].Questions[0].ID)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				marks := []string{"1", "3"}[i%2]
				if got := a.do("PUT", question, "JWT "+admin, "application/json", `{"marks": "`+marks+`"}`); got.status != 200 {
					t.Errorf("regrade: %d %s", got.status, got.body)
					return
				}
			}
		}()
		deadline := time.Now().Add(2 * time.Second)
		reads, mixed := 0, 0
		for time.Now().Before(deadline) {
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
			reads++
			if d.Sections[0].Score != d.Score || d.SubjectStats[0].Score != d.Score {
				mixed++
				if mixed <= 3 {
					t.Errorf("read %d mixes snapshots: score %s, section %s, subject %s", reads, d.Score, d.Sections[0].Score, d.SubjectStats[0].Score)
				}
			}
		}
		close(stop)
		wg.Wait()
		t.Logf("%d reads, %d mixed", reads, mixed)
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
		admin, student := a.token("admin"), a.token("asha")
		var exam struct {
			ID       int64
			Sections []struct {
				Questions []struct {
					ID      int64
					Answers []struct{ ID int64 }
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "snap", "title": "Snap", "published": true,
			"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "mcq_single", "question_html": "q", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}}}}}, &exam)
		q := exam.Sections[0].Questions[0]
		if len(q.Answers) != 2 {
			t.Fatalf("exam body: %+v", exam)
		}
		chosen, other := q.Answers[0].ID, q.Answers[1].ID
		attempt := a.sit(student, "snap", map[string]any{"selected_answers": []int64{chosen}})

		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, q.ID)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := []int64{other, chosen}[i%2]
				if got := a.do("PUT", path, "JWT "+admin, "application/json", fmt.Sprintf(`{"correct_answers": [%d]}`, key)); got.status != 200 {
					t.Errorf("regrade: %d %s", got.status, got.body)
					return
				}
			}
		}()
		deadline := time.Now().Add(2 * time.Second)
		reads, mixed := 0, 0
		for time.Now().Before(deadline) {
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
			reads++
			item := review.Results[0]
			keyed := item.Question.Answers[0].ID == chosen && *item.Question.Answers[0].IsCorrect
			if item.Result == nil || keyed != (*item.Result == "Correct") {
				mixed++
				if mixed <= 3 {
					t.Errorf("read %d mixes snapshots: chosen answer is_correct %v, result %s", reads, keyed, deref(item.Result))
				}
			}
		}
		close(stop)
		wg.Wait()
		t.Logf("%d reads, %d mixed", reads, mixed)
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
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		a.addUser("chitra", examhall.RoleStudent)
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
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "snap", "title": "Snap", "published": true,
			"sections": []map[string]any{{"name": "One", "questions": []map[string]any{
				{"type": "mcq_single", "question_html": "q", "answers": []map[string]any{
					{"text_html": "A", "is_correct": true}, {"text_html": "B"}}}}}}}, &exam)
		q := exam.Sections[0].Questions[0]
		first, second := q.Answers[0].ID, q.Answers[1].ID
		asha := a.sit(a.token("asha"), "snap", map[string]any{"selected_answers": []int64{first}})
		a.sit(a.token("bala"), "snap", map[string]any{"selected_answers": []int64{second}})
		a.sit(a.token("chitra"), "snap", map[string]any{"selected_answers": []int64{second}})

		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/api/v2.5/admin/exams/%d/questions/%d/", exam.ID, q.ID)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := []int64{second, first}[i%2]
				if got := a.do("PUT", path, "JWT "+admin, "application/json", fmt.Sprintf(`{"correct_answers": [%d]}`, key)); got.status != 200 {
					t.Errorf("regrade: %d %s", got.status, got.body)
					return
				}
			}
		}()
		deadline := time.Now().Add(2 * time.Second)
		reads, mixed := 0, 0
		for time.Now().Before(deadline) {
			var at struct {
				Score      string
				Percentile float64
			}
			a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/", asha), a.token("asha"), nil, &at)
			reads++
			if want := map[string]float64{"1.00": 100, "0.00": 33.33}[at.Score]; at.Percentile != want {
				mixed++
				if mixed <= 3 {
					t.Errorf("read %d mixes snapshots: score %s, percentile %v", reads, at.Score, at.Percentile)
				}
			}
		}
		close(stop)
		wg.Wait()
		t.Logf("%d reads, %d mixed", reads, mixed)
	})
}
