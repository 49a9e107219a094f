package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// ExamCounts returns the counts of the exams with the ids, in that order
// (each id once), from attempt_counts: a few rows per exam, whatever its
// number of attempts. Returns ENOTFOUND if any id names no exam.
func (db *DB) ExamCounts(ctx context.Context, ids []int64) ([]examhall.ExamCounts, error) {
	var out []examhall.ExamCounts
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		out, err = examCounts(ctx, tx, ids)
		return err
	})
	return out, err
}

// examCounts reads the counts of the exams, refusing an unknown one.
func examCounts(ctx context.Context, tx *Tx, ids []int64) ([]examhall.ExamCounts, error) {
	var unique []int64
	at := map[int64]int{}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		if _, ok := at[id]; !ok {
			at[id] = len(unique)
			unique = append(unique, id)
			args = append(args, id)
		}
	}
	if len(unique) == 0 {
		return []examhall.ExamCounts{}, nil
	}
	var found int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM exams WHERE id IN (`+placeholders(1, len(args))+`)`,
		args...).Scan(&found); err != nil {
		return nil, fmt.Errorf("exams counted: %w", err)
	}
	if found != len(unique) {
		return nil, errNotFound
	}
	out := make([]examhall.ExamCounts, len(unique))
	for i, id := range unique {
		out[i].ExamID = id
	}
	rows, err := tx.QueryContext(ctx, `SELECT exam_id, state, CAST(SUM(attempts) AS BIGINT), CAST(SUM(pending) AS BIGINT)
		FROM attempt_counts WHERE exam_id IN (`+placeholders(1, len(args))+`) GROUP BY exam_id, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("attempt counts: %w", err)
	}
	err = scanRows(rows, func() error {
		var exam, attempts, pending int64
		var state examhall.AttemptState
		if err := rows.Scan(&exam, &state, &attempts, &pending); err != nil {
			return err
		}
		c := &out[at[exam]]
		switch state {
		case examhall.AttemptRunning:
			c.Running = int(attempts)
		case examhall.AttemptCompleted:
			c.Completed, c.PendingEvaluation = int(attempts), int(pending)
		case examhall.AttemptNotStarted:
			c.NotStarted = int(attempts)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attempt counts: %w", err)
	}
	return out, nil
}

// gradedPopulation selects an exam's graded population (examhall.ExamStatistics):
// its ranked attempts (each user's first completed one, SPEC §5) without an
// essay awaiting grading. in_rank_population picks the partial index
// attempts_one_ranked.
const gradedPopulation = `attempts.exam_id = $1 AND attempts.in_rank_population AND attempts.pending_count = 0`

// ExamStatistics returns the exam's counts and the statistics of its graded
// population, read in one read transaction. The attempts are aggregated by
// the database: what comes back is a row per distinct score and a row per
// exam question. Returns ENOTFOUND if there is no such exam.
func (db *DB) ExamStatistics(ctx context.Context, examID int64) (*examhall.ExamStatistics, error) {
	var st *examhall.ExamStatistics
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM exams WHERE id = $1`, examID).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("exam %d: %w", examID, err)
		}
		exam, err := db.examAt(ctx, tx, examID, version)
		if err != nil {
			return err
		}
		counts, err := examCounts(ctx, tx, []int64{examID})
		if err != nil {
			return err
		}
		st = examhall.NewExamStatistics(exam, counts[0])
		if err := addScores(ctx, tx, st); err != nil {
			return err
		}
		if err := addQuestionMarks(ctx, tx, st); err != nil {
			return err
		}
		return nameSubjects(ctx, tx, st)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// addScores feeds st the population's scores, one row per distinct score.
func addScores(ctx context.Context, tx *Tx, st *examhall.ExamStatistics) error {
	rows, err := tx.QueryContext(ctx, `SELECT score_h, count(*), SUM(CASE WHEN result = 'Pass' THEN 1 ELSE 0 END)
		FROM attempts WHERE `+gradedPopulation+` GROUP BY score_h`, st.Exam.ID)
	if err != nil {
		return fmt.Errorf("scores of exam %d: %w", st.Exam.ID, err)
	}
	err = scanRows(rows, func() error {
		var score, n, passed int64
		if err := rows.Scan(&score, &n, &passed); err != nil {
			return err
		}
		st.AddScores(decimal.Decimal(score), int(n), int(passed))
		return nil
	})
	if err != nil {
		return fmt.Errorf("scores of exam %d: %w", st.Exam.ID, err)
	}
	return nil
}

// addQuestionMarks feeds st the population's marks by exam question.
func addQuestionMarks(ctx context.Context, tx *Tx, st *examhall.ExamStatistics) error {
	rows, err := tx.QueryContext(ctx, `SELECT ua.exam_question_id, CAST(SUM(ua.marks_h) AS BIGINT)
		FROM attempts JOIN user_answers ua ON ua.attempt_id = attempts.id
		WHERE `+gradedPopulation+` GROUP BY ua.exam_question_id`, st.Exam.ID)
	if err != nil {
		return fmt.Errorf("marks by question of exam %d: %w", st.Exam.ID, err)
	}
	err = scanRows(rows, func() error {
		var question, total int64
		if err := rows.Scan(&question, &total); err != nil {
			return err
		}
		st.AddQuestionMarks(question, decimal.Decimal(total))
		return nil
	})
	if err != nil {
		return fmt.Errorf("marks by question of exam %d: %w", st.Exam.ID, err)
	}
	return nil
}

// nameSubjects reads the names of the subjects the exam's questions are
// tagged with.
func nameSubjects(ctx context.Context, tx *Tx, st *examhall.ExamStatistics) error {
	var ids []any
	seen := map[int64]bool{}
	for _, q := range st.Exam.Questions() {
		if id := q.Question.SubjectID; id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM subjects WHERE id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("subjects of exam %d: %w", st.Exam.ID, err)
	}
	err = scanRows(rows, func() error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		st.SubjectNames[id] = name
		return nil
	})
	if err != nil {
		return fmt.Errorf("subjects of exam %d: %w", st.Exam.ID, err)
	}
	return nil
}
