package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// errDryRun rolls back the transaction of a dry run.
var errDryRun = errors.New("dry run")

// Import runs fn in one write transaction over an importTx (see
// examhall.ImportStore). After a commit that changed a setting, the
// institute's settings are read afresh.
func (db *DB) Import(ctx context.Context, dryRun bool, fn func(examhall.ImportTx) error) error {
	settings := false
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		itx := &importTx{tx: tx}
		if err := fn(itx); err != nil {
			return err
		}
		// The attempts it wrote change their exams' item statistics: rebuilt
		// once per exam, set-based.
		exams := slices.Sorted(maps.Keys(itx.statExams))
		for _, id := range exams {
			if err := rebuildItemStatistics(ctx, tx, id); err != nil {
				return err
			}
		}
		settings = itx.settings
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err == nil && settings {
		err = db.LoadSettings(ctx)
	}
	return err
}

// importTx is examhall.ImportTx over one write transaction.
type importTx struct {
	tx       *Tx
	settings bool // a setting was written
	// statExams are the exams whose attempts were written: their item
	// statistics are rebuilt before the commit.
	statExams map[int64]bool
}

// touchStats marks the exam's item statistics for a rebuild.
func (t *importTx) touchStats(examID int64) {
	if t.statExams == nil {
		t.statExams = map[int64]bool{}
	}
	t.statExams[examID] = true
}

var (
	_ examhall.ImportStore = (*DB)(nil)
	_ examhall.ImportTx    = (*importTx)(nil)
)

func (t *importTx) SetSetting(ctx context.Context, key, value string) error {
	t.settings = true
	return putSetting(ctx, t.tx, key, value)
}

func (t *importTx) UserByUsername(ctx context.Context, username string) (*examhall.User, string, error) {
	var hash string
	u, err := scanUser(t.tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash
		FROM users WHERE username_key = $1`, examhall.UsernameKey(username)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("user %q: %w", username, err)
	}
	if err := loadBatches(ctx, t.tx, []*examhall.User{u}); err != nil {
		return nil, "", err
	}
	slices.Sort(u.Batches)
	return u, hash, nil
}

func (t *importTx) CreateUser(ctx context.Context, u *examhall.User, passwordHash string) error {
	return insertUser(ctx, t.tx, u, passwordHash)
}

func (t *importTx) UpdateUser(ctx context.Context, u *examhall.User, passwordHash string) error {
	return updateUser(ctx, t.tx, u, passwordHash)
}

func (t *importTx) KeyedSubjects(ctx context.Context) (map[string]examhall.Subject, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT key, id, name, COALESCE(parent_id, 0) FROM subjects WHERE key IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	subjects := map[string]examhall.Subject{}
	err = scanRows(rows, func() error {
		var s examhall.Subject
		if err := rows.Scan(&s.Key, &s.ID, &s.Name, &s.ParentID); err != nil {
			return err
		}
		subjects[s.Key] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	return subjects, nil
}

func (t *importTx) SaveSubject(ctx context.Context, s *examhall.Subject) error {
	if s.ID == 0 {
		if err := t.tx.QueryRowContext(ctx, `INSERT INTO subjects (key, name) VALUES ($1, $2) RETURNING id`,
			s.Key, s.Name).Scan(&s.ID); err != nil {
			return fmt.Errorf("subject %q: %w", s.Key, err)
		}
		return nil
	}
	var parent any
	if s.ParentID != 0 {
		parent = s.ParentID
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE subjects SET name = $2, parent_id = $3 WHERE id = $1`,
		s.ID, s.Name, parent); err != nil {
		return fmt.Errorf("subject %q: %w", s.Key, err)
	}
	return nil
}

func (t *importTx) ExamBySlug(ctx context.Context, slug string) (*examhall.Exam, error) {
	return examInTx(ctx, t.tx, `SELECT `+examColumns+` FROM exams WHERE slug = $1`, slug)
}

