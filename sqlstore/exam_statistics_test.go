package sqlstore_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/demo"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// dashboardTruth is what the dashboard reads of one exam, worked out the
// long way from the attempts list and each attempt's report.
type dashboardTruth struct {
	counts examhall.ExamCounts
	// scores of the graded population (first completed attempts, no essay
	// pending), how many passed, and the section and answer marks summed
	// over them.
	scores   []decimal.Decimal
	passed   int
	sections map[int64]decimal.Decimal
	answers  map[int64]decimal.Decimal // by exam question
	queue    []examhall.PendingEssay   // AttemptID, AnswerID, EssayText only
}

func readDashboardTruth(t *testing.T, db *sqlstore.DB, examID int64) dashboardTruth {
	t.Helper()
	ctx := context.Background()
	list, err := db.AttemptList(ctx, examhall.AttemptFilter{ExamID: &examID, Limit: 100000,
		Order: []examhall.AttemptOrder{{Field: examhall.OrderByID}}})
	rows := list.Rows
	if err != nil {
		t.Fatal(err)
	}
	truth := dashboardTruth{counts: examhall.ExamCounts{ExamID: examID}, sections: map[int64]decimal.Decimal{},
		answers: map[int64]decimal.Decimal{}}
	type queued struct {
		submitted time.Time
		essay     examhall.PendingEssay
	}
	var queue []queued
	for _, row := range rows {
		a := row.Attempt
		switch a.State {
		case examhall.AttemptRunning:
			truth.counts.Running++
		case examhall.AttemptNotStarted:
			truth.counts.NotStarted++
		case examhall.AttemptCompleted:
			truth.counts.Completed++
			if a.Pending > 0 {
				truth.counts.PendingEvaluation++
			}
		}
		if a.State != examhall.AttemptCompleted || (!a.InRankPopulation && a.Pending == 0) {
			continue
		}
		rep, err := db.AttemptReport(ctx, examhall.AnyUser, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ua := range rep.Answers {
			if ua.Result == examhall.PendingEvaluation {
				queue = append(queue, queued{*a.CompletedOn, examhall.PendingEssay{AttemptID: a.ID, AnswerID: ua.ID, EssayText: *ua.EssayText}})
			}
		}
		if !a.InRankPopulation || a.Pending > 0 {
			continue
		}
		truth.scores = append(truth.scores, a.Score)
		if a.Result == "Pass" {
			truth.passed++
		}
		for _, s := range rep.Sections {
			truth.sections[s.SectionID] += s.Score
		}
		for _, ua := range rep.Answers {
			truth.answers[ua.ExamQuestionID] += ua.Marks
		}
	}
	slices.SortStableFunc(queue, func(a, b queued) int { return a.submitted.Compare(b.submitted) }) // by id within a time already
	for _, q := range queue {
		truth.queue = append(truth.queue, q.essay)
	}
	return truth
}

// TestDashboardAgreesWithAttempts: on a demo institute (every state, ungraded
// essays, retakes, negative marks and bonus questions), the kept counts, the
// statistics and the grading queue say what reading every attempt says, on
// both engines, and still do after migration 00005 is taken down and up again
// with an essay left pending meanwhile (its backfill).
func TestDashboardAgreesWithAttempts(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	sqltest.Engines(t, examhalltest.NewClock(now), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sum, err := demo.Load(ctx, db, demo.Options{Students: 60, Exams: 3, Attempts: 300, Seed: 7, Now: now, MaxQuestions: 12})
		if err != nil {
			t.Fatal(err)
		}
		var exams []int64
		for id := int64(1); id <= int64(sum.Exams+sum.CourseTests); id++ {
			exams = append(exams, id)
		}
		check := func(step string) {
			t.Helper()
			counts, err := db.ExamCounts(ctx, exams)
			if err != nil {
				t.Fatal(err)
			}
			pending, graded, queued := 0, 0, 0
			for i, id := range exams {
				truth := readDashboardTruth(t, db, id)
				if counts[i] != truth.counts {
					t.Errorf("%s: exam %d counts %+v, want %+v", step, id, counts[i], truth.counts)
				}
				st, err := db.ExamStatistics(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				checkStatistics(t, step, st, truth)
				page, count, err := db.GradingQueue(ctx, examhall.GradingQueueFilter{ExamID: &id, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				var got []examhall.PendingEssay
				for _, p := range page {
					got = append(got, examhall.PendingEssay{AttemptID: p.AttemptID, AnswerID: p.AnswerID, EssayText: p.EssayText})
				}
				if count != len(truth.queue) || !reflect.DeepEqual(got, truth.queue) {
					t.Errorf("%s: exam %d grading queue (%d) %+v\nwant %+v", step, id, count, got, truth.queue)
				}
				pending += truth.counts.PendingEvaluation
				graded += len(truth.scores)
				queued += count
			}
			if pending == 0 || graded == 0 || queued < pending {
				t.Fatalf("%s: the demo has %d attempts pending, %d essays queued, %d graded: nothing to compare", step, pending, queued, graded)
			}
			if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
				t.Errorf("%s: attempt counts: %s %v", step, drift, err)
			}
		}
		check("demo")

		// Grading: an attempt whose last essay is graded leaves the pending
		// count (the update trigger), its essay the queue, and it joins the
		// graded population; a user deleted with a pending attempt takes it
		// from the counts (the delete trigger, through the cascade).
		page, _, err := db.GradingQueue(ctx, examhall.GradingQueueFilter{Limit: 1000})
		if err != nil || len(page) < 2 {
			t.Fatalf("grading queue: %d essays, %v", len(page), err)
		}
		for _, p := range page[:len(page)/2] {
			if _, _, err := db.GradeAnswer(ctx, 1, p.AttemptID, p.AnswerID, p.Marks/2); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteUser(ctx, page[len(page)-1].UserID); err != nil {
			t.Fatal(err)
		}
		check("graded")

		// Down to the build before: its triggers keep no pending count, and an
		// essay is left ungraded meanwhile (graded essays' marks are cleared).
		if err := db.MigrateDownTo(ctx, 4); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, `UPDATE attempts SET pending_count = pending_count + 1
			WHERE id = (SELECT MIN(id) FROM attempts WHERE state = 1 AND pending_count = 0 AND in_rank_population)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
			t.Errorf("after 00005 down and up: attempt counts: %s %v", drift, err)
		}
	})
}

func checkStatistics(t *testing.T, step string, st *examhall.ExamStatistics, truth dashboardTruth) {
	t.Helper()
	id := st.Exam.ID
	if st.Counts != truth.counts || st.Graded != len(truth.scores) || st.Passed != truth.passed {
		t.Errorf("%s: exam %d statistics counts %+v, graded %d, passed %d; want %+v, %d, %d",
			step, id, st.Counts, st.Graded, st.Passed, truth.counts, len(truth.scores), truth.passed)
	}
	var total decimal.Decimal
	bins := st.Distribution()
	counted := make([]int, len(bins))
	lowest, top := st.ScoreRange()
	for _, s := range truth.scores {
		total += s
		if s < lowest || s > top {
			t.Errorf("%s: exam %d score %s outside [%s, %s]", step, id, s, lowest, top)
		}
		for i, b := range bins {
			if b.From <= s && (s < b.To || (i == len(bins)-1 && s == b.To)) {
				counted[i]++
			}
		}
	}
	for i, b := range bins {
		if b.Count != counted[i] {
			t.Errorf("%s: exam %d bin %d [%s, %s) holds %d, want %d", step, id, i, b.From, b.To, b.Count, counted[i])
		}
	}
	mean := func(sum decimal.Decimal) *decimal.Decimal {
		if len(truth.scores) == 0 {
			return nil
		}
		m := decimal.Decimal(decimal.DivRound(int64(sum), int64(len(truth.scores))))
		return &m
	}
	if !reflect.DeepEqual(st.MeanScore(), mean(total)) {
		t.Errorf("%s: exam %d mean %v, want %v", step, id, st.MeanScore(), mean(total))
	}
	for _, s := range st.Sections() {
		if !reflect.DeepEqual(s.MeanScore, mean(truth.sections[s.SectionID])) {
			t.Errorf("%s: exam %d section %d mean %v, want %v (from attempt_sections)", step, id, s.SectionID, s.MeanScore, mean(truth.sections[s.SectionID]))
		}
	}
	bySubject := map[int64]decimal.Decimal{}
	for _, q := range st.Exam.Questions() {
		bySubject[q.Question.SubjectID] += truth.answers[q.ID]
	}
	subjects := st.Subjects()
	if len(subjects) != len(bySubject) {
		t.Errorf("%s: exam %d has %d subject rows, want %d", step, id, len(subjects), len(bySubject))
	}
	for _, s := range subjects {
		if !reflect.DeepEqual(s.MeanScore, mean(bySubject[s.SubjectID])) || s.Name == "" {
			t.Errorf("%s: exam %d subject %d %q mean %v, want %v", step, id, s.SubjectID, s.Name, s.MeanScore, mean(bySubject[s.SubjectID]))
		}
	}
}

// Unknown exams are ENOTFOUND, whichever dashboard read asks.
func TestDashboardUnknownExam(t *testing.T) {
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := sampleExam(0, 0)
		if err := db.CreateExam(ctx, e); err != nil {
			t.Fatal(err)
		}
		exam := e.ID
		missing := exam + 1000
		if _, err := db.ExamCounts(ctx, []int64{exam, missing}); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("ExamCounts with an unknown exam: %v", err)
		}
		if got, err := db.ExamCounts(ctx, []int64{exam, exam}); err != nil || len(got) != 1 || got[0] != (examhall.ExamCounts{ExamID: exam}) {
			t.Errorf("ExamCounts of one exam twice = %+v, %v", got, err)
		}
		if _, err := db.ExamStatistics(ctx, missing); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("ExamStatistics of an unknown exam: %v", err)
		}
		if _, _, err := db.GradingQueue(ctx, examhall.GradingQueueFilter{ExamID: &missing, Limit: 10}); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("GradingQueue of an unknown exam: %v", err)
		}
	})
}
