package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// attemptColumns are qualified with the table name, so that queries may join.
const attemptColumns = `attempts.id, attempts.exam_id, attempts.user_id, attempts.state, attempts.date,
	attempts.last_started_time, attempts.last_answer_updated_time, attempts.completed_on,
	COALESCE(attempts.institute_attempt_id, ''), attempts.time_taken_us,
	COALESCE(attempts.last_activity_at, attempts.date), attempts.interval_open, attempts.correct_count,
	attempts.incorrect_count, attempts.unanswered_count, attempts.partial_count, attempts.pending_count,
	attempts.score_h, attempts.percentage_h, attempts.result, attempts.speed, attempts.accuracy,
	attempts.in_rank_population`

// scanAttempt reads attemptColumns, then any extra columns into extra.
func scanAttempt(row interface{ Scan(...any) error }, extra ...any) (*examhall.Attempt, error) {
	var a examhall.Attempt
	var date, taken, activity, score, percentage int64
	var started, answered, completed sql.NullInt64
	dest := append([]any{&a.ID, &a.ExamID, &a.UserID, &a.State, &date, &started, &answered, &completed,
		&a.InstituteAttemptID, &taken, &activity, &a.IntervalOpen, &a.Correct, &a.Incorrect, &a.Unanswered,
		&a.Partial, &a.Pending, &score, &percentage, &a.Result, &a.Speed, &a.Accuracy, &a.InRankPopulation}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	a.Date, a.LastActivity = fromMicros(date), fromMicros(activity)
	a.LastStartedTime, a.LastAnswerUpdatedTime, a.CompletedOn = timeOf(started), timeOf(answered), timeOf(completed)
	a.TimeTaken = time.Duration(taken) * time.Microsecond
	a.Score, a.Percentage = decimal.Decimal(score), decimal.Decimal(percentage)
	return &a, nil
}

// saveAttemptChanges saves a, loaded as before: when only its clock moved
// (an answer save, a heartbeat, a resume), only the clock's columns, which
// no index holds; else every column (saveAttempt). A save then updates the
// row without touching any of the attempts table's indexes (on PostgreSQL
// it can be a HOT update; migration 00011 took last_activity_at out of the
// one index that held it; TestAnswerSaveFootprint).
//
// The events of the change, in tl, are recorded with it (timeline.updateAttempt).
func saveAttemptChanges(ctx context.Context, tx *Tx, before, a *examhall.Attempt, tl *timeline) error {
	if !clockOnly(before, a) {
		return saveAttemptWith(ctx, tx, a, tl)
	}
	return tl.updateAttempt(ctx, tx, `last_started_time = $2, last_answer_updated_time = $3,
		time_taken_us = $4, last_activity_at = $5, interval_open = $6`,
		[]any{a.ID, timeArg(a.LastStartedTime), timeArg(a.LastAnswerUpdatedTime), a.TimeTaken.Microseconds(),
			micros(a.LastActivity), a.IntervalOpen})
}

// clockOnly tells whether a differs from before in its clock's fields only.
func clockOnly(before, a *examhall.Attempt) bool {
	b, c := *before, *a
	b.LastStartedTime, b.LastAnswerUpdatedTime, b.TimeTaken, b.LastActivity, b.IntervalOpen = nil, nil, 0, time.Time{}, false
	c.LastStartedTime, c.LastAnswerUpdatedTime, c.TimeTaken, c.LastActivity, c.IntervalOpen = nil, nil, 0, time.Time{}, false
	return b == c
}

// saveAttempt writes every mutable field of a.
func saveAttempt(ctx context.Context, tx *Tx, a *examhall.Attempt) error {
	return saveAttemptWith(ctx, tx, a, &timeline{})
}

// saveAttemptWith is saveAttempt recording the events in tl with it
// (timeline.updateAttempt).
func saveAttemptWith(ctx context.Context, tx *Tx, a *examhall.Attempt, tl *timeline) error {
	return tl.updateAttempt(ctx, tx, `state = $2, last_started_time = $3,
		last_answer_updated_time = $4, completed_on = $5, time_taken_us = $6, last_activity_at = $7,
		interval_open = $8, correct_count = $9, incorrect_count = $10, unanswered_count = $11,
		partial_count = $12, pending_count = $13, score_h = $14, percentage_h = $15, result = $16, speed = $17,
		accuracy = $18, in_rank_population = $19`,
		[]any{a.ID, a.State, timeArg(a.LastStartedTime), timeArg(a.LastAnswerUpdatedTime), timeArg(a.CompletedOn),
			a.TimeTaken.Microseconds(), micros(a.LastActivity), a.IntervalOpen, a.Correct, a.Incorrect, a.Unanswered,
			a.Partial, a.Pending, int64(a.Score), int64(a.Percentage), a.Result, a.Speed, a.Accuracy, a.InRankPopulation})
}

var errNotFound = examhall.Errorf(examhall.ENOTFOUND, "Not found.")

// StartAttempt creates and starts an attempt of the exam for the user. It is
// the one place where a live attempt starts (the state-change point where an
// "attempt started" webhook belongs).
func (db *DB) StartAttempt(ctx context.Context, userID int64, slug, instituteAttemptID string) (*examhall.Attempt, error) {
	var a *examhall.Attempt
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var examID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM exams WHERE slug = $1`, slug).Scan(&examID)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("exam %q: %w", slug, err)
		}
		a, err = startAttempt(ctx, tx, userID, examID, instituteAttemptID, false)
		return err
	})
	return a, err
}

// startAttempt starts an attempt inside tx. An exam reached through a course
// content (viaCourse) need not be published on its own; its batches apply
// either way. An exam the user may not see (unpublished, or batches that do
// not admit them) is not found, before any other rule speaks: "This exam
// has not started yet" would tell a student outside its batches that it
// exists.
func startAttempt(ctx context.Context, tx *Tx, userID, examID int64, instituteAttemptID string, viaCourse bool) (*examhall.Attempt, error) {
	version, err := lockExamVersion(ctx, tx, examID, examShared)
	if err != nil {
		return nil, err
	}
	exam, err := tx.db.examAt(ctx, tx, examID, version)
	if err != nil {
		return nil, err
	}
	if !exam.Published && !viaCourse {
		return nil, errNotFound
	}
	// The user's batches are read in the statement that counts their
	// attempts, which the start runs anyway: no extra round trip on the
	// busiest request of an exam morning.
	var running, completed int
	var open bool
	if err := tx.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END), 0),
		`+examOpenSQL("$2", "$1")+`
		FROM attempts WHERE user_id = $1 AND exam_id = $2`, userID, exam.ID).Scan(&running, &completed, &open); err != nil {
		return nil, fmt.Errorf("count attempts: %w", err)
	}
	if !open {
		return nil, errNotFound
	}
	switch {
	case exam.StartDate != nil && exam.StartDate.After(tx.now):
		return nil, examhall.Errorf(examhall.EINVALID, "This exam has not started yet.")
	case exam.EndDate != nil && !exam.EndDate.After(tx.now):
		return nil, examhall.Errorf(examhall.EINVALID, "This exam has ended.")
	}
	if err := examhall.StartRefusal(exam, running, completed); err != nil {
		return nil, err
	}
	now := tx.now.UTC().Truncate(time.Microsecond)
	a := &examhall.Attempt{ExamID: exam.ID, UserID: userID, State: examhall.AttemptRunning, Date: now,
		InstituteAttemptID: instituteAttemptID, Result: "NA"}
	a.Touch(now)
	// The attempt's chain ends at its started event from the start: the
	// event's id is taken with the attempt's row (nextEventIDSQL).
	var started int64
	err = tx.QueryRowContext(ctx, `INSERT INTO attempts (exam_id, user_id, state, date, last_started_time,
		last_activity_at, interval_open, institute_attempt_id, unanswered_count, result, last_event)
		VALUES ($1, $2, $3, $4, $4, $4, TRUE, $5, $6, $7, `+tx.db.nextEventIDSQL()+`) RETURNING id, last_event`,
		a.ExamID, a.UserID, a.State, micros(now), textArg(instituteAttemptID), len(exam.Questions()), a.Result).Scan(&a.ID, &started)
	if isUniqueViolation(err) { // a parallel start won
		return nil, examhall.Errorf(examhall.EINVALID, "An attempt of this exam is already running; resume it.")
	}
	if err != nil {
		return nil, fmt.Errorf("insert attempt: %w", err)
	}
	a.Unanswered = len(exam.Questions())
	if err := insertBlankAnswers(ctx, tx, a.ID, exam); err != nil {
		return nil, err
	}
	if err := insertBlankSections(ctx, tx, a.ID, exam); err != nil {
		return nil, err
	}
	if err := recordStarted(ctx, tx, a.ID, started, now); err != nil {
		return nil, err
	}
	return a, enqueueExam(ctx, tx, examhall.EventExamStarted, a, exam, nil)
}

