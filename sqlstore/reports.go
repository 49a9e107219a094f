package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
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

// attemptListQuery builds the WHERE and ORDER BY of the admin attempts list.
// A snapshot older than the newest attempt limits the ids; 0 means none.
func attemptListQuery(f examhall.AttemptFilter, snapshot int64) (where, order string, args []any) {
	conds := []string{"TRUE"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if snapshot != 0 {
		// The snapshot only filters: "+" keeps SQLite from choosing an index by
		// this id range over one that serves the filter and the ordering.
		add("+attempts.id <= $%d", snapshot)
	}
	if f.UserID != nil {
		add("attempts.user_id = $%d", *f.UserID)
	}
	if f.ExamID != nil {
		add("attempts.exam_id = $%d", *f.ExamID)
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
	var terms, cols []string
	key := f.OrderKey()
	for _, o := range key {
		col := attemptOrderColumns[o.Field]
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		terms, cols = append(terms, col+dir), append(cols, col)
	}
	uniform := true
	for _, o := range key {
		uniform = uniform && o.Desc == key[0].Desc
	}
	if uniform && len(f.After) == len(key) { // a keyset cursor: rows beyond the last one shown
		var marks []string
		for _, v := range f.After {
			args = append(args, v)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		cmp := ">"
		if key[0].Desc {
			cmp = "<"
		}
		conds = append(conds, "("+strings.Join(cols, ", ")+") "+cmp+" ("+strings.Join(marks, ", ")+")")
	}
	return strings.Join(conds, " AND "), strings.Join(terms, ", "), args
}

// countAttempts counts the whole list f selects (not only what follows its
// cursor). Without a snapshot limit or a user, it starts from the counts the
// triggers keep by exam and state; an exam's date range is then counted on
// whichever side of it looks smaller, inside or outside, and not at all when
// it holds the exam's every attempt. Other lists count the index range.
func countAttempts(ctx context.Context, tx *Tx, f examhall.AttemptFilter, limit int64) (int, error) {
	f.After = nil
	dated := f.StartedFrom != nil || f.StartedBefore != nil
	if limit != 0 || f.UserID != nil || (dated && f.ExamID == nil) {
		return countRange(ctx, tx, f, limit)
	}
	conds, args := []string{"TRUE"}, []any{}
	if f.ExamID != nil {
		args = append(args, *f.ExamID)
		conds = append(conds, fmt.Sprintf("exam_id = $%d", len(args)))
	}
	if f.State != nil {
		args = append(args, int(*f.State))
		conds = append(conds, fmt.Sprintf("state = $%d", len(args)))
	}
	where := strings.Join(conds, " AND ")
	var kept int
	if err := tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM attempt_counts WHERE `+
		where, args...).Scan(&kept); err != nil || !dated || kept == 0 {
		return kept, err
	}
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT MIN(date) FROM attempts WHERE `+where+`),
		(SELECT MAX(date) FROM attempts WHERE `+where+`)`, args...).Scan(&lo, &hi); err != nil || !lo.Valid {
		return 0, err
	}
	first, last := lo.Int64, hi.Int64
	from, before := first, last+1
	if f.StartedFrom != nil {
		from = max(from, micros(*f.StartedFrom))
	}
	if f.StartedBefore != nil {
		before = min(before, micros(*f.StartedBefore))
	}
	switch {
	case from >= before:
		return 0, nil
	case from == first && before == last+1:
		return kept, nil // the range holds every attempt of the exam
	case 2*(before-from) < last+1-first: // looks like less than half inside
		return countRange(ctx, tx, f, 0)
	}
	inside := kept
	if f.StartedFrom != nil {
		below := f
		below.StartedFrom, below.StartedBefore = nil, f.StartedFrom
		n, err := countRange(ctx, tx, below, 0)
		if err != nil {
			return 0, err
		}
		inside -= n
	}
	if f.StartedBefore != nil {
		above := f
		above.StartedFrom, above.StartedBefore = f.StartedBefore, nil
		n, err := countRange(ctx, tx, above, 0)
		if err != nil {
			return 0, err
		}
		inside -= n
	}
	return inside, nil
}

// countRange counts the attempts f selects from the index that serves it.
func countRange(ctx context.Context, tx *Tx, f examhall.AttemptFilter, limit int64) (int, error) {
	where, _, args := attemptListQuery(f, limit)
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE `+where, args...).Scan(&n)
	return n, err
}

// attemptRowColumns are what an examhall.AttemptRow holds, for
// scanAttemptRow: attempts joined with users and exams.
const attemptRowColumns = attemptColumns + `, users.email, users.first_name, users.last_name, users.phone,
	exams.duration_us, exams.end_date`

// scanAttemptRow reads attemptRowColumns.
func scanAttemptRow(row interface{ Scan(...any) error }) (*examhall.AttemptRow, error) {
	var r examhall.AttemptRow
	var duration, end sql.NullInt64
	a, err := scanAttempt(row, &r.Email, &r.FirstName, &r.LastName, &r.Phone, &duration, &end)
	if err != nil {
		return nil, err
	}
	r.Attempt, r.ExamDuration, r.ExamEndDate = *a, durationOf(duration), timeOf(end)
	return &r, nil
}

// AttemptList returns one page of the admin attempts list: a count and a
// page query, with users and exams joined, at one snapshot.
func (db *DB) AttemptList(ctx context.Context, f examhall.AttemptFilter) (examhall.AttemptListPage, error) {
	var rows []examhall.AttemptRow
	var count int
	var changeSeq int64
	snapshot := f.Snapshot
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var newest int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0), (SELECT last_seq FROM attempt_change_marks)
			FROM attempts`).Scan(&newest, &changeSeq); err != nil {
			return fmt.Errorf("attempts snapshot: %w", err)
		}
		limit := snapshot // only needed when attempts arrived after the snapshot
		if snapshot == 0 || snapshot >= newest {
			snapshot, limit = newest, 0
		}
		if !f.SkipCount {
			var err error
			if count, err = countAttempts(ctx, tx, f, limit); err != nil {
				return fmt.Errorf("count attempts: %w", err)
			}
		}
		where, order, args := attemptListQuery(f, limit)
		n := len(args)
		// Past the first page, the page's ids come first, from the index that
		// serves the filter and the ordering alone; only the page's rows are
		// then read and joined, not the rows the offset skips.
		query := `SELECT ` + attemptRowColumns + ` FROM %s
			JOIN users ON users.id = attempts.user_id JOIN exams ON exams.id = attempts.exam_id`
		selection := fmt.Sprintf(`WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2)
		if f.Offset > 0 {
			query = fmt.Sprintf(query, `(SELECT attempts.id FROM attempts `+selection+`) page
				JOIN attempts ON attempts.id = page.id`) + ` ORDER BY ` + order
		} else {
			query = fmt.Sprintf(query, `attempts`) + ` ` + selection
		}
		page, err := tx.QueryContext(ctx, query, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("list attempts: %w", err)
		}
		return scanRows(page, func() error {
			r, err := scanAttemptRow(page)
			if err != nil {
				return err
			}
			rows = append(rows, *r)
			return nil
		})
	})
	return examhall.AttemptListPage{Rows: rows, Count: count, Snapshot: snapshot, ChangeSeq: changeSeq}, err
}

// ExamList returns one page of the admin exams list, with each exam's number
// of questions and total marks: a count and a page query.
func (db *DB) ExamList(ctx context.Context, f examhall.ExamListFilter) ([]examhall.ExamSummary, int, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { // every $%d in cond is this argument
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$%d", fmt.Sprintf("$%d", len(args))))
	}
	if f.StartsFrom != nil {
		add("exams.start_date >= $%d", micros(*f.StartsFrom))
	}
	if f.EndsBefore != nil {
		add("exams.end_date < $%d", micros(*f.EndsBefore))
	}
	switch f.Status {
	case "running":
		add("(exams.start_date IS NULL OR exams.start_date <= $%d) AND (exams.end_date IS NULL OR exams.end_date > $%d)", micros(f.Now))
	case "upcoming":
		add("exams.start_date > $%d", micros(f.Now))
	case "completed":
		add("exams.end_date <= $%d", micros(f.Now))
	}
	if f.SubjectID != 0 {
		add(`EXISTS (SELECT 1 FROM exam_questions eq JOIN questions q ON q.id = eq.question_id
			WHERE eq.exam_id = exams.id AND q.subject_id = $%d)`, f.SubjectID)
	}
	if f.BatchID != 0 {
		add("EXISTS (SELECT 1 FROM exam_batches eb WHERE eb.exam_id = exams.id AND eb.batch_id = $%d)", f.BatchID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := "exams.id DESC"
	switch f.OrderBy {
	case "start_date", "end_date":
		order = "exams." + f.OrderBy + dir + " NULLS LAST, exams.id" + dir
	}
	var exams []examhall.ExamSummary
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM exams`+where, args...).Scan(&count); err != nil {
			return fmt.Errorf("count exams: %w", err)
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+qualified("exams", examColumns)+`,
			(SELECT count(*) FROM exam_questions eq WHERE eq.exam_id = exams.id),
			(SELECT COALESCE(SUM(eq.marks_h), 0) FROM exam_questions eq WHERE eq.exam_id = exams.id)
			FROM exams%s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2), append(args, f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("list exams: %w", err)
		}
		return scanRows(rows, func() error {
			var questions int
			var total int64
			e, err := scanExam(rows, &questions, &total)
			if err != nil {
				return err
			}
			exams = append(exams, examhall.ExamSummary{Exam: *e, NumberOfQuestions: questions, TotalMarks: decimal.Decimal(total)})
			return nil
		})
	})
	return exams, count, err
}

// qualified prefixes each of a list of plain column names with table.
func qualified(table, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = table + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ExplainAttemptList returns the engine's plan for the page query of the
// admin attempts list, one line per plan step; tests and operators use it to
// check that each filter and ordering is served by an index.
func (db *DB) ExplainAttemptList(ctx context.Context, f examhall.AttemptFilter) ([]string, error) {
	where, order, args := attemptListQuery(f, 1<<62) // as a walk's later pages run it
	n := len(args)
	query := fmt.Sprintf(`SELECT `+attemptColumns+`, users.email, exams.duration_us
		FROM attempts JOIN users ON users.id = attempts.user_id JOIN exams ON exams.id = attempts.exam_id
		WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2)
	return db.explain(ctx, query, append(args, 200, 0))
}

// explain returns the engine's plan for query, one line per plan step.
func (db *DB) explain(ctx context.Context, query string, args []any) ([]string, error) {
	var plan []string
	err := db.inReadTx(ctx, func(tx *Tx) error {
		explain := "EXPLAIN QUERY PLAN "
		if db.engine == Postgres {
			explain = "EXPLAIN "
		}
		rows, err := tx.QueryContext(ctx, explain+query, args...)
		if err != nil {
			return fmt.Errorf("explain: %w", err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return err
		}
		return scanRows(rows, func() error {
			dest := make([]any, len(cols))
			for i := range dest {
				dest[i] = new(any)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			line := fmt.Sprint(*(dest[len(dest)-1].(*any))) // SQLite: the detail column; PostgreSQL: the only one
			plan = append(plan, line)
			return nil
		})
	})
	return plan, err
}
