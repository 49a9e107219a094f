package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// PublishedExams returns the published exams in window as of now that the
// user may see, with their content, by start date descending (NULLS LAST is
// written out: SQLite puts NULLs first in a descending order, PostgreSQL
// last), then id descending. The windows of what is on offer (all,
// available, upcoming) hold the exams whose batches admit the user
// (examOpenSQL, in the same statement); the history holds every exam the
// user has completed, whatever their batches are now: it is their own record.
//
// The content is read for all the listed exams together (loadExamsContent),
// not with loadExamContent per exam: the list then costs five queries
// however many exams it has (more only past maxInList exams), instead of
// 1 + 4 per exam.
func (db *DB) PublishedExams(ctx context.Context, now time.Time, window examhall.ExamWindow, userID int64) ([]*examhall.Exam, error) {
	// Start and end compare as StartAttempt does: an exam is open from its
	// start_date (inclusive) to its end_date (exclusive).
	open := ` AND ` + examOpenSQL("exams.id", "$1")
	var filter string
	args := []any{userID}
	switch window {
	case examhall.ExamsAll:
		filter = open
	case examhall.ExamsAvailable:
		// Those the caller can still start or resume (examhall.StartRefusal):
		// a running attempt, or completed attempts within the retakes allowed
		// (none without allow_retake; max_retakes, or no limit when NULL).
		filter = open + ` AND (start_date IS NULL OR start_date <= $2) AND (end_date IS NULL OR end_date > $2)
			AND (EXISTS (SELECT 1 FROM attempts a WHERE a.user_id = $1 AND a.exam_id = exams.id AND a.state = 0)
				OR (allow_retake AND max_retakes IS NULL)
				OR (SELECT count(*) FROM attempts a WHERE a.user_id = $1 AND a.exam_id = exams.id AND a.state = 1)
					<= CASE WHEN allow_retake THEN max_retakes ELSE 0 END)`
		args = append(args, micros(now))
	case examhall.ExamsUpcoming:
		filter = open + ` AND start_date > $2`
		args = append(args, micros(now))
	case examhall.ExamsHistory:
		filter = ` AND EXISTS (SELECT 1 FROM attempts a WHERE a.exam_id = exams.id AND a.user_id = $1 AND a.state = $2)`
		args = append(args, examhall.AttemptCompleted)
	default:
		return nil, examhall.Errorf(examhall.EINVALID, "Unknown exam window %d.", window)
	}
	var exams []*examhall.Exam
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+examColumns+` FROM exams WHERE published = TRUE`+filter+`
			ORDER BY start_date DESC NULLS LAST, id DESC`, args...)
		if err != nil {
			return fmt.Errorf("published exams: %w", err)
		}
		if err := scanRows(rows, func() error {
			e, err := scanExam(rows)
			exams = append(exams, e)
			return err
		}); err != nil {
			return fmt.Errorf("published exams: %w", err)
		}
		return loadExamsContent(ctx, tx, exams)
	})
	if err != nil {
		return nil, err
	}
	return exams, nil
}

// maxInList bounds the ids bound in one IN (…) list, far below the limits of
// bound parameters (SQLite 32766, PostgreSQL 65535).
const maxInList = 1000

// loadExamsContent reads the sections, questions, answers and accepted
// answers of exams, as loadExamContent does for one exam, with four queries
// for every maxInList exams. Each exam gets its own copies of the questions,
// even when two exams use the same question of the bank.
func loadExamsContent(ctx context.Context, tx *Tx, exams []*examhall.Exam) error {
	for chunk := range slices.Chunk(exams, maxInList) {
		if err := loadExamsChunk(ctx, tx, chunk); err != nil {
			return err
		}
	}
	return nil
}

