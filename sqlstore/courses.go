package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
)

// CreateCourse inserts a course with its chapters and contents in one transaction.
func (db *DB) CreateCourse(ctx context.Context, c *examhall.Course) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inWriteTx(ctx, func(tx *Tx) error { return createCourse(ctx, tx, c) })
}

func createCourse(ctx context.Context, tx *Tx, c *examhall.Course) error {
	c.Created = tx.now.UTC().Truncate(time.Microsecond)
	c.Modified = c.Created
	var createdBy any
	if c.CreatedBy != 0 {
		createdBy = c.CreatedBy
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO courses (slug, title, description, image, created_by, position,
		max_allowed_views_per_video, max_allowed_watch_minutes, created, modified)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		c.Slug, c.Title, c.Description, c.Image, createdBy, c.Order, intArg(c.MaxAllowedViewsPerVideo),
		intArg(c.MaxAllowedWatchMinutes), micros(c.Created)).Scan(&c.ID)
	if isUniqueViolation(err) {
		return fieldError("slug", "course with this slug already exists.")
	}
	if err != nil {
		return fmt.Errorf("insert course: %w", err)
	}
	if err := setBatches(ctx, tx, "course_batches", "course_id", c.ID, c.Batches); err != nil {
		return err
	}
	return insertChapters(ctx, tx, c)
}

// insertChapters inserts the chapters and contents of a stored course.
func insertChapters(ctx context.Context, tx *Tx, c *examhall.Course) error {
	for i := range c.Chapters {
		ch := &c.Chapters[i]
		ch.CourseID, ch.Order = c.ID, i
		if err := tx.QueryRowContext(ctx, `INSERT INTO chapters (course_id, position, title, description, created, modified)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.ID, ch.Order, ch.Title, ch.Description, micros(tx.now)).Scan(&ch.ID); err != nil {
			return fmt.Errorf("insert chapter: %w", err)
		}
		for j := range ch.Contents {
			cc := &ch.Contents[j]
			cc.ChapterID, cc.Order = ch.ID, j
			if err := insertContent(ctx, tx, cc); err != nil {
				return examhall.PrefixFields(fmt.Sprintf("chapters[%d].contents[%d].", i, j), err)
			}
		}
	}
	return nil
}

// insertContent inserts what a content points at, then the content.
func insertContent(ctx context.Context, tx *Tx, cc *examhall.ChapterContent) error {
	var target struct{ exam, video, attachment, notes, conference, stream any }
	var err error
	switch cc.Type {
	case examhall.ContentExam, examhall.ContentQuiz:
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM exams WHERE id = $1`, cc.ExamID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return invalidPK("exam", cc.ExamID)
		} else if err != nil {
			return fmt.Errorf("find exam %d: %w", cc.ExamID, err)
		}
		target.exam = cc.ExamID
	case examhall.ContentVideo:
		v := cc.Video
		err = tx.QueryRowContext(ctx, `INSERT INTO videos (title, url, duration_s) VALUES ($1, $2, $3) RETURNING id`,
			v.Title, v.URL, v.DurationSeconds).Scan(&v.ID)
		target.video = v.ID
	case examhall.ContentAttachment:
		a := cc.Attachment
		err = tx.QueryRowContext(ctx, `INSERT INTO attachments (title, url) VALUES ($1, $2) RETURNING id`, a.Title, a.URL).Scan(&a.ID)
		target.attachment = a.ID
	case examhall.ContentNotes:
		n := cc.Notes
		err = tx.QueryRowContext(ctx, `INSERT INTO notes (title, html) VALUES ($1, $2) RETURNING id`, n.Title, n.HTML).Scan(&n.ID)
		target.notes = n.ID
	case examhall.ContentVideoConference:
		v := cc.VideoConference
		err = tx.QueryRowContext(ctx, `INSERT INTO video_conferences (title, conference_id, start, duration_min, provider,
			join_url, password, access_token, show_recorded_video, state, has_recording_expired)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, v.Title, v.ConferenceID, timeArg(v.Start),
			v.DurationMinutes, v.Provider, v.JoinURL, v.Password, v.AccessToken, v.ShowRecordedVideo, v.State,
			v.HasRecordingExpired).Scan(&v.ID)
		target.conference = v.ID
	case examhall.ContentLiveStream:
		l := cc.LiveStream
		err = tx.QueryRowContext(ctx, `INSERT INTO live_streams (title, stream_url, duration_min, show_recorded_video,
			status, chat_embed_url) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.Title, l.StreamURL, l.DurationMinutes,
			l.ShowRecordedVideo, l.Status, l.ChatEmbedURL).Scan(&l.ID)
		target.stream = l.ID
	}
	if err != nil {
		return fmt.Errorf("insert %s: %w", cc.Type.Name(), err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO chapter_contents (chapter_id, position, title, description, content_type,
		exam_id, video_id, attachment_id, notes_id, video_conference_id, live_stream_id, free_preview, starts_at, ends_at,
		created, modified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
		cc.ChapterID, cc.Order, cc.Title, cc.Description, int(cc.Type), target.exam, target.video, target.attachment,
		target.notes, target.conference, target.stream, cc.FreePreview, timeArg(cc.Start), timeArg(cc.End),
		micros(tx.now)).Scan(&cc.ID)
	if err != nil {
		return fmt.Errorf("insert chapter content: %w", err)
	}
	return nil
}

// CourseByID returns the course with its chapters and contents.
func (db *DB) CourseByID(ctx context.Context, id int64) (*examhall.Course, error) {
	var c *examhall.Course
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		c, err = courseInTx(ctx, tx, id)
		return err
	})
	return c, err
}

