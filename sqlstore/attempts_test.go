package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// attemptFixture is a database with the sample exam (starting before epoch)
// and three students.
type attemptFixture struct {
	db       *sqlstore.DB
	clock    *examhalltest.Clock
	exam     *examhall.Exam
	students []*examhall.User
}

func newAttemptFixture(t *testing.T, db *sqlstore.DB, clock *examhalltest.Clock) *attemptFixture {
	t.Helper()
	ctx := context.Background()
	f := &attemptFixture{db: db, clock: clock}
	f.exam = sampleExam(0, 0)
	if err := db.CreateExam(ctx, f.exam); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		u := newStudent(fmt.Sprintf("student%d", i))
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		f.students = append(f.students, u)
	}
	return f
}

// answerAll answers every question of attempt a right (right=true) or wrong.
func (f *attemptFixture) answerAll(t *testing.T, userID int64, a *examhall.Attempt, right bool) {
	t.Helper()
	ctx := context.Background()
	answers, err := f.db.Answers(ctx, userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range f.exam.Questions() {
		in := examhall.AnswerInput{Duration: ptr(10 * time.Second)}
		switch q.Question.Type {
		case examhall.MCQSingle, examhall.TrueFalse, examhall.MCQMultiple:
			var ids []int64
			for _, ans := range q.Question.Answers {
				if ans.IsCorrect == right {
					ids = append(ids, ans.ID)
				}
			}
			if q.Question.Type != examhall.MCQMultiple {
				ids = ids[:1]
			}
			in.SelectedAnswerIDs = &ids
		case examhall.Numerical:
			in.NumericValue = ptr(map[bool]string{true: "9.80", false: "10"}[right])
		case examhall.ShortAnswer:
			in.ShortText = ptr(map[bool]string{true: " newton ", false: "Galileo"}[right])
		case examhall.Essay:
			in.EssayText = ptr("Because.")
		}
		if _, _, err := f.db.SaveAnswer(ctx, userID, a.ID, answers[i].ID, in); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
}

func TestAttemptFlow(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		asha, ravi := f.students[0], f.students[1]

		a, err := db.StartAttempt(ctx, asha.ID, "mock-1", "crm-17")
		if err != nil {
			t.Fatal(err)
		}
		if a.State != examhall.AttemptRunning || a.Unanswered != 6 || a.InstituteAttemptID != "crm-17" {
			t.Fatalf("started attempt = %+v", a)
		}
		if _, err := db.StartAttempt(ctx, asha.ID, "mock-1", ""); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("second running attempt: %v", err)
		}
		if _, _, err := db.Attempt(ctx, ravi.ID, a.ID); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("another user's attempt: %v", err)
		}
		clock.Advance(time.Minute)
		f.answerAll(t, asha.ID, a, true)
		clock.Advance(time.Minute)
		if a, err = db.Heartbeat(ctx, asha.ID, a.ID); err != nil || a.TimeTaken != 2*time.Minute {
			t.Fatalf("heartbeat: %+v, %v", a, err)
		}
		clock.Advance(30 * time.Second)
		if a, err = db.End(ctx, asha.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		// All right but the essay, which waits for a grader: 4+4+1+4+2 = 15 of 25.
		if a.State != examhall.AttemptCompleted || a.Correct != 5 || a.Pending != 1 || a.Score != dec("15") ||
			a.Percentage != dec("60") || a.Result != "NA" || a.TimeTaken != 150*time.Second || !a.InRankPopulation {
			t.Fatalf("ended attempt = %+v", a)
		}
		if again, err := db.End(ctx, asha.ID, a.ID); err != nil || again.Score != a.Score {
			t.Fatalf("second end: %+v, %v", again, err)
		}
		answers, _ := db.Answers(ctx, asha.ID, a.ID)
		if _, _, err := db.SaveAnswer(ctx, asha.ID, a.ID, answers[0].ID, examhall.AnswerInput{Review: ptr(true)}); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("saving into a completed attempt: %v", err)
		}

		// Ravi answers everything wrong: -1 -2 +0(true/false has no negative) +0 +2(bonus) = -1.
		b, err := db.StartAttempt(ctx, ravi.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		f.answerAll(t, ravi.ID, b, false)
		if b, err = db.End(ctx, ravi.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if b.Score != dec("-1") || b.Incorrect != 4 || b.Correct != 1 || b.Percentage != dec("-4") {
			t.Fatalf("wrong answers: %+v", b)
		}
		rank, population, percentile, ok, err := db.Rank(ctx, b)
		if err != nil || !ok || rank != 2 || population != 2 || percentile != dec("50") {
			t.Fatalf("rank of the lower score = %d of %d, %s, %v, %v", rank, population, percentile, ok, err)
		}
		// A retake by Ravi that beats Asha is ranked against the population without joining it.
		c, err := db.StartAttempt(ctx, ravi.ID, "mock-1", "")
		if err != nil {
			t.Fatalf("retake: %v", err)
		}
		f.answerAll(t, ravi.ID, c, true)
		if c, err = db.End(ctx, ravi.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if c.InRankPopulation {
			t.Fatal("retake joined the rank population")
		}
		if rank, population, percentile, _, _ := db.Rank(ctx, c); rank != 1 || population != 2 || percentile != dec("100") {
			t.Fatalf("retake rank = %d of %d, %s", rank, population, percentile)
		}
		if rank, _, percentile, _, _ := db.Rank(ctx, a); rank != 1 || percentile != dec("100") {
			t.Fatalf("first attempt's rank after the retake = %d, %s", rank, percentile)
		}
		list, err := db.UserAttempts(ctx, ravi.ID)
		if err != nil || len(list) != 2 || list[0].ID != c.ID {
			t.Fatalf("UserAttempts = %v, %v", list, err)
		}
	})
}

func TestAttemptRunsOut(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		u := f.students[0]
		a, err := db.StartAttempt(ctx, u.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		answers, _ := db.Answers(ctx, u.ID, a.ID)
		// Heartbeats every 100 s leave 100 s of the three hours.
		for range 107 {
			clock.Advance(100 * time.Second)
			if a, err = db.Heartbeat(ctx, u.ID, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		if a.TimeTaken != 3*time.Hour-100*time.Second {
			t.Fatalf("time taken = %v", a.TimeTaken)
		}
		// Silent for 200 s: the time runs out 100 s after the last heartbeat.
		clock.Advance(200 * time.Second)
		_, _, err = db.SaveAnswer(ctx, u.ID, a.ID, answers[0].ID, examhall.AnswerInput{ShortText: ptr("late")})
		if examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("answer after the time ran out: %v", err)
		}
		a, _, err = db.Attempt(ctx, u.ID, a.ID)
		if err != nil || a.State != examhall.AttemptCompleted || a.TimeTaken != 3*time.Hour ||
			!a.CompletedOn.Equal(epoch.Add(3*time.Hour)) || a.Unanswered != 5 || a.Correct != 1 {
			t.Fatalf("expired attempt = %+v, %v", a, err)
		}
	})
}

// Fifty answers saved at once and two ends at once leave one consistent attempt.
func TestAttemptConcurrency(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		u := f.students[0]
		a, err := db.StartAttempt(ctx, u.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		answers, _ := db.Answers(ctx, u.ID, a.ID)
		numerical := answers[3]
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := examhall.AnswerInput{NumericValue: ptr(fmt.Sprintf("9.%02d", i)), Duration: ptr(time.Second)}
				if _, _, err := db.SaveAnswer(ctx, u.ID, a.ID, numerical.ID, in); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := db.Answers(ctx, u.ID, a.ID)
		if got[3].Duration != 50*time.Second {
			t.Fatalf("durations added = %v, want 50s", got[3].Duration)
		}
		results := make(chan *examhall.Attempt, 2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ended, err := db.End(ctx, u.ID, a.ID)
				if err != nil {
					t.Error(err)
				}
				results <- ended
			}()
		}
		wg.Wait()
		close(results)
		for ended := range results {
			if ended == nil || ended.State != examhall.AttemptCompleted {
				t.Fatalf("end = %+v", ended)
			}
		}
		// One completion, counted once in the rank population.
		_, population, _, _, err := db.Rank(ctx, &examhall.Attempt{ID: a.ID, ExamID: a.ExamID, State: examhall.AttemptCompleted})
		if err != nil || population != 1 {
			t.Fatalf("population after two ends = %d, %v", population, err)
		}
		if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
			t.Errorf("attempt counts: %s %v", drift, err)
		}
	})
}

