package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// CreateExam validates exam and inserts it with its sections, questions,
// answers and exam questions in one transaction, setting their IDs.
func (db *DB) CreateExam(ctx context.Context, exam *examhall.Exam) error {
	if err := exam.Validate(); err != nil {
		return err
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		return createExam(ctx, tx, exam)
	})
}

func createExam(ctx context.Context, tx *Tx, exam *examhall.Exam) error {
	if err := checkSubjects(ctx, tx, exam); err != nil {
		return err
	}
	exam.Created = tx.now.UTC().Truncate(time.Microsecond)
	exam.Modified = exam.Created
	err := tx.QueryRowContext(ctx, `INSERT INTO exams (slug, title, description, start_date, end_date,
		duration_us, pass_percentage_h, mark_per_question_h, negative_marks_h, enable_ranks, allow_retake,
		max_retakes, show_score, show_percentile, show_pass_or_fail, show_answers, published, created, modified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
		RETURNING id`,
		exam.Slug, exam.Title, exam.Description, timeArg(exam.StartDate), timeArg(exam.EndDate),
		durationArg(exam.Duration), decimalArg(exam.PassPercentage), int64(exam.MarkPerQuestion),
		int64(exam.NegativeMarks), exam.EnableRanks, exam.AllowRetake, intArg(exam.MaxRetakes), exam.ShowScore,
		exam.ShowPercentile, exam.ShowPassOrFail, exam.ShowAnswers, exam.Published, micros(exam.Created)).Scan(&exam.ID)
	if isUniqueViolation(err) {
		return fieldError("slug", "exam with this slug already exists.")
	}
	if err != nil {
		return fmt.Errorf("insert exam: %w", err)
	}
	if err := setBatches(ctx, tx, "exam_batches", "exam_id", exam.ID, exam.Batches); err != nil {
		return err
	}
	return insertExamContent(ctx, tx, exam)
}