// answersPerAttempt bounds the answers of one attempt: an answer's id is its
// attempt's id times this plus its position (see the user_answers table).
const answersPerAttempt = 1 << 16

// answerID is the id of the attempt's answer at position (from 0).
func answerID(attemptID int64, position int) int64 {
	return attemptID*answersPerAttempt + int64(position)
}

// insertBlankAnswers gives the attempt an unanswered row per exam question.
func insertBlankAnswers(ctx context.Context, tx *Tx, attemptID int64, exam *examhall.Exam) error {
	questions := exam.Questions()
	if len(questions) > answersPerAttempt {
		return examhall.Errorf(examhall.EINVALID, "An exam may have at most %d questions.", answersPerAttempt)
	}
	const perStatement = 200
	for start := 0; start < len(questions); start += perStatement {
		chunk := questions[start:min(start+perStatement, len(questions))]
		var values []string
		args := []any{attemptID, micros(tx.now)}
		for i, q := range chunk {
			args = append(args, q.ID, answerID(attemptID, start+i))
			values = append(values, fmt.Sprintf("($1, $%d, $%d, $2)", len(args)-1, len(args)))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_answers (attempt_id, exam_question_id, id, modified) VALUES `+
			strings.Join(values, ", "), args...); err != nil {
			return fmt.Errorf("insert answers: %w", err)
		}
	}
	return nil
}

// insertBlankSections gives the attempt a section row per exam section, all
// unanswered; scoring updates the rows in place, so their ids stay.
func insertBlankSections(ctx context.Context, tx *Tx, attemptID int64, exam *examhall.Exam) error {
	for _, s := range exam.Sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO attempt_sections (attempt_id, section_id, position, unanswered_count)
			VALUES ($1, $2, $3, $4)`, attemptID, s.ID, s.Order, len(s.Questions)); err != nil {
			return fmt.Errorf("insert attempt section: %w", err)
		}
	}
	return nil
}

