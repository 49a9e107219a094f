package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

// The bulk path loads history that was scored outside the attempt flow (the
// demo institute): many rows per statement, ids reserved up front so that
// attempts, their answers and their sections go in together. It writes the
// same rows the attempt flow writes; only the way they get there differs.

// InsertStudents inserts users as they are (DateJoined included), in one
// transaction, setting their IDs. Their batches are created when missing.
// passwordHash is shared by all of them ("" = none can log in).
func (db *DB) InsertStudents(ctx context.Context, users []*examhall.User, passwordHash string) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		ids, err := reserveIDs(ctx, tx, "users", len(users))
		if err != nil {
			return err
		}
		rows := newBulkInsert(tx, "users", "id", "username", "username_key", "email", "email_key",
			"search_text", "first_name", "last_name", "phone", "role", "password_hash", "is_active",
			"is_blocked", "date_joined")
		defer rows.close()
		batchIDs := map[string]int64{}
		var members [][2]int64
		for i, u := range users {
			if err := u.Validate(); err != nil {
				return fmt.Errorf("user %q: %w", u.Username, err)
			}
			u.ID = ids[i]
			if err := rows.add(ctx, u.ID, u.Username, examhall.UsernameKey(u.Username), u.Email,
				strings.ToLower(u.Email), searchText(u), u.FirstName, u.LastName, u.Phone, u.Role,
				passwordHash, u.IsActive, u.IsBlocked, micros(u.DateJoined)); err != nil {
				return err
			}
			for _, name := range u.Batches {
				if _, ok := batchIDs[name]; !ok {
					var id int64
					if err := tx.QueryRowContext(ctx, `INSERT INTO batches (name) VALUES ($1)
						ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`, name).Scan(&id); err != nil {
						return fmt.Errorf("create batch %q: %w", name, err)
					}
					batchIDs[name] = id
				}
				members = append(members, [2]int64{u.ID, batchIDs[name]})
			}
		}
		if err := rows.flush(ctx); err != nil {
			return err
		}
		links := newBulkInsert(tx, "user_batches", "", "user_id", "batch_id")
		defer links.close()
		for _, m := range members {
			if err := links.add(ctx, m[0], m[1]); err != nil {
				return err
			}
		}
		return links.flush(ctx)
	})
}

