package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

const contentAttemptColumns = `id, user_id, chapter_content_id, chapter_id, course_id, content_type,
	COALESCE(exam_id, 0), state, created, completed_on, COALESCE(attempt_id, 0), COALESCE(user_video_id, 0),
	COALESCE(user_video_conference_id, 0), COALESCE(user_live_stream_id, 0), COALESCE(user_notes_id, 0),
	COALESCE(user_attachment_id, 0)`

func scanContentAttempt(row interface{ Scan(...any) error }) (*examhall.ContentAttempt, error) {
	var ca examhall.ContentAttempt
	var created int64
	var completed sql.NullInt64
	if err := row.Scan(&ca.ID, &ca.UserID, &ca.ChapterContentID, &ca.ChapterID, &ca.CourseID, &ca.Type, &ca.ExamID,
		&ca.State, &created, &completed, &ca.AttemptID, &ca.UserVideoID, &ca.UserVideoConferenceID,
		&ca.UserLiveStreamID, &ca.UserNotesID, &ca.UserAttachmentID); err != nil {
		return nil, err
	}
	ca.Created, ca.CompletedOn = fromMicros(created), timeOf(completed)
	return &ca, nil
}

// contentInTx reads a chapter content with what it points at and its course.
func contentInTx(ctx context.Context, tx *Tx, contentID int64) (*examhall.ChapterContent, int64, error) {
	var courseID int64
	cc, err := scanContent(tx.QueryRowContext(ctx, `SELECT cc.id, cc.chapter_id, cc.position, cc.title, cc.description,
		cc.content_type, COALESCE(cc.exam_id, 0), cc.free_preview, cc.starts_at, cc.ends_at,
		v.id, v.title, v.url, v.duration_s, a.id, a.title, a.url, n.id, n.title, n.html,
		vc.id, vc.title, vc.conference_id, vc.start, vc.duration_min, vc.provider, vc.join_url, vc.password,
		vc.access_token, vc.show_recorded_video, vc.state, vc.has_recording_expired,
		ls.id, ls.title, ls.stream_url, ls.duration_min, ls.show_recorded_video, ls.status, ls.chat_embed_url
		FROM chapter_contents cc
		LEFT JOIN videos v ON v.id = cc.video_id LEFT JOIN attachments a ON a.id = cc.attachment_id
		LEFT JOIN notes n ON n.id = cc.notes_id LEFT JOIN video_conferences vc ON vc.id = cc.video_conference_id
		LEFT JOIN live_streams ls ON ls.id = cc.live_stream_id
		WHERE cc.id = $1`, contentID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, errNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("chapter content %d: %w", contentID, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT course_id FROM chapters WHERE id = $1`, cc.ChapterID).Scan(&courseID); err != nil {
		return nil, 0, fmt.Errorf("chapter %d: %w", cc.ChapterID, err)
	}
	return cc, courseID, nil
}

// OpenContent returns the user's open attempt at the content or starts one.
func (db *DB) OpenContent(ctx context.Context, userID, contentID int64) (*examhall.ContentAttempt, bool, error) {
	var ca *examhall.ContentAttempt
	created := false
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		cc, courseID, err := contentInTx(ctx, tx, contentID)
		if err != nil {
			return err
		}
		enrolled, examOpen, err := access(ctx, tx, userID, courseID, cc.ExamID)
		if err != nil {
			return err
		}
		if !examOpen {
			// To a student outside the exam's batches the content does not
			// exist (the contents list leaves it out), free preview or not.
			return errNotFound
		}
		if !enrolled && !cc.FreePreview {
			return examhall.Errorf(examhall.EFORBIDDEN, "This content is for the course's batches; only its free previews are open to you.")
		}
		switch {
		case cc.Start != nil && cc.Start.After(tx.now):
			return examhall.Errorf(examhall.EINVALID, "This content opens later.")
		case cc.End != nil && !cc.End.After(tx.now):
			return examhall.Errorf(examhall.EINVALID, "This content has closed.")
		}
		ca, err = scanContentAttempt(tx.QueryRowContext(ctx, `SELECT `+contentAttemptColumns+` FROM chapter_content_attempts
			WHERE user_id = $1 AND chapter_content_id = $2 AND state = 0`, userID, contentID))
		if !errors.Is(err, sql.ErrNoRows) {
			return err // the open one, or a failure
		}
		err = nil
		now := micros(tx.now)
		ca = &examhall.ContentAttempt{UserID: userID, ChapterContentID: cc.ID, ChapterID: cc.ChapterID, CourseID: courseID,
			Type: cc.Type, ExamID: cc.ExamID, Created: fromMicros(now)}
		// The record the attempt links to, one per user and target, reused when it exists.
		record := func(table, column string, target int64) (int64, error) {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE user_id = $1 AND `+column+` = $2`, userID, target).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				err = tx.QueryRowContext(ctx, `INSERT INTO `+table+` (user_id, `+column+`, created) VALUES ($1, $2, $3) RETURNING id`,
					userID, target, now).Scan(&id)
			}
			if err != nil {
				return 0, fmt.Errorf("%s: %w", table, err)
			}
			return id, nil
		}
		switch cc.Type {
		case examhall.ContentExam, examhall.ContentQuiz:
			a, err := startAttempt(ctx, tx, userID, cc.ExamID, "", true)
			if err != nil {
				return err
			}
			ca.AttemptID = a.ID
		case examhall.ContentVideo:
			if ca.UserVideoID, err = record("user_videos", "video_id", cc.Video.ID); err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE user_videos SET remaining_duration_s = $2 WHERE id = $1 AND watched_percentage = 0`,
					ca.UserVideoID, cc.Video.DurationSeconds)
			}
		case examhall.ContentNotes:
			ca.UserNotesID, err = record("user_notes", "notes_id", cc.Notes.ID)
		case examhall.ContentAttachment:
			ca.UserAttachmentID, err = record("user_attachments", "attachment_id", cc.Attachment.ID)
		case examhall.ContentVideoConference:
			ca.UserVideoConferenceID, err = record("user_video_conferences", "video_conference_id", cc.VideoConference.ID)
		case examhall.ContentLiveStream:
			ca.UserLiveStreamID, err = record("user_live_streams", "live_stream_id", cc.LiveStream.ID)
		}
		if err != nil {
			return err
		}
		nonzero := func(id int64) any {
			if id == 0 {
				return nil
			}
			return id
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO chapter_content_attempts (user_id, chapter_content_id, chapter_id,
			course_id, content_type, exam_id, state, created, attempt_id, user_video_id, user_video_conference_id,
			user_live_stream_id, user_notes_id, user_attachment_id)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			userID, cc.ID, cc.ChapterID, courseID, int(cc.Type), nonzero(cc.ExamID), now, nonzero(ca.AttemptID),
			nonzero(ca.UserVideoID), nonzero(ca.UserVideoConferenceID), nonzero(ca.UserLiveStreamID),
			nonzero(ca.UserNotesID), nonzero(ca.UserAttachmentID)).Scan(&ca.ID)
		if isUniqueViolation(err) {
			return examhall.Errorf(examhall.ECONFLICT, "This content was opened at the same moment; open it again.")
		}
		if err != nil {
			return fmt.Errorf("insert content attempt: %w", err)
		}
		created = true
		return enqueueContent(ctx, tx, ca) // a content attempt is born Started
	})
	return ca, created, err
}

// progress runs one step on the user's content attempt of the given type(s):
// it locks the attempt, reads its content and applies step, which may
// complete it.
func (db *DB) progress(ctx context.Context, userID, id int64, types []examhall.ContentType,
	step func(tx *Tx, ca *examhall.ContentAttempt, cc *examhall.ChapterContent) error) (*examhall.ContentAttempt, error) {
	var ca *examhall.ContentAttempt
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		ca, err = scanContentAttempt(tx.QueryRowContext(ctx, `SELECT `+contentAttemptColumns+` FROM chapter_content_attempts
			WHERE id = $1 AND user_id = $2`+db.forUpdate(), id, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("content attempt %d: %w", id, err)
		}
		ok := false
		for _, t := range types {
			ok = ok || ca.Type == t
		}
		if !ok {
			return examhall.Errorf(examhall.EINVALID, "This does not apply to a %s content.", ca.Type.Name())
		}
		cc, _, err := contentInTx(ctx, tx, ca.ChapterContentID)
		if err != nil {
			return err
		}
		return step(tx, ca, cc)
	})
	return ca, err
}

// completeContent marks a content attempt completed, once.
func completeContent(ctx context.Context, tx *Tx, ca *examhall.ContentAttempt) error {
	if ca.State != examhall.ContentStarted {
		return nil
	}
	now := tx.now.UTC().Truncate(time.Microsecond)
	ca.State, ca.CompletedOn = examhall.ContentCompleted, &now
	if _, err := tx.ExecContext(ctx, `UPDATE chapter_content_attempts SET state = 1, completed_on = $2 WHERE id = $1`,
		ca.ID, micros(now)); err != nil {
		return fmt.Errorf("complete content attempt %d: %w", ca.ID, err)
	}
	return enqueueContent(ctx, tx, ca)
}

// VideoProgress records how much of a video was watched, in whole percent
// rounded down (see examhall.CourseStore).
func (db *DB) VideoProgress(ctx context.Context, userID, id int64, percentage float64, positionSeconds int) (*examhall.ContentAttempt, error) {
	errs := examhall.FieldErrors{}
	if !(percentage >= 0 && percentage <= 100) { // NaN too
		errs.Add("watched_percentage", "Ensure this value is between 0 and 100.")
	}
	watched := int(math.Floor(percentage))
	if positionSeconds < 0 {
		errs.Add("position", "Ensure this value is greater than or equal to 0.")
	}
	if positionSeconds > examhall.MaxVideoPosition {
		errs.Add("position", fmt.Sprintf("Ensure this value is less than or equal to %d.", examhall.MaxVideoPosition))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return db.progress(ctx, userID, id, []examhall.ContentType{examhall.ContentVideo},
		func(tx *Tx, ca *examhall.ContentAttempt, cc *examhall.ChapterContent) error {
			var before int
			if err := tx.QueryRowContext(ctx, `SELECT watched_percentage FROM user_videos WHERE id = $1`, ca.UserVideoID).Scan(&before); err != nil {
				return fmt.Errorf("user video: %w", err)
			}
			watched := max(before, watched) // only grows
			state := 0
			if watched >= examhall.VideoCompleteAt {
				state = 1
			}
			remaining := cc.Video.DurationSeconds * (100 - watched) / 100
			if _, err := tx.ExecContext(ctx, `UPDATE user_videos SET watched_percentage = $2, position_s = $3,
				remaining_duration_s = $4, state = $5 WHERE id = $1`, ca.UserVideoID, watched, positionSeconds, remaining, state); err != nil {
				return fmt.Errorf("user video: %w", err)
			}
			if state == 1 {
				return completeContent(ctx, tx, ca)
			}
			return nil
		})
}

// CompleteContent completes a Notes or Attachment content attempt.
func (db *DB) CompleteContent(ctx context.Context, userID, id int64) (*examhall.ContentAttempt, error) {
	return db.progress(ctx, userID, id, []examhall.ContentType{examhall.ContentNotes, examhall.ContentAttachment},
		func(tx *Tx, ca *examhall.ContentAttempt, cc *examhall.ChapterContent) error {
			table, record := "user_notes", ca.UserNotesID
			if ca.Type == examhall.ContentAttachment {
				table, record = "user_attachments", ca.UserAttachmentID
			}
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET completed_on = COALESCE(completed_on, $2) WHERE id = $1`,
				record, micros(tx.now)); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
			return completeContent(ctx, tx, ca)
		})
}

