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

// timeline collects the events of one write and records them with it.
//
// Each attempt's events form a chain (migration 00010): an event holds the
// id of its attempt's event before it (prev, 0 for the first) and the
// attempt's row the id of its last (attempts.last_event). Recording an event
// appends a row at the right edge of attempt_events and changes the
// attempt's row, which an answer save updates anyway: no index by attempt
// is touched (issue 16's budget for a save, 1.1 times its cost before the
// timeline; BENCHMARKS.md has what it costs). The timeline is read by
// walking the chain back (eventChainSQL).
type timeline struct {
	events []timelineEvent
	// deferred are statements of the write that ride on the attempt's
	// update on PostgreSQL (alongside).
	deferred []deferredStatement
	// The last recorded event of attemptID is last, when known: the
	// attempt lockAttempt read (under its lock), or the one just written.
	attemptID, last int64
	known           bool
}

// timelineOf is the timeline of an attempt whose last event is last (0:
// none yet).
func timelineOf(attemptID, last int64) *timeline {
	return &timeline{attemptID: attemptID, last: last, known: true}
}

func (tl *timeline) add(attemptID int64, typ examhall.AttemptEventType, at time.Time, data any) {
	tl.events = append(tl.events, timelineEvent{attemptID: attemptID, typ: typ, at: at, source: examhall.SourceServer, data: data})
}

// deferredStatement is a statement of alongside: its text with its
// arguments numbered from a given $n, and those arguments.
type deferredStatement struct {
	sql  func(from int) string
	args []any
}

// alongside runs a statement of the write that changes other rows than the
// attempt's (its text from sql, with its arguments numbered from $1): on
// SQLite now; on PostgreSQL as a data-modifying WITH clause of the update
// of the attempt that follows (updateAttempt, or write when there is
// none), so that an answer save is one round trip fewer.
func (tl *timeline) alongside(ctx context.Context, tx *Tx, sql func(from int) string, args []any) error {
	if tx.db.engine == Postgres {
		tl.deferred = append(tl.deferred, deferredStatement{sql, args})
		return nil
	}
	_, err := tx.ExecContext(ctx, sql(1), args...)
	return err
}

// runDeferred runs the statements alongside left for an update that did
// not come.
func (tl *timeline) runDeferred(ctx context.Context, tx *Tx) error {
	deferred := tl.deferred
	tl.deferred = nil
	for _, d := range deferred {
		if _, err := tx.ExecContext(ctx, d.sql(1), d.args...); err != nil {
			return err
		}
	}
	return nil
}

// numberedSQL returns a statement's text with its arguments ($1, $2, …)
// renumbered from a given $n, cached by n.
func numberedSQL(query string) func(from int) string {
	var texts sync.Map // from → string
	return func(from int) string {
		if q, ok := texts.Load(from); ok {
			return q.(string)
		}
		q := renumber(query, from-1)
		texts.Store(from, q)
		return q
	}
}

// renumber adds by to every $n of query.
func renumber(query string, by int) string {
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		if query[i] != '$' {
			b.WriteByte(query[i])
			continue
		}
		j := i + 1
		for j < len(query) && query[j] >= '0' && query[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(query[i+1 : j])
		if err != nil {
			b.WriteByte('$')
			continue
		}
		b.WriteString("$" + strconv.Itoa(n+by))
		i = j - 1
	}
	return b.String()
}

