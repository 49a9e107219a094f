package examhall

import (
	"context"
	"time"

	"github.com/examhall/examhall/decimal"
)

// MaxCountedExams bounds the exams one ExamCounts call reads.
const MaxCountedExams = 100

// DashboardStore serves the staff dashboard's reads (issue 14): the counts
// by exam, an exam's charts and the essays awaiting grading.
type DashboardStore interface {
	// ExamCounts returns the counts of each exam in ids, in the order of
	// ids, from the counts the triggers keep (a few rows per exam, whatever
	// its number of attempts). Returns ENOTFOUND if any id names no exam.
	ExamCounts(ctx context.Context, ids []int64) ([]ExamCounts, error)
	// ExamStatistics returns the exam's counts and the statistics of its
	// graded population, read at one snapshot. It aggregates the
	// population's attempts and answers in the database, holding no row per
	// attempt. Returns ENOTFOUND if there is no such exam.
	ExamStatistics(ctx context.Context, examID int64) (*ExamStatistics, error)
	// GradingQueue returns one page of the essay answers awaiting grading
	// that f selects, the oldest submitted first, and how many it selects
	// in all. Returns ENOTFOUND if f.ExamID names no exam.
	GradingQueue(ctx context.Context, f GradingQueueFilter) ([]PendingEssay, int, error)
}

// GradingQueueFilter selects a page of the grading queue.
type GradingQueueFilter struct {
	ExamID *int64 // nil: every exam
	Offset int
	Limit  int
}

// PendingEssay is an essay answer awaiting grading, with what its grader
// needs: the question as its author wrote it (trusted HTML) and the essay as
// the student typed it (untrusted text: escape it to show it).
type PendingEssay struct {
	AttemptID int64
	// AnswerID is the user answer's id, which grading takes
	// (PUT /api/v3/admin/attempts/<attempt>/user_answers/<answer>/).
	AnswerID            int64
	ExamID              int64
	ExamTitle           string
	UserID              int64
	FirstName, LastName string
	QuestionID          int64 // in the question bank
	ExamQuestionID      int64
	QuestionHTML        string
	EssayText           string
	Marks               decimal.Decimal // the most it can be given
	Submitted           time.Time       // when the attempt completed
}
