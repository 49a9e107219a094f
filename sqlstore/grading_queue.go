package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// awaitingGrading selects the attempts with an essay awaiting grading, in
// the words of the partial indexes attempts_exam_grading and
// attempts_grading (migration 00005), so that both planners take them: only
// the backlog is read, never the exam's every attempt.
const awaitingGrading = `a.state = 1 AND a.pending_count > 0`

// pendingEssayResult is user_answers.result of an essay awaiting grading
// (examhall.PendingEvaluation).
const pendingEssayResult = int(examhall.PendingEvaluation)

// GradingQueue returns one page of the essay answers awaiting grading, the
// oldest submitted first (then by attempt and exam order), and how many f
// selects in all, read at one snapshot. Returns ENOTFOUND if f.ExamID names
// no exam.
func (db *DB) GradingQueue(ctx context.Context, f examhall.GradingQueueFilter) ([]examhall.PendingEssay, int, error) {
	var page []examhall.PendingEssay
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		where, args := awaitingGrading, []any{pendingEssayResult}
		if f.ExamID != nil {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM exams WHERE id = $1`, *f.ExamID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return errNotFound
			}
			if err != nil {
				return fmt.Errorf("exam %d: %w", *f.ExamID, err)
			}
			args = append(args, *f.ExamID)
			where += ` AND a.exam_id = $2`
		}
		from := ` FROM attempts a JOIN user_answers ua ON ua.attempt_id = a.id AND ua.result = $1 WHERE ` + where
		if err := tx.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&count); err != nil {
			return fmt.Errorf("grading queue count: %w", err)
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, `SELECT a.id, ua.id, a.exam_id, e.title, a.user_id, u.first_name, u.last_name,
			q.id, eq.id, q.question_html, COALESCE(ua.essay_text, ''), eq.marks_h, a.completed_on
			FROM attempts a JOIN user_answers ua ON ua.attempt_id = a.id AND ua.result = $1
			JOIN exam_questions eq ON eq.id = ua.exam_question_id
			JOIN questions q ON q.id = eq.question_id
			JOIN exams e ON e.id = a.exam_id
			JOIN users u ON u.id = a.user_id
			WHERE `+where+`
			ORDER BY a.completed_on, a.id, ua.id LIMIT $`+fmt.Sprint(n+1)+` OFFSET $`+fmt.Sprint(n+2),
			append(args, f.Limit, f.Offset)...)
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