func courseInTx(ctx context.Context, tx *Tx, id int64) (*examhall.Course, error) {
	var c examhall.Course
	var createdBy, views, minutes sql.NullInt64
	var created, modified int64
	err := tx.QueryRowContext(ctx, `SELECT id, slug, title, description, image, created_by, position,
		max_allowed_views_per_video, max_allowed_watch_minutes, created, modified FROM courses WHERE id = $1`, id).Scan(
		&c.ID, &c.Slug, &c.Title, &c.Description, &c.Image, &createdBy, &c.Order, &views, &minutes, &created, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("course %d: %w", id, err)
	}
	c.CreatedBy, c.MaxAllowedViewsPerVideo, c.MaxAllowedWatchMinutes = createdBy.Int64, intOf(views), intOf(minutes)
	c.Created, c.Modified = fromMicros(created), fromMicros(modified)
	if c.Batches, err = courseBatches(ctx, tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, position, title, description FROM chapters WHERE course_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("chapters: %w", err)
	}
	chapterIndex := map[int64]int{}
	if err := scanRows(rows, func() error {
		ch := examhall.Chapter{CourseID: id}
		if err := rows.Scan(&ch.ID, &ch.Order, &ch.Title, &ch.Description); err != nil {
			return err
		}
		chapterIndex[ch.ID] = len(c.Chapters)
		c.Chapters = append(c.Chapters, ch)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("chapters: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT cc.id, cc.chapter_id, cc.position, cc.title, cc.description, cc.content_type,
		COALESCE(cc.exam_id, 0), cc.free_preview, cc.starts_at, cc.ends_at,
		v.id, v.title, v.url, v.duration_s, a.id, a.title, a.url, n.id, n.title, n.html,
		vc.id, vc.title, vc.conference_id, vc.start, vc.duration_min, vc.provider, vc.join_url, vc.password,
		vc.access_token, vc.show_recorded_video, vc.state, vc.has_recording_expired,
		ls.id, ls.title, ls.stream_url, ls.duration_min, ls.show_recorded_video, ls.status, ls.chat_embed_url
		FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id
		LEFT JOIN videos v ON v.id = cc.video_id LEFT JOIN attachments a ON a.id = cc.attachment_id
		LEFT JOIN notes n ON n.id = cc.notes_id LEFT JOIN video_conferences vc ON vc.id = cc.video_conference_id
		LEFT JOIN live_streams ls ON ls.id = cc.live_stream_id
		WHERE ch.course_id = $1 ORDER BY ch.position, cc.position`, id)
	if err != nil {
		return nil, fmt.Errorf("chapter contents: %w", err)
	}
	if err := scanRows(rows, func() error {
		cc, err := scanContent(rows)
		if err != nil {
			return err
		}
		ch := &c.Chapters[chapterIndex[cc.ChapterID]]
		ch.Contents = append(ch.Contents, *cc)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("chapter contents: %w", err)
	}
	if err := loadExamBatches(ctx, tx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// loadExamBatches sets the ExamBatches of the course's exam and quiz
// contents, so that a student's view of the course can leave out the exams
// that are not for them.
func loadExamBatches(ctx context.Context, tx *Tx, c *examhall.Course) error {
	rows, err := tx.QueryContext(ctx, `SELECT cc.id, b.name FROM chapter_contents cc JOIN chapters ch ON ch.id = cc.chapter_id
		JOIN exam_batches eb ON eb.exam_id = cc.exam_id JOIN batches b ON b.id = eb.batch_id
		WHERE ch.course_id = $1`, c.ID)
	if err != nil {
		return fmt.Errorf("batches of the course's exams: %w", err)
	}
	batches := map[int64][]string{}
	if err := scanRows(rows, func() error {
		var id int64
		var name string
		err := rows.Scan(&id, &name)
		batches[id] = append(batches[id], name)
		return err
	}); err != nil {
		return fmt.Errorf("batches of the course's exams: %w", err)
	}
	for i := range c.Chapters {
		for j := range c.Chapters[i].Contents {
			cc := &c.Chapters[i].Contents[j]
			if names, ok := batches[cc.ID]; ok {
				slices.Sort(names) // in Go: the engines' collations differ
				cc.ExamBatches = names
			}
		}
	}
	return nil
}

// scanContent reads a chapter content with the record it points at.
func scanContent(row interface{ Scan(...any) error }) (*examhall.ChapterContent, error) {
	return scanContentWith(row)
}

// scanContentWith is scanContent with extra columns read into extra.
func scanContentWith(row interface{ Scan(...any) error }, extra ...any) (*examhall.ChapterContent, error) {
	var cc examhall.ChapterContent
	var start, end, vcStart sql.NullInt64
	var vID, aID, nID, vcID, lsID sql.NullInt64
	var v examhall.Video
	var a examhall.Attachment
	var n examhall.Notes
	var vc examhall.VideoConference
	var ls examhall.LiveStream
	var vTitle, vURL, aTitle, aURL, nTitle, nHTML, vcTitle, vcConf, vcProv, vcJoin, vcPass, vcToken, vcState,
		lsTitle, lsURL, lsStatus, lsChat sql.NullString
	var vDur, vcDur, lsDur sql.NullInt64
	var vcShow, vcExpired, lsShow sql.NullBool
	dest := append([]any{&cc.ID, &cc.ChapterID, &cc.Order, &cc.Title, &cc.Description, &cc.Type, &cc.ExamID,
		&cc.FreePreview, &start, &end, &vID, &vTitle, &vURL, &vDur, &aID, &aTitle, &aURL, &nID, &nTitle, &nHTML,
		&vcID, &vcTitle, &vcConf, &vcStart, &vcDur, &vcProv, &vcJoin, &vcPass, &vcToken, &vcShow, &vcState, &vcExpired,
		&lsID, &lsTitle, &lsURL, &lsDur, &lsShow, &lsStatus, &lsChat}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	cc.Start, cc.End = timeOf(start), timeOf(end)
	switch {
	case vID.Valid:
		v = examhall.Video{ID: vID.Int64, Title: vTitle.String, URL: vURL.String, DurationSeconds: int(vDur.Int64)}
		cc.Video = &v
	case aID.Valid:
		a = examhall.Attachment{ID: aID.Int64, Title: aTitle.String, URL: aURL.String}
		cc.Attachment = &a
	case nID.Valid:
		n = examhall.Notes{ID: nID.Int64, Title: nTitle.String, HTML: nHTML.String}
		cc.Notes = &n
	case vcID.Valid:
		vc = examhall.VideoConference{ID: vcID.Int64, Title: vcTitle.String, ConferenceID: vcConf.String,
			Start: timeOf(vcStart), DurationMinutes: int(vcDur.Int64), Provider: vcProv.String, JoinURL: vcJoin.String,
			Password: vcPass.String, AccessToken: vcToken.String, ShowRecordedVideo: vcShow.Bool, State: vcState.String,
			HasRecordingExpired: vcExpired.Bool}
		cc.VideoConference = &vc
	case lsID.Valid:
		ls = examhall.LiveStream{ID: lsID.Int64, Title: lsTitle.String, StreamURL: lsURL.String, DurationMinutes: int(lsDur.Int64),
			ShowRecordedVideo: lsShow.Bool, Status: lsStatus.String, ChatEmbedURL: lsChat.String}
		cc.LiveStream = &ls
	}
	return &cc, nil
}

func courseBatches(ctx context.Context, tx *Tx, courseID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT b.name FROM course_batches cb JOIN batches b ON b.id = cb.batch_id
		WHERE cb.course_id = $1`, courseID)
	if err != nil {
		return nil, fmt.Errorf("course batches: %w", err)
	}
	names := []string{}
	err = scanRows(rows, func() error {
		var name string
		err := rows.Scan(&name)
		names = append(names, name)
		return err
	})
	slices.Sort(names) // in Go: the engines' collations differ
	return names, err
}

// access reports whether the user may open every content of the course
// (enrolled: staff always, students when the course has no batches or
// shares one with them) and whether the exam with examID (0: none) is for
// them (examOpenSQL), in one statement.
func access(ctx context.Context, tx *Tx, userID, courseID, examID int64) (enrolled, examOpen bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role <> 'student')
		OR NOT EXISTS (SELECT 1 FROM course_batches WHERE course_id = $2)
		OR EXISTS (SELECT 1 FROM course_batches cb JOIN user_batches ub ON ub.batch_id = cb.batch_id
			WHERE cb.course_id = $2 AND ub.user_id = $1),
		`+examOpenSQL("$3", "$1"), userID, courseID, examID).Scan(&enrolled, &examOpen)
	if err != nil {
		return false, false, fmt.Errorf("enrolment: %w", err)
	}
	return enrolled, examOpen, nil
}

// CoursesFor returns the courses the user may see, by order then id.
func (db *DB) CoursesFor(ctx context.Context, u *examhall.User) ([]*examhall.Course, error) {
	var courses []*examhall.Course
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM courses c WHERE $2 <> 'student'
			OR NOT EXISTS (SELECT 1 FROM course_batches WHERE course_id = c.id)
			OR EXISTS (SELECT 1 FROM course_batches cb JOIN user_batches ub ON ub.batch_id = cb.batch_id
				WHERE cb.course_id = c.id AND ub.user_id = $1)
			ORDER BY position, id`, u.ID, string(u.Role))
		if err != nil {
			return fmt.Errorf("courses: %w", err)
		}
		var ids []int64
		if err := scanRows(rows, func() error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
			return fmt.Errorf("courses: %w", err)
		}
		for _, id := range ids { // a student sees a handful of courses
			c, err := courseInTx(ctx, tx, id)
			if err != nil {
				return err
			}
			courses = append(courses, c)
		}
		return nil
	})
	return courses, err
}