// examInTx loads an exam with its content inside tx.
func examInTx(ctx context.Context, tx *Tx, query string, arg any) (*examhall.Exam, error) {
	exam, err := scanExam(tx.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("exam: %w", err)
	}
	return exam, loadExamContent(ctx, tx, exam)
}

// touch runs one step of the attempt flow in a write transaction: it locks
// the user's attempt, brings its clock to now, completes it when it has run
// out (and then answers that the attempt has ended, after committing), and
// otherwise applies step and saves the attempt. When step refuses, nothing is
// written: the clock is worked out again from the stored state next time.
// The events of what it did (a pause discovered, a new interval, what step
// adds to its timeline, a completion) are recorded with the save.
func (db *DB) touch(ctx context.Context, userID, attemptID int64,
	step func(tx *Tx, a *examhall.Attempt, exam *examhall.Exam, tl *timeline) error) (*examhall.Attempt, error) {
	return db.touchWith(ctx, userID, attemptID, touchActive, step)
}

// touchKind says what a touch is.
type touchKind int

const (
	touchActive  touchKind = iota // a request of the attempt flow
	touchSweep                    // the background sweep: a completion is by "sweep"
	touchPassive                  // not activity (a client's signal): the clock is not saved unless the attempt ran out
)

// touchWith is touch of a kind.
func (db *DB) touchWith(ctx context.Context, userID, attemptID int64, kind touchKind,
	step func(tx *Tx, a *examhall.Attempt, exam *examhall.Exam, tl *timeline) error) (*examhall.Attempt, error) {
	return db.touchAnswer(ctx, userID, attemptID, 0, kind,
		func(tx *Tx, a *examhall.Attempt, exam *examhall.Exam, _ *examhall.UserAnswer, tl *timeline) error {
			return step(tx, a, exam, tl)
		})
}

// touchAnswer is touchWith whose step is given the attempt's answer
// answerID (nil when it has none), read with the attempt (lockAttempt).
func (db *DB) touchAnswer(ctx context.Context, userID, attemptID, answerID int64, kind touchKind,
	step func(tx *Tx, a *examhall.Attempt, exam *examhall.Exam, ua *examhall.UserAnswer, tl *timeline) error) (*examhall.Attempt, error) {
	var a *examhall.Attempt
	var stepErr error
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var exam *examhall.Exam
		var ua *examhall.UserAnswer
		var tl *timeline
		var err error
		a, exam, ua, tl, err = lockAttempt(ctx, tx, userID, attemptID, answerID)
		if err != nil {
			return err
		}
		wasOpen, lastActivity := a.IntervalOpen, a.LastActivity
		at := a.Clock(tx.now, exam, examhall.DefaultIdleTimeout)
		paused := wasOpen && !a.IntervalOpen
		if paused && (at != nil || kind != touchPassive) {
			tl.add(a.ID, examhall.TimelinePaused, lastActivity, nil)
		}
		if at != nil {
			stepErr = examhall.Errorf(examhall.EINVALID, "This attempt has ended: its time ran out.")
			by := examhall.CompletedByEndDate
			switch {
			case kind == touchSweep:
				by = examhall.CompletedBySweep
			case exam.Duration != nil && a.TimeTaken >= *exam.Duration:
				by = examhall.CompletedByTimeUp
			}
			if err := complete(ctx, tx, a, exam, *at, by, tl); err != nil {
				return err
			}
			if err := saveAttemptWith(ctx, tx, a, tl); err != nil {
				return err
			}
			return restatUser(ctx, tx, a.ExamID, a.UserID)
		}
		before := *a
		mark := len(tl.events)
		if err := step(tx, a, exam, ua, tl); err != nil {
			if examhall.ErrorCodeOf(err) == examhall.EINTERNAL {
				return err
			}
			stepErr = err
			return nil
		}
		if kind == touchPassive { // not activity: the stored clock stays, worked out again next time
			return tl.write(ctx, tx)
		}
		if !before.IntervalOpen && a.IntervalOpen { // the step opened a new interval, after a gap past the idle limit
			now := tx.now.UTC().Truncate(time.Microsecond)
			var reopened timeline
			reopened.add(a.ID, examhall.TimelineHeartbeatGap, now, struct {
				Gap int64 `json:"gap"`
			}{int64(now.Sub(before.LastActivity) / time.Second)})
			reopened.add(a.ID, examhall.TimelineResumed, now, nil)
			tl.events = append(tl.events[:mark], append(reopened.events, tl.events[mark:]...)...)
		}
		if err := saveAttemptChanges(ctx, tx, &before, a, tl); err != nil {
			return err
		}
		if before.State != a.State && a.State == examhall.AttemptCompleted {
			// Completed (End): its statistics, once the row is saved.
			return restatUser(ctx, tx, a.ExamID, a.UserID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, stepErr
}

// lockAttempt reads the user's attempt (any user's with AnyUser) and its
// exam, holding the exam shared and the attempt exclusively until tx ends.
// The exam's version is read under its lock, so the exam (usually from the
// cache) is the one every other replica sees. It returns the attempt's
// timeline, empty, knowing its last event. With an answerID (not 0) it
// reads that answer of the attempt in the same statement (an answer save's
// budget: a statement, on PostgreSQL a round trip, fewer) and returns it,
// or nil when the attempt has no such answer.
func lockAttempt(ctx context.Context, tx *Tx, userID, attemptID, answerID int64) (*examhall.Attempt, *examhall.Exam, *examhall.UserAnswer, *timeline, error) {
	var answer answerScan
	var answerSQL string
	var answerDest []any
	args := []any{attemptID, userID}
	if answerID != 0 {
		answerSQL = `, ` + answerOrZeroColumns
		answerDest, args = answer.dest(), append(args, answerID)
	}
	// answerJoin joins the answer asked for (none when answerID is 0).
	answerJoin := func(join string) string {
		if answerID == 0 {
			return ""
		}
		return ` ` + join + ` user_answers ua ON ua.id = $3 AND ua.attempt_id = attempts.id`
	}
	var version, last, examID int64
	var a *examhall.Attempt
	var err error
	if tx.db.engine == SQLite {
		// The writer's transaction holds the whole database: no row locks,
		// so the attempt and its exam's version come in one statement.
		a, err = scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptColumns+`, exams.version, attempts.last_event`+answerSQL+`
			FROM attempts JOIN exams ON exams.id = attempts.exam_id`+answerJoin("LEFT JOIN")+`
			WHERE attempts.id = $1 AND ($2 = 0 OR attempts.user_id = $2)`, args...),
			append([]any{&version, &last}, answerDest...)...)
		if a != nil {
			examID = a.ExamID
		}
	} else {
		// PostgreSQL: the exam's row first, then the attempt's, in two
		// statements, so that the lock order is certain (see examLock).
		err = tx.QueryRowContext(ctx, `SELECT exams.id, exams.version FROM attempts JOIN exams ON exams.id = attempts.exam_id
			WHERE attempts.id = $1 AND ($2 = 0 OR attempts.user_id = $2)`+tx.db.examLockClause(examShared),
			attemptID, userID).Scan(&examID, &version)
		if err == nil {
			// The answer locked too, so that its row is the newest
			// after a wait for the attempt's lock (read committed: a
			// row not locked would be read as of the statement's start,
			// and a concurrent save of it lost). A lock cannot take the
			// nullable side of an outer join: an inner join, and when
			// it finds nothing, the attempt alone, so that a missing
			// answer means what it does on SQLite.
			lockSQL := ` FOR UPDATE`
			if answerID != 0 {
				lockSQL = ` FOR UPDATE OF attempts, ua`
			}
			a, err = scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptColumns+`, attempts.last_event`+answerSQL+`
				FROM attempts`+answerJoin("JOIN")+`
				WHERE attempts.id = $1 AND ($2 = 0 OR attempts.user_id = $2)`+lockSQL, args...),
				append([]any{&last}, answerDest...)...)
			if answerID != 0 && errors.Is(err, sql.ErrNoRows) {
				a, exam, _, tl, err := lockAttempt(ctx, tx, userID, attemptID, 0)
				return a, exam, nil, tl, err
			}
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("attempt %d: %w", attemptID, err)
	}
	var ua *examhall.UserAnswer
	if answerID != 0 && answer.ua.ID != 0 {
		if ua, err = answer.answer(); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	exam, err := tx.db.examAt(ctx, tx, examID, version)
	return a, exam, ua, timelineOf(a.ID, last), err
}

