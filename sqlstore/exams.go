package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
