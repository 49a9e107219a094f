package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// gradingQueueQuery is the count and the page query of the grading queue
// and their arguments (the page's limit and offset last). The attempts
// awaiting grading are read first, through the partial index
// attempts_exam_grading or attempts_grading (migration 00005), so that only
// the backlog is read, never an exam's every attempt: CROSS JOIN fixes that
// order on SQLite, which may have no statistics to find it (PostgreSQL plans
// it as an inner join); the state is a filter only ("+"), so that no index on
// state competes with them.
func gradingQueueQuery(f examhall.GradingQueueFilter) (count, page string, args []any) {
	where := `ua.attempt_id = a.id AND ua.result = $1 AND a.pending_count > 0 AND +a.state = 1`
	args = []any{int(examhall.PendingEvaluation)}
	if f.ExamID != nil {
		args = append(args, *f.ExamID)
		where += ` AND a.exam_id = $2`
	}
	count = `SELECT count(*) FROM attempts a CROSS JOIN user_answers ua WHERE ` + where
	page = fmt.Sprintf(`SELECT a.id, ua.id, a.exam_id, e.title, a.user_id, u.first_name, u.last_name,
		q.id, eq.id, q.question_html, COALESCE(ua.essay_text, ''), eq.marks_h, a.completed_on
		FROM attempts a CROSS JOIN user_answers ua
		JOIN exam_questions eq ON eq.id = ua.exam_question_id
		JOIN questions q ON q.id = eq.question_id
		JOIN exams e ON e.id = a.exam_id
		JOIN users u ON u.id = a.user_id
		WHERE %s ORDER BY a.completed_on, a.id, ua.id LIMIT $%d OFFSET $%d`, where, len(args)+1, len(args)+2)
	return count, page, append(args, f.Limit, f.Offset)
}

// GradingQueue returns one page of the essay answers awaiting grading, the
// oldest submitted first (then by attempt and exam order), and how many f
// selects in all, read at one snapshot. Returns ENOTFOUND if f.ExamID names
// no exam.
func (db *DB) GradingQueue(ctx context.Context, f examhall.GradingQueueFilter) ([]examhall.PendingEssay, int, error) {
	var page []examhall.PendingEssay
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if f.ExamID != nil {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM exams WHERE id = $1`, *f.ExamID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return errNotFound
			}
			if err != nil {
				return fmt.Errorf("exam %d: %w", *f.ExamID, err)
			}
		}
		countQuery, pageQuery, args := gradingQueueQuery(f)
		if err := tx.QueryRowContext(ctx, countQuery, args[:len(args)-2]...).Scan(&count); err != nil {
			return fmt.Errorf("grading queue count: %w", err)
		}
		rows, err := tx.QueryContext(ctx, pageQuery, args...)
		if err != nil {
			return fmt.Errorf("grading queue: %w", err)
		}
		page = []examhall.PendingEssay{}
		return scanRows(rows, func() error {
			var p examhall.PendingEssay
			var marks, submitted int64
			if err := rows.Scan(&p.AttemptID, &p.AnswerID, &p.ExamID, &p.ExamTitle, &p.UserID, &p.FirstName, &p.LastName,
				&p.QuestionID, &p.ExamQuestionID, &p.QuestionHTML, &p.EssayText, &marks, &submitted); err != nil {
				return fmt.Errorf("grading queue: %w", err)
			}
			p.Marks, p.Submitted = decimal.Decimal(marks), fromMicros(submitted)
			page = append(page, p)
			return nil
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return page, count, nil
}

// ExplainGradingQueue returns the engine's plans for the grading queue's
// count and page queries, one line per plan step, as ExplainAttemptList does
// for the attempts list.
func (db *DB) ExplainGradingQueue(ctx context.Context, f examhall.GradingQueueFilter) (count, page []string, err error) {
	countQuery, pageQuery, args := gradingQueueQuery(f)
	if count, err = db.explain(ctx, countQuery, args[:len(args)-2]); err != nil {
		return nil, nil, err
	}
	page, err = db.explain(ctx, pageQuery, args)
	return count, page, err
}