// UpdateCourse applies change to the locked course and saves its own fields.
func (db *DB) UpdateCourse(ctx context.Context, id int64, change func(*examhall.Course) error) (*examhall.Course, error) {
	var c *examhall.Course
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM courses WHERE id = $1`+db.forUpdate(), id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("course %d: %w", id, err)
		}
		if c, err = courseInTx(ctx, tx, id); err != nil {
			return err
		}
		if err := change(c); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		c.Modified = tx.now.UTC().Truncate(time.Microsecond)
		_, err = tx.ExecContext(ctx, `UPDATE courses SET slug = $2, title = $3, description = $4, image = $5,
			modified = $6 WHERE id = $1`, id, c.Slug, c.Title, c.Description, c.Image, micros(c.Modified))
		if isUniqueViolation(err) {
			return fieldError("slug", "course with this slug already exists.")
		}
		if err != nil {
			return fmt.Errorf("update course %d: %w", id, err)
		}
		return setBatches(ctx, tx, "course_batches", "course_id", id, c.Batches)
	})
	return c, err
}

// refuseWithProgress refuses a change once a student has opened something of it.
func refuseWithProgress(ctx context.Context, tx *Tx, column string, id int64, msg string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chapter_content_attempts WHERE `+column+` = $1`, id).Scan(&n); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	if n > 0 {
		return examhall.Errorf(examhall.EINVALID, "%s", msg)
	}
	return nil
}

