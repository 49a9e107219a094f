package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// eventsPerAttempt bounds an attempt's events: an event's id is its
// attempt's id times this plus its number n (see the attempt_events table).
// Past it an attempt's further events are not recorded (a save a second for
// twelve days), so that ids stay unique.
const eventsPerAttempt = 1 << 20

// eventID is the wire id of the attempt's event number n.
func eventID(attemptID, n int64) int64 { return attemptID*eventsPerAttempt + n }

// timelineEvent is an event to record.
type timelineEvent struct {
	attemptID int64
	typ       examhall.AttemptEventType
	at        time.Time
	source    examhall.EventSource
	data      any // marshalled to a JSON object; nil is {}
}

// timeline collects the events of one write, recorded together (write) in
// one statement just before the write saves the attempt: an answer save adds
// one statement and no read.
type timeline []timelineEvent

func (tl *timeline) add(attemptID int64, typ examhall.AttemptEventType, at time.Time, data any) {
	*tl = append(*tl, timelineEvent{attemptID: attemptID, typ: typ, at: at, source: examhall.SourceServer, data: data})
}

// write records the events, numbering each attempt's after its last.
func (tl timeline) write(ctx context.Context, tx *Tx) error {
	for start := 0; start < len(tl); start += rowsPerStatement {
		query, args, err := insertEventsSQL(tl[start:min(start+rowsPerStatement, len(tl))])
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("record attempt events: %w", err)
		}
	}
	return nil
}

// insertEventsSQL is the statement that inserts events (one chunk): each
// numbered after the attempt's last (one step down its primary key) plus
// its place among the chunk's events of that attempt. Writers of one
// attempt's events hold its row (lockAttempt), so numbers never collide.
func insertEventsSQL(events []timelineEvent) (string, []any, error) {
	args := make([]any, 0, 6*len(events)+1)
	args = append(args, eventsPerAttempt)
	values := make([]string, len(events))
	k := map[int64]int{}
	for i, e := range events {
		data := []byte("{}")
		if e.data != nil {
			var err error
			if data, err = json.Marshal(e.data); err != nil {
				return "", nil, fmt.Errorf("event data: %w", err)
			}
		}
		k[e.attemptID]++
		args = append(args, e.attemptID, k[e.attemptID], string(e.typ), micros(e.at), string(e.source), string(data))
		n := len(args)
		values[i] = fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS TEXT))",
			n-5, n-4, n-3, n-2, n-1, n)
	}
	return `INSERT INTO attempt_events (attempt_id, n, type, at, source, data)
		SELECT attempt_id, n, type, at, source, data FROM (
			SELECT v.attempt_id, COALESCE((SELECT MAX(e.n) FROM attempt_events e WHERE e.attempt_id = v.attempt_id), 0) + v.k AS n,
				v.type, v.at, v.source, v.data
			FROM (SELECT column1 AS attempt_id, column2 AS k, column3 AS type, column4 AS at, column5 AS source,
				column6 AS data FROM (VALUES ` + strings.Join(values, ", ") + `) AS given) AS v) AS numbered
		WHERE n < $1`, args, nil
}

// answerShown is an answer as the student API shows it.
type answerShown struct {
	SelectedAnswers []int64 `json:"selected_answers"`
	ShortText       *string `json:"short_text"`
	NumericValue    *string `json:"numeric_value"`
	EssayText       *string `json:"essay_text"`
}

// saveEvents adds the events of one answer save: review_marked or
// review_cleared when the flag changed, answer_saved unless that was all the
// save did (see examhall.TimelineAnswerSaved).
func (tl *timeline) saveEvents(before, after *examhall.UserAnswer, in examhall.AnswerInput, at time.Time) {
	answered := in.SelectedAnswerIDs != nil || in.ShortText != nil || in.NumericValue != nil ||
		in.EssayText != nil || in.Duration != nil
	reviewChanged := before.Review != after.Review
	if answered || !reviewChanged {
		selected := after.SelectedAnswerIDs
		if selected == nil {
			selected = []int64{}
		}
		tl.add(after.AttemptID, examhall.TimelineAnswerSaved, at, struct {
			ExamQuestionID int64       `json:"exam_question_id"`
			Answer         answerShown `json:"answer"`
			DurationAdded  int64       `json:"duration_added"`
		}{after.ExamQuestionID, answerShown{selected, after.ShortText, after.NumericValue, after.EssayText},
			int64((after.Duration - before.Duration) / time.Second)})
	}
	if reviewChanged {
		typ := examhall.TimelineReviewCleared
		if after.Review {
			typ = examhall.TimelineReviewMarked
		}
		tl.add(after.AttemptID, typ, at, struct {
			ExamQuestionID int64 `json:"exam_question_id"`
		}{after.ExamQuestionID})
	}
}

