package demo_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/demo"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/scoring"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

var now = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)

// TestLoad loads a small institute on each engine and checks it from the
// outside: the sizes asked for, every completed attempt's numbers equal to
// the scoring package's tally of its stored answers, ranks equal to ranks
// counted by hand, and the same institute from the same seed on both engines.
func TestLoad(t *testing.T) {
	o := demo.Options{Students: 60, Exams: 12, Attempts: 700, Seed: 7, Now: now}
	fingerprints := map[string]string{}
	sqltest.Engines(t, examhalltest.NewClock(now), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var stored []int
		o := o
		o.Progress = func(n int) { stored = append(stored, n) }
		sum, err := demo.Load(ctx, db, o)
		if err != nil {
			t.Fatal(err)
		}
		byState := sum.AttemptsByState
		if sum.Students != 60 || sum.Exams != 12 || sum.Attempts != 700 || sum.Courses != 2 || sum.Subjects != 15 ||
			byState[examhall.AttemptCompleted]+byState[examhall.AttemptRunning]+byState[examhall.AttemptNotStarted] != 700 ||
			byState[examhall.AttemptCompleted] < 600 || byState[examhall.AttemptCompleted] == 700 {
			t.Fatalf("summary %+v", sum)
		}
		if len(stored) == 0 || stored[len(stored)-1] != 700 {
			t.Errorf("progress %v, want it to end at 700", stored)
		}
		if held, err := db.HoldsInstitute(ctx); err != nil || !held {
			t.Errorf("HoldsInstitute = %v, %v", held, err)
		}

		list, err := db.AttemptList(ctx, examhall.AttemptFilter{Limit: 1000,
			Order: []examhall.AttemptOrder{{Field: examhall.OrderByID}}})
		rows, count := list.Rows, list.Count
		if err != nil || count != 700 || len(rows) != 700 {
			t.Fatalf("AttemptList: %d rows, count %d, %v", len(rows), count, err)
		}
		subjects, err := db.Subjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		papers := map[int64]*scoring.Paper{}
		ranked := map[int64][]decimal.Decimal{} // scores of each exam's rank population
		var print []string
		var essays, bonus, negative int
		for _, row := range rows {
			a, exam, err := db.Attempt(ctx, examhall.AnyUser, row.Attempt.ID)
			if err != nil {
				t.Fatal(err)
			}
			answers, err := db.Answers(ctx, examhall.AnyUser, a.ID)
			if err != nil || len(answers) != len(exam.Questions()) {
				t.Fatalf("attempt %d: %d answers for %d questions, %v", a.ID, len(answers), len(exam.Questions()), err)
			}
			print = append(print, fmt.Sprintf("%s/%d/%s/%s/%d", exam.Slug, a.State, a.Date.Format(time.RFC3339Nano), a.Score, a.TimeTaken))
			// Nothing is dated after the end of the history (issue 12, point 5).
			for _, at := range []*time.Time{&a.Date, a.LastStartedTime, a.LastAnswerUpdatedTime, &a.LastActivity, a.CompletedOn} {
				if at != nil && at.After(now) {
					t.Errorf("attempt %d (%s) has a time in the future: %s", a.ID, a.State, at)
				}
			}
			for _, ua := range answers {
				if ua.Modified.After(now) {
					t.Errorf("attempt %d: answer %d modified in the future: %s", a.ID, ua.ID, ua.Modified)
				}
			}
			if a.State != examhall.AttemptCompleted {
				if a.Score != 0 || a.Result != "NA" || a.InRankPopulation {
					t.Errorf("attempt %d (%s) has results: %+v", a.ID, a.State, a)
				}
				continue
			}
			paper := papers[exam.ID]
			if paper == nil {
				paper = scoring.NewPaper(exam, subjects)
				papers[exam.ID] = paper
			}
			byQuestion := map[int64]*examhall.UserAnswer{}
			for _, ua := range answers {
				byQuestion[ua.ExamQuestionID] = ua
				if ua.EssayText != nil {
					essays++
				}
				if ua.Marks < 0 {
					negative++
				}
			}
			for _, q := range exam.Questions() {
				if q.IsBonus {
					bonus++
				}
			}
			want := paper.Score(byQuestion, a.TimeTaken)
			if a.Correct != want.Correct || a.Incorrect != want.Incorrect || a.Partial != want.Partial ||
				a.Unanswered != want.Unanswered || a.Pending != want.Pending || a.Score != want.Score ||
				a.Percentage != want.Percentage || a.Result != want.Result || a.Speed != want.Speed || a.Accuracy != want.Accuracy {
				t.Fatalf("attempt %d stored %+v, scoring its answers gives %+v", a.ID, a, want.Tally)
			}
			if a.InRankPopulation {
				ranked[exam.ID] = append(ranked[exam.ID], a.Score)
			}
			if a.CompletedOn == nil || a.CompletedOn.After(now) || a.Date.Before(*exam.StartDate) {
				t.Errorf("attempt %d dated %s–%v, exam from %s", a.ID, a.Date, a.CompletedOn, exam.StartDate)
			}
		}
		if essays == 0 || bonus == 0 || negative == 0 {
			t.Errorf("want essays, bonus questions and negative marks: %d, %d, %d", essays, bonus, negative)
		}
		// Ranks read from the counts agree with ranks counted from the scores.
		checked := 0
		for _, row := range rows {
			a := row.Attempt
			if !a.InRankPopulation {
				continue
			}
			rank, population, _, ok, err := db.Rank(ctx, &a)
			if err != nil || !ok {
				t.Fatalf("Rank(%d): %v %v", a.ID, ok, err)
			}
			scores := ranked[a.ExamID]
			above := 0
			for _, s := range scores {
				if s > a.Score {
					above++
				}
			}
			if rank != above+1 || population != len(scores) {
				t.Fatalf("attempt %d: rank %d of %d, want %d of %d", a.ID, rank, population, above+1, len(scores))
			}
			checked++
		}
		if checked < 400 {
			t.Errorf("only %d ranked attempts", checked)
		}
		sort.Strings(print)
		fingerprints[t.Name()] = fmt.Sprint(print)
	})
	if len(fingerprints) == 2 {
		var prints []string
		for _, p := range fingerprints {
			prints = append(prints, p)
		}
		if prints[0] != prints[1] {
			t.Error("the same options gave different institutes on the two engines")
		}
	}
}

