package examhall

import (
	"context"
	"time"
)

// ImportStore runs an import of an institute bundle (package bundleimport)
// as one write transaction: everything the import wrote is committed
// together, or nothing is.
type ImportStore interface {
	// Import calls fn with a write transaction. It commits what fn wrote
	// when fn returns nil and dryRun is false, and rolls everything back
	// when fn returns an error or dryRun is true. Returns fn's error as it
	// is, or the store's (EUNAVAILABLE when the write queue is full).
	Import(ctx context.Context, dryRun bool, fn func(tx ImportTx) error) error
}

// ImportTx is what an import reads and writes, all within one transaction.
// Records are found by their natural keys (username, subject key, exam and
// course slug; an attempt by exam, user and start). The writes enforce what
// the database does (unique usernames and slugs, existing subjects, one
// running attempt per user and exam) and none of the import's own rules,
// which are the caller's. Lookups of a record that does not exist return
// ENOTFOUND.
type ImportTx interface {
	// SetSetting stores value under key (one of the Setting* keys).
	SetSetting(ctx context.Context, key, value string) error

	// UserByUsername returns the user with the username (any case), with
	// their batches (sorted), and their password hash ("" = cannot log in).
	// Returns ENOTFOUND if there is none.
	UserByUsername(ctx context.Context, username string) (*User, string, error)
	// CreateUser validates u and inserts it with its batches and the
	// password hash, setting u.ID and u.DateJoined. Returns EINVALID if u
	// is invalid or its username is taken in any case.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// UpdateUser validates u and saves it, batches and password hash
	// included, over the stored user u.ID. Returns EINVALID as CreateUser.
	UpdateUser(ctx context.Context, u *User, passwordHash string) error

	// KeyedSubjects returns the subjects that have a Key, by key.
	KeyedSubjects(ctx context.Context) (map[string]Subject, error)
	// SaveSubject inserts s with its key and name, at the top level, when
	// s.ID is 0 (setting s.ID); otherwise it saves the name and ParentID
	// (0: top level) of the stored subject s.ID.
	SaveSubject(ctx context.Context, s *Subject) error

	// ExamBySlug returns the exam with the slug, with its sections and
	// questions, read in this transaction. Returns ENOTFOUND if there is none.
	ExamBySlug(ctx context.Context, slug string) (*Exam, error)
	// LockExam holds the exam against new attempts and other writers until
	// the transaction ends, and returns how many attempts it has then.
	// Returns ENOTFOUND if there is no such exam.
	LockExam(ctx context.Context, examID int64) (attempts int, err error)
	// QuestionKeyExam returns the slug of an exam, other than the one with
	// the id exceptExamID, that uses the question key, or "" when none does.
	QuestionKeyExam(ctx context.Context, key string, exceptExamID int64) (string, error)
	// CreateExam inserts the exam with its batches, sections and questions,
	// setting every ID and the created and modified times. Returns EINVALID
	// if its slug is taken or a question's subject does not exist.
	CreateExam(ctx context.Context, e *Exam) error
	// UpdateExam saves, over the stored exam e.ID, the fields a bundle sets
	// (title, description, dates, duration, pass percentage, ranks, retakes,
	// what the result shows, published) and stamps it modified (a new
	// version). Returns EINVALID if a question's subject does not exist.
	UpdateExam(ctx context.Context, e *Exam) error
	// UpdateExamContent saves the stored sections and questions of e by
	// the IDs e holds: section names, durations and cut-offs, questions'
	// wording, subject and difficulty, marks and answer keys. e must have
	// the stored structure; nothing is added or removed.
	UpdateExamContent(ctx context.Context, e *Exam) error
	// ClearExamContent deletes the sections and questions of the exam,
	// keeping questions another exam uses. The caller has checked, under
	// LockExam, that the exam has no attempts.
	ClearExamContent(ctx context.Context, examID int64) error
	// InsertExamContent inserts the sections and questions of the stored
	// exam e.ID (whose content is cleared), setting their IDs.
	InsertExamContent(ctx context.Context, e *Exam) error
	// RegradeExam rescores every completed attempt of the exam against it,
	// moving ranked ones in its score counts, and returns how many.
	RegradeExam(ctx context.Context, e *Exam) (int, error)

	// CourseBySlug returns the course with the slug, with its batches,
	// chapters and contents. Returns ENOTFOUND if there is none.
	CourseBySlug(ctx context.Context, slug string) (*Course, error)
	// CourseProgress returns how many content attempts the course has.
	CourseProgress(ctx context.Context, courseID int64) (int, error)
	// CreateCourse inserts the course with its batches, chapters and
	// contents, setting every ID and the created and modified times.
	// Returns EINVALID if its slug is taken.
	CreateCourse(ctx context.Context, c *Course) error
	// ReplaceCourse saves the title, description, image and batches of the
	// stored course c.ID and replaces its chapters and contents by c's,
	// setting their IDs. The caller has checked that nobody has progress
	// in it (CourseProgress).
	ReplaceCourse(ctx context.Context, c *Course) error

	// AttemptAt returns the user's attempt of the exam that started at
	// started. Returns ENOTFOUND if there is none.
	AttemptAt(ctx context.Context, examID, userID int64, started time.Time) (*Attempt, error)
	// RunningAttempt returns the user's running attempt of the exam.
	// Returns ENOTFOUND if there is none.
	RunningAttempt(ctx context.Context, examID, userID int64) (*Attempt, error)
	// InsertAttempt inserts a (its ExamID, UserID, State, Date and
	// InstituteAttemptID; started, last active and unscored at a.Date)
	// with a blank answer per question of exam and a tally per section,
	// setting a.ID. Returns ECONFLICT if a is running and the user has
	// another running attempt of the exam.
	InsertAttempt(ctx context.Context, a *Attempt, exam *Exam) error
	// AttemptAnswers returns the attempt's answers in exam order.
	AttemptAnswers(ctx context.Context, attemptID int64) ([]*UserAnswer, error)
	// WriteAnswer overwrites the stored answer ua.ID of the attempt
	// ua.AttemptID with ua's selection, texts, graded marks, review and
	// duration, unscored: RegradeAttempt scores it.
	WriteAnswer(ctx context.Context, ua *UserAnswer) error
	// RegradeAttempt scores the attempt's stored answers against exam and
	// saves a as it holds it (state, end, time taken) with the new score,
	// moving it in the exam's score counts when it is ranked.
	RegradeAttempt(ctx context.Context, a *Attempt, exam *Exam) error
	// Rerank makes the user's earliest-started completed attempt of the
	// exam the one in its rank population (SPEC §5: a user's first attempt
	// counts), moving the score counts to match.
	Rerank(ctx context.Context, examID, userID int64) error
}
