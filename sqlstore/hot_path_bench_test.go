package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// BenchmarkSaveAnswer saves one answer of a running attempt of a 50-question
// exam, the write every student sends most.
//
//	go test ./sqlstore -run '^$' -bench SaveAnswer -count 5
func BenchmarkSaveAnswer(b *testing.B) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := sqltest.MustOpen(b, engine, examhall.SystemClock{})
			studentID, attemptID, answerID, choices := answeringStudent(b, db)
			i := 0
			for b.Loop() {
				picked := []int64{choices[i%len(choices)].ID}
				i++
				if _, _, err := db.SaveAnswer(ctx, studentID, attemptID, answerID, examhall.AnswerInput{SelectedAnswerIDs: &picked}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// answeringStudent starts an attempt of a new 50-question exam (single
// choice, four options) for a new student, and returns the student's and
// the attempt's ids, the id of the attempt's answer to question 8, and that
// question's options.
func answeringStudent(tb testing.TB, db *sqlstore.DB) (studentID, attemptID, answerID int64, choices []examhall.Answer) {
	tb.Helper()
	ctx := context.Background()
	exam := &examhall.Exam{Slug: "bench", Title: "Bench", MarkPerQuestion: dec("4"), NegativeMarks: dec("1"),
		Published: true, Duration: ptr(3 * time.Hour), Sections: []examhall.Section{{Name: "All"}}}
	for i := range 50 {
		exam.Sections[0].Questions = append(exam.Sections[0].Questions, examhall.ExamQuestion{Marks: dec("4"),
			NegativeMarks: dec("1"), Question: examhall.Question{Type: examhall.MCQSingle,
				QuestionHTML: fmt.Sprintf("<p>Question %d</p>", i), Answers: []examhall.Answer{
					{TextHTML: "A", IsCorrect: true}, {TextHTML: "B"}, {TextHTML: "C"}, {TextHTML: "D"}}}})
	}
	if err := db.CreateExam(ctx, exam); err != nil {
		tb.Fatal(err)
	}
	student := newStudent("bench")
	if err := db.CreateUser(ctx, student, ""); err != nil {
		tb.Fatal(err)
	}
	a, err := db.StartAttempt(ctx, student.ID, exam.Slug, "")
	if err != nil {
		tb.Fatal(err)
	}
	answers, err := db.Answers(ctx, student.ID, a.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return student.ID, a.ID, answers[7].ID, exam.Sections[0].Questions[7].Question.Answers
}