// DeleteCourse deletes a course nobody has progress in.
func (db *DB) DeleteCourse(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := refuseWithProgress(ctx, tx, "course_id", id, "Students have made progress in this course; it cannot be deleted."); err != nil {
			return err
		}
		return deleteRow(ctx, tx, `DELETE FROM courses WHERE id = $1`, id)
	})
}

// AddChapter appends a chapter with its contents to the course.
func (db *DB) AddChapter(ctx context.Context, courseID int64, ch *examhall.Chapter) error {
	probe := &examhall.Course{Slug: "probe", Title: "probe", Chapters: []examhall.Chapter{*ch}}
	if err := probe.Validate(); err != nil {
		return renamePrefix(err, "chapters[0].")
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		if ch.Order, err = nextPosition(ctx, tx, "courses", "chapters", "course_id", courseID); err != nil {
			return err
		}
		ch.CourseID = courseID
		if err := tx.QueryRowContext(ctx, `INSERT INTO chapters (course_id, position, title, description, created, modified)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, courseID, ch.Order, ch.Title, ch.Description, micros(tx.now)).Scan(&ch.ID); err != nil {
			return fmt.Errorf("insert chapter: %w", err)
		}
		for j := range ch.Contents {
			cc := &ch.Contents[j]
			cc.ChapterID, cc.Order = ch.ID, j
			if err := insertContent(ctx, tx, cc); err != nil {
				return examhall.PrefixFields(fmt.Sprintf("contents[%d].", j), err)
			}
		}
		return nil
	})
}

// AddContent appends a content to the chapter.
func (db *DB) AddContent(ctx context.Context, chapterID int64, cc *examhall.ChapterContent) error {
	probe := &examhall.Course{Slug: "probe", Title: "probe", Chapters: []examhall.Chapter{{Title: "probe", Contents: []examhall.ChapterContent{*cc}}}}
	if err := probe.Validate(); err != nil {
		return renamePrefix(err, "chapters[0].contents[0].")
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		if cc.Order, err = nextPosition(ctx, tx, "chapters", "chapter_contents", "chapter_id", chapterID); err != nil {
			return err
		}
		cc.ChapterID = chapterID
		return insertContent(ctx, tx, cc)
	})
}

// DeleteContent deletes a content nobody has progress in; later ones move up.
func (db *DB) DeleteContent(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := refuseWithProgress(ctx, tx, "chapter_content_id", id, "Students have made progress in this content; it cannot be deleted."); err != nil {
			return err
		}
		var chapter int64
		var position int
		err := tx.QueryRowContext(ctx, `SELECT chapter_id, position FROM chapter_contents WHERE id = $1`, id).Scan(&chapter, &position)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("chapter content %d: %w", id, err)
		}
		if err := deleteRow(ctx, tx, `DELETE FROM chapter_contents WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE chapter_contents SET position = position - 1 WHERE chapter_id = $1 AND position > $2`,
			chapter, position)
		return err
	})
}

// renamePrefix strips prefix from the field names of a validation error.
func renamePrefix(err error, prefix string) error {
	var e *examhall.Error
	if !errors.As(err, &e) {
		return err
	}
	fields := map[string][]string{}
	for field, msgs := range e.Fields {
		fields[strings.TrimPrefix(field, prefix)] = msgs
	}
	return &examhall.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// move places the row id at position to among the rows of its parent,
// shifting the ones between; to is kept within the list.
func move(ctx context.Context, tx *Tx, table, parent string, parentID, id int64, from, to int) error {
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE `+parent+` = $1`, parentID).Scan(&count); err != nil {
		return fmt.Errorf("reorder %s: %w", table, err)
	}
	to = max(0, min(to, count-1))
	if to == from {
		return nil
	}
	shift, lo, hi := "- 1", from+1, to
	if to < from {
		shift, lo, hi = "+ 1", to, from-1
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = position `+shift+`
		WHERE `+parent+` = $1 AND position >= $2 AND position <= $3`, parentID, lo, hi); err != nil {
		return fmt.Errorf("reorder %s: %w", table, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = $2 WHERE id = $1`, id, to); err != nil {
		return fmt.Errorf("reorder %s: %w", table, err)
	}
	return nil
}

// UpdateChapter applies change to the locked chapter and saves it.
func (db *DB) UpdateChapter(ctx context.Context, id int64, change func(*examhall.Chapter) error) (*examhall.Chapter, error) {
	var ch examhall.Chapter
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, course_id, position, title, description FROM chapters WHERE id = $1`+db.forUpdate(),
			id).Scan(&ch.ID, &ch.CourseID, &ch.Order, &ch.Title, &ch.Description)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("chapter %d: %w", id, err)
		}
		from := ch.Order
		if err := change(&ch); err != nil {
			return err
		}
		if strings.TrimSpace(ch.Title) == "" {
			return fieldError("title", "This field may not be blank.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chapters SET title = $2, description = $3, modified = $4 WHERE id = $1`,
			id, ch.Title, ch.Description, micros(tx.now)); err != nil {
			return fmt.Errorf("update chapter %d: %w", id, err)
		}
		if err := move(ctx, tx, "chapters", "course_id", ch.CourseID, id, from, ch.Order); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT position FROM chapters WHERE id = $1`, id).Scan(&ch.Order)
	})
	return &ch, err
}

// DeleteChapter deletes a chapter nobody has progress in; later chapters move up.
func (db *DB) DeleteChapter(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if err := refuseWithProgress(ctx, tx, "chapter_id", id, "Students have made progress in this chapter; it cannot be deleted."); err != nil {
			return err
		}
		var course int64
		var position int
		err := tx.QueryRowContext(ctx, `SELECT course_id, position FROM chapters WHERE id = $1`, id).Scan(&course, &position)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("chapter %d: %w", id, err)
		}
		if err := deleteRow(ctx, tx, `DELETE FROM chapters WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE chapters SET position = position - 1 WHERE course_id = $1 AND position > $2`, course, position)
		return err
	})
}

// UpdateContent applies change to the locked content and saves it with its target.
func (db *DB) UpdateContent(ctx context.Context, id int64, change func(*examhall.ChapterContent) error) (*examhall.ChapterContent, error) {
	var cc *examhall.ChapterContent
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM chapter_contents WHERE id = $1`+db.forUpdate(), id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("chapter content %d: %w", id, err)
		}
		if cc, _, err = contentInTx(ctx, tx, id); err != nil {
			return err
		}
		from, kind, exam := cc.Order, cc.Type, cc.ExamID
		if err := change(cc); err != nil {
			return err
		}
		switch {
		case cc.Type != kind:
			return fieldError("type", "The type of a content cannot change; add a new content instead.")
		case cc.ExamID != exam:
			return fieldError("exam", "The exam of a content cannot change; add a new content instead.")
		}
		probe := &examhall.Course{Slug: "probe", Title: "probe", Chapters: []examhall.Chapter{{Title: "probe", Contents: []examhall.ChapterContent{*cc}}}}
		if err := probe.Validate(); err != nil {
			return renamePrefix(err, "chapters[0].contents[0].")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chapter_contents SET title = $2, description = $3, free_preview = $4,
			starts_at = $5, ends_at = $6, modified = $7 WHERE id = $1`, id, cc.Title, cc.Description, cc.FreePreview,
			timeArg(cc.Start), timeArg(cc.End), micros(tx.now)); err != nil {
			return fmt.Errorf("update chapter content %d: %w", id, err)
		}
		if err := saveTarget(ctx, tx, cc); err != nil {
			return err
		}
		if err := move(ctx, tx, "chapter_contents", "chapter_id", cc.ChapterID, id, from, cc.Order); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT position FROM chapter_contents WHERE id = $1`, id).Scan(&cc.Order)
	})
	return cc, err
}

