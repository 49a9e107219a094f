package examhall

import (
	"time"

	"github.com/examhall/examhall/decimal"
)

// AttemptState is where an attempt is; the numbers are the admin API's state
// filter codes. An attempt awaiting essay grading is Completed.
type AttemptState int

// The attempt states.
const (
	AttemptRunning    AttemptState = 0
	AttemptCompleted  AttemptState = 1
	AttemptNotStarted AttemptState = 3
)

// String is the state as the APIs show it.
func (s AttemptState) String() string {
	switch s {
	case AttemptRunning:
		return "Running"
	case AttemptCompleted:
		return "Completed"
	default:
		return "Not Started"
	}
}

// AnswerResult is the judgement of one answer.
type AnswerResult int

// The answer results.
const (
	Unanswered        AnswerResult = 0
	Correct           AnswerResult = 1
	Incorrect         AnswerResult = 2
	PartiallyCorrect  AnswerResult = 3
	PendingEvaluation AnswerResult = 4
)

// String is the result as the admin API shows it.
func (r AnswerResult) String() string {
	switch r {
	case Correct:
		return "Correct"
	case Incorrect:
		return "Incorrect"
	case PartiallyCorrect:
		return "Partially Correct"
	case PendingEvaluation:
		return "Pending Evaluation"
	default:
		return "Unanswered"
	}
}

// UserAnswer is what an attempt holds for one exam question, answered or not.
type UserAnswer struct {
	ID                int64
	AttemptID         int64
	ExamQuestionID    int64
	SelectedAnswerIDs []int64
	ShortText         *string
	NumericValue      *string // exact decimal text
	EssayText         *string
	GradedMarks       *decimal.Decimal // marks a grader gave an essay
	Result            AnswerResult
	Marks             decimal.Decimal
	Duration          time.Duration // time spent on the question, reported by the client
	Review            bool
	Guessed           bool
	Modified          time.Time
}