// write records the events, each after its attempt's last, and empties tl:
// an insert per event and an update of each attempt's chain end. An answer
// save records its events with the attempt's update instead (updateAttempt).
func (tl *timeline) write(ctx context.Context, tx *Tx) error {
	if err := tl.runDeferred(ctx, tx); err != nil {
		return err
	}
	events := tl.events
	tl.events = nil
	for i, e := range events {
		if err := tl.insert(ctx, tx, e); err != nil {
			return err
		}
		if i+1 < len(events) && events[i+1].attemptID == e.attemptID {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET last_event = $2 WHERE id = $1`, e.attemptID, tl.last); err != nil {
			return fmt.Errorf("record attempt events: %w", err)
		}
	}
	return nil
}

// insert records e after its attempt's last event, and makes it the last
// (the attempt's row is not updated: the caller does).
func (tl *timeline) insert(ctx context.Context, tx *Tx, e timelineEvent) error {
	prev, err := tl.lastOf(ctx, tx, e.attemptID)
	if err != nil {
		return err
	}
	args, err := eventArgs(e, prev, nil)
	if err != nil {
		return err
	}
	var id int64
	if tx.db.engine == SQLite {
		// Not RETURNING: SQLite runs it as a second pass over a temporary
		// table, a cost an answer save notices.
		var res sql.Result
		if res, err = tx.ExecContext(ctx, insertEventSQL(1, e), args...); err == nil {
			id, err = res.LastInsertId()
		}
	} else {
		err = tx.QueryRowContext(ctx, insertEventSQL(1, e)+` RETURNING id`, args...).Scan(&id)
	}
	if err != nil {
		return fmt.Errorf("record attempt events: %w", err)
	}
	tl.attemptID, tl.last, tl.known = e.attemptID, id, true
	return nil
}

// nextEventIDSQL is an SQL expression that takes the id of the next event
// to record: on SQLite, whose one writer holds the database, the id its
// insert would give (a rowid: one past the largest); on PostgreSQL the
// next of the identity's sequence.
func (db *DB) nextEventIDSQL() string {
	if db.engine == Postgres {
		return `nextval(pg_get_serial_sequence('attempt_events', 'id'))`
	}
	return `(SELECT COALESCE(MAX(id), 0) + 1 FROM attempt_events)`
}

// recordStarted records the started event of a new attempt at at, as the
// event id, which the attempt's row already holds as its last (its insert
// took it with nextEventIDSQL): a start writes its chain's end with no
// statement of its own.
func recordStarted(ctx context.Context, tx *Tx, attemptID, id int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO attempt_events (id, attempt_id, prev, type, at, source, data)
		VALUES ($1, $2, 0, $3, $4, $5, '{}')`, id, attemptID, string(examhall.TimelineStarted), micros(at),
		string(examhall.SourceServer)); err != nil {
		return fmt.Errorf("record attempt events: %w", err)
	}
	return nil
}

// lastOf returns the id of the attempt's last event (0: none).
func (tl *timeline) lastOf(ctx context.Context, tx *Tx, attemptID int64) (int64, error) {
	if tl.known && tl.attemptID == attemptID {
		return tl.last, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT last_event FROM attempts WHERE id = $1`, attemptID).Scan(&last); err != nil {
		return 0, fmt.Errorf("last event of attempt %d: %w", attemptID, err)
	}
	return last, nil
}

// updateAttempt runs UPDATE attempts SET set WHERE id = $1 (args: the
// attempt's id, then set's), recording tl's events, all of that attempt,
// with it: the update takes the chain's new end. On PostgreSQL the last
// event's insert, and the statements alongside deferred, are data-modifying
// WITH clauses of the update, so that an answer save's event and answer
// cost no round trip of their own; on SQLite, where a statement is a call,
// each is a statement of its own.
func (tl *timeline) updateAttempt(ctx context.Context, tx *Tx, set string, args []any) error {
	events, deferred := tl.events, tl.deferred
	tl.events, tl.deferred = nil, nil
	attemptID := args[0].(int64)
	for _, e := range events {
		if e.attemptID != attemptID {
			return fmt.Errorf("an event of attempt %d recorded with attempt %d", e.attemptID, attemptID)
		}
	}
	var with []string
	for i, d := range deferred { // PostgreSQL's: SQLite ran them
		with = append(with, `alongside`+strconv.Itoa(i)+` AS (`+d.sql(len(args)+1)+`)`)
		args = append(args, d.args...)
	}
	lastEvent := ""
	if len(events) > 0 {
		separate := len(events)
		if tx.db.engine == Postgres {
			separate--
		}
		for _, e := range events[:separate] {
			if err := tl.insert(ctx, tx, e); err != nil {
				return err
			}
		}
		if separate == len(events) {
			args = append(args, tl.last)
			lastEvent = `, last_event = $` + strconv.Itoa(len(args))
		} else {
			prev, err := tl.lastOf(ctx, tx, attemptID)
			if err != nil {
				return err
			}
			from := len(args) + 1
			if args, err = eventArgs(events[separate], prev, args); err != nil {
				return err
			}
			with = append(with, `recorded AS (`+insertEventSQL(from, events[separate])+` RETURNING id)`)
			lastEvent = `, last_event = (SELECT id FROM recorded)`
			tl.known = false // the chain's end is known to the database only
		}
	}
	query := `UPDATE attempts SET ` + set + lastEvent + ` WHERE id = $1`
	if len(with) > 0 {
		query = `WITH ` + strings.Join(with, `, `) + ` ` + query
	}
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("save attempt %d: %w", attemptID, err)
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

// eventArgs appends the arguments of insertEventSQL for e, recorded after
// the event prev, to args.
func eventArgs(e timelineEvent, prev int64, args []any) ([]any, error) {
	data, err := eventData(e.data)
	if err != nil {
		return nil, err
	}
	return append(args, e.attemptID, prev, micros(e.at), data), nil
}

// eventInserts caches insertEventSQL's texts: an answer save builds none.
var eventInserts sync.Map // eventInsertKey → string

type eventInsertKey struct {
	from   int
	typ    examhall.AttemptEventType
	source examhall.EventSource
}

// insertEventSQL inserts one event of e's type and source, whose other
// values (eventArgs) start at $from. The type and the source are written
// into the text (they come from the code, never from a request), so that
// a save binds no more strings than its data.
func insertEventSQL(from int, e timelineEvent) string {
	key := eventInsertKey{from, e.typ, e.source}
	if q, ok := eventInserts.Load(key); ok {
		return q.(string)
	}
	if !validEventType(e.typ) || (e.source != examhall.SourceServer && e.source != examhall.SourceClient) {
		panic(fmt.Sprintf("event %q from %q", e.typ, e.source)) // a bug: types and sources are the code's own
	}
	q := `INSERT INTO attempt_events (attempt_id, prev, type, at, source, data) VALUES ($` + strconv.Itoa(from) +
		`, $` + strconv.Itoa(from+1) + `, '` + string(e.typ) + `', $` + strconv.Itoa(from+2) + `, '` + string(e.source) +
		`', $` + strconv.Itoa(from+3) + `)`
	eventInserts.Store(key, q)
	return q
}

// validEventType tells whether t is a type of event examhall records, in
// the letters and underscores that it can be written in SQL text with.
func validEventType(t examhall.AttemptEventType) bool {
	for _, c := range t {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return t != ""
}

// eventChainSQL begins a statement with the common table expression
// chain(id): the ids of the events of the chains whose ends (last_event
// values, none 0) the query start selects, walked back by primary key. The
// walk stops at a prev that is not smaller than its event's id, which no
// chain has (ids grow), so that no damaged chain loops.
func eventChainSQL(start string) string {
	return `WITH RECURSIVE chain(id) AS (` + start + ` UNION ALL
		SELECT e.prev FROM chain JOIN attempt_events e ON e.id = chain.id WHERE e.prev <> 0 AND e.prev < e.id) `
}

// deleteUserEvents deletes the events of the user's attempts: what a
// deletion of the user (which cascades to the attempts) leaves of them.
func deleteUserEvents(ctx context.Context, tx *Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, eventChainSQL(`SELECT last_event FROM attempts WHERE user_id = $1 AND last_event <> 0`)+
		`DELETE FROM attempt_events WHERE id IN (SELECT id FROM chain)`, userID); err != nil {
		return fmt.Errorf("delete the events of user %d: %w", userID, err)
	}
	return nil
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
	b = append(b, `,"answer":{"selected_answers":`...)
	b = appendIDs(b, d.Answer.SelectedAnswers)
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

// appendIDs appends ids as a JSON array (json.Marshal's output for a
// non-nil slice, without reflection: every save writes one).
func appendIDs(b []byte, ids []int64) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
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
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attempts WHERE id = $1)`, attemptID).Scan(&exists); err != nil {
			return fmt.Errorf("attempt %d: %w", attemptID, err)
		}
		if !exists {
			return errNotFound
		}
		rows, err := tx.QueryContext(ctx, eventChainSQL(`SELECT last_event FROM attempts WHERE id = $1 AND last_event <> 0`)+
			`SELECT e.id, e.type, e.at, e.source, e.data FROM chain JOIN attempt_events e ON e.id = chain.id
			ORDER BY e.at, e.id`, attemptID)
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
	// A timeline is a few hundred events: read whole (a chain is walked
	// from its end), paged here.
	total := len(events)
	return events[min(offset, total):min(offset+limit, total)], total, nil
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
			tl.events = append(tl.events, timelineEvent{attemptID: attemptID, typ: t, at: now, source: examhall.SourceClient})
			if err := tl.write(ctx, tx); err != nil {
				return err
			}
			id := tl.last
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