func (t *importTx) LockExam(ctx context.Context, examID int64) (int, error) {
	if err := lockExam(ctx, t.tx, examID, examExclusive); err != nil {
		return 0, err
	}
	var attempts int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE exam_id = $1`, examID).Scan(&attempts); err != nil {
		return 0, fmt.Errorf("attempts of exam %d: %w", examID, err)
	}
	return attempts, nil
}

func (t *importTx) QuestionKeyExam(ctx context.Context, key string, exceptExamID int64) (string, error) {
	var slug string
	err := t.tx.QueryRowContext(ctx, `SELECT e.slug FROM questions q
		JOIN exam_questions eq ON eq.question_id = q.id JOIN exams e ON e.id = eq.exam_id
		WHERE q.key = $1 AND e.id <> $2`, key, exceptExamID).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("question %q: %w", key, err)
	}
	return slug, nil
}

func (t *importTx) CreateExam(ctx context.Context, e *examhall.Exam) error {
	return createExam(ctx, t.tx, e)
}

func (t *importTx) UpdateExam(ctx context.Context, e *examhall.Exam) error {
	if err := checkSubjects(ctx, t.tx, e); err != nil {
		return err
	}
	e.Modified = t.tx.now.UTC().Truncate(time.Microsecond)
	if _, err := t.tx.ExecContext(ctx, `UPDATE exams SET title = $2, description = $3, start_date = $4, end_date = $5,
		duration_us = $6, pass_percentage_h = $7, enable_ranks = $8, allow_retake = $9, max_retakes = $10,
		show_score = $11, show_percentile = $12, published = $13, modified = $14, mark_per_question_h = $15,
		negative_marks_h = $16, show_pass_or_fail = $17, show_answers = $18, version = version + 1 WHERE id = $1`,
		e.ID, e.Title, e.Description, timeArg(e.StartDate), timeArg(e.EndDate), durationArg(e.Duration),
		decimalArg(e.PassPercentage), e.EnableRanks, e.AllowRetake, intArg(e.MaxRetakes), e.ShowScore,
		e.ShowPercentile, e.Published, micros(e.Modified), int64(e.MarkPerQuestion), int64(e.NegativeMarks),
		e.ShowPassOrFail, e.ShowAnswers); err != nil {
		return fmt.Errorf("update exam %q: %w", e.Slug, err)
	}
	return setBatches(ctx, t.tx, "exam_batches", "exam_id", e.ID, e.Batches)
}

func (t *importTx) UpdateExamContent(ctx context.Context, e *examhall.Exam) error {
	for _, s := range e.Sections {
		if _, err := t.tx.ExecContext(ctx, `UPDATE sections SET name = $2, duration_us = $3, cut_off_h = $4 WHERE id = $1`,
			s.ID, s.Name, durationArg(s.Duration), int64(s.CutOff)); err != nil {
			return fmt.Errorf("update section: %w", err)
		}
		for k := range s.Questions {
			q := &s.Questions[k]
			if err := updateQuestionWording(ctx, t.tx, &q.Question); err != nil {
				return err
			}
			if err := saveExamQuestion(ctx, t.tx, q); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *importTx) ClearExamContent(ctx context.Context, examID int64) error {
	for _, stmt := range []string{
		`CREATE TEMPORARY TABLE IF NOT EXISTS import_old_questions (id BIGINT)`,
		`DELETE FROM import_old_questions`,
		`INSERT INTO import_old_questions SELECT question_id FROM exam_questions WHERE exam_id = $1`,
		`DELETE FROM exam_questions WHERE exam_id = $1`,
		`DELETE FROM sections WHERE exam_id = $1`,
		`DELETE FROM questions WHERE id IN (SELECT id FROM import_old_questions)
			AND id NOT IN (SELECT question_id FROM exam_questions)`,
	} {
		var args []any
		if strings.Contains(stmt, "$1") {
			args = append(args, examID)
		}
		if _, err := t.tx.ExecContext(ctx, stmt, args...); err != nil {
			return fmt.Errorf("clear exam %d: %w", examID, err)
		}
	}
	return nil
}

func (t *importTx) InsertExamContent(ctx context.Context, e *examhall.Exam) error {
	return insertExamContent(ctx, t.tx, e)
}

func (t *importTx) RegradeExam(ctx context.Context, e *examhall.Exam) (int, error) {
	return regradeExam(ctx, t.tx, e)
}

func (t *importTx) CourseBySlug(ctx context.Context, slug string) (*examhall.Course, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM courses WHERE slug = $1`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("course %q: %w", slug, err)
	}
	return courseInTx(ctx, t.tx, id)
}

func (t *importTx) CourseProgress(ctx context.Context, courseID int64) (int, error) {
	var progress int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM chapter_content_attempts WHERE course_id = $1`,
		courseID).Scan(&progress); err != nil {
		return 0, fmt.Errorf("progress in course %d: %w", courseID, err)
	}
	return progress, nil
}

func (t *importTx) CreateCourse(ctx context.Context, c *examhall.Course) error {
	return createCourse(ctx, t.tx, c)
}

func (t *importTx) ReplaceCourse(ctx context.Context, c *examhall.Course) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM chapters WHERE course_id = $1`, c.ID); err != nil {
		return fmt.Errorf("rebuild course %q: %w", c.Slug, err)
	}
	c.Modified = t.tx.now.UTC().Truncate(time.Microsecond)
	if _, err := t.tx.ExecContext(ctx, `UPDATE courses SET title = $2, description = $3, image = $4, modified = $5
		WHERE id = $1`, c.ID, c.Title, c.Description, c.Image, micros(c.Modified)); err != nil {
		return fmt.Errorf("update course %q: %w", c.Slug, err)
	}
	if err := setBatches(ctx, t.tx, "course_batches", "course_id", c.ID, c.Batches); err != nil {
		return err
	}
	return insertChapters(ctx, t.tx, c)
}

