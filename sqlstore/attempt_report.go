package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
)

// errExpired says that the attempt read has run out of time and must be
// completed before it is reported.
var errExpired = errors.New("attempt ran out of time")

// AttemptReport returns the user's attempt (any user's with AnyUser) with
// everything its reports show, read in one read transaction. An attempt
// found to have run out of time is completed (a write, as on every touch)
// and read again.
func (db *DB) AttemptReport(ctx context.Context, userID, attemptID int64) (*examhall.AttemptReport, error) {
	return db.report(ctx, userID, attemptID, true)
}

// AttemptAnswers is AttemptReport without the user, the sections and the
// placement: what the student's questions list and review show, in a
// statement or three fewer.
func (db *DB) AttemptAnswers(ctx context.Context, userID, attemptID int64) (*examhall.AttemptReport, error) {
	return db.report(ctx, userID, attemptID, false)
}

func (db *DB) report(ctx context.Context, userID, attemptID int64, full bool) (*examhall.AttemptReport, error) {
	rep, err := db.attemptReport(ctx, userID, attemptID, full)
	if errors.Is(err, errExpired) {
		_, err = db.touch(ctx, userID, attemptID, func(*Tx, *examhall.Attempt, *examhall.Exam, *timeline) error { return nil })
		if err != nil && examhall.ErrorCodeOf(err) != examhall.EINVALID { // EINVALID: it ran out, completed now
			return nil, err
		}
		rep, err = db.attemptReport(ctx, userID, attemptID, full)
	}
	return rep, err
}

func (db *DB) attemptReport(ctx context.Context, userID, attemptID int64, full bool) (*examhall.AttemptReport, error) {
	rep := &examhall.AttemptReport{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		a, version, err := attemptWithExamVersion(ctx, tx, userID, attemptID)
		if err != nil {
			return err
		}
		if rep.Exam, err = db.examAt(ctx, tx, a.ExamID, version); err != nil {
			return err
		}
		if a.Clock(db.clock.Now().UTC(), rep.Exam, examhall.DefaultIdleTimeout) != nil {
			return errExpired
		}
		rep.Attempt = a
		if rep.Answers, err = attemptAnswers(ctx, tx, attemptID); err != nil {
			return err
		}
		if rep.Subjects, err = subjectsIn(ctx, tx); err != nil {
			return err
		}
		if !full {
			return nil
		}
		if rep.User, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, a.UserID)); err != nil {
			return fmt.Errorf("user of attempt %d: %w", attemptID, err)
		}
		if rep.Sections, err = attemptSections(ctx, tx, attemptID); err != nil {
			return err
		}
		rep.Rank, rep.Population, rep.Percentile, rep.Ranked, err = rankIn(ctx, tx, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
