package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// startAll starts and answers (all right) an attempt for n new students.
func startAll(t *testing.T, f *attemptFixture, n int) (users []*examhall.User, attempts []*examhall.Attempt) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		u := newStudent(fmt.Sprintf("racer%02d", i))
		if err := f.db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		a, err := f.db.StartAttempt(ctx, u.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		f.answerAll(t, u.ID, a, true)
		users, attempts = append(users, u), append(attempts, a)
	}
	return users, attempts
}

// Attempts that end while the answer key changes are all scored on the new key.
func TestRegradeRacesEnds(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		users, attempts := startAll(t, f, 12)
		ctx := context.Background()
		q1 := f.exam.Sections[0].Questions[0]
		wrongKey := []int64{q1.Question.Answers[1].ID}
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.End(ctx, users[i].ID, attempts[i].ID); err != nil {
					t.Error(err)
				}
			}()
			if i == len(attempts)/2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := db.ChangeExamQuestion(ctx, f.exam.ID, q1.ID, examhall.ExamQuestionChange{CorrectAnswerIDs: &wrongKey}); err != nil {
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		// Everything right but q1 under the new key (-1 instead of +4), the essay pending: 15 - 5 = 10.
		for i, a := range attempts {
			got, _, err := db.Attempt(ctx, users[i].ID, a.ID)
			if err != nil || got.Score != dec("10") {
				t.Errorf("attempt %d: score %s, %v", i, got.Score, err)
			}
		}
		if _, population, _, _, _ := db.Rank(ctx, &examhall.Attempt{ExamID: f.exam.ID, State: examhall.AttemptCompleted, Score: dec("10")}); population != len(attempts) {
			t.Errorf("population = %d, want %d", population, len(attempts))
		}
		if rank, _, _, _, _ := db.Rank(ctx, &examhall.Attempt{ExamID: f.exam.ID, State: examhall.AttemptCompleted, Score: dec("10.01")}); rank != 1 {
			t.Errorf("a score above all counts ranks %d: stale scores left in the counts", rank)
		}
	})
}

// Deleting users while their attempts end leaves the rank counts equal to the ranked attempts.
func TestDeleteUserRacesEnd(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		users, attempts := startAll(t, f, 10)
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, err := db.End(ctx, users[i].ID, attempts[i].ID)
				if err != nil && examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					if err := db.DeleteUser(ctx, users[i].ID); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		_, population, _, _, _ := db.Rank(ctx, &examhall.Attempt{ExamID: f.exam.ID, State: examhall.AttemptCompleted})
		if population != len(attempts)/2 {
			t.Errorf("population after deleting half the users = %d, want %d", population, len(attempts)/2)
		}
		if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
			t.Errorf("attempt counts: %s %v", drift, err)
		}
	})
}

func TestGradeAnswer(t *testing.T) {
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
		essay := answers[5]
		if _, _, err := db.SaveAnswer(ctx, u.ID, a.ID, essay.ID, examhall.AnswerInput{EssayText: ptr("   ")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.GradeAnswer(ctx, 1, a.ID, essay.ID, dec("5")); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("grading a running attempt: %v", err)
		}
		if _, err := db.End(ctx, u.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.GradeAnswer(ctx, 1, a.ID, essay.ID, dec("5")); err == nil ||
			err.Error() != "examhall invalid: This essay was not answered; there is nothing to grade." {
			t.Fatalf("grading a blank essay: %v", err)
		}
		if _, _, err := db.GradeAnswer(ctx, 1, a.ID, answers[0].ID, dec("1")); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("grading a choice question: %v", err)
		}
		if _, _, err := db.GradeAnswer(ctx, 1, a.ID, 999999, dec("1")); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("grading an unknown answer: %v", err)
		}
	})
}

func TestMarksBounded(t *testing.T) {
	exam := sampleExam(0, 0)
	exam.Sections[0].Questions[0].Marks = dec("1000000.01")
	var e *examhall.Error
	if err := exam.Validate(); !asErr(err, &e) || e.Fields["sections[0].questions[0].marks"][0] != "Ensure this value is less than or equal to 1000000.00." {
		t.Fatalf("huge marks: %v", err)
	}
}