// Join opens an attendance session of a video conference (joining twice is
// one session) inside its join window, or joins a live stream, which
// completes it.
func (db *DB) Join(ctx context.Context, userID, id int64) (*examhall.ContentAttempt, error) {
	return db.progress(ctx, userID, id, []examhall.ContentType{examhall.ContentVideoConference, examhall.ContentLiveStream},
		func(tx *Tx, ca *examhall.ContentAttempt, cc *examhall.ChapterContent) error {
			if ca.Type == examhall.ContentLiveStream {
				return completeContent(ctx, tx, ca)
			}
			if opens, closes, ok := cc.VideoConference.JoinWindow(); ok {
				loc := db.Institute().Location
				switch {
				case tx.now.Before(opens):
					return examhall.Errorf(examhall.EINVALID, "This class starts at %s; you can join from %s.",
						drf.FormatTime(*cc.VideoConference.Start, loc), drf.FormatTime(opens, loc))
				case !tx.now.Before(closes):
					return examhall.Errorf(examhall.EINVALID, "This class ended at %s.", drf.FormatTime(closes, loc))
				}
			}
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM video_conference_sessions
				WHERE user_video_conference_id = $1 AND left_at IS NULL`, ca.UserVideoConferenceID).Scan(&open); err != nil {
				return fmt.Errorf("sessions: %w", err)
			}
			if open > 0 {
				return nil
			}
			now := micros(tx.now)
			if _, err := tx.ExecContext(ctx, `INSERT INTO video_conference_sessions (user_video_conference_id, joined_at)
				VALUES ($1, $2)`, ca.UserVideoConferenceID, now); err != nil {
				return fmt.Errorf("join: %w", err)
			}
			_, err := tx.ExecContext(ctx, `UPDATE user_video_conferences SET join_time = COALESCE(join_time, $2) WHERE id = $1`,
				ca.UserVideoConferenceID, now)
			return err
		})
}

// Leave closes the open session of a video conference: its seconds add to
// the attendance, and the class counts as attended.
func (db *DB) Leave(ctx context.Context, userID, id int64) (*examhall.ContentAttempt, error) {
	return db.progress(ctx, userID, id, []examhall.ContentType{examhall.ContentVideoConference},
		func(tx *Tx, ca *examhall.ContentAttempt, cc *examhall.ChapterContent) error {
			var session, joined int64
			err := tx.QueryRowContext(ctx, `SELECT id, joined_at FROM video_conference_sessions
				WHERE user_video_conference_id = $1 AND left_at IS NULL`, ca.UserVideoConferenceID).Scan(&session, &joined)
			if errors.Is(err, sql.ErrNoRows) {
				return examhall.Errorf(examhall.EINVALID, "You have not joined this class.")
			}
			if err != nil {
				return fmt.Errorf("sessions: %w", err)
			}
			now := micros(tx.now)
			if _, err := tx.ExecContext(ctx, `UPDATE video_conference_sessions SET left_at = $2 WHERE id = $1`, session, now); err != nil {
				return fmt.Errorf("leave: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE user_video_conferences SET leave_time = $2,
				duration_s = duration_s + $3 WHERE id = $1`, ca.UserVideoConferenceID, now, (now-joined)/1_000_000); err != nil {
				return fmt.Errorf("leave: %w", err)
			}
			return completeContent(ctx, tx, ca)
		})
}