func running(a *examhall.Attempt) error {
	if a.State != examhall.AttemptRunning {
		return examhall.Errorf(examhall.EINVALID, "This attempt is already completed.")
	}
	return nil
}

// Heartbeat records that the student is still at the attempt.
func (db *DB) Heartbeat(ctx context.Context, userID, attemptID int64) (*examhall.Attempt, error) {
	return db.touch(ctx, userID, attemptID, func(tx *Tx, a *examhall.Attempt, _ *examhall.Exam, _ *timeline) error {
		if err := running(a); err != nil {
			return err
		}
		a.Touch(tx.now.UTC())
		return nil
	})
}

// Resume opens a new running interval (or keeps the open one).
func (db *DB) Resume(ctx context.Context, userID, attemptID int64) (*examhall.Attempt, error) {
	return db.touch(ctx, userID, attemptID, func(tx *Tx, a *examhall.Attempt, _ *examhall.Exam, _ *timeline) error {
		if err := running(a); err != nil {
			return err
		}
		now := tx.now.UTC()
		a.Touch(now)
		a.LastStartedTime = &now
		return nil
	})
}

// End completes the attempt now and scores it.
func (db *DB) End(ctx context.Context, userID, attemptID int64) (*examhall.Attempt, error) {
	a, err := db.touch(ctx, userID, attemptID, func(tx *Tx, a *examhall.Attempt, exam *examhall.Exam, tl *timeline) error {
		if err := running(a); err != nil {
			return err
		}
		return complete(ctx, tx, a, exam, tx.now.UTC(), examhall.CompletedByStudent, tl)
	})
	if examhall.ErrorCodeOf(err) == examhall.EINVALID && a != nil && a.State == examhall.AttemptCompleted {
		return a, nil // ending an ended attempt answers with it, so that a repeated end is harmless
	}
	return a, err
}

// complete is the one place where a live attempt completes (by its end, its
// time running out or its exam closing — the state-change point where an
// "attempt completed" webhook belongs): it scores the attempt's answers,
// writes the results, and places the attempt in its exam's rank population
// when it is the user's earliest-started completed attempt. The attempt's own
// fields are set, not saved: touch saves them. by says why it completed
// (examhall.CompletedBy*), for the completed event it adds to tl.
func complete(ctx context.Context, tx *Tx, a *examhall.Attempt, exam *examhall.Exam, at time.Time, by string, tl *timeline) error {
	a.State, a.CompletedOn, a.IntervalOpen = examhall.AttemptCompleted, &at, false
	// The item statistics' version before the score counts: every change
	// of both takes them in this order, so that none deadlocks another.
	if err := bumpStatVersion(ctx, tx, a.ExamID); err != nil {
		return err
	}
	tl.add(a.ID, examhall.TimelineCompleted, at, struct {
		By string `json:"by"`
	}{by})
	r, err := rescore(ctx, tx, a, exam)
	if err != nil {
		return err
	}
	if err := joinRankPopulation(ctx, tx, a); err != nil {
		return err
	}
	if err := followAttempt(ctx, tx, a); err != nil {
		return err
	}
	return enqueueExam(ctx, tx, examhall.EventExamCompleted, a, exam, &r)
}

