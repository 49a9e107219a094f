package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/itemanalysis"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// benchExam is a 50-question exam of four-option choice questions (4
// marks, −1 negative), as BenchmarkSaveAnswer's.
func benchExam(b *testing.B, db *sqlstore.DB) *examhall.Exam {
	b.Helper()
	exam := &examhall.Exam{Slug: "bench", Title: "Bench", MarkPerQuestion: dec("4"), NegativeMarks: dec("1"),
		Published: true, AllowRetake: true, Duration: ptr(3 * time.Hour), Sections: []examhall.Section{{Name: "All"}}}
	for i := range 50 {
		exam.Sections[0].Questions = append(exam.Sections[0].Questions, examhall.ExamQuestion{Marks: dec("4"),
			NegativeMarks: dec("1"), Question: examhall.Question{Type: examhall.MCQSingle,
				QuestionHTML: fmt.Sprintf("<p>Question %d</p>", i), Answers: []examhall.Answer{
					{TextHTML: "A", IsCorrect: true}, {TextHTML: "B"}, {TextHTML: "C"}, {TextHTML: "D"}}}})
	}
	if err := db.CreateExam(context.Background(), exam); err != nil {
		b.Fatal(err)
	}
	return exam
}

// BenchmarkItemStatistics reads the item analysis of an exam with 5,000
// completed attempts × 50 questions (loaded with the bulk path, whose
// CountScores builds the statistics): uncached (the stat_* rows read and
// analysed) and cached (itemanalysis.Cache: the version's one row).
//
//	go test ./sqlstore -run '^$' -bench ItemStatistics -count 5
func BenchmarkItemStatistics(b *testing.B) {
	const attempts = 5_000
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := sqltest.MustOpen(b, engine, examhall.SystemClock{})
			exam := benchExam(b, db)
			users := make([]*examhall.User, attempts)
			for i := range users {
				users[i] = newStudent(fmt.Sprintf("bench%d", i))
			}
			if err := db.InsertStudents(ctx, users, ""); err != nil {
				b.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			var records []examhall.AttemptRecord
			start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			for i, u := range users {
				ability := r.Float64()
				rec := examhall.AttemptRecord{Attempt: examhall.Attempt{ExamID: exam.ID, UserID: u.ID,
					State: examhall.AttemptCompleted, Date: start, LastActivity: start.Add(time.Hour),
					CompletedOn: ptr(start.Add(time.Hour)), Result: "NA", InRankPopulation: true}}
				for _, q := range exam.Questions() {
					ua := examhall.UserAnswer{ExamQuestionID: q.ID, Modified: start}
					switch x := r.Float64(); {
					case x < ability:
						ua.SelectedAnswerIDs, ua.Result, ua.Marks = []int64{q.Question.Answers[0].ID}, examhall.Correct, q.Marks
					case x < ability+(1-ability)/2:
						ua.SelectedAnswerIDs, ua.Result, ua.Marks = []int64{q.Question.Answers[1+r.IntN(3)].ID}, examhall.Incorrect, -q.NegativeMarks
					}
					rec.Attempt.Score += ua.Marks
					rec.Answers = append(rec.Answers, ua)
				}
				records = append(records, rec)
				if len(records) == 500 || i == len(users)-1 {
					if err := db.InsertAttempts(ctx, records); err != nil {
						b.Fatal(err)
					}
					records = nil
				}
			}
			if err := db.CountScores(ctx, []int64{exam.ID}); err != nil {
				b.Fatal(err)
			}
			b.Run("uncached", func(b *testing.B) {
				for b.Loop() {
					a, err := itemanalysis.New(db).Analysis(ctx, exam.ID, examhall.PopulationFirst)
					if err != nil || a.Attempts != attempts {
						b.Fatalf("analysis: %d attempts, %v", a.Attempts, err)
					}
				}
			})
			b.Run("cached", func(b *testing.B) {
				cache := itemanalysis.New(db)
				for b.Loop() {
					if a, err := cache.Analysis(ctx, exam.ID, examhall.PopulationFirst); err != nil || a.Attempts != attempts {
						b.Fatalf("analysis: %d attempts, %v", a.Attempts, err)
					}
				}
			})
		})
	}
}

// BenchmarkEnd completes an attempt of the 50-question exam, every
// question answered (the completion's scoring and, since issue 16, its
// statistics): each iteration a fresh student's.
//
//	go test ./sqlstore -run '^$' -bench 'BenchmarkEnd$' -count 5
func BenchmarkEnd(b *testing.B) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := sqltest.MustOpen(b, engine, examhall.SystemClock{})
			exam := benchExam(b, db)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				u := newStudent(fmt.Sprintf("end%d", i))
				if err := db.CreateUser(ctx, u, ""); err != nil {
					b.Fatal(err)
				}
				a, err := db.StartAttempt(ctx, u.ID, exam.Slug, "")
				if err != nil {
					b.Fatal(err)
				}
				answers, err := db.Answers(ctx, u.ID, a.ID)
				if err != nil {
					b.Fatal(err)
				}
				for j, q := range exam.Questions() {
					picked := []int64{q.Question.Answers[(i+j)%4].ID}
					if _, _, err := db.SaveAnswer(ctx, u.ID, a.ID, answers[j].ID, examhall.AnswerInput{SelectedAnswerIDs: &picked}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := db.End(ctx, u.ID, a.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