// insertExamContent inserts the sections and questions of a stored exam.
func insertExamContent(ctx context.Context, tx *Tx, exam *examhall.Exam) error {
	order := 0 // orders count from 0, as Testpress's do
	for i := range exam.Sections {
		s := &exam.Sections[i]
		s.ExamID, s.Order = exam.ID, i
		if err := tx.QueryRowContext(ctx, `INSERT INTO sections (exam_id, position, name, duration_us, cut_off_h)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			exam.ID, s.Order, s.Name, durationArg(s.Duration), int64(s.CutOff)).Scan(&s.ID); err != nil {
			return fmt.Errorf("insert section: %w", err)
		}
		for j := range s.Questions {
			q := &s.Questions[j]
			q.ExamID, q.SectionID, q.Order = exam.ID, s.ID, order
			order++
			if err := insertQuestion(ctx, tx, &q.Question); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO exam_questions (exam_id, section_id, question_id,
				position, marks_h, negative_marks_h, partial_marks_h, is_bonus)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				exam.ID, s.ID, q.Question.ID, q.Order, int64(q.Marks), int64(q.NegativeMarks),
				decimalArg(q.PartialMarks), q.IsBonus).Scan(&q.ID); err != nil {
				return fmt.Errorf("insert exam question: %w", err)
			}
		}
	}
	return nil
}

// checkSubjects refuses questions whose subject does not exist.
func checkSubjects(ctx context.Context, tx *Tx, exam *examhall.Exam) error {
	var ids []any
	for _, s := range exam.Sections {
		for _, q := range s.Questions {
			if q.Question.SubjectID != 0 {
				ids = append(ids, q.Question.SubjectID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM subjects WHERE id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("find subjects: %w", err)
	}
	defer rows.Close()
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("find subjects: %w", err)
		}
		found[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find subjects: %w", err)
	}
	errs := examhall.FieldErrors{}
	for i, s := range exam.Sections {
		for j, q := range s.Questions {
			if id := q.Question.SubjectID; id != 0 && !found[id] {
				errs.Add(fmt.Sprintf("sections[%d].questions[%d].subject", i, j), fmt.Sprintf(`Invalid pk "%d" - object does not exist.`, id))
			}
		}
	}
	return errs.Err()
}

func insertQuestion(ctx context.Context, tx *Tx, q *examhall.Question) error {
	var subject any
	if q.SubjectID != 0 {
		subject = q.SubjectID
	}
	now := micros(tx.now)
	err := tx.QueryRowContext(ctx, `INSERT INTO questions (key, type, question_html, direction_html,
		explanation_html, subject_id, difficulty, numerical_min, numerical_max, created, modified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		textArg(q.Key), string(q.Type), q.QuestionHTML, textArg(q.DirectionHTML), q.ExplanationHTML, subject,
		textArg(string(q.Difficulty)), textArg(q.NumericalMin), textArg(q.NumericalMax), now).Scan(&q.ID)
	if isUniqueViolation(err) {
		return fieldError("key", fmt.Sprintf("question with the key %q already exists.", q.Key))
	}
	if err != nil {
		return fmt.Errorf("insert question: %w", err)
	}
	for i := range q.Answers {
		a := &q.Answers[i]
		if err := tx.QueryRowContext(ctx, `INSERT INTO answers (question_id, position, text_html, is_correct)
			VALUES ($1, $2, $3, $4) RETURNING id`, q.ID, i+1, a.TextHTML, a.IsCorrect).Scan(&a.ID); err != nil {
			return fmt.Errorf("insert answer: %w", err)
		}
	}
	for _, text := range q.AcceptedAnswers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accepted_answers (question_id, text) VALUES ($1, $2)`, q.ID, text); err != nil {
			return fmt.Errorf("insert accepted answer: %w", err)
		}
	}
	return nil
}

const examColumns = `id, slug, title, description, start_date, end_date, duration_us, pass_percentage_h,
	mark_per_question_h, negative_marks_h, enable_ranks, allow_retake, max_retakes, show_score, show_percentile,
	show_pass_or_fail, show_answers, published, created, modified`

// ExamByID returns the exam with its sections and questions.
func (db *DB) ExamByID(ctx context.Context, id int64) (*examhall.Exam, error) {
	return db.loadExam(ctx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, id)
}

// ExamBySlug returns the exam with the slug, with its sections and questions.
func (db *DB) ExamBySlug(ctx context.Context, slug string) (*examhall.Exam, error) {
	return db.loadExam(ctx, `SELECT `+examColumns+` FROM exams WHERE slug = $1`, slug)
}

func (db *DB) loadExam(ctx context.Context, query string, arg any) (*examhall.Exam, error) {
	var exam *examhall.Exam
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		exam, err = scanExam(tx.QueryRowContext(ctx, query, arg))
		if errors.Is(err, sql.ErrNoRows) {
			return examhall.Errorf(examhall.ENOTFOUND, "Not found.")
		}
		if err != nil {
			return fmt.Errorf("exam: %w", err)
		}
		return loadExamContent(ctx, tx, exam)
	})
	return exam, err
}

// scanExam reads examColumns, then any extra columns into extra.
func scanExam(row interface{ Scan(...any) error }, extra ...any) (*examhall.Exam, error) {
	var e examhall.Exam
	var start, end, duration, pass, maxRetakes sql.NullInt64
	var markPer, negative, created, modified int64
	dest := append([]any{&e.ID, &e.Slug, &e.Title, &e.Description, &start, &end, &duration, &pass, &markPer,
		&negative, &e.EnableRanks, &e.AllowRetake, &maxRetakes, &e.ShowScore, &e.ShowPercentile,
		&e.ShowPassOrFail, &e.ShowAnswers, &e.Published, &created, &modified}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	e.StartDate, e.EndDate, e.Duration = timeOf(start), timeOf(end), durationOf(duration)
	e.PassPercentage, e.MaxRetakes = decimalOf(pass), intOf(maxRetakes)
	e.MarkPerQuestion, e.NegativeMarks = decimal.Decimal(markPer), decimal.Decimal(negative)
	e.Created, e.Modified = fromMicros(created), fromMicros(modified)
	return &e, nil
}

// loadExamContent reads the batches, sections, questions, answers and
// accepted answers of exam.
func loadExamContent(ctx context.Context, tx *Tx, exam *examhall.Exam) error {
	return loadExamsContent(ctx, tx, []*examhall.Exam{exam})
}

// scanRows calls scan for each row, then closes rows and reports any error.
func scanRows(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UpdateExam applies change to the locked exam and saves its own fields,
// regrading when the pass mark moves.
func (db *DB) UpdateExam(ctx context.Context, id int64, change func(*examhall.Exam) error) (*examhall.Exam, int, error) {
	regraded := 0
	var exam *examhall.Exam
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, id, examExclusive); err != nil {
			return err
		}
		var err error
		exam, err = examInTx(ctx, tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, id)
		if err != nil {
			return err
		}
		oldPassMark, sections, created := exam.PassPercentage, exam.Sections, exam.Created
		if err := change(exam); err != nil {
			return err
		}
		exam.ID, exam.Sections, exam.Created = id, sections, created
		if err := exam.Validate(); err != nil {
			return err
		}
		exam.Modified = tx.now.UTC().Truncate(time.Microsecond)
		_, err = tx.ExecContext(ctx, `UPDATE exams SET slug = $2, title = $3, description = $4, start_date = $5,
			end_date = $6, duration_us = $7, pass_percentage_h = $8, mark_per_question_h = $9, negative_marks_h = $10,
			enable_ranks = $11, allow_retake = $12, max_retakes = $13, show_score = $14, show_percentile = $15,
			show_pass_or_fail = $16, show_answers = $17, published = $18, modified = $19, version = version + 1
			WHERE id = $1`,
			exam.ID, exam.Slug, exam.Title, exam.Description, timeArg(exam.StartDate), timeArg(exam.EndDate),
			durationArg(exam.Duration), decimalArg(exam.PassPercentage), int64(exam.MarkPerQuestion),
			int64(exam.NegativeMarks), exam.EnableRanks, exam.AllowRetake, intArg(exam.MaxRetakes), exam.ShowScore,
			exam.ShowPercentile, exam.ShowPassOrFail, exam.ShowAnswers, exam.Published, micros(exam.Modified))
		if isUniqueViolation(err) {
			return fieldError("slug", "exam with this slug already exists.")
		}
		if err != nil {
			return fmt.Errorf("update exam %d: %w", exam.ID, err)
		}
		if err := setBatches(ctx, tx, "exam_batches", "exam_id", exam.ID, exam.Batches); err != nil {
			return err
		}
		if samePassMark(oldPassMark, exam.PassPercentage) {
			return nil
		}
		regraded, err = regradeExam(ctx, tx, exam)
		return err
	})
	return exam, regraded, err
}

func samePassMark(a, b *decimal.Decimal) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// DeleteExam deletes an exam without attempts.
func (db *DB) DeleteExam(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, id, examExclusive); err != nil {
			return err
		}
		if err := refuseWithAttempts(ctx, tx, id, "An exam with attempts cannot be deleted; unpublish it instead."); err != nil {
			return err
		}
		return deleteRow(ctx, tx, `DELETE FROM exams WHERE id = $1`, id)
	})
}

func refuseWithAttempts(ctx context.Context, tx *Tx, examID int64, msg string) error {
	var attempts int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE exam_id = $1`, examID).Scan(&attempts); err != nil {
		return fmt.Errorf("attempts of exam %d: %w", examID, err)
	}
	if attempts > 0 {
		return examhall.Errorf(examhall.EINVALID, "%s", msg)
	}
	return nil
}

// AddSection appends a section to the exam.
func (db *DB) AddSection(ctx context.Context, examID int64, s *examhall.Section) error {
	if strings.TrimSpace(s.Name) == "" {
		return fieldError("name", "This field may not be blank.")
	}
	if s.Duration != nil && *s.Duration <= 0 {
		return fieldError("duration", "Ensure the duration is greater than zero.")
	}
	if s.CutOff < 0 {
		return fieldError("cut_off", "Ensure this value is greater than or equal to 0.")
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		if s.Order, err = nextPosition(ctx, tx, "exams", "sections", "exam_id", examID); err != nil {
			return err
		}
		s.ExamID = examID
		if err := tx.QueryRowContext(ctx, `INSERT INTO sections (exam_id, position, name, duration_us, cut_off_h)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, examID, s.Order, s.Name, durationArg(s.Duration), int64(s.CutOff)).Scan(&s.ID); err != nil {
			return fmt.Errorf("insert section: %w", err)
		}
		return bumpExamVersion(ctx, tx, examID)
	})
}

// AddExamQuestion appends a question to a section of the exam.
func (db *DB) AddExamQuestion(ctx context.Context, examID, sectionID int64, q *examhall.ExamQuestion) (int, error) {
	errs := examhall.FieldErrors{}
	q.Validate(errs)
	if err := errs.Err(); err != nil {
		return 0, err
	}
	regraded := 0
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, examID, examExclusive); err != nil {
			return err
		}
		exam, err := examInTx(ctx, tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, examID)
		if err != nil {
			return err
		}
		var section *examhall.Section
		for i := range exam.Sections {
			if exam.Sections[i].ID == sectionID {
				section = &exam.Sections[i]
			}
		}
		if section == nil {
			return fieldError("section", fmt.Sprintf(`Invalid pk "%d" - not a section of this exam.`, sectionID))
		}
		probe := &examhall.Exam{Sections: []examhall.Section{{Questions: []examhall.ExamQuestion{*q}}}}
		if err := checkSubjects(ctx, tx, probe); err != nil {
			return renameField(err, "sections[0].questions[0].subject", "subject")
		}
		// The new question comes last in its section: later sections move down one place.
		after := -1 // the order of the last question up to this section
		for _, s := range exam.Sections {
			for _, eq := range s.Questions {
				if s.Order <= section.Order {
					after = max(after, eq.Order)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exam_questions SET position = position + 1
			WHERE exam_id = $1 AND position > $2`, examID, after); err != nil {
			return fmt.Errorf("make room: %w", err)
		}
		if err := insertQuestion(ctx, tx, &q.Question); err != nil {
			return err
		}
		q.ExamID, q.SectionID, q.Order = examID, sectionID, after+1
		if err := tx.QueryRowContext(ctx, `INSERT INTO exam_questions (exam_id, section_id, question_id, position,
			marks_h, negative_marks_h, partial_marks_h, is_bonus) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			examID, sectionID, q.Question.ID, q.Order, int64(q.Marks), int64(q.NegativeMarks), decimalArg(q.PartialMarks),
			q.IsBonus).Scan(&q.ID); err != nil {
			return fmt.Errorf("insert exam question: %w", err)
		}
		// Each attempt's new answer takes the next position after its last.
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_answers (attempt_id, exam_question_id, id, modified)
			SELECT a.id, $2, COALESCE((SELECT MAX(ua.id) + 1 FROM user_answers ua WHERE ua.attempt_id = a.id), a.id * $4), $3
			FROM attempts a WHERE a.exam_id = $1`, examID, q.ID, micros(tx.now), answersPerAttempt); err != nil {
			return fmt.Errorf("blank answers: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET unanswered_count = unanswered_count + 1
			WHERE exam_id = $1 AND state <> 1`, examID); err != nil {
			return fmt.Errorf("count the new question: %w", err)
		}
		if err := bumpExamVersion(ctx, tx, examID); err != nil {
			return err
		}
		fresh, err := examInTx(ctx, tx, `SELECT `+examColumns+` FROM exams WHERE id = $1`, examID)
		if err != nil {
			return err
		}
		regraded, err = regradeExam(ctx, tx, fresh)
		return err
	})
	return regraded, err
}

func renameField(err error, from, to string) error {
	var e *examhall.Error
	if errors.As(err, &e) && e.Fields[from] != nil {
		return fieldError(to, e.Fields[from][0])
	}
	return err
}

// DeleteExamQuestion removes a question from an exam without attempts.
func (db *DB) DeleteExamQuestion(ctx context.Context, examID, examQuestionID int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, examID, examExclusive); err != nil {
			return err
		}
		if err := refuseWithAttempts(ctx, tx, examID, "The questions of an exam with attempts cannot be removed."); err != nil {
			return err
		}
		var questionID int64
		err := tx.QueryRowContext(ctx, `SELECT question_id FROM exam_questions WHERE id = $1 AND exam_id = $2`,
			examQuestionID, examID).Scan(&questionID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("exam question %d: %w", examQuestionID, err)
		}
		if err := deleteRow(ctx, tx, `DELETE FROM exam_questions WHERE id = $1`, examQuestionID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM questions WHERE id = $1
			AND id NOT IN (SELECT question_id FROM exam_questions)`, questionID); err != nil {
			return fmt.Errorf("delete question %d: %w", questionID, err)
		}
		return bumpExamVersion(ctx, tx, examID)
	})
}