// joinRankPopulation places a, just completed, in its exam's rank population
// when it started before the user's ranked attempt of the exam (or there is
// none), which then leaves it: the population is each user's earliest-started
// completed attempt, ties going to the lower id (SPEC §5). Live attempts of
// one user and exam never overlap, so the ranked one is nearly always the
// earlier; an imported history (or the demo's) can hold a running attempt
// started before a completed one. The common case costs what it always did:
// one indexed read of at most one row (attempts_one_ranked). The leaver's
// score is read as it leaves, in one locking statement, so that a regrade
// committed meanwhile cannot make the counts drift. a.InRankPopulation is
// set, not saved: touch saves it after the leaver's row is written, so that
// the two never hold the index's one place at once.
func joinRankPopulation(ctx context.Context, tx *Tx, a *examhall.Attempt) error {
	var rankedID, rankedDate int64
	err := tx.QueryRowContext(ctx, `SELECT id, date FROM attempts WHERE exam_id = $1 AND user_id = $2
		AND in_rank_population`, a.ExamID, a.UserID).Scan(&rankedID, &rankedDate)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("rank population: %w", err)
	case rankedDate < micros(a.Date) || (rankedDate == micros(a.Date) && rankedID < a.ID):
		return nil // a retake: placed against the population without joining it
	default:
		var score int64
		err := tx.QueryRowContext(ctx, `UPDATE attempts SET in_rank_population = FALSE
			WHERE id = $1 AND in_rank_population RETURNING score_h`, rankedID).Scan(&score)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("rank population: %w", err)
		}
		if err == nil {
			if err := countScore(ctx, tx, a.ExamID, decimal.Decimal(score), -1); err != nil {
				return err
			}
		}
	}
	a.InRankPopulation = true
	return countScore(ctx, tx, a.ExamID, a.Score, 1)
}

// rescore scores the attempt's answers and writes each answer's result and
// the attempt's sections; the attempt's own fields are set, not saved. It
// returns the scoring, whose tallies the webhook payloads show.
func rescore(ctx context.Context, tx *Tx, a *examhall.Attempt, exam *examhall.Exam) (scoring.Result, error) {
	answers, err := attemptAnswers(ctx, tx, a.ID)
	if err != nil {
		return scoring.Result{}, err
	}
	subjects, err := subjectsInTx(ctx, tx)
	if err != nil {
		return scoring.Result{}, err
	}
	byQuestion := make(map[int64]*examhall.UserAnswer, len(answers))
	for _, ua := range answers {
		byQuestion[ua.ExamQuestionID] = ua
	}
	r := scoring.NewPaper(exam, subjects).Score(byQuestion, a.TimeTaken)
	var changed []scoring.Judgement
	for _, j := range r.Answers {
		if ua := byQuestion[j.ExamQuestionID]; ua == nil || ua.Result != j.Result || ua.Marks != j.Marks {
			changed = append(changed, j)
		}
	}
	if err := saveJudgements(ctx, tx, a.ID, changed); err != nil {
		return r, err
	}
	if err := saveSections(ctx, tx, a.ID, r.Sections); err != nil {
		return r, err
	}
	a.Correct, a.Incorrect, a.Unanswered, a.Partial, a.Pending = r.Correct, r.Incorrect, r.Unanswered, r.Partial, r.Pending
	a.Score, a.Percentage, a.Result, a.Speed, a.Accuracy = r.Score, r.Percentage, r.Result, r.Speed, r.Accuracy
	return r, nil
}

// rowsPerStatement is how many rows one multi-row statement of the attempt
// flow writes: a few statements per attempt instead of one per question.
const rowsPerStatement = 50

// saveJudgements writes the results and marks of the attempt's judged answers.
func saveJudgements(ctx context.Context, tx *Tx, attemptID int64, judged []scoring.Judgement) error {
	for start := 0; start < len(judged); start += rowsPerStatement {
		chunk := judged[start:min(start+rowsPerStatement, len(judged))]
		args := []any{attemptID}
		values := make([]string, len(chunk))
		for i, j := range chunk {
			args = append(args, j.ExamQuestionID, int64(j.Result), int64(j.Marks))
			n := len(args)
			values[i] = fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS SMALLINT), CAST($%d AS BIGINT))", n-2, n-1, n)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_answers SET result = v.result, marks_h = v.marks
			FROM (SELECT column1 AS question, column2 AS result, column3 AS marks FROM (VALUES `+
			strings.Join(values, ", ")+`) AS judged) AS v
			WHERE user_answers.attempt_id = $1 AND user_answers.exam_question_id = v.question`, args...); err != nil {
			return fmt.Errorf("save answer results: %w", err)
		}
	}
	return nil
}

// saveSections writes the attempt's section tallies, in one statement.
func saveSections(ctx context.Context, tx *Tx, attemptID int64, sections []scoring.SectionScore) error {
	for start := 0; start < len(sections); start += rowsPerStatement {
		chunk := sections[start:min(start+rowsPerStatement, len(sections))]
		args := []any{attemptID}
		values := make([]string, len(chunk))
		for i, s := range chunk {
			values[i] = "($1, " + placeholders(len(args)+1, 8) + ")"
			args = append(args, s.SectionID, s.Order, s.TimeTaken.Microseconds(), s.Correct, s.Incorrect,
				s.Unanswered, s.Partial, int64(s.Score))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attempt_sections (attempt_id, section_id, position,
			time_taken_us, correct_count, incorrect_count, unanswered_count, partial_count, score_h)
			VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (attempt_id, section_id) DO UPDATE SET position = excluded.position,
				time_taken_us = excluded.time_taken_us, correct_count = excluded.correct_count,
				incorrect_count = excluded.incorrect_count, unanswered_count = excluded.unanswered_count,
				partial_count = excluded.partial_count, score_h = excluded.score_h`, args...); err != nil {
			return fmt.Errorf("save attempt sections: %w", err)
		}
	}
	return nil
}

