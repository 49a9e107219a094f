package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/examhall/examhall"
)

// ContentAttemptList returns one page of the admin chapter content attempts
// list, by id, with the records it refers to side-loaded: a fixed number of
// statements whatever the page size.
func (db *DB) ContentAttemptList(ctx context.Context, f examhall.ContentAttemptFilter) (*examhall.ContentAttemptPage, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$%d", fmt.Sprintf("$%d", len(args))))
	}
	in := func(column string, ids []int64) {
		if len(ids) == 0 {
			return
		}
		var marks []string
		for _, id := range ids {
			args = append(args, id)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
		conds = append(conds, column+" IN ("+strings.Join(marks, ", ")+")")
	}
	in("user_id", f.UserIDs)
	in("chapter_id", f.ChapterIDs)
	in("course_id", f.CourseIDs)
	in("chapter_content_id", f.ContentIDs)
	if f.ExamID != nil {
		add("exam_id = $%d", *f.ExamID)
	}
	if f.Type != nil {
		add("content_type = $%d", int(*f.Type))
	}
	if f.State != nil {
		add("state = $%d", int(*f.State))
	}
	if f.CompletedFrom != nil {
		add("completed_on >= $%d", micros(*f.CompletedFrom))
	}
	if f.CompletedBefore != nil {
		add("completed_on < $%d", micros(*f.CompletedBefore))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	page := &examhall.ContentAttemptPage{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chapter_content_attempts`+where, args...).Scan(&page.Count); err != nil {
			return fmt.Errorf("count content attempts: %w", err)
		}
		offset := f.Offset
		if f.AfterID != 0 {
			args = append(args, f.AfterID)
			if where == "" {
				where = " WHERE TRUE"
			}
			where += fmt.Sprintf(" AND id > $%d", len(args))
			offset = 0
		}
		n := len(args)
		// One row beyond the page tells whether another follows.
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+contentAttemptColumns+` FROM chapter_content_attempts%s
			ORDER BY id LIMIT $%d OFFSET $%d`, where, n+1, n+2), append(args, f.Limit+1, offset)...)
		if err != nil {
			return fmt.Errorf("content attempts: %w", err)
		}
		if err := scanRows(rows, func() error {
			ca, err := scanContentAttempt(rows)
			page.Attempts = append(page.Attempts, ca)
			return err
		}); err != nil {
			return fmt.Errorf("content attempts: %w", err)
		}
		if len(page.Attempts) > f.Limit {
			page.Attempts, page.More = page.Attempts[:f.Limit], true
		}
		return sideLoad(ctx, tx, page)
	})
	return page, err
}

// ids collects the distinct non-zero ids that pick takes from the page's attempts.
func ids(page *examhall.ContentAttemptPage, pick func(*examhall.ContentAttempt) int64) []any {
	seen := map[int64]bool{}
	var out []any
	for _, ca := range page.Attempts {
		if id := pick(ca); id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// sideLoad reads, with one statement each, the records the page refers to.
func sideLoad(ctx context.Context, tx *Tx, page *examhall.ContentAttemptPage) error {
	query := func(name, sql string, ids []any, scan func(rows *sql.Rows) error) error {
		if len(ids) == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, strings.Replace(sql, "(?)", "("+placeholders(1, len(ids))+")", 1), ids...)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := scanRows(rows, func() error { return scan(rows) }); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	if err := query("user videos", `SELECT id, video_id, created, watched_percentage, remaining_duration_s, state,
		is_live_class_recording FROM user_videos WHERE id IN (?) ORDER BY id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.UserVideoID }), func(rows *sql.Rows) error {
			var v examhall.UserVideo
			var created int64
			if err := rows.Scan(&v.ID, &v.VideoID, &created, &v.WatchedPercentage, &v.RemainingSeconds, &v.Completed,
				&v.IsLiveClassRecording); err != nil {
				return err
			}
			v.Created = fromMicros(created)
			page.UserVideos = append(page.UserVideos, v)
			return nil
		}); err != nil {
		return err
	}
	// Ranks of the page's exam attempts from the score counts, in the same statement.
	if err := query("user exams", `SELECT `+attemptColumns+`,
		(SELECT count(*) FROM exam_questions eq WHERE eq.exam_id = attempts.exam_id),
		CASE WHEN exams.enable_ranks AND attempts.state = 1 THEN 1 + COALESCE((SELECT SUM(c.attempts) FROM exam_score_counts c
			WHERE c.exam_id = attempts.exam_id AND c.score_h > attempts.score_h), 0) ELSE 0 END,
		exams.duration_us
		FROM attempts JOIN exams ON exams.id = attempts.exam_id WHERE attempts.id IN (?) ORDER BY attempts.id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.AttemptID }), func(rows *sql.Rows) error {
			var ue examhall.UserExam
			var duration sql.NullInt64
			a, err := scanAttempt(rows, &ue.TotalQuestions, &ue.Rank, &duration)
			if err != nil {
				return err
			}
			ue.Attempt = *a
			ue.Remaining = ue.Attempt.RemainingTime(&examhall.Exam{Duration: durationOf(duration)})
			page.UserExams = append(page.UserExams, ue)
			return nil
		}); err != nil {
		return err
	}
	if err := query("courses", `SELECT id, slug, title, description, image, COALESCE(created_by, 0), position,
		max_allowed_views_per_video, max_allowed_watch_minutes, created, modified,
		(SELECT count(*) FROM chapters ch WHERE ch.course_id = courses.id),
		(SELECT count(*) FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE ch.course_id = courses.id),
		(SELECT count(*) FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE ch.course_id = courses.id AND cc.content_type IN (1, 2)),
		(SELECT count(*) FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE ch.course_id = courses.id AND cc.content_type = 3),
		(SELECT count(*) FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE ch.course_id = courses.id AND cc.content_type = 4),
		(SELECT count(*) FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE ch.course_id = courses.id AND cc.content_type = 5)
		FROM courses WHERE id IN (?) ORDER BY id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.CourseID }), func(rows *sql.Rows) error {
			var c examhall.CourseSummary
			var views, minutes sql.NullInt64
			var created, modified int64
			if err := rows.Scan(&c.ID, &c.Slug, &c.Title, &c.Description, &c.Image, &c.CreatedBy, &c.Order, &views, &minutes,
				&created, &modified, &c.ChaptersCount, &c.ContentsCount, &c.ExamsCount, &c.VideosCount, &c.AttachmentsCount,
				&c.NotesCount); err != nil {
				return err
			}
			c.MaxAllowedViewsPerVideo, c.MaxAllowedWatchMinutes = intOf(views), intOf(minutes)
			c.Created, c.Modified = fromMicros(created), fromMicros(modified)
			page.Courses = append(page.Courses, c)
			return nil
		}); err != nil {
		return err
	}
	if err := query("chapter contents", `SELECT cc.id, cc.chapter_id, cc.position, cc.title, cc.description,
		cc.content_type, COALESCE(cc.exam_id, 0), cc.free_preview, cc.starts_at, cc.ends_at,
		cc.video_id, NULL, NULL, NULL, cc.attachment_id, NULL, NULL, cc.notes_id, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, ch.course_id
		FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id WHERE cc.id IN (?) ORDER BY cc.id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.ChapterContentID }), func(rows *sql.Rows) error {
			var pc examhall.PlacedContent
			cc, err := scanContentWith(rows, &pc.CourseID)
			if err != nil {
				return err
			}
			pc.ChapterContent = *cc
			page.Contents = append(page.Contents, pc)
			return nil
		}); err != nil {
		return err
	}
	if err := query("user video conferences", `SELECT uvc.id, uvc.user_id, uvc.join_time, uvc.leave_time, uvc.duration_s,
		vc.id, vc.title, vc.conference_id, vc.start, vc.duration_min, vc.provider, vc.join_url, vc.password,
		vc.access_token, vc.show_recorded_video, vc.state, vc.has_recording_expired
		FROM user_video_conferences uvc JOIN video_conferences vc ON vc.id = uvc.video_conference_id
		WHERE uvc.id IN (?) ORDER BY uvc.id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.UserVideoConferenceID }), func(rows *sql.Rows) error {
			var u examhall.UserVideoConference
			var join, leave, start sql.NullInt64
			vc := &u.VideoConference
			if err := rows.Scan(&u.ID, &u.UserID, &join, &leave, &u.DurationSeconds, &vc.ID, &vc.Title, &vc.ConferenceID, &start,
				&vc.DurationMinutes, &vc.Provider, &vc.JoinURL, &vc.Password, &vc.AccessToken, &vc.ShowRecordedVideo, &vc.State,
				&vc.HasRecordingExpired); err != nil {
				return err
			}
			u.JoinTime, u.LeaveTime, vc.Start = timeOf(join), timeOf(leave), timeOf(start)
			page.UserVideoConferences = append(page.UserVideoConferences, u)
			return nil
		}); err != nil {
		return err
	}
	return query("user live streams", `SELECT uls.id, uls.user_id, ls.id, ls.title, ls.stream_url, ls.duration_min,
		ls.show_recorded_video, ls.status, ls.chat_embed_url
		FROM user_live_streams uls JOIN live_streams ls ON ls.id = uls.live_stream_id WHERE uls.id IN (?) ORDER BY uls.id`,
		ids(page, func(ca *examhall.ContentAttempt) int64 { return ca.UserLiveStreamID }), func(rows *sql.Rows) error {
			var u examhall.UserLiveStream
			ls := &u.LiveStream
			if err := rows.Scan(&u.ID, &u.UserID, &ls.ID, &ls.Title, &ls.StreamURL, &ls.DurationMinutes, &ls.ShowRecordedVideo,
				&ls.Status, &ls.ChatEmbedURL); err != nil {
				return err
			}
			page.UserLiveStreams = append(page.UserLiveStreams, u)
			return nil
		})
}