func TestExpireAttempts(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		closing := sampleExam(0, 0)
		closing.Slug, closing.Duration = "closing", nil
		closing.EndDate = ptr(epoch.Add(time.Hour))
		closing.Sections[0].Questions[0].Question.Key = "closing-q-1"
		if err := db.CreateExam(ctx, closing); err != nil {
			t.Fatal(err)
		}
		f := newAttemptFixture(t, db, clock) // "mock-1": three hours, no end date
		a, err := db.StartAttempt(ctx, f.students[0].ID, "closing", "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.StartAttempt(ctx, f.students[1].ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Minute)
		if n, err := db.ExpireAttempts(ctx); n != 0 || err != nil {
			t.Fatalf("sweep before the end date: %d, %v", n, err)
		}
		clock.Advance(time.Hour)
		if n, err := db.ExpireAttempts(ctx); n != 1 || err != nil {
			t.Fatalf("sweep after the end date: %d, %v", n, err)
		}
		// Completed at the end date with what was saved; the paused three-hour attempt runs on.
		got, _, err := db.Attempt(ctx, f.students[0].ID, a.ID)
		if err != nil || got.State != examhall.AttemptCompleted || !got.CompletedOn.Equal(epoch.Add(time.Hour)) || got.Unanswered != 5 {
			t.Fatalf("swept attempt = %+v, %v", got, err)
		}
		if other, _, _ := db.Attempt(ctx, f.students[1].ID, b.ID); other.State != examhall.AttemptRunning {
			t.Fatalf("paused attempt = %+v", other)
		}
		if n, _ := db.ExpireAttempts(ctx); n != 0 {
			t.Fatalf("second sweep completed %d", n)
		}

		if err := db.RecordLoginFailure(ctx, []string{"user:a", "user:b"}, epoch, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLoginFailure(ctx, []string{"user:c"}, epoch.Add(time.Hour), 15*time.Minute); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneLoginFailures(ctx, epoch.Add(30*time.Minute)); n != 2 || err != nil {
			t.Fatalf("pruned %d, %v", n, err)
		}
	})
}
