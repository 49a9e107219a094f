package examhall

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

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

// StartRefusal says why a user who has running and completed attempts of
// exam may not start another, or returns nil: a running attempt is resumed,
// not doubled; a completed one is retaken only when the exam allows
// retakes, and at most MaxRetakes times (the first attempt is not a retake)
// (SPEC §6). Returns EINVALID with a message for the student. The student
// API's available list applies the same rule in SQL (sqlstore
// PublishedExams), where a running attempt keeps the exam listed, to be
// resumed.
func StartRefusal(exam *Exam, running, completed int) error {
	switch {
	case running > 0:
		return Errorf(EINVALID, "An attempt of this exam is already running; resume it.")
	case completed > 0 && !exam.AllowRetake:
		return Errorf(EINVALID, "This exam cannot be retaken.")
	case completed > 0 && exam.MaxRetakes != nil && completed > *exam.MaxRetakes:
		return Errorf(EINVALID, "You have used all %d retakes of this exam.", *exam.MaxRetakes)
	}
	return nil
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

// Attempt is a user's attempt at an exam (an "assessment" or "user_exam" in
// the v3 payloads). The score fields are written by the scoring engine when
// the attempt completes, and again when it is graded or regraded.
type Attempt struct {
	ID                    int64
	ExamID                int64
	UserID                int64
	State                 AttemptState
	Date                  time.Time // started
	LastStartedTime       *time.Time
	LastAnswerUpdatedTime *time.Time
	CompletedOn           *time.Time
	InstituteAttemptID    string
	// Active time: the closed part of the running intervals plus, while an
	// interval is open, the time from its start to LastActivity.
	TimeTaken    time.Duration
	LastActivity time.Time
	IntervalOpen bool

	Correct, Incorrect, Unanswered, Partial, Pending int
	Score                                            decimal.Decimal
	Percentage                                       decimal.Decimal
	Result                                           string
	Speed, Accuracy                                  int
	InRankPopulation                                 bool
}

// DefaultIdleTimeout is how long an attempt may go without activity before
// its running interval closes (SPEC §5).
const DefaultIdleTimeout = 2 * time.Minute

// Clock advances the attempt's active time to now, by the rules of SPEC §5:
// time runs from the last activity while the interval is open and the gap is
// within idle; a longer gap closes the interval at its last activity. It
// reports the instant the attempt ran out — its duration used up, or the
// exam's end date passed — or nil while it may go on.
func (a *Attempt) Clock(now time.Time, exam *Exam, idle time.Duration) (expiredAt *time.Time) {
	if a.State != AttemptRunning {
		return nil
	}
	if a.IntervalOpen {
		gap := now.Sub(a.LastActivity).Truncate(time.Microsecond) // the resolution stored and shown
		if exam.EndDate != nil && exam.EndDate.Before(now) {
			gap = max(0, exam.EndDate.Sub(a.LastActivity))
		}
		switch {
		case exam.Duration != nil && a.TimeTaken+min(gap, idle) >= *exam.Duration:
			at := a.LastActivity.Add(*exam.Duration - a.TimeTaken)
			a.TimeTaken, a.LastActivity = *exam.Duration, at
			return &at
		case gap <= idle:
			a.TimeTaken += gap
			a.LastActivity = a.LastActivity.Add(gap)
		default:
			a.IntervalOpen = false
		}
	}
	if exam.EndDate != nil && !exam.EndDate.After(now) {
		at := *exam.EndDate
		return &at
	}
	return nil
}

// Touch records activity at now (a heartbeat, an answer, a resume): after
// Clock, it opens a new interval when the last one has closed.
func (a *Attempt) Touch(now time.Time) {
	if !a.IntervalOpen {
		a.IntervalOpen = true
		a.LastStartedTime = &now
	}
	a.LastActivity = now
}

// RemainingTime is what is left of a timed exam's duration; nil when untimed.
func (a *Attempt) RemainingTime(exam *Exam) *time.Duration {
	if exam.Duration == nil {
		return nil
	}
	left := max(0, *exam.Duration-a.TimeTaken)
	return &left
}

// AttemptSection is an attempt's tally of one section of its exam.
type AttemptSection struct {
	ID                                      int64
	SectionID                               int64
	Order                                   int
	TimeTaken                               time.Duration
	Correct, Incorrect, Unanswered, Partial int
	Score                                   decimal.Decimal
}

// AnswerInput is a change to one answer; nil fields are left as they are.
type AnswerInput struct {
	SelectedAnswerIDs *[]int64
	ShortText         *string
	NumericValue      *string
	EssayText         *string
	Review            *bool
	Duration          *time.Duration // added to the time spent on the question
}

// Bounds of what a student sends with one answer save. Each keeps a save (and
// the scoring of what it saved) to a few milliseconds of the single writer:
// a 900,000-digit number took 1.3 s to save and 1.7 s to score.
const (
	// MaxNumericValueLength bounds a numerical answer, in characters.
	MaxNumericValueLength = 50
	// MaxShortTextLength bounds a short answer, in characters.
	MaxShortTextLength = 1000
	// MaxEssayLength bounds an essay, in characters (about 15,000 words).
	MaxEssayLength = 100_000
	// MaxSaveDuration bounds the time spent on a question that one save
	// reports (its "duration", in seconds on the wire).
	MaxSaveDuration = 24 * time.Hour
	// MaxAnswerDuration is where an answer's summed duration saturates, far
	// beyond any real exam and far below what a section's sum can hold.
	MaxAnswerDuration = 366 * 24 * time.Hour
	// MaxInstituteAttemptIDLength bounds the institute's own id of an
	// attempt, sent when starting it, in characters.
	MaxInstituteAttemptIDLength = 255
)

// AddDurations is a + b for durations that are not negative, saturating at
// the largest time.Duration instead of wrapping around (a section's time is
// the sum of its answers' durations, SPEC §5).
func AddDurations(a, b time.Duration) time.Duration {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// AddAnswerDuration is total plus spent, the time spent on an answer after
// one more save, saturating at MaxAnswerDuration.
func AddAnswerDuration(total, spent time.Duration) time.Duration {
	if spent > MaxAnswerDuration-total {
		return MaxAnswerDuration
	}
	return total + spent
}

// Validate checks that in answers q: its kind matches the question's type,
// chosen answers belong to the question (one at most for single-choice, none
// twice), a numeric value is a decimal number, and every value is within its
// bound (MaxNumericValueLength, MaxShortTextLength, MaxEssayLength,
// MaxSaveDuration). Returns EINVALID with an error per field.
func (in *AnswerInput) Validate(q *Question) error {
	errs := FieldErrors{}
	for _, text := range []struct {
		field string
		value *string
		max   int
	}{
		{"numeric_value", in.NumericValue, MaxNumericValueLength},
		{"short_text", in.ShortText, MaxShortTextLength},
		{"essay_text", in.EssayText, MaxEssayLength},
	} {
		if text.value != nil && utf8.RuneCountInString(*text.value) > text.max {
			errs.Add(text.field, fmt.Sprintf("Ensure this field has no more than %d characters.", text.max))
		}
	}
	if in.SelectedAnswerIDs != nil && len(*in.SelectedAnswerIDs) > len(q.Answers) {
		errs.Add("selected_answers", fmt.Sprintf("Ensure this field has no more than %d elements.", len(q.Answers)))
	}
	if err := errs.Err(); err != nil {
		return err // checking the content of what is too large would cost what the bound saves
	}
	kind := map[string]bool{
		"selected_answers": in.SelectedAnswerIDs != nil,
		"short_text":       in.ShortText != nil,
		"numeric_value":    in.NumericValue != nil,
		"essay_text":       in.EssayText != nil,
	}
	allowed := map[QuestionType]string{MCQSingle: "selected_answers", MCQMultiple: "selected_answers",
		TrueFalse: "selected_answers", Numerical: "numeric_value", ShortAnswer: "short_text", Essay: "essay_text"}[q.Type]
	for field, given := range kind {
		if given && field != allowed {
			errs.Add(field, "A "+q.Type.Label()+" question is not answered with "+field+".")
		}
	}
	if in.SelectedAnswerIDs != nil && allowed == "selected_answers" {
		own := map[int64]bool{}
		for _, a := range q.Answers {
			own[a.ID] = true
		}
		chosen := map[int64]bool{}
		for _, id := range *in.SelectedAnswerIDs {
			switch {
			case !own[id]:
				errs.Add("selected_answers", `Invalid pk "`+itoa(id)+`" - not an answer of this question.`)
			case chosen[id]:
				errs.Add("selected_answers", `Answer "`+itoa(id)+`" is chosen twice.`)
			}
			chosen[id] = true
		}
		if q.Type != MCQMultiple && len(*in.SelectedAnswerIDs) > 1 {
			errs.Add("selected_answers", "This question takes one answer.")
		}
	}
	if in.NumericValue != nil && allowed == "numeric_value" && *in.NumericValue != "" && ExactNumber(*in.NumericValue) == nil {
		errs.Add("numeric_value", "A valid number is required.")
	}
	if in.Duration != nil && *in.Duration < 0 {
		errs.Add("duration", "Ensure this value is greater than or equal to 0.")
	}
	if in.Duration != nil && *in.Duration > MaxSaveDuration {
		errs.Add("duration", fmt.Sprintf("Ensure this value is less than or equal to %d.", int(MaxSaveDuration.Seconds())))
	}
	return errs.Err()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Placement places a completed attempt against its exam's rank population
// (SPEC §5): rank = 1 + the population attempts with a higher score,
// percentile = 100 × those with a score not above it / the population, in
// hundredths. Ranked is false for an attempt that is not completed or an
// exam whose population is empty.
type Placement struct {
	Rank, Population int
	Percentile       decimal.Decimal
	Ranked           bool
}

// AnyUser, as the user of an attempt read, lets staff read every user's.
const AnyUser int64 = 0

// AttemptStore runs the attempt flow. Each write is one transaction that
// first brings the attempt's clock to now (Attempt.Clock, SPEC §5), so that
// an attempt whose time has run out is completed (and scored) on its next
// touch, whatever the touch. Every write returns EUNAVAILABLE (ErrWritesFull),
// having done nothing, when the store's write queue is full.
type AttemptStore interface {
	// StartAttempt creates and starts an attempt of the exam for the user
	// and returns it, running, with one blank answer per question. Returns
	// ENOTFOUND if the slug is unknown, the exam unpublished, or its batches
	// do not admit the user (BatchesAdmit): the exam does not exist for
	// them. Returns EINVALID if the exam has not started or has ended, the
	// user has a running attempt of it, or has completed one and the exam
	// allows no retake or no more (MaxRetakes).
	StartAttempt(ctx context.Context, userID int64, examSlug, instituteAttemptID string) (*Attempt, error)
	// Attempt returns the user's attempt (AnyUser: anyone's, for staff)
	// with its exam; a running attempt shows its clock as of now, and one
	// whose time has run out is completed (a write) and returned completed.
	// The exam is shared with other requests: callers must not change it.
	// Returns ENOTFOUND if there is no such attempt or it is another user's.
	Attempt(ctx context.Context, userID, attemptID int64) (*Attempt, *Exam, error)
	// AttemptSections returns the attempt's section tallies, by section
	// order; none (not an error) for an unknown attempt. It does not check
	// whose the attempt is: callers read the attempt first.
	AttemptSections(ctx context.Context, attemptID int64) ([]AttemptSection, error)
	// UserAttempts returns the user's attempts as stored (clocks not
	// brought to now), newest start first; none for a user without any.
	UserAttempts(ctx context.Context, userID int64) ([]*Attempt, error)
	// Heartbeat records that the student is still at the running attempt
	// (Attempt.Touch) and returns the attempt. Returns ENOTFOUND if there
	// is no such attempt or it is another user's. Returns EINVALID, with
	// the attempt as stored, if it is completed already, or if its time
	// has run out: it is then completed and scored first.
	Heartbeat(ctx context.Context, userID, attemptID int64) (*Attempt, error)
	// Resume opens a new running interval of the attempt (or keeps the
	// open one), the student being back, and returns the attempt. Returns
	// ENOTFOUND and EINVALID as Heartbeat does.
	Resume(ctx context.Context, userID, attemptID int64) (*Attempt, error)
	// End completes the running attempt now, scores it, places it in its
	// exam's rank population when it is the user's earliest-started
	// completed attempt (SPEC §5), and returns it. Ending a completed
	// attempt, or one whose time has run out (completed then, at the
	// instant it ran out), returns it completed with no error, so that a
	// repeated end is harmless. Returns ENOTFOUND if there is no such
	// attempt or it is another user's.
	End(ctx context.Context, userID, attemptID int64) (*Attempt, error)
	// Answers returns the attempt's answers in exam order (AnyUser: any
	// user's, for staff). Returns ENOTFOUND if there is no such attempt or
	// it is another user's.
	Answers(ctx context.Context, userID, attemptID int64) ([]*UserAnswer, error)
	// SaveAnswer saves a change to one answer of the user's running attempt
	// (the last write wins) and returns the answer with the attempt's exam
	// (shared: read-only), what the answer is rendered from. Returns
	// ENOTFOUND if there is no such attempt, it is another user's, or the
	// answer is not one of its answers. Returns EINVALID, saving nothing,
	// for input the question does not take (Fields say which), a completed
	// attempt, or one whose time has run out (which is then completed).
	SaveAnswer(ctx context.Context, userID, attemptID, answerID int64, in AnswerInput) (*UserAnswer, *Exam, error)
	// Rank returns the attempt's rank, the population size and the
	// percentile against the exam's rank population, as Placement defines
	// them; ok is false when the attempt is not completed or the
	// population is empty.
	Rank(ctx context.Context, a *Attempt) (rank, population int, percentile decimal.Decimal, ok bool, err error)
	// AttemptPlaced is Attempt with the attempt's Placement, both read at
	// one snapshot (a regrade in between cannot pair an old score with a new
	// percentile). Returns ENOTFOUND as Attempt does.
	AttemptPlaced(ctx context.Context, userID, attemptID int64) (*Attempt, *Exam, Placement, error)
}

// AttemptRecord is a whole attempt as stored: the attempt, one answer per
// exam question (blank ones included, as the attempt flow stores them) and a
// tally per section, all already scored by the scoring package.
type AttemptRecord struct {
	Attempt  Attempt
	Answers  []UserAnswer
	Sections []AttemptSection
}

// HistoryStore loads history made outside the attempt flow in bulk (the demo
// institute): many records per transaction, none of the flow's checks.
type HistoryStore interface {
	// InsertStudents inserts the users as they are, DateJoined included,
	// setting their IDs; all share passwordHash ("" = none can log in).
	InsertStudents(ctx context.Context, users []*User, passwordHash string) error
	// InsertAttempts inserts the records in one transaction, setting the
	// attempts' IDs; each record's answers are in exam order. The caller sets
	// Attempt.InRankPopulation: true on each user's earliest-started
	// completed attempt of each exam, false on every other (SPEC §5).
	InsertAttempts(ctx context.Context, records []AttemptRecord) error
	// CountScores rebuilds the exams' rank counts from their ranked attempts,
	// and their item statistics.
	CountScores(ctx context.Context, examIDs []int64) error
	// InsertContentAttempts inserts the records in one transaction, each
	// with the user video, notes, attachment, live stream or video
	// conference attendance (and its sessions) it links to. Returns
	// EINVALID for a content that does not exist.
	InsertContentAttempts(ctx context.Context, records []ContentAttemptRecord) error
	// ResetSharedPassword gives the students who still have the shared
	// password hash recorded under SettingDemoPasswordHash (they never
	// changed it) the new passwordHash, records it there, and returns how
	// many students it changed. Returns ENOTFOUND when nothing is recorded
	// (no demo was loaded into this database).
	ResetSharedPassword(ctx context.Context, passwordHash string) (int, error)
}
