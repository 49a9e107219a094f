package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// The item analysis's sufficient statistics (issue 16 §1; the tables of
// migration 00008). A completed attempt's membership is kept in
// stat_members: a bit per population it belongs to, and whether it awaits
// essay grading (then it counts in stat_pending only). Every change to an
// attempt's completion, score, answers' marks, pending state or existence
// brings its user's membership up to date in the changing transaction:
// unstatAttempts takes out what attempts about to change contributed (read
// from their answers as they still are), restatUser adds and removes what
// the user's membership now differs by. Changes over a whole exam (a
// regrade, a bulk load, an import) rebuild it set-based instead
// (rebuildItemStatistics).

var _ examhall.ItemStatisticsStore = (*DB)(nil)

// statContribution is one attempt's part in the counts of its set of
// populations (bit p for population p): its score, answers and choices, or,
// when pending, one pending attempt.
type statContribution struct {
	attemptID   int64
	populations int
	pending     bool
}

// bumpStatVersion marks a change to the exam's statistics. Every change
// takes it first, so that on PostgreSQL an exam's statistics change one
// transaction at a time (their rows are then locked in no order that can
// deadlock).
func bumpStatVersion(ctx context.Context, tx *Tx, examID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO stat_versions (exam_id, version) VALUES ($1, 1)
		ON CONFLICT (exam_id) DO UPDATE SET version = stat_versions.version + 1`, examID); err != nil {
		return fmt.Errorf("bump statistics version of exam %d: %w", examID, err)
	}
	return nil
}

// unstatAttempts takes the attempts' contributions out of their exam's
// statistics and forgets their membership, before a change to their scores
// or answers (a grading) or their deletion; restatUser, after the change,
// adds them back as they are then. The caller has bumped the version
// (bumpStatVersion) first.
func unstatAttempts(ctx context.Context, tx *Tx, examID int64, attemptIDs []int64) error {
	if len(attemptIDs) == 0 {
		return nil
	}
	args := make([]any, len(attemptIDs))
	for i, id := range attemptIDs {
		args[i] = id
	}
	in := placeholders(1, len(args))
	rows, err := tx.QueryContext(ctx, `SELECT attempt_id, populations, pending FROM stat_members
		WHERE attempt_id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("statistics members: %w", err)
	}
	var out []statContribution
	err = scanRows(rows, func() error {
		var id int64
		var pops int
		var pending bool
		if err := rows.Scan(&id, &pops, &pending); err != nil {
			return err
		}
		out = append(out, statContribution{attemptID: id, populations: pops, pending: pending})
		return nil
	})
	if err != nil {
		return fmt.Errorf("statistics members: %w", err)
	}
	if len(out) == 0 {
		return nil
	}
	if err := applyStats(ctx, tx, examID, out, -1); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM stat_members WHERE attempt_id IN (`+in+`)`, args...); err != nil {
		return fmt.Errorf("forget statistics members: %w", err)
	}
	return nil
}

// restatUser brings the statistics of the user's attempts of the exam in
// line with those attempts as they are now: it reads them (a user has a
// few), chooses each population's member (issue 16 §1: first the
// earliest-started completed attempt, last the latest-started, ties to the
// lower and the higher id; best the highest score, a pending attempt's
// provisional one included, ties to the earliest-started then the lower
// id; all every completed attempt) and adds and removes what differs from
// the membership stored. The caller has bumped the version
// (bumpStatVersion) first, before any score count (see complete).
func restatUser(ctx context.Context, tx *Tx, examID, userID int64) error {
	type attempt struct {
		id, date, score  int64
		completed        bool
		pending, wasPend bool
		pops, oldPops    int
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.state, a.date, a.score_h, a.pending_count > 0,
		COALESCE(m.populations, 0), COALESCE(m.pending, FALSE)
		FROM attempts a LEFT JOIN stat_members m ON m.attempt_id = a.id
		WHERE a.user_id = $1 AND a.exam_id = $2`, userID, examID)
	if err != nil {
		return fmt.Errorf("attempts of user %d: %w", userID, err)
	}
	var attempts []*attempt
	err = scanRows(rows, func() error {
		var a attempt
		var state int
		if err := rows.Scan(&a.id, &state, &a.date, &a.score, &a.pending, &a.oldPops, &a.wasPend); err != nil {
			return err
		}
		a.completed = state == int(examhall.AttemptCompleted)
		attempts = append(attempts, &a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("attempts of user %d: %w", userID, err)
	}
	var first, last, best *attempt
	for _, a := range attempts {
		if !a.completed {
			continue
		}
		a.pops |= 1 << examhall.PopulationAll
		if first == nil || a.date < first.date || (a.date == first.date && a.id < first.id) {
			first = a
		}
		if last == nil || a.date > last.date || (a.date == last.date && a.id > last.id) {
			last = a
		}
		if best == nil || a.score > best.score || (a.score == best.score &&
			(a.date < best.date || (a.date == best.date && a.id < best.id))) {
			best = a
		}
	}
	if first != nil {
		first.pops |= 1 << examhall.PopulationFirst
		last.pops |= 1 << examhall.PopulationLast
		best.pops |= 1 << examhall.PopulationBest
	}
	var removed, added []statContribution
	var changed []*attempt
	for _, a := range attempts {
		if a.pops == a.oldPops && (a.pops == 0 || a.pending == a.wasPend) {
			continue
		}
		changed = append(changed, a)
		if a.oldPops != 0 {
			removed = append(removed, statContribution{attemptID: a.id, populations: a.oldPops, pending: a.wasPend})
		}
		if a.pops != 0 {
			added = append(added, statContribution{attemptID: a.id, populations: a.pops, pending: a.pending})
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := applyStats(ctx, tx, examID, removed, -1); err != nil {
		return err
	}
	if err := applyStats(ctx, tx, examID, added, 1); err != nil {
		return err
	}
	for _, a := range changed {
		var err error
		if a.pops == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM stat_members WHERE attempt_id = $1`, a.id)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO stat_members (attempt_id, exam_id, populations, pending)
				VALUES ($1, $2, $3, $4) ON CONFLICT (attempt_id) DO UPDATE SET populations = excluded.populations,
				pending = excluded.pending`, a.id, examID, a.pops, a.pending)
		}
		if err != nil {
			return fmt.Errorf("statistics member %d: %w", a.id, err)
		}
	}
	return nil
}

// applyStats adds (sign 1) or takes out (sign −1) the contributions to the
// exam's statistics, reading the attempts' scores and answers as stored: a
// statement per table, whatever the number of questions.
func applyStats(ctx context.Context, tx *Tx, examID int64, list []statContribution, sign int64) error {
	pending := map[int]int64{}
	args := []any{examID, sign}
	var values []string
	for _, c := range list {
		if c.pending {
			pending[c.populations] += sign
			continue
		}
		args = append(args, c.attemptID, c.populations)
		values = append(values, fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS INTEGER))", len(args)-1, len(args)))
	}
	for _, pops := range slices.Sorted(maps.Keys(pending)) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_pending (exam_id, populations, attempts) VALUES ($1, $2, $3)
			ON CONFLICT (exam_id, populations) DO UPDATE SET attempts = stat_pending.attempts + excluded.attempts`,
			examID, pops, pending[pops]); err != nil {
			return fmt.Errorf("count pending: %w", err)
		}
	}
	if len(values) == 0 {
		return nil
	}
	with := `WITH m (attempt_id, populations) AS (VALUES ` + strings.Join(values, ", ") + `) `
	for _, stmt := range []struct{ what, sql string }{
		{"scores", `INSERT INTO stat_scores (exam_id, populations, score_h, attempts)
			SELECT $1, m.populations, a.score_h, CAST($2 AS BIGINT) * count(*) FROM m JOIN attempts a ON a.id = m.attempt_id
			WHERE true GROUP BY m.populations, a.score_h
			ON CONFLICT (exam_id, populations, score_h) DO UPDATE SET attempts = stat_scores.attempts + excluded.attempts`},
		{"items", `INSERT INTO stat_items (exam_id, populations, exam_question_id, marks_h, rest_h, attempts)
			SELECT $1, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h, CAST($2 AS BIGINT) * count(*)
			FROM m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
			WHERE true GROUP BY m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h
			ON CONFLICT (exam_id, populations, exam_question_id, marks_h, rest_h)
			DO UPDATE SET attempts = stat_items.attempts + excluded.attempts`},
		{"options", `INSERT INTO stat_options (exam_id, populations, answer_id, chosen, score_sum_h)
			SELECT $1, m.populations, CAST(j.value AS BIGINT), CAST($2 AS BIGINT) * count(*), CAST($2 AS BIGINT) * sum(a.score_h)
			FROM m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
			` + tx.db.jsonElements("ua.selected_answer_ids", "j") + `
			WHERE ua.selected_answer_ids <> '[]' GROUP BY m.populations, CAST(j.value AS BIGINT)
			ON CONFLICT (exam_id, populations, answer_id) DO UPDATE SET chosen = stat_options.chosen + excluded.chosen,
				score_sum_h = stat_options.score_sum_h + excluded.score_sum_h`},
	} {
		if _, err := tx.ExecContext(ctx, with+stmt.sql, args...); err != nil {
			return fmt.Errorf("count %s: %w", stmt.what, err)
		}
	}
	return nil
}

// jsonElements joins the elements of a JSON array column as alias.value (text).
func (db *DB) jsonElements(column, alias string) string {
	if db.engine == Postgres {
		return `CROSS JOIN LATERAL jsonb_array_elements_text(CAST(` + column + ` AS jsonb)) AS ` + alias + ` (value)`
	}
	return `JOIN json_each(` + column + `) AS ` + alias
}

// rebuildItemStatistics builds the exam's statistics afresh from its
// completed attempts, set-based (as migration 00008 builds every exam's):
// after a change over the whole exam (a regrade, a bulk load, an import).
func rebuildItemStatistics(ctx context.Context, tx *Tx, examID int64) error {
	if err := bumpStatVersion(ctx, tx, examID); err != nil {
		return err
	}
	statements := []string{
		`DELETE FROM stat_members WHERE exam_id = $1`,
		`DELETE FROM stat_pending WHERE exam_id = $1`,
		`DELETE FROM stat_scores WHERE exam_id = $1`,
		`DELETE FROM stat_items WHERE exam_id = $1`,
		`DELETE FROM stat_options WHERE exam_id = $1`,
		`INSERT INTO stat_members (attempt_id, exam_id, populations, pending)
			SELECT id, exam_id, 2 + CASE WHEN rf = 1 THEN 1 ELSE 0 END + CASE WHEN rl = 1 THEN 4 ELSE 0 END
				+ CASE WHEN rb = 1 THEN 8 ELSE 0 END, pending_count > 0
			FROM (SELECT id, exam_id, pending_count,
				row_number() OVER (PARTITION BY user_id ORDER BY date, id) AS rf,
				row_number() OVER (PARTITION BY user_id ORDER BY date DESC, id DESC) AS rl,
				row_number() OVER (PARTITION BY user_id ORDER BY score_h DESC, date, id) AS rb
				FROM attempts WHERE exam_id = $1 AND state = 1) AS chosen`,
		`INSERT INTO stat_pending (exam_id, populations, attempts)
			SELECT exam_id, populations, count(*) FROM stat_members WHERE exam_id = $1 AND pending
			GROUP BY exam_id, populations`,
		`INSERT INTO stat_scores (exam_id, populations, score_h, attempts)
			SELECT m.exam_id, m.populations, a.score_h, count(*) FROM stat_members m JOIN attempts a ON a.id = m.attempt_id
			WHERE m.exam_id = $1 AND NOT m.pending GROUP BY m.exam_id, m.populations, a.score_h`,
		`INSERT INTO stat_items (exam_id, populations, exam_question_id, marks_h, rest_h, attempts)
			SELECT m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h, count(*)
			FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
			WHERE m.exam_id = $1 AND NOT m.pending
			GROUP BY m.exam_id, m.populations, ua.exam_question_id, ua.marks_h, a.score_h - ua.marks_h`,
		`INSERT INTO stat_options (exam_id, populations, answer_id, chosen, score_sum_h)
			SELECT m.exam_id, m.populations, CAST(j.value AS BIGINT), count(*), sum(a.score_h)
			FROM stat_members m JOIN attempts a ON a.id = m.attempt_id JOIN user_answers ua ON ua.attempt_id = m.attempt_id
			` + tx.db.jsonElements("ua.selected_answer_ids", "j") + `
			WHERE m.exam_id = $1 AND NOT m.pending AND ua.selected_answer_ids <> '[]'
			GROUP BY m.exam_id, m.populations, CAST(j.value AS BIGINT)`,
	}
	for _, stmt := range statements {
		if _, err := tx.ExecContext(ctx, stmt, examID); err != nil {
			return fmt.Errorf("rebuild statistics of exam %d: %w", examID, err)
		}
	}
	return nil
}

// RebuildItemStatistics builds the exam's item statistics afresh from its
// attempts, in one transaction: what the stores keep incrementally, for a
// check or a repair. Returns ENOTFOUND if no exam has the id.
func (db *DB) RebuildItemStatistics(ctx context.Context, examID int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := lockExam(ctx, tx, examID, examExclusive); err != nil {
			return err
		}
		return rebuildItemStatistics(ctx, tx, examID)
	})
}

// unstatUser takes every attempt of the user out of the statistics, before
// the user (and so their attempts) is deleted.
func unstatUser(ctx context.Context, tx *Tx, userID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT a.exam_id, a.id FROM attempts a
		JOIN stat_members m ON m.attempt_id = a.id WHERE a.user_id = $1 ORDER BY a.exam_id, a.id`, userID)
	if err != nil {
		return fmt.Errorf("statistics of user %d: %w", userID, err)
	}
	var exams []int64
	byExam := map[int64][]int64{}
	err = scanRows(rows, func() error {
		var exam, id int64
		if err := rows.Scan(&exam, &id); err != nil {
			return err
		}
		if byExam[exam] == nil {
			exams = append(exams, exam)
		}
		byExam[exam] = append(byExam[exam], id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("statistics of user %d: %w", userID, err)
	}
	for _, exam := range exams {
		if err := bumpStatVersion(ctx, tx, exam); err != nil {
			return err
		}
		if err := unstatAttempts(ctx, tx, exam, byExam[exam]); err != nil {
			return err
		}
	}
	return nil
}

// ItemStatisticsVersion returns the version of the exam's item statistics:
// the exam's version plus its statistics' (both only grow), so that it also
// changes when the exam's questions do. One row is read.
func (db *DB) ItemStatisticsVersion(ctx context.Context, examID int64) (int64, error) {
	v, _, err := itemStatisticsVersion(ctx, db.read, examID)
	return v, err
}

func itemStatisticsVersion(ctx context.Context, q queryer, examID int64) (total, examVersion int64, err error) {
	var stats int64
	err = q.QueryRowContext(ctx, `SELECT e.version, COALESCE(s.version, 0) FROM exams e
		LEFT JOIN stat_versions s ON s.exam_id = e.id WHERE e.id = $1`, examID).Scan(&examVersion, &stats)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, errNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("statistics version of exam %d: %w", examID, err)
	}
	return examVersion + stats, examVersion, nil
}

