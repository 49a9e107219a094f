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

		rows, count, _, err := db.AttemptList(ctx, examhall.AttemptFilter{Limit: 1000,
			Order: []examhall.AttemptOrder{{Field: examhall.OrderByID}}})
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
