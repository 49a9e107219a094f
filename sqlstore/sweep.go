package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/examhall/examhall"
)

// ExpireAttempts completes every running attempt whose time has run out or
// whose exam has closed, exactly as its next touch would, and returns how
// many it completed. Replicas may sweep at once: each completion locks its
// attempt, and one already completed is left alone.
func (db *DB) ExpireAttempts(ctx context.Context) (int, error) {
	// No authenticated request read the settings version for the sweep: a
	// webhook setting changed on another replica applies here too.
	if err := db.RefreshSettings(ctx); err != nil {
		return 0, err
	}
	type running struct {
		examhall.Attempt
		duration, endDate sql.NullInt64
	}
	rows, err := db.read.QueryContext(ctx, runningAttemptsSQL)
	if err != nil {
		return 0, fmt.Errorf("running attempts: %w", err)
	}
	var candidates []running
	err = scanRows(rows, func() error {
		var r running
		var taken, activity int64
		if err := rows.Scan(&r.ID, &r.UserID, &r.ExamID, &taken, &activity, &r.IntervalOpen, &r.duration, &r.endDate); err != nil {
			return err
		}
		r.State, r.TimeTaken, r.LastActivity = examhall.AttemptRunning, time.Duration(taken)*time.Microsecond, fromMicros(activity)
		candidates = append(candidates, r)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("running attempts: %w", err)
	}
	now := db.clock.Now()
	expired := 0
	for _, r := range candidates {
		exam := &examhall.Exam{Duration: durationOf(r.duration), EndDate: timeOf(r.endDate)}
		if r.Clock(now, exam, examhall.DefaultIdleTimeout) == nil {
			continue
		}
		a, err := db.touchWith(ctx, r.UserID, r.ID, touchSweep, func(*Tx, *examhall.Attempt, *examhall.Exam, *timeline) error { return nil })
		if err != nil && examhall.ErrorCodeOf(err) != examhall.EINVALID {
			return expired, err
		}
		if a != nil && a.State == examhall.AttemptCompleted {
			expired++
		}
	}
	return expired, nil
}

// runningAttemptsSQL selects the running attempts of exams with a duration
// or an end date, for the sweep. The planners read them through an index
// (TestSweepPlans): one led by state, or attempts_one_running (whose rows
// are the running attempts). No index holds last_activity_at, which every
// answer save moves (migration 00011).
const runningAttemptsSQL = `SELECT a.id, a.user_id, a.exam_id, a.time_taken_us,
	COALESCE(a.last_activity_at, a.date), a.interval_open, e.duration_us, e.end_date
	FROM attempts a JOIN exams e ON e.id = a.exam_id
	WHERE a.state = 0 AND (e.duration_us IS NOT NULL OR e.end_date IS NOT NULL)`

// ExplainExpireAttempts returns the engine's plan for the sweep's query of
// the running attempts (ExpireAttempts), one line per plan step, as
// ExplainAttemptList does for the attempts list.
func (db *DB) ExplainExpireAttempts(ctx context.Context) ([]string, error) {
	return db.explain(ctx, runningAttemptsSQL, nil)
}

// PruneLoginFailures deletes the failure counts whose latest failure was at or
// before before: a window after it they are forgotten and limit no one. The
// latest failure is the later of last_failure and window_start (see
// latestFailure), so rows of replicas older than migration 00003 are kept.
func (db *DB) PruneLoginFailures(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_failure <= $1 AND window_start <= $1`, micros(before))
		if err != nil {
			return fmt.Errorf("prune login failures: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
