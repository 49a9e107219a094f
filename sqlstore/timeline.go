package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// timelineEvent is an event to record.
type timelineEvent struct {
	attemptID int64
	typ       examhall.AttemptEventType
	at        time.Time
	source    examhall.EventSource
	data      any // marshalled to a JSON object; nil is {}
}

// timeline collects the events of one write, recorded together (write) in
// one plain insert with the write: an answer save adds one statement that
// reads nothing. Each event's id (the table's) is given by the insert, in
// the order the events were added.
type timeline struct {
	events []timelineEvent
}

func (tl *timeline) add(attemptID int64, typ examhall.AttemptEventType, at time.Time, data any) {
	tl.events = append(tl.events, timelineEvent{attemptID: attemptID, typ: typ, at: at, source: examhall.SourceServer, data: data})
}

// write records the events and empties tl.
func (tl *timeline) write(ctx context.Context, tx *Tx) error {
	events := tl.events
	tl.events = nil
	for start := 0; start < len(events); start += rowsPerStatement {
		query, args, err := insertEventsSQL(events[start:min(start+rowsPerStatement, len(events))], nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("record attempt events: %w", err)
		}
	}
	return nil
}

// eventData is an event's data as stored: a JSON object.
func eventData(data any) (string, error) {
	if data == nil {
		return "{}", nil
	}
	var b []byte
	var err error
	if m, ok := data.(json.Marshaler); ok { // answerSaved: no reflection on the hot path
		b, err = m.MarshalJSON()
	} else {
		b, err = json.Marshal(data)
	}
	if err != nil {
		return "", fmt.Errorf("event data: %w", err)
	}
	return string(b), nil
}

// insertEventsSQL is the statement that inserts a chunk of events (at most
// rowsPerStatement), whose arguments follow args. The rows are listed in
// the chunk's order, so that their ids follow it.
func insertEventsSQL(events []timelineEvent, args []any) (string, []any, error) {
	from := len(args) + 1
	for _, e := range events {
		data, err := eventData(e.data)
		if err != nil {
			return "", nil, err
		}
		args = append(args, e.attemptID, string(e.typ), micros(e.at), string(e.source), data)
	}
	return plainInsertSQL(from, len(events)), args, nil
}

// withEvents makes query, an UPDATE of the attempt whose events tl holds
// (and whose arguments are args), record them too, and empties tl. On
// PostgreSQL the insert becomes a data-modifying WITH clause of query, so
// that the events cost no round trip of their own (an answer save's budget,
// issue 16); on SQLite, where a statement is a call, they are written
// first, by write.
func (tl *timeline) withEvents(ctx context.Context, tx *Tx, query string, args []any) (string, []any, error) {
	if tx.db.engine != Postgres || len(tl.events) == 0 || len(tl.events) > rowsPerStatement {
		return query, args, tl.write(ctx, tx)
	}
	insert, args, err := insertEventsSQL(tl.events, args)
	if err != nil {
		return "", nil, err
	}
	tl.events = nil
	return "WITH recorded AS (" + insert + ") " + query, args, nil
}

// plainInserts caches plainInsertSQL's texts: an answer save builds none.
var plainInserts sync.Map // [2]int{from, rows} → string

// plainInsertSQL inserts rows events whose arguments start at $from.
func plainInsertSQL(from, rows int) string {
	key := [2]int{from, rows}
	if q, ok := plainInserts.Load(key); ok {
		return q.(string)
	}
	values := make([]string, rows)
	for i := range values {
		values[i] = "(" + placeholders(from+5*i, 5) + ")"
	}
	q := `INSERT INTO attempt_events (attempt_id, type, at, source, data) VALUES ` + strings.Join(values, ", ")
	plainInserts.Store(key, q)
	return q
}

// answerShown is an answer as the student API shows it.
type answerShown struct {
	SelectedAnswers []int64 `json:"selected_answers"`
	ShortText       *string `json:"short_text"`
	NumericValue    *string `json:"numeric_value"`
	EssayText       *string `json:"essay_text"`
}

// answerSaved is the data of an answer_saved event.
type answerSaved struct {
	ExamQuestionID int64       `json:"exam_question_id"`
	Answer         answerShown `json:"answer"`
	DurationAdded  int64       `json:"duration_added"`
}

// MarshalJSON is json.Marshal's output, written without reflection: it runs
// on every answer save.
func (d answerSaved) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 160)
	b = append(b, `{"exam_question_id":`...)
	b = strconv.AppendInt(b, d.ExamQuestionID, 10)
	b = append(b, `,"answer":{"selected_answers":[`...)
	for i, id := range d.Answer.SelectedAnswers {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	b = append(b, ']')
	for _, f := range []struct {
		name  string
		value *string
	}{{"short_text", d.Answer.ShortText}, {"numeric_value", d.Answer.NumericValue}, {"essay_text", d.Answer.EssayText}} {
		b = append(b, `,"`...)
		b = append(b, f.name...)
		b = append(b, `":`...)
		if f.value == nil {
			b = append(b, "null"...)
			continue
		}
		text, err := json.Marshal(*f.value)
		if err != nil {
			return nil, err
		}
		b = append(b, text...)
	}
	b = append(b, `},"duration_added":`...)
	b = strconv.AppendInt(b, d.DurationAdded, 10)
	return append(b, '}'), nil
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
		tl.add(after.AttemptID, examhall.TimelineAnswerSaved, at, answerSaved{after.ExamQuestionID,
			answerShown{selected, after.ShortText, after.NumericValue, after.EssayText},
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
		rows, err := tx.QueryContext(ctx, `SELECT id, type, at, source, data FROM attempt_events
			WHERE attempt_id = $1 ORDER BY at, id LIMIT $2 OFFSET $3`, attemptID, limit, offset)
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
	var at int64
	var data string
	if err := row.Scan(&e.ID, &e.Type, &at, &e.Source, &data); err != nil {
		return e, err
	}
	e.At, e.Data = fromMicros(at), json.RawMessage(data)
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
		func(tx *Tx, a *examhall.Attempt, _ *examhall.Exam, tl *timeline) error {
			if err := running(a); err != nil {
				return err
			}
			now := tx.now.UTC().Truncate(time.Microsecond)
			if err := clientEventRoom(ctx, tx, attemptID, now); err != nil {
				return err
			}
			event := timelineEvent{attemptID: attemptID, typ: t, at: now, source: examhall.SourceClient}
			query, args, err := insertEventsSQL([]timelineEvent{event}, nil)
			if err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id); err != nil {
				return fmt.Errorf("record client event: %w", err)
			}
			recorded = &examhall.AttemptEvent{ID: id, AttemptID: attemptID, Type: t, At: now,
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