// InsertAttempts inserts the attempts with their answers and sections in one
// transaction, setting the attempts' IDs. It does not touch the rank counts:
// CountScores does, when the load is done.
func (db *DB) InsertAttempts(ctx context.Context, batch []examhall.AttemptRecord) error {
	if db.engine == Postgres {
		return db.copyAttempts(ctx, batch)
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		ids, err := reserveIDs(ctx, tx, "attempts", len(batch))
		if err != nil {
			return err
		}
		// Attempts first: the answers and sections refer to them.
		for _, t := range attemptTables(batch, ids) {
			rows := newBulkInsert(tx, t.name, "", t.columns...)
			for _, values := range t.rows {
				if err := rows.add(ctx, values...); err != nil {
					rows.close()
					return err
				}
			}
			err := rows.flush(ctx)
			rows.close()
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// bulkTable is rows to insert into one table.
type bulkTable struct {
	name    string
	columns []string
	rows    [][]any
}

// attemptTables gives the records their ids and lays them out as the rows of
// attempts, user_answers and attempt_sections, in that order.
func attemptTables(batch []examhall.AttemptRecord, ids []int64) []bulkTable {
	attempts := bulkTable{name: "attempts", columns: []string{"id", "exam_id", "user_id", "state", "date",
		"last_started_time", "last_answer_updated_time", "last_activity_at", "interval_open",
		"completed_on", "time_taken_us", "institute_attempt_id", "correct_count", "incorrect_count",
		"unanswered_count", "partial_count", "pending_count", "score_h", "percentage_h", "result",
		"speed", "accuracy", "in_rank_population"}}
	answers := bulkTable{name: "user_answers", columns: []string{"attempt_id", "exam_question_id", "id",
		"selected_answer_ids", "short_text", "numeric_value", "essay_text", "result", "marks_h",
		"graded_marks_h", "duration_s", "review", "guessed", "modified"}}
	sections := bulkTable{name: "attempt_sections", columns: []string{"attempt_id", "section_id", "position",
		"time_taken_us", "correct_count", "incorrect_count", "unanswered_count", "partial_count", "score_h"}}
	for i := range batch {
		b := &batch[i]
		a := &b.Attempt
		a.ID = ids[i]
		attempts.rows = append(attempts.rows, []any{a.ID, a.ExamID, a.UserID, int64(a.State), micros(a.Date),
			timeArg(a.LastStartedTime), timeArg(a.LastAnswerUpdatedTime), micros(a.LastActivity),
			a.IntervalOpen, timeArg(a.CompletedOn), a.TimeTaken.Microseconds(), textArg(a.InstituteAttemptID),
			int64(a.Correct), int64(a.Incorrect), int64(a.Unanswered), int64(a.Partial), int64(a.Pending),
			int64(a.Score), int64(a.Percentage), a.Result, int64(a.Speed), int64(a.Accuracy), a.InRankPopulation})
		for j := range b.Answers {
			ua := &b.Answers[j]
			var graded any
			if ua.GradedMarks != nil {
				graded = int64(*ua.GradedMarks)
			}
			answers.rows = append(answers.rows, []any{a.ID, ua.ExamQuestionID, answerID(a.ID, j),
				selectedText(ua.SelectedAnswerIDs), stringArg(ua.ShortText), stringArg(ua.NumericValue),
				stringArg(ua.EssayText), int64(ua.Result), int64(ua.Marks), graded, int64(ua.Duration.Seconds()),
				ua.Review, ua.Guessed, micros(ua.Modified)})
		}
		for _, s := range b.Sections {
			sections.rows = append(sections.rows, []any{a.ID, s.SectionID, int64(s.Order), s.TimeTaken.Microseconds(),
				int64(s.Correct), int64(s.Incorrect), int64(s.Unanswered), int64(s.Partial), int64(s.Score)})
		}
	}
	return []bulkTable{attempts, answers, sections}
}

// selectedText is the stored form of chosen answer ids: a JSON array.
func selectedText(ids []int64) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// CountScores rebuilds the rank counts of the exams from their ranked
// attempts, and their item statistics, after a bulk load.
func (db *DB) CountScores(ctx context.Context, examIDs []int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		for _, id := range examIDs {
			if err := lockExam(ctx, tx, id, examExclusive); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM exam_score_counts WHERE exam_id = $1`, id); err != nil {
				return fmt.Errorf("clear score counts: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO exam_score_counts (exam_id, score_h, attempts)
				SELECT exam_id, score_h, count(*) FROM attempts WHERE exam_id = $1 AND in_rank_population
				GROUP BY exam_id, score_h`, id); err != nil {
				return fmt.Errorf("count scores: %w", err)
			}
			if err := rebuildItemStatistics(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// reserveIDs returns n fresh ids of table, never used before: on SQLite the
// next ones after the AUTOINCREMENT high-water mark (the write transaction
// holds the only writer), on PostgreSQL drawn from the identity sequence.
func reserveIDs(ctx context.Context, tx *Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if tx.db.engine == SQLite {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = $1`, table).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("reserve %s ids: %w", table, err)
		}
		for i := range n {
			ids = append(ids, last+1+int64(i))
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	err = scanRows(rows, func() error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	return ids, nil
}

// bulkInsert writes rows into one table, many rows per INSERT statement.
type bulkInsert struct {
	tx      *Tx
	head    string // INSERT INTO t (columns)
	columns int
	perStmt int // rows per full statement
	full    *sql.Stmt
	pending []any
}

// maxBulkArgs stays under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const maxBulkArgs = 16000

// newBulkInsert prepares inserts into table. idColumn names an id column whose
// values the caller supplies ("" when the table assigns them); PostgreSQL's
// identity columns must be told so.
func newBulkInsert(tx *Tx, table, idColumn string, columns ...string) *bulkInsert {
	if idColumn != "" {
		columns = append([]string{idColumn}, columns...)
	}
	head := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) `
	if idColumn != "" && tx.db.engine == Postgres {
		head += `OVERRIDING SYSTEM VALUE `
	}
	return &bulkInsert{tx: tx, head: head, columns: len(columns), perStmt: min(1000, maxBulkArgs/len(columns))}
}

func (b *bulkInsert) add(ctx context.Context, values ...any) error {
	b.pending = append(b.pending, values...)
	if len(b.pending) < b.perStmt*b.columns {
		return nil
	}
	if b.full == nil {
		stmt, err := b.tx.PrepareContext(ctx, b.statement(b.perStmt))
		if err != nil {
			return fmt.Errorf("prepare %s: %w", b.head, err)
		}
		b.full = stmt
	}
	b.tx.db.statements.Add(1)
	if _, err := b.full.ExecContext(ctx, b.pending...); err != nil {
		return fmt.Errorf("%s: %w", b.head, err)
	}
	b.pending = b.pending[:0]
	return nil
}

// flush writes the rows still pending.
func (b *bulkInsert) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	if _, err := b.tx.ExecContext(ctx, b.statement(len(b.pending)/b.columns), b.pending...); err != nil {
		return fmt.Errorf("%s: %w", b.head, err)
	}
	b.pending = b.pending[:0]
	return nil
}

func (b *bulkInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}

func (b *bulkInsert) statement(rows int) string {
	var s strings.Builder
	s.WriteString(b.head)
	s.WriteString("VALUES ")
	n := 1
	for r := range rows {
		if r > 0 {
			s.WriteString(", ")
		}
		s.WriteString("(")
		for c := range b.columns {
			if c > 0 {
				s.WriteString(", ")
			}
			// SQLite gets anonymous placeholders: its driver looks each
			// numbered one up by name, in time growing with their number.
			if b.tx.db.engine == SQLite {
				s.WriteString("?")
			} else {
				fmt.Fprintf(&s, "$%d", n)
				n++
			}
		}
		s.WriteString(")")
	}
	return s.String()
}

// HoldsInstitute reports whether the database has any exam or student: the
// demo loads only into a database without them.
func (db *DB) HoldsInstitute(ctx context.Context) (bool, error) {
	var held bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM exams) OR EXISTS (SELECT 1 FROM users WHERE role = 'student')`).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("look for an institute: %w", err)
	}
	return held, nil
}

// InsertContentAttempts inserts chapter content attempts made outside the
// progress flow (see examhall.HistoryStore), one content at a time: the
// demo makes a few hundred, not millions.
func (db *DB) InsertContentAttempts(ctx context.Context, records []examhall.ContentAttemptRecord) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		for i := range records {
			if err := insertContentAttempt(ctx, tx, &records[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertContentAttempt writes one record with the row it links to, the way
// OpenContent and the progress steps would have left them.
func insertContentAttempt(ctx context.Context, tx *Tx, rec *examhall.ContentAttemptRecord) error {
	var chapterID, courseID int64
	var kind examhall.ContentType
	var examID, videoID, notesID, attachmentID, conferenceID, streamID, videoSeconds sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT cc.chapter_id, ch.course_id, cc.content_type, cc.exam_id, cc.video_id,
		cc.notes_id, cc.attachment_id, cc.video_conference_id, cc.live_stream_id, v.duration_s
		FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id LEFT JOIN videos v ON v.id = cc.video_id
		WHERE cc.id = $1`, rec.ChapterContentID).Scan(&chapterID, &courseID, &kind, &examID, &videoID, &notesID,
		&attachmentID, &conferenceID, &streamID, &videoSeconds)
	if errors.Is(err, sql.ErrNoRows) {
		return examhall.Errorf(examhall.EINVALID, "Chapter content %d does not exist.", rec.ChapterContentID)
	}
	if err != nil {
		return fmt.Errorf("chapter content %d: %w", rec.ChapterContentID, err)
	}
	created := micros(rec.Created)
	var link struct {
		column string
		id     any
	}
	insert := func(query string, args ...any) error {
		var id int64
		if err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id); err != nil {
			return fmt.Errorf("content attempt of user %d at content %d: %w", rec.UserID, rec.ChapterContentID, err)
		}
		link.id = id
		return nil
	}
	switch kind {
	case examhall.ContentExam, examhall.ContentQuiz:
		link.column, link.id = "attempt_id", rec.AttemptID
	case examhall.ContentVideo:
		link.column = "user_video_id"
		watched, seconds := int64(rec.WatchedPercentage), videoSeconds.Int64
		state := 0
		if watched >= examhall.VideoCompleteAt {
			state = 1
		}
		err = insert(`INSERT INTO user_videos (user_id, video_id, created, watched_percentage, position_s, remaining_duration_s, state)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, rec.UserID, videoID.Int64, created, watched, seconds*watched/100,
			seconds*(100-watched)/100, state)
	case examhall.ContentNotes:
		link.column = "user_notes_id"
		err = insert(`INSERT INTO user_notes (user_id, notes_id, created, completed_on) VALUES ($1, $2, $3, $4)`,
			rec.UserID, notesID.Int64, created, timeArg(rec.CompletedOn))
	case examhall.ContentAttachment:
		link.column = "user_attachment_id"
		err = insert(`INSERT INTO user_attachments (user_id, attachment_id, created, completed_on) VALUES ($1, $2, $3, $4)`,
			rec.UserID, attachmentID.Int64, created, timeArg(rec.CompletedOn))
	case examhall.ContentLiveStream:
		link.column = "user_live_stream_id"
		err = insert(`INSERT INTO user_live_streams (user_id, live_stream_id, created) VALUES ($1, $2, $3)`,
			rec.UserID, streamID.Int64, created)
	case examhall.ContentVideoConference:
		// Attendance as Join and Leave keep it: the first join, the last
		// leave, the seconds of all sessions.
		link.column = "user_video_conference_id"
		var joined, left *time.Time
		var seconds int64
		for _, s := range rec.Sessions {
			if joined == nil {
				joined = &s.Joined
			}
			left = &s.Left
			seconds += (micros(s.Left) - micros(s.Joined)) / 1_000_000
		}
		err = insert(`INSERT INTO user_video_conferences (user_id, video_conference_id, created, join_time, leave_time, duration_s)
			VALUES ($1, $2, $3, $4, $5, $6)`, rec.UserID, conferenceID.Int64, created, timeArg(joined), timeArg(left), seconds)
		for _, s := range rec.Sessions {
			if err != nil {
				break
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO video_conference_sessions (user_video_conference_id, joined_at, left_at)
				VALUES ($1, $2, $3)`, link.id, micros(s.Joined), micros(s.Left))
		}
	default:
		return examhall.Errorf(examhall.EINVALID, "Chapter content %d has an unknown type.", rec.ChapterContentID)
	}
	if err != nil {
		return err
	}
	var exam any
	if examID.Valid {
		exam = examID.Int64
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO chapter_content_attempts (user_id, chapter_content_id, chapter_id,
		course_id, content_type, exam_id, state, created, completed_on, `+link.column+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, rec.UserID, rec.ChapterContentID, chapterID, courseID, int(kind),
		exam, int(rec.State), created, timeArg(rec.CompletedOn), link.id); err != nil {
		return fmt.Errorf("content attempt of user %d at content %d: %w", rec.UserID, rec.ChapterContentID, err)
	}
	return nil
}

// ResetSharedPassword re-sets the demo students' shared password (see
// examhall.HistoryStore) in one transaction: the students still holding the
// recorded hash get the new one, which is recorded in its place.
func (db *DB) ResetSharedPassword(ctx context.Context, passwordHash string) (int, error) {
	var changed int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, examhall.SettingDemoPasswordHash).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("demo password: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE role = 'student' AND password_hash = $2`,
			passwordHash, old)
		if err != nil {
			return fmt.Errorf("demo password: %w", err)
		}
		if changed, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("demo password: %w", err)
		}
		return putSetting(ctx, tx, examhall.SettingDemoPasswordHash, passwordHash)
	})
	return int(changed), err
}
