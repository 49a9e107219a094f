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

// UpdateUser applies change to the locked user and saves it; passwordHash
// nil keeps the password.
func (db *DB) UpdateUser(ctx context.Context, id int64, change func(*examhall.User) error, passwordHash *string) (*examhall.User, error) {
	var u *examhall.User
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var hash string
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = $1`+db.forUpdate(), id), &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		if err := loadBatches(ctx, tx, []*examhall.User{u}); err != nil {
			return err
		}
		if err := change(u); err != nil {
			return err
		}
		if passwordHash != nil {
			hash = *passwordHash
		}
		return updateUser(ctx, tx, u, hash)
	})
	return u, err
}

// uncountRankedAttempts takes the ranked attempts that match where out of
// their exams' score counts, before they are deleted. It locks them first, so
// that none completes or is regraded between the count and the delete.
func uncountRankedAttempts(ctx context.Context, tx *Tx, where string, arg any) error {
	if _, err := tx.ExecContext(ctx, `SELECT id FROM attempts WHERE `+where+tx.db.forUpdate(), arg); err != nil {
		return fmt.Errorf("lock attempts: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT exam_id, score_h FROM attempts WHERE in_rank_population AND `+where, arg)
	if err != nil {
		return fmt.Errorf("ranked attempts: %w", err)
	}
	type ranked struct{ exam, score int64 }
	var list []ranked
	err = scanRows(rows, func() error {
		var r ranked
		err := rows.Scan(&r.exam, &r.score)
		list = append(list, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("ranked attempts: %w", err)
	}
	for _, r := range list {
		if err := countScore(ctx, tx, r.exam, decimal.Decimal(r.score), -1); err != nil {
			return err
		}
	}
	return nil
}

// UpdateSubject renames or moves a subject.
func (db *DB) UpdateSubject(ctx context.Context, s *examhall.Subject) error {
	if strings.TrimSpace(s.Name) == "" {
		return fieldError("name", "This field may not be blank.")
	}
	errs := examhall.FieldErrors{}
	if examhall.CheckLength(errs, "name", s.Name, examhall.MaxTitleLength); errs.Err() != nil {
		return errs.Err()
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		subjects, err := subjectsInTx(ctx, tx)
		if err != nil {
			return err
		}
		byID := map[int64]examhall.Subject{}
		for _, sub := range subjects {
			byID[sub.ID] = sub
		}
		if _, ok := byID[s.ID]; !ok {
			return errNotFound
		}
		for id := s.ParentID; id != 0; id = byID[id].ParentID {
			if _, ok := byID[id]; !ok {
				return invalidPK("parent", s.ParentID)
			}
			if id == s.ID {
				return fieldError("parent", "A subject cannot sit below itself.")
			}
		}
		var parent any
		if s.ParentID != 0 {
			parent = s.ParentID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subjects SET name = $2, parent_id = $3 WHERE id = $1`, s.ID, s.Name, parent); err != nil {
			return fmt.Errorf("update subject %d: %w", s.ID, err)
		}
		s.Key = byID[s.ID].Key
		return nil
	})
}

// DeleteSubject deletes a subject without sub-subjects.
func (db *DB) DeleteSubject(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var children int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subjects WHERE parent_id = $1`, id).Scan(&children); err != nil {
			return fmt.Errorf("subject %d: %w", id, err)
		}
		if children > 0 {
			return examhall.Errorf(examhall.EINVALID, "This subject has sub-subjects; move or delete them first.")
		}
		// The subject's questions lose it (ON DELETE SET NULL): their exams change.
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET version = version + 1 WHERE id IN
			(SELECT eq.exam_id FROM exam_questions eq JOIN questions q ON q.id = eq.question_id WHERE q.subject_id = $1)`,
			id); err != nil {
			return fmt.Errorf("bump versions of the exams of subject %d: %w", id, err)
		}
		return deleteRow(ctx, tx, `DELETE FROM subjects WHERE id = $1`, id)
	})
}

func deleteRow(ctx context.Context, tx *Tx, stmt string, id int64) error {
	res, err := tx.ExecContext(ctx, stmt, id)
	if err != nil {
		return fmt.Errorf("delete %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete %d: %w", id, err)
	} else if n == 0 {
		return errNotFound
	}
	return nil
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
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(s.position), -1) + 1 FROM exams e
			LEFT JOIN sections s ON s.exam_id = e.id WHERE e.id = $1 GROUP BY e.id`, examID).Scan(&s.Order)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("sections of exam %d: %w", examID, err)
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