// saveTarget writes the record a content points at.
func saveTarget(ctx context.Context, tx *Tx, cc *examhall.ChapterContent) error {
	var err error
	switch {
	case cc.Video != nil:
		v := cc.Video
		_, err = tx.ExecContext(ctx, `UPDATE videos SET title = $2, url = $3, duration_s = $4 WHERE id = $1`, v.ID, v.Title, v.URL, v.DurationSeconds)
	case cc.Attachment != nil:
		a := cc.Attachment
		_, err = tx.ExecContext(ctx, `UPDATE attachments SET title = $2, url = $3 WHERE id = $1`, a.ID, a.Title, a.URL)
	case cc.Notes != nil:
		n := cc.Notes
		_, err = tx.ExecContext(ctx, `UPDATE notes SET title = $2, html = $3 WHERE id = $1`, n.ID, n.Title, n.HTML)
	case cc.VideoConference != nil:
		v := cc.VideoConference
		_, err = tx.ExecContext(ctx, `UPDATE video_conferences SET title = $2, conference_id = $3, start = $4,
			duration_min = $5, provider = $6, join_url = $7, password = $8, access_token = $9, show_recorded_video = $10,
			state = $11, has_recording_expired = $12 WHERE id = $1`, v.ID, v.Title, v.ConferenceID, timeArg(v.Start),
			v.DurationMinutes, v.Provider, v.JoinURL, v.Password, v.AccessToken, v.ShowRecordedVideo, v.State, v.HasRecordingExpired)
	case cc.LiveStream != nil:
		l := cc.LiveStream
		_, err = tx.ExecContext(ctx, `UPDATE live_streams SET title = $2, stream_url = $3, duration_min = $4,
			show_recorded_video = $5, status = $6, chat_embed_url = $7 WHERE id = $1`, l.ID, l.Title, l.StreamURL,
			l.DurationMinutes, l.ShowRecordedVideo, l.Status, l.ChatEmbedURL)
	}
	if err != nil {
		return fmt.Errorf("save %s of content %d: %w", cc.Type.Name(), cc.ID, err)
	}
	return nil
}