func (t *importTx) AttemptAt(ctx context.Context, examID, userID int64, started time.Time) (*examhall.Attempt, error) {
	a, err := scanAttempt(t.tx.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE exam_id = $1 AND user_id = $2 AND date = $3`, examID, userID, micros(started)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("attempt: %w", err)
	}
	return a, nil
}

func (t *importTx) RunningAttempt(ctx context.Context, examID, userID int64) (*examhall.Attempt, error) {
	a, err := scanAttempt(t.tx.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE exam_id = $1 AND user_id = $2 AND state = 0`, examID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("running attempts: %w", err)
	}
	return a, nil
}

func (t *importTx) InsertAttempt(ctx context.Context, a *examhall.Attempt, exam *examhall.Exam) error {
	t.touchStats(a.ExamID)
	err := t.tx.QueryRowContext(ctx, `INSERT INTO attempts (exam_id, user_id, state, date, last_started_time,
		last_activity_at, institute_attempt_id, result) VALUES ($1, $2, $3, $4, $4, $4, $5, 'NA') RETURNING id`,
		a.ExamID, a.UserID, a.State, micros(a.Date), textArg(a.InstituteAttemptID)).Scan(&a.ID)
	if isUniqueViolation(err) {
		return examhall.Errorf(examhall.ECONFLICT, "The user has another running attempt of this exam.")
	}
	if err != nil {
		return fmt.Errorf("insert attempt: %w", err)
	}
	if err := insertBlankAnswers(ctx, t.tx, a.ID, exam); err != nil {
		return err
	}
	return insertBlankSections(ctx, t.tx, a.ID, exam)
}

func (t *importTx) AttemptAnswers(ctx context.Context, attemptID int64) ([]*examhall.UserAnswer, error) {
	return attemptAnswers(ctx, t.tx, attemptID)
}

func (t *importTx) WriteAnswer(ctx context.Context, ua *examhall.UserAnswer) error {
	selected, _ := json.Marshal(append([]int64{}, ua.SelectedAnswerIDs...))
	if _, err := t.tx.ExecContext(ctx, `UPDATE user_answers SET selected_answer_ids = $2, short_text = $3,
		numeric_value = $4, essay_text = $5, graded_marks_h = $6, review = $7, duration_s = $8, modified = $9
		WHERE attempt_id = $10 AND id = $1`, ua.ID, string(selected), stringArg(ua.ShortText), stringArg(ua.NumericValue),
		stringArg(ua.EssayText), decimalArg(ua.GradedMarks), ua.Review, int64(ua.Duration/time.Second), micros(t.tx.now),
		ua.AttemptID); err != nil {
		return fmt.Errorf("write answer %d: %w", ua.ID, err)
	}
	return nil
}

func (t *importTx) RegradeAttempt(ctx context.Context, a *examhall.Attempt, exam *examhall.Exam) error {
	t.touchStats(a.ExamID)
	return regradeAttempt(ctx, t.tx, a, exam)
}

func (t *importTx) Rerank(ctx context.Context, examID, userID int64) error {
	t.touchStats(examID)
	rows, err := t.tx.QueryContext(ctx, `SELECT id, score_h, in_rank_population FROM attempts
		WHERE exam_id = $1 AND user_id = $2 AND state = 1 ORDER BY date, id`, examID, userID)
	if err != nil {
		return fmt.Errorf("rerank: %w", err)
	}
	type ranked struct {
		id, score int64
		in        bool
	}
	var attempts []ranked
	err = scanRows(rows, func() error {
		var r ranked
		err := rows.Scan(&r.id, &r.score, &r.in)
		attempts = append(attempts, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("rerank: %w", err)
	}
	// Leave before joining: at most one attempt per user and exam is ranked at any moment.
	for _, leaving := range []bool{true, false} {
		for i, r := range attempts {
			should := i == 0
			if r.in == should || leaving == should {
				continue
			}
			delta := 1
			if !should {
				delta = -1
			}
			if _, err := t.tx.ExecContext(ctx, `UPDATE attempts SET in_rank_population = $2 WHERE id = $1`, r.id, should); err != nil {
				return fmt.Errorf("rerank: %w", err)
			}
			if err := countScore(ctx, t.tx, examID, decimal.Decimal(r.score), delta); err != nil {
				return err
			}
		}
	}
	return nil
}