// countScore adds delta attempts at score to the exam's score counts.
func countScore(ctx context.Context, tx *Tx, examID int64, score decimal.Decimal, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO exam_score_counts (exam_id, score_h, attempts) VALUES ($1, $2, $3)
		ON CONFLICT (exam_id, score_h) DO UPDATE SET attempts = exam_score_counts.attempts + excluded.attempts`,
		examID, int64(score), delta)
	if err != nil {
		return fmt.Errorf("count score: %w", err)
	}
	return nil
}

func subjectsInTx(ctx context.Context, tx *Tx) ([]examhall.Subject, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(key, ''), name, COALESCE(parent_id, 0) FROM subjects ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	var subjects []examhall.Subject
	err = scanRows(rows, func() error {
		var s examhall.Subject
		if err := rows.Scan(&s.ID, &s.Key, &s.Name, &s.ParentID); err != nil {
			return err
		}
		subjects = append(subjects, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	return subjects, nil
}

const answerColumns = `ua.id, ua.attempt_id, ua.exam_question_id, ua.selected_answer_ids, ua.short_text,
	ua.numeric_value, ua.essay_text, ua.graded_marks_h, ua.result, ua.marks_h, ua.duration_s, ua.review,
	ua.guessed, ua.modified`

// answerOrZeroColumns are answerColumns from the nullable side of a LEFT
// JOIN: all zero (id 0) when it found no answer.
const answerOrZeroColumns = `COALESCE(ua.id, 0), COALESCE(ua.attempt_id, 0), COALESCE(ua.exam_question_id, 0),
	COALESCE(ua.selected_answer_ids, '[]'), ua.short_text, ua.numeric_value, ua.essay_text, ua.graded_marks_h,
	COALESCE(ua.result, 0), COALESCE(ua.marks_h, 0), COALESCE(ua.duration_s, 0), COALESCE(ua.review, FALSE),
	COALESCE(ua.guessed, FALSE), COALESCE(ua.modified, 0)`

func scanAnswer(row interface{ Scan(...any) error }) (*examhall.UserAnswer, error) {
	var s answerScan
	if err := row.Scan(s.dest()...); err != nil {
		return nil, err
	}
	return s.answer()
}

// answerScan receives answerColumns (or answerOrZeroColumns) among the
// columns of a row.
type answerScan struct {
	ua                       examhall.UserAnswer
	selected                 string
	short, numeric, essay    sql.NullString
	graded                   sql.NullInt64
	marks, seconds, modified int64
}

func (s *answerScan) dest() []any {
	return []any{&s.ua.ID, &s.ua.AttemptID, &s.ua.ExamQuestionID, &s.selected, &s.short, &s.numeric, &s.essay,
		&s.graded, &s.ua.Result, &s.marks, &s.seconds, &s.ua.Review, &s.ua.Guessed, &s.modified}
}

// answer is the answer scanned.
func (s *answerScan) answer() (*examhall.UserAnswer, error) {
	ua := &s.ua
	if err := json.Unmarshal([]byte(s.selected), &ua.SelectedAnswerIDs); err != nil {
		return nil, fmt.Errorf("selected answers of %d: %w", ua.ID, err)
	}
	ua.ShortText, ua.NumericValue, ua.EssayText = stringOf(s.short), stringOf(s.numeric), stringOf(s.essay)
	ua.GradedMarks, ua.Marks = decimalOf(s.graded), decimal.Decimal(s.marks)
	ua.Duration, ua.Modified = time.Duration(s.seconds)*time.Second, fromMicros(s.modified)
	return ua, nil
}

func stringOf(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func stringArg(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// attemptAnswers reads an attempt's answers in exam order.
func attemptAnswers(ctx context.Context, tx *Tx, attemptID int64) ([]*examhall.UserAnswer, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+answerColumns+` FROM user_answers ua
		JOIN exam_questions eq ON eq.id = ua.exam_question_id
		WHERE ua.attempt_id = $1 ORDER BY eq.position`, attemptID)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	var answers []*examhall.UserAnswer
	err = scanRows(rows, func() error {
		ua, err := scanAnswer(rows)
		answers = append(answers, ua)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return answers, nil
}

// SaveAnswer changes one answer of a running attempt; the last write wins.
func (db *DB) SaveAnswer(ctx context.Context, userID, attemptID, answerID int64, in examhall.AnswerInput) (*examhall.UserAnswer, *examhall.Exam, error) {
	var saved *examhall.UserAnswer
	var of *examhall.Exam
	_, err := db.touchAnswer(ctx, userID, attemptID, answerID, touchActive, func(tx *Tx, a *examhall.Attempt,
		exam *examhall.Exam, ua *examhall.UserAnswer, tl *timeline) error {
		of = exam
		if err := running(a); err != nil {
			return err
		}
		if ua == nil {
			return errNotFound
		}
		if err := in.Validate(&exam.Question(ua.ExamQuestionID).Question); err != nil {
			return err
		}
		now := tx.now.UTC()
		before := *ua
		applyAnswer(ua, in, now)
		selected := []byte("null") // json.Marshal's for nil
		if ua.SelectedAnswerIDs != nil {
			selected = appendIDs(make([]byte, 0, 16), ua.SelectedAnswerIDs)
		}
		if err := tl.alongside(ctx, tx, saveAnswerSQL, []any{ua.ID, string(selected), stringArg(ua.ShortText),
			stringArg(ua.NumericValue), stringArg(ua.EssayText), ua.Review, int64(ua.Duration / time.Second),
			micros(now), ua.AttemptID}); err != nil {
			return fmt.Errorf("save answer %d: %w", ua.ID, err)
		}
		a.Touch(now)
		a.LastAnswerUpdatedTime = &now
		tl.saveEvents(&before, ua, in, now)
		saved = ua
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return saved, of, nil
}

// saveAnswerSQL writes an answer's fields: the arguments, from $from, are
// its id, selected_answer_ids, short_text, numeric_value, essay_text,
// review, duration_s, modified and attempt_id.
var saveAnswerSQL = numberedSQL(`UPDATE user_answers SET selected_answer_ids = $2, short_text = $3,
	numeric_value = $4, essay_text = $5, review = $6, duration_s = $7, modified = $8 WHERE attempt_id = $9 AND id = $1`)

func applyAnswer(ua *examhall.UserAnswer, in examhall.AnswerInput, now time.Time) {
	if in.SelectedAnswerIDs != nil {
		ua.SelectedAnswerIDs = append([]int64{}, *in.SelectedAnswerIDs...)
	}
	if in.ShortText != nil {
		ua.ShortText = in.ShortText
	}
	if in.NumericValue != nil {
		ua.NumericValue = in.NumericValue
	}
	if in.EssayText != nil {
		ua.EssayText = in.EssayText
	}
	if in.Review != nil {
		ua.Review = *in.Review
	}
	if in.Duration != nil {
		ua.Duration = examhall.AddAnswerDuration(ua.Duration, in.Duration.Truncate(time.Second))
	}
	ua.Modified = now
}

// Attempt returns the user's attempt with its exam. A running attempt shows
// its clock as of now; one whose time has run out is completed first. With
// the exam in the cache it is one statement; otherwise the attempt is read
// again with the exam in one snapshot.
func (db *DB) Attempt(ctx context.Context, userID, attemptID int64) (*examhall.Attempt, *examhall.Exam, error) {
	a, version, err := attemptWithExamVersion(ctx, db.read, userID, attemptID)
	if err != nil {
		return nil, nil, err
	}
	exam, cached := db.exams.get(a.ExamID, version)
	if !cached {
		err = db.inReadTx(ctx, func(tx *Tx) error {
			var err error
			if a, version, err = attemptWithExamVersion(ctx, tx, userID, attemptID); err != nil {
				return err
			}
			exam, err = db.examAt(ctx, tx, a.ExamID, version)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
	}
	if a.Clock(db.clock.Now().UTC(), exam, examhall.DefaultIdleTimeout) != nil {
		a, err = db.touch(ctx, userID, attemptID, func(*Tx, *examhall.Attempt, *examhall.Exam, *timeline) error { return nil })
		if examhall.ErrorCodeOf(err) == examhall.EINVALID {
			err = nil // the attempt ran out; it is completed now
		}
	}
	return a, exam, err
}

// AttemptPlaced returns the user's attempt with its exam and its placement,
// read in one statement (the attempt, its exam's version and the two sums of
// its exam's score counts) when the exam is cached. A running attempt skips
// the sums.
func (db *DB) AttemptPlaced(ctx context.Context, userID, attemptID int64) (*examhall.Attempt, *examhall.Exam, examhall.Placement, error) {
	a, version, placement, err := attemptPlaced(ctx, db.read, userID, attemptID)
	if err != nil {
		return nil, nil, placement, err
	}
	exam, cached := db.exams.get(a.ExamID, version)
	if !cached {
		err = db.inReadTx(ctx, func(tx *Tx) error {
			var err error
			if a, version, placement, err = attemptPlaced(ctx, tx, userID, attemptID); err != nil {
				return err
			}
			exam, err = db.examAt(ctx, tx, a.ExamID, version)
			return err
		})
		if err != nil {
			return nil, nil, placement, err
		}
	}
	if a.Clock(db.clock.Now().UTC(), exam, examhall.DefaultIdleTimeout) != nil {
		// Its time ran out: completed now (Attempt touches it), then placed.
		if _, _, err := db.Attempt(ctx, userID, attemptID); err != nil {
			return nil, nil, placement, err
		}
		return db.AttemptPlaced(ctx, userID, attemptID)
	}
	return a, exam, placement, nil
}

// attemptPlaced reads the user's attempt, its exam's version and its
// placement in one statement.
func attemptPlaced(ctx context.Context, q queryer, userID, attemptID int64) (*examhall.Attempt, int64, examhall.Placement, error) {
	var version, population, higher int64
	a, err := scanAttempt(q.QueryRowContext(ctx, `SELECT `+attemptColumns+`, exams.version,
		CASE WHEN attempts.state = $3 THEN (SELECT COALESCE(SUM(c.attempts), 0) FROM exam_score_counts c
			WHERE c.exam_id = attempts.exam_id) ELSE 0 END,
		CASE WHEN attempts.state = $3 THEN (SELECT COALESCE(SUM(c.attempts), 0) FROM exam_score_counts c
			WHERE c.exam_id = attempts.exam_id AND c.score_h > attempts.score_h) ELSE 0 END
		FROM attempts JOIN exams ON exams.id = attempts.exam_id
		WHERE attempts.id = $1 AND ($2 = 0 OR attempts.user_id = $2)`, attemptID, userID, int(examhall.AttemptCompleted)),
		&version, &population, &higher)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, examhall.Placement{}, errNotFound
	}
	if err != nil {
		return nil, 0, examhall.Placement{}, fmt.Errorf("attempt %d: %w", attemptID, err)
	}
	return a, version, placementOf(population, higher), nil
}

// placementOf is the placement of an attempt with higher attempts of the
// population scoring above it.
func placementOf(population, higher int64) examhall.Placement {
	if population == 0 {
		return examhall.Placement{}
	}
	return examhall.Placement{Rank: int(higher) + 1, Population: int(population), Ranked: true,
		Percentile: decimal.Decimal(decimal.DivRound((population-higher)*10000, population))}
}

// attemptWithExamVersion reads the user's attempt (any user's with AnyUser)
// and the version of its exam in one statement.
func attemptWithExamVersion(ctx context.Context, q queryer, userID, attemptID int64) (*examhall.Attempt, int64, error) {
	var version int64
	a, err := scanAttempt(q.QueryRowContext(ctx, `SELECT `+attemptColumns+`, exams.version FROM attempts
		JOIN exams ON exams.id = attempts.exam_id
		WHERE attempts.id = $1 AND ($2 = 0 OR attempts.user_id = $2)`, attemptID, userID), &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, errNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("attempt %d: %w", attemptID, err)
	}
	return a, version, nil
}

// AttemptSections returns the attempt's section tallies, by section order.
func (db *DB) AttemptSections(ctx context.Context, attemptID int64) ([]examhall.AttemptSection, error) {
	return attemptSections(ctx, db.read, attemptID)
}

// queryer reads: a pool outside transactions, or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func attemptSections(ctx context.Context, q queryer, attemptID int64) ([]examhall.AttemptSection, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, section_id, position, time_taken_us, correct_count,
		incorrect_count, unanswered_count, partial_count, score_h FROM attempt_sections
		WHERE attempt_id = $1 ORDER BY position`, attemptID)
	if err != nil {
		return nil, fmt.Errorf("sections of attempt %d: %w", attemptID, err)
	}
	sections := []examhall.AttemptSection{}
	err = scanRows(rows, func() error {
		var s examhall.AttemptSection
		var taken, score int64
		if err := rows.Scan(&s.ID, &s.SectionID, &s.Order, &taken, &s.Correct, &s.Incorrect, &s.Unanswered,
			&s.Partial, &score); err != nil {
			return err
		}
		s.TimeTaken, s.Score = time.Duration(taken)*time.Microsecond, decimal.Decimal(score)
		sections = append(sections, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sections of attempt %d: %w", attemptID, err)
	}
	return sections, nil
}

// UserAttempts returns the user's attempts, newest first, as stored.
func (db *DB) UserAttempts(ctx context.Context, userID int64) ([]*examhall.Attempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts WHERE user_id = $1
		ORDER BY date DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("attempts of user %d: %w", userID, err)
	}
	var attempts []*examhall.Attempt
	err = scanRows(rows, func() error {
		a, err := scanAttempt(rows)
		attempts = append(attempts, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("attempts of user %d: %w", userID, err)
	}
	return attempts, nil
}

// Answers returns the user's attempt's answers in exam order.
func (db *DB) Answers(ctx context.Context, userID, attemptID int64) ([]*examhall.UserAnswer, error) {
	var answers []*examhall.UserAnswer
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var owner int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM attempts WHERE id = $1`, attemptID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || (userID != examhall.AnyUser && owner != userID) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("attempt %d: %w", attemptID, err)
		}
		answers, err = attemptAnswers(ctx, tx, attemptID)
		return err
	})
	return answers, err
}

// Rank places a completed attempt against its exam's rank population: a few
// rows of score counts, however many attempts the exam has.
func (db *DB) Rank(ctx context.Context, a *examhall.Attempt) (int, int, decimal.Decimal, bool, error) {
	return rankIn(ctx, db.read, a)
}

func rankIn(ctx context.Context, q queryer, a *examhall.Attempt) (int, int, decimal.Decimal, bool, error) {
	if a.State != examhall.AttemptCompleted {
		return 0, 0, 0, false, nil
	}
	var population, higher int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(attempts), 0),
		COALESCE(SUM(CASE WHEN score_h > $2 THEN attempts ELSE 0 END), 0)
		FROM exam_score_counts WHERE exam_id = $1`, a.ExamID, int64(a.Score)).Scan(&population, &higher)
	if err != nil {
		return 0, 0, 0, false, fmt.Errorf("rank of attempt %d: %w", a.ID, err)
	}
	p := placementOf(population, higher)
	return p.Rank, p.Population, p.Percentile, p.Ranked, nil
}