// ItemStatistics returns the exam's sufficient statistics for the
// population, read in one snapshot from the stat_* rows only (never the
// attempts), and their version (see ItemStatisticsVersion). Returns
// ENOTFOUND if no exam has the id.
func (db *DB) ItemStatistics(ctx context.Context, examID int64, p examhall.Population) (*examhall.ItemStatisticsData, int64, error) {
	var d *examhall.ItemStatisticsData
	var version int64
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var examVersion int64
		var err error
		if version, examVersion, err = itemStatisticsVersion(ctx, tx, examID); err != nil {
			return err
		}
		exam, err := db.examAt(ctx, tx, examID, examVersion)
		if err != nil {
			return err
		}
		d = &examhall.ItemStatisticsData{Exam: exam, Population: p, Items: map[int64][]examhall.ItemCount{},
			Options: map[int64]examhall.OptionCount{}}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(attempts), 0) FROM stat_pending
			WHERE exam_id = $1 AND `+inPopulation, examID, int(p)).Scan(&d.Pending); err != nil {
			return fmt.Errorf("pending of exam %d: %w", examID, err)
		}
		return readItemStatistics(ctx, tx, d)
	})
	if err != nil {
		return nil, 0, err
	}
	return d, version, nil
}

// inPopulation selects the counts of the sets holding population $2.
const inPopulation = `(populations >> CAST($2 AS INTEGER)) & 1 = 1`

// readItemStatistics reads the score, item and option counts into d.
func readItemStatistics(ctx context.Context, tx *Tx, d *examhall.ItemStatisticsData) error {
	examID, p := d.Exam.ID, int(d.Population)
	rows, err := tx.QueryContext(ctx, `SELECT score_h, SUM(attempts) FROM stat_scores
		WHERE exam_id = $1 AND `+inPopulation+` GROUP BY score_h HAVING SUM(attempts) <> 0 ORDER BY score_h`, examID, p)
	if err != nil {
		return fmt.Errorf("score counts of exam %d: %w", examID, err)
	}
	err = scanRows(rows, func() error {
		var s examhall.ScoreCount
		err := rows.Scan((*int64)(&s.Score), &s.Attempts)
		d.Scores = append(d.Scores, s)
		return err
	})
	if err != nil {
		return fmt.Errorf("score counts of exam %d: %w", examID, err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT exam_question_id, marks_h, rest_h, SUM(attempts) FROM stat_items
		WHERE exam_id = $1 AND `+inPopulation+` GROUP BY exam_question_id, marks_h, rest_h HAVING SUM(attempts) <> 0
		ORDER BY exam_question_id, marks_h, rest_h`, examID, p)
	if err != nil {
		return fmt.Errorf("item counts of exam %d: %w", examID, err)
	}
	err = scanRows(rows, func() error {
		var question int64
		var c examhall.ItemCount
		err := rows.Scan(&question, (*int64)(&c.Marks), (*int64)(&c.Rest), &c.Attempts)
		d.Items[question] = append(d.Items[question], c)
		return err
	})
	if err != nil {
		return fmt.Errorf("item counts of exam %d: %w", examID, err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT answer_id, SUM(chosen), SUM(score_sum_h) FROM stat_options
		WHERE exam_id = $1 AND `+inPopulation+` GROUP BY answer_id HAVING SUM(chosen) <> 0`, examID, p)
	if err != nil {
		return fmt.Errorf("option counts of exam %d: %w", examID, err)
	}
	err = scanRows(rows, func() error {
		var answer, chosen, sum int64
		err := rows.Scan(&answer, &chosen, &sum)
		d.Options[answer] = examhall.OptionCount{Chosen: chosen, ScoreSum: decimal.Decimal(sum)}
		return err
	})
	if err != nil {
		return fmt.Errorf("option counts of exam %d: %w", examID, err)
	}
	return nil
}