func loadExamsChunk(ctx context.Context, tx *Tx, exams []*examhall.Exam) error {
	byID := make(map[int64]*examhall.Exam, len(exams))
	ids := make([]any, len(exams))
	for i, e := range exams {
		byID[e.ID], ids[i] = e, e.ID
	}
	in := `(` + placeholders(1, len(ids)) + `)`

	rows, err := tx.QueryContext(ctx, `SELECT eb.exam_id, b.name FROM exam_batches eb JOIN batches b ON b.id = eb.batch_id
		WHERE eb.exam_id IN `+in, ids...)
	if err != nil {
		return fmt.Errorf("exam batches: %w", err)
	}
	for _, e := range exams {
		e.Batches = []string{}
	}
	err = scanRows(rows, func() error {
		var examID int64
		var name string
		err := rows.Scan(&examID, &name)
		byID[examID].Batches = append(byID[examID].Batches, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("exam batches: %w", err)
	}
	for _, e := range exams {
		slices.Sort(e.Batches) // in Go: the engines' collations differ
	}

	type sectionAt struct {
		exam  *examhall.Exam
		index int
	}
	sections := map[int64]sectionAt{}
	rows, err = tx.QueryContext(ctx, `SELECT id, exam_id, position, name, duration_us, cut_off_h FROM sections
		WHERE exam_id IN `+in+` ORDER BY exam_id, position`, ids...)
	if err != nil {
		return fmt.Errorf("sections: %w", err)
	}
	err = scanRows(rows, func() error {
		var s examhall.Section
		var duration sql.NullInt64
		var cutOff int64
		if err := rows.Scan(&s.ID, &s.ExamID, &s.Order, &s.Name, &duration, &cutOff); err != nil {
			return err
		}
		s.Duration, s.CutOff = durationOf(duration), decimal.Decimal(cutOff)
		e := byID[s.ExamID]
		sections[s.ID] = sectionAt{e, len(e.Sections)}
		e.Sections = append(e.Sections, s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("sections: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT eq.id, eq.exam_id, eq.section_id, eq.position, eq.marks_h,
		eq.negative_marks_h, eq.partial_marks_h, eq.is_bonus, q.id, COALESCE(q.key, ''), q.type, q.question_html,
		COALESCE(q.direction_html, ''), q.explanation_html, COALESCE(q.subject_id, 0), COALESCE(q.difficulty, ''),
		COALESCE(q.numerical_min, ''), COALESCE(q.numerical_max, '')
		FROM exam_questions eq JOIN questions q ON q.id = eq.question_id
		WHERE eq.exam_id IN `+in+` ORDER BY eq.exam_id, eq.position`, ids...)
	if err != nil {
		return fmt.Errorf("exam questions: %w", err)
	}
	err = scanRows(rows, func() error {
		var eq examhall.ExamQuestion
		var marks, negative int64
		var partial sql.NullInt64
		q := &eq.Question
		if err := rows.Scan(&eq.ID, &eq.ExamID, &eq.SectionID, &eq.Order, &marks, &negative, &partial, &eq.IsBonus,
			&q.ID, &q.Key, &q.Type, &q.QuestionHTML, &q.DirectionHTML, &q.ExplanationHTML, &q.SubjectID,
			&q.Difficulty, &q.NumericalMin, &q.NumericalMax); err != nil {
			return err
		}
		eq.Marks, eq.NegativeMarks, eq.PartialMarks = decimal.Decimal(marks), decimal.Decimal(negative), decimalOf(partial)
		at, ok := sections[eq.SectionID]
		if !ok {
			return fmt.Errorf("exam question %d: section %d not loaded", eq.ID, eq.SectionID)
		}
		s := &at.exam.Sections[at.index]
		s.Questions = append(s.Questions, eq)
		return nil
	})
	if err != nil {
		return fmt.Errorf("exam questions: %w", err)
	}

	// Every use of a question, across the chunk's exams (pointers taken now
	// that the slices no longer grow).
	uses := map[int64][]*examhall.Question{}
	for _, e := range exams {
		for i := range e.Sections {
			for j := range e.Sections[i].Questions {
				q := &e.Sections[i].Questions[j].Question
				uses[q.ID] = append(uses[q.ID], q)
			}
		}
	}

	// The question ids come from a subquery rather than a join, so that a
	// question used by two of the exams is read once.
	rows, err = tx.QueryContext(ctx, `SELECT question_id, id, text_html, is_correct FROM answers
		WHERE question_id IN (SELECT question_id FROM exam_questions WHERE exam_id IN `+in+`)
		ORDER BY question_id, position`, ids...)
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	err = scanRows(rows, func() error {
		var questionID int64
		var a examhall.Answer
		if err := rows.Scan(&questionID, &a.ID, &a.TextHTML, &a.IsCorrect); err != nil {
			return err
		}
		for _, q := range uses[questionID] {
			q.Answers = append(q.Answers, a)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT question_id, text FROM accepted_answers
		WHERE question_id IN (SELECT question_id FROM exam_questions WHERE exam_id IN `+in+`)
		ORDER BY question_id, id`, ids...)
	if err != nil {
		return fmt.Errorf("accepted answers: %w", err)
	}
	err = scanRows(rows, func() error {
		var questionID int64
		var text string
		if err := rows.Scan(&questionID, &text); err != nil {
			return err
		}
		for _, q := range uses[questionID] {
			q.AcceptedAnswers = append(q.AcceptedAnswers, text)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("accepted answers: %w", err)
	}
	return nil
}