// TestOptions refuses sizes that make no institute.
func TestOptions(t *testing.T) {
	for _, o := range []demo.Options{{Students: 0, Exams: 1}, {Students: 1, Exams: 0}, {Students: 1, Exams: 1, Attempts: -1}, {Students: 1, Exams: 1, MaxQuestions: -1}} {
		if err := o.Validate(); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestResetSharedPassword: only a database the demo loaded has a shared
// password to re-set; the re-set moves the students who still had it to
// the new one, and the next re-set finds them again.
func TestResetSharedPassword(t *testing.T) {
	sqltest.Engines(t, examhalltest.NewClock(now), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if n, err := db.ResetSharedPassword(ctx, "h1"); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND || n != 0 {
			t.Fatalf("before a demo: %d, %v", n, err)
		}
		if _, err := demo.Load(ctx, db, demo.Options{Students: 12, Exams: 2, Attempts: 40, Seed: 1, Now: now,
			StudentPasswordHash: "h0"}); err != nil {
			t.Fatal(err)
		}
		hashOf := func(username string) string {
			t.Helper()
			_, hash, err := db.UserCredentials(ctx, username)
			if err != nil {
				t.Fatal(err)
			}
			return hash
		}
		// One student changed their password: it stays theirs.
		u, _, _ := db.UserCredentials(ctx, demo.StudentUsername(3))
		mine := "mine"
		if _, err := db.UpdateUser(ctx, u.ID, func(*examhall.User) error { return nil }, &mine); err != nil {
			t.Fatal(err)
		}
		for _, next := range []string{"h1", "h2"} {
			if n, err := db.ResetSharedPassword(ctx, next); err != nil || n != 11 {
				t.Fatalf("reset to %s: %d, %v", next, n, err)
			}
			if got := hashOf(demo.StudentUsername(1)); got != next {
				t.Errorf("student 1 after the reset to %s: %q", next, got)
			}
			if got := hashOf(demo.StudentUsername(3)); got != "mine" {
				t.Errorf("student 3, who changed theirs: %q", got)
			}
		}
		if err := db.InsertContentAttempts(ctx, []examhall.ContentAttemptRecord{{UserID: u.ID, ChapterContentID: 99999,
			Created: now}}); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Errorf("content attempt at an unknown content: %v", err)
		}
	})
}

// TestRunningAttemptsAreNotAhead: at the sizes of serve --demo, the running
// attempts (the ones a student resumes) have no answer, activity or start
// after the demo's now (issue 12, point 5: last_answer_updated_time was up
// to an hour ahead).
func TestRunningAttemptsAreNotAhead(t *testing.T) {
	sqltest.Engines(t, examhalltest.NewClock(now), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, demo.Options{Students: 200, Exams: 12, Attempts: 2000, Seed: 1, Now: now}); err != nil {
			t.Fatal(err)
		}
		running := examhall.AttemptRunning
		list, err := db.AttemptList(ctx, examhall.AttemptFilter{State: &running, Limit: 1000,
			Order: []examhall.AttemptOrder{{Field: examhall.OrderByID}}})
		rows, count := list.Rows, list.Count
		if err != nil || count < 20 || len(rows) != count {
			t.Fatalf("running attempts: %d rows, count %d, %v", len(rows), count, err)
		}
		for _, row := range rows {
			a := row.Attempt
			for _, at := range []*time.Time{&a.Date, a.LastStartedTime, a.LastAnswerUpdatedTime, &a.LastActivity} {
				if at != nil && at.After(now) {
					t.Errorf("running attempt %d has a time after now (%s): %s", a.ID, now, at)
				}
			}
		}
	})
}
