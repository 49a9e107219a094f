package examhall

import (
	"context"
	"time"

	"github.com/examhall/examhall/decimal"
)

// ExamStore keeps subjects and exams.
type ExamStore interface {
	// CreateSubject inserts s and sets its ID; an unknown parent is an EINVALID error.
	CreateSubject(ctx context.Context, s *Subject) error
	// Subjects returns the whole subject tree, by id.
	Subjects(ctx context.Context) ([]Subject, error)
	// SubjectNames returns the names of the subjects with the ids, by id.
	SubjectNames(ctx context.Context, ids []int64) (map[int64]string, error)
	// UpdateSubject renames or moves s; a parent below s itself is EINVALID.
	UpdateSubject(ctx context.Context, s *Subject) error
	// DeleteSubject deletes a subject without sub-subjects; its questions
	// lose their subject.
	DeleteSubject(ctx context.Context, id int64) error
	// CreateExam validates exam and inserts it with its sections and questions
	// in one transaction, setting every ID and the created/modified times. A
	// slug in use or an unknown subject is an EINVALID error.
	CreateExam(ctx context.Context, exam *Exam) error
	// ExamByID and ExamBySlug return an exam with its sections and questions.
	ExamByID(ctx context.Context, id int64) (*Exam, error)
	ExamBySlug(ctx context.Context, slug string) (*Exam, error)
	// UpdateExam applies change to the exam with the id, locked, and saves its
	// own fields (not its sections and questions); when the pass percentage
	// changes, completed attempts are regraded. It returns the exam and the
	// number regraded.
	UpdateExam(ctx context.Context, id int64, change func(*Exam) error) (*Exam, int, error)
	// DeleteExam deletes an exam that has no attempts.
	DeleteExam(ctx context.Context, id int64) error
	// AddSection appends a section to the exam.
	AddSection(ctx context.Context, examID int64, s *Section) error
	// AddExamQuestion appends a question to a section of the exam; attempts
	// get an unanswered row for it and completed ones are regraded (the total
	// marks change). A section of another exam is EINVALID.
	AddExamQuestion(ctx context.Context, examID, sectionID int64, q *ExamQuestion) (int, error)
	// DeleteExamQuestion removes a question from an exam without attempts.
	DeleteExamQuestion(ctx context.Context, examID, examQuestionID int64) error
	// ChangeExamQuestion changes how one question of the exam is marked and
	// regrades every completed attempt of the exam, with their ranks, in the
	// same transaction. It returns the changed exam and the attempts regraded.
	ChangeExamQuestion(ctx context.Context, examID, examQuestionID int64, c ExamQuestionChange) (*Exam, int, error)
	// GradeAnswer gives marks to an essay answer of a completed attempt and
	// rescores the attempt; when no essay remains pending, its evaluation is
	// complete. graderID, the staff user grading, is recorded in the
	// attempt's timeline (TimelineGraded).
	GradeAnswer(ctx context.Context, graderID, attemptID, answerID int64, marks decimal.Decimal) (*Attempt, *UserAnswer, error)
	// PublishedExams returns the published exams in window as of now that
	// the user may see, each with its sections and questions (answers
	// included, as ExamBySlug loads them), by start date, newest first (exams
	// without one last), then by id, newest first. ExamsAll, ExamsAvailable
	// and ExamsUpcoming hold only exams whose batches admit the user
	// (BatchesAdmit); ExamsHistory holds the exams the user has completed,
	// whatever their batches are now. An unknown window is EINVALID.
	PublishedExams(ctx context.Context, now time.Time, window ExamWindow, userID int64) ([]*Exam, error)
	// VisibleExam returns the published exam with the slug when the user
	// may see it: its batches admit them, or they have an attempt of it.
	// Otherwise ENOTFOUND, as for an unknown slug: to a student outside its
	// batches an exam does not exist. The exam is shared with other
	// requests: callers must not change it.
	VisibleExam(ctx context.Context, userID int64, slug string) (*Exam, error)
}

// ExamWindow selects the published exams a student's exam lists show.
type ExamWindow int

// The exam windows.
const (
	ExamsAll       ExamWindow = iota // every published exam
	ExamsAvailable                   // started (no start date, or at or before now), not ended (no end date, or after now), and startable or resumable by the user (StartRefusal)
	ExamsUpcoming                    // starting after now
	ExamsHistory                     // with at least one completed attempt of the user
)
