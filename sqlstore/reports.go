package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/examhall/examhall"
)

// attemptOrderColumns maps the admin list's ordering fields to columns; only
// these names ever reach the SQL text.
var attemptOrderColumns = map[examhall.AttemptOrderField]string{
	examhall.OrderByDate:       "attempts.date",
	examhall.OrderByID:         "attempts.id",
	examhall.OrderByCorrect:    "attempts.correct_count",
	examhall.OrderByIncorrect:  "attempts.incorrect_count",
	examhall.OrderByUnanswered: "attempts.unanswered_count",
}

// attemptListQuery builds the WHERE and ORDER BY of the admin attempts list;
// args start with the snapshot.
func attemptListQuery(f examhall.AttemptFilter, snapshot int64) (where, order string, args []any) {
	conds := []string{"attempts.id <= $1"}
	args = []any{snapshot}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID != 0 {
		add("attempts.user_id = $%d", f.UserID)
	}
	if f.ExamID != 0 {
		add("attempts.exam_id = $%d", f.ExamID)
	}
	if f.State != nil {
		add("attempts.state = $%d", int(*f.State))
	}
	if f.StartedFrom != nil {
		add("attempts.date >= $%d", micros(*f.StartedFrom))
	}
	if f.StartedBefore != nil {
		add("attempts.date < $%d", micros(*f.StartedBefore))
	}
	var terms []string
	hasID, lastDesc := false, true
	for _, o := range f.Order {
		col, ok := attemptOrderColumns[o.Field]
		if !ok {
			continue
		}
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		terms = append(terms, col+dir)
		hasID = hasID || o.Field == examhall.OrderByID
		lastDesc = o.Desc
	}
	if !hasID { // the tie-breaker runs the way the last term does
		dir := " ASC"
		if lastDesc {
			dir = " DESC"
		}
		terms = append(terms, "attempts.id"+dir)
	}
	return strings.Join(conds, " AND "), strings.Join(terms, ", "), args
}

// AttemptList returns one page of the admin attempts list: a count and a
// page query, with users and exams joined, at one snapshot.
func (db *DB) AttemptList(ctx context.Context, f examhall.AttemptFilter) ([]examhall.AttemptRow, int, int64, error) {
	var rows []examhall.AttemptRow
	var count int
	snapshot := f.Snapshot
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if snapshot == 0 {
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM attempts`).Scan(&snapshot); err != nil {
				return fmt.Errorf("attempts snapshot: %w", err)
			}
		}
		where, order, args := attemptListQuery(f, snapshot)
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE `+where, args...).Scan(&count); err != nil {
			return fmt.Errorf("count attempts: %w", err)
		}
		n := len(args)
		page, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+attemptColumns+`, users.email, users.first_name,
			users.last_name, users.phone, exams.duration_us, exams.end_date
			FROM attempts JOIN users ON users.id = attempts.user_id JOIN exams ON exams.id = attempts.exam_id
			WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2), append(args, f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("list attempts: %w", err)
		}
		return scanRows(page, func() error {
			var r examhall.AttemptRow
			var duration, end sql.NullInt64
			a, err := scanAttempt(page, &r.Email, &r.FirstName, &r.LastName, &r.Phone, &duration, &end)
			if err != nil {
				return err
			}
			r.Attempt, r.ExamDuration, r.ExamEndDate = *a, durationOf(duration), timeOf(end)
			rows = append(rows, r)
			return nil
		})
	})
	return rows, count, snapshot, err
}