// followAttempt moves the content attempts of an exam attempt with it: on
// completion to Completed, or Pending Evaluation while essays wait; once the
// last essay is graded, from Pending Evaluation to Evaluation Completed.
func followAttempt(ctx context.Context, tx *Tx, a *examhall.Attempt) error {
	state := examhall.ContentCompleted
	if a.Pending > 0 {
		state = examhall.ContentPendingEvaluation
	}
	// Only the rows whose state changes are written, and returned: each is
	// a content event. The others have their completed_on already (set
	// with the state they left Started for).
	rows, err := tx.QueryContext(ctx, `UPDATE chapter_content_attempts SET
		state = CASE WHEN state = 0 THEN $2 ELSE 3 END,
		completed_on = COALESCE(completed_on, $4)
		WHERE attempt_id = $1 AND (state = 0 OR (state = 2 AND $3 = 0))
		RETURNING `+contentAttemptColumns, a.ID, int(state), a.Pending, timeArg(a.CompletedOn))
	if err != nil {
		return fmt.Errorf("content attempts of attempt %d: %w", a.ID, err)
	}
	var changed []*examhall.ContentAttempt
	if err := scanRows(rows, func() error {
		ca, err := scanContentAttempt(rows)
		changed = append(changed, ca)
		return err
	}); err != nil {
		return fmt.Errorf("content attempts of attempt %d: %w", a.ID, err)
	}
	for _, ca := range changed {
		if err := enqueueContent(ctx, tx, ca); err != nil {
			return err
		}
	}
	return nil
}

