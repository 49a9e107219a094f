package examhall

import (
	"context"
	"time"

	"github.com/examhall/examhall/decimal"
)

// AttemptOrderField is a column the admin attempts list can be ordered by.
type AttemptOrderField string

// The orderings of the admin attempts list (SPEC §8.1).
const (
	OrderByDate       AttemptOrderField = "date"
	OrderByID         AttemptOrderField = "id"
	OrderByCorrect    AttemptOrderField = "correct_answers_count"
	OrderByIncorrect  AttemptOrderField = "incorrect_answers_count"
	OrderByUnanswered AttemptOrderField = "unanswered_count"
)

// AttemptOrder is one ordering term.
type AttemptOrder struct {
	Field AttemptOrderField
	Desc  bool
}

// AttemptFilter selects a page of the admin attempts list.
type AttemptFilter struct {
	UserID        *int64 // nil: any
	ExamID        *int64 // nil: any
	State         *AttemptState
	StartedFrom   *time.Time // started at or after
	StartedBefore *time.Time // started before
	// Order lists the terms; id always ends it as the tie-breaker, so that
	// pages never overlap.
	Order []AttemptOrder
	// Snapshot limits the list to attempts with ids up to it, so that a walk
	// through the pages sees the attempts that existed when it began; 0 takes
	// the newest id now (and AttemptList returns it).
	Snapshot int64
	// After, when set, starts the page after the row with these values of the
	// ordering's columns (id last): a keyset cursor, immune to rows that
	// commit late below it. It needs every ordering term in one direction.
	After  []int64
	Offset int
	Limit  int
	// SkipCount leaves the count out (AttemptList returns 0 for it): a walk
	// through every page knows it from its first one.
	SkipCount bool
}

// OrderKey is the ordering's columns and the tie-breaking id, in order.
func (f *AttemptFilter) OrderKey() []AttemptOrder {
	key := append([]AttemptOrder(nil), f.Order...)
	for _, o := range f.Order {
		if o.Field == OrderByID {
			return key
		}
	}
	desc := len(key) > 0 && key[len(key)-1].Desc // the tie-breaker runs the way the last term does
	return append(key, AttemptOrder{Field: OrderByID, Desc: desc})
}

// CursorKey is a's values of the ordering key; ok is false when the terms
// run in different directions, where no cursor can follow them.
func (f *AttemptFilter) CursorKey(a *Attempt) (key []int64, ok bool) {
	order := f.OrderKey()
	for _, o := range order {
		if o.Desc != order[0].Desc {
			return nil, false
		}
		switch o.Field {
		case OrderByDate:
			key = append(key, a.Date.UnixMicro())
		case OrderByID:
			key = append(key, a.ID)
		case OrderByCorrect:
			key = append(key, int64(a.Correct))
		case OrderByIncorrect:
			key = append(key, int64(a.Incorrect))
		case OrderByUnanswered:
			key = append(key, int64(a.Unanswered))
		}
	}
	return key, true
}

// AttemptRow is an attempt with what the admin list shows of its user and exam.
type AttemptRow struct {
	Attempt
	Email, FirstName, LastName, Phone string
	ExamDuration                      *time.Duration
	ExamEndDate                       *time.Time
}

// ExamListFilter selects a page of the admin exams list (SPEC §7).
type ExamListFilter struct {
	StartsFrom *time.Time // start date on or after
	EndsBefore *time.Time // end date before
	// Status is "running" (started, not ended), "upcoming" (starting after
	// Now), "completed" (ended by Now) or "" for all.
	Status    string
	Now       time.Time
	SubjectID int64 // with a question of this subject; 0: any
	BatchID   int64 // for this batch; 0: any
	// OrderBy is "start_date" or "end_date" (exams without one last), "" for
	// the newest first; id breaks ties.
	OrderBy string
	Desc    bool
	Offset  int
	Limit   int
}

// ExamSummary is an exam without its content, with its derived numbers.
type ExamSummary struct {
	Exam
	NumberOfQuestions int
	TotalMarks        decimal.Decimal
}

// ReportStore serves the admin reporting API.
type ReportStore interface {
	// AttemptReport returns the user's attempt (any user's with AnyUser) with
	// everything the admin detail (SPEC §8.2), the admin user answers (§8.3)
	// and the student review show, read at one snapshot, so that a regrade
	// committing meanwhile cannot mix old tallies with new answers. A running
	// attempt shows its clock as of now; one whose time has run out is
	// completed first. Returns ENOTFOUND if the user has no such attempt.
	AttemptReport(ctx context.Context, userID, attemptID int64) (*AttemptReport, error)
	// AttemptAnswers is AttemptReport with only the attempt, its exam, its
	// answers and the subjects (User and Sections nil, no placement): what
	// the student's questions list and review show.
	AttemptAnswers(ctx context.Context, userID, attemptID int64) (*AttemptReport, error)
	// ExamList returns one page of the exams f selects and how many it selects.
	ExamList(ctx context.Context, f ExamListFilter) ([]ExamSummary, int, error)
	// AttemptList returns one page of the attempts f selects, how many it
	// selects in all, and the snapshot it read them at.
	AttemptList(ctx context.Context, f AttemptFilter) (AttemptListPage, error)
}

// AttemptListPage is one page of the admin attempts list.
type AttemptListPage struct {
	Rows     []AttemptRow
	Count    int   // how many the filter selects in all; 0 with SkipCount
	Snapshot int64 // the newest attempt id the list was read at (AttemptFilter.Snapshot)
	// ChangeSeq is the change feed's position (AttemptChangeStore) at the
	// page's snapshot: every change up to it is in the page, every later one
	// has a larger sequence value.
	ChangeSeq int64
}

// AttemptReport is an attempt with everything its admin detail shows.
type AttemptReport struct {
	Attempt  *Attempt
	Exam     *Exam // shared with other requests: read-only
	User     *User // without batches
	Sections []AttemptSection
	Answers  []*UserAnswer // in exam order
	Subjects []Subject     // the whole subject tree, for subject_stats
	// Rank, Population and Percentile place a completed attempt against the
	// exam's rank population (SPEC §5); Ranked is false when it has no place
	// yet.
	Rank, Population int
	Percentile       decimal.Decimal
	Ranked           bool
}