// regraded adds a regraded event when a rescore changed a's score from old.
func (tl *timeline) regraded(a *examhall.Attempt, old decimal.Decimal, at time.Time) {
	if a.Score == old {
		return
	}
	tl.add(a.ID, examhall.TimelineRegraded, at, struct {
		OldScore decimal.Decimal `json:"old_score"`
		NewScore decimal.Decimal `json:"new_score"`
	}{old, a.Score})
}

// AttemptEvents returns a page of the attempt's events, by time then id.
func (db *DB) AttemptEvents(ctx context.Context, attemptID int64, offset, limit int) ([]examhall.AttemptEvent, int, error) {
	var events []examhall.AttemptEvent
	total := 0
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attempts WHERE id = $1)`, attemptID).Scan(&exists); err != nil {
			return fmt.Errorf("attempt %d: %w", attemptID, err)
		}
		if !exists {
			return errNotFound
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM attempt_events WHERE attempt_id = $1`, attemptID).Scan(&total); err != nil {
			return fmt.Errorf("events of attempt %d: %w", attemptID, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT n, type, at, source, data FROM attempt_events
			WHERE attempt_id = $1 ORDER BY at, n LIMIT $2 OFFSET $3`, attemptID, limit, offset)
		if err != nil {
			return fmt.Errorf("events of attempt %d: %w", attemptID, err)
		}
		events = events[:0]
		return scanRows(rows, func() error {
			e, err := scanEvent(rows, attemptID)
			events = append(events, e)
			return err
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return events, total, nil
}

func scanEvent(row interface{ Scan(...any) error }, attemptID int64) (examhall.AttemptEvent, error) {
	e := examhall.AttemptEvent{AttemptID: attemptID}
	var n, at int64
	var data string
	if err := row.Scan(&n, &e.Type, &at, &e.Source, &data); err != nil {
		return e, err
	}
	e.ID, e.At, e.Data = eventID(attemptID, n), fromMicros(at), json.RawMessage(data)
	return e, nil
}

// RecordClientEvent records an integrity signal the student's client
// reports; see examhall.TimelineStore.
func (db *DB) RecordClientEvent(ctx context.Context, userID, attemptID int64, t examhall.AttemptEventType) (*examhall.AttemptEvent, error) {
	if !examhall.IsClientEvent(t) {
		return nil, fieldError("type", fmt.Sprintf(`"%s" is not a valid choice.`, t))
	}
	var recorded *examhall.AttemptEvent
	_, err := db.touchWith(ctx, userID, attemptID, touchPassive,
		func(tx *Tx, a *examhall.Attempt, _ *examhall.Exam, _ *timeline) error {
			if err := running(a); err != nil {
				return err
			}
			now := tx.now.UTC().Truncate(time.Microsecond)
			if err := clientEventRoom(ctx, tx, attemptID, now); err != nil {
				return err
			}
			query, args, err := insertEventsSQL([]timelineEvent{{attemptID: attemptID, typ: t, at: now, source: examhall.SourceClient}})
			if err != nil {
				return err
			}
			var n int64
			err = tx.QueryRowContext(ctx, query+` RETURNING n`, args...).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) { // the attempt's numbers are used up
				return examhall.Errorf(examhall.ETHROTTLED, "This attempt has recorded all the events it may.")
			}
			if err != nil {
				return fmt.Errorf("record client event: %w", err)
			}
			recorded = &examhall.AttemptEvent{ID: eventID(attemptID, n), AttemptID: attemptID, Type: t, At: now,
				Source: examhall.SourceClient, Data: json.RawMessage("{}")}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return recorded, nil
}

// clientEventRoom refuses one more client event of the attempt at now when
// it has recorded MaxClientEventsPerMinute in the minute before, or
// MaxClientEventsPerAttempt in all: counted from the stored events, so that
// every replica counts the same.
func clientEventRoom(ctx context.Context, tx *Tx, attemptID int64, now time.Time) error {
	since := micros(now.Add(-time.Minute))
	var all, recent int
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN at > $2 THEN 1 ELSE 0 END), 0),
		MIN(CASE WHEN at > $2 THEN at END)
		FROM attempt_events WHERE attempt_id = $1 AND source = 'client'`, attemptID, since).Scan(&all, &recent, &oldest); err != nil {
		return fmt.Errorf("count client events: %w", err)
	}
	switch {
	case all >= examhall.MaxClientEventsPerAttempt:
		return examhall.Errorf(examhall.ETHROTTLED, "This attempt has recorded the most client events it may (%d).",
			examhall.MaxClientEventsPerAttempt)
	case recent >= examhall.MaxClientEventsPerMinute:
		wait := fromMicros(oldest.Int64).Add(time.Minute).Sub(now)
		seconds := max(1, int(math.Ceil(wait.Seconds())))
		return &examhall.Error{Code: examhall.ETHROTTLED, RetryAfter: time.Duration(seconds) * time.Second,
			Message: fmt.Sprintf("Request was throttled. Expected available in %d seconds.", seconds)}
	}
	return nil
}