// ContentAttemptsOf returns the user's content attempts, by id.
func (db *DB) ContentAttemptsOf(ctx context.Context, userID int64) ([]*examhall.ContentAttempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+contentAttemptColumns+` FROM chapter_content_attempts
		WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("content attempts: %w", err)
	}
	var list []*examhall.ContentAttempt
	err = scanRows(rows, func() error {
		ca, err := scanContentAttempt(rows)
		list = append(list, ca)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("content attempts: %w", err)
	}
	return list, nil
}

// Attendance returns a page of a video conference's attendees and their count.
func (db *DB) Attendance(ctx context.Context, conferenceID int64, offset, limit int) ([]examhall.Attendance, int, error) {
	var list []examhall.Attendance
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM video_conferences WHERE id = $1),
			(SELECT count(*) FROM user_video_conferences WHERE video_conference_id = $1 AND join_time IS NOT NULL)`,
			conferenceID).Scan(&exists, &count); err != nil {
			return fmt.Errorf("attendance: %w", err)
		}
		if exists == 0 {
			return examhall.Errorf(examhall.ENOTFOUND, "Not found.")
		}
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.first_name, u.last_name, u.email, uvc.join_time,
			uvc.leave_time, uvc.duration_s FROM user_video_conferences uvc JOIN users u ON u.id = uvc.user_id
			WHERE uvc.video_conference_id = $1 AND uvc.join_time IS NOT NULL ORDER BY u.id LIMIT $2 OFFSET $3`,
			conferenceID, limit, offset)
		if err != nil {
			return fmt.Errorf("attendance: %w", err)
		}
		return scanRows(rows, func() error {
			var at examhall.Attendance
			var join, leave sql.NullInt64
			if err := rows.Scan(&at.UserID, &at.FirstName, &at.LastName, &at.Email, &join, &leave, &at.DurationSeconds); err != nil {
				return err
			}
			at.JoinTime, at.LeaveTime = timeOf(join), timeOf(leave)
			list = append(list, at)
			return nil
		})
	})
	return list, count, err
}
