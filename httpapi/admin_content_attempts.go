package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the admin chapter content attempts list (SPEC §8.4).
const (
	contentAttemptsPageSize    = 250
	contentAttemptsMaxPageSize = 1000
)

// parseContentAttemptFilter reads the list's filters as django-filter does:
// *_ids take one id or a comma-separated list; days are in the institute's
// time zone.
func parseContentAttemptFilter(q url.Values, loc *time.Location) (examhall.ContentAttemptFilter, error) {
	var f examhall.ContentAttemptFilter
	errs := examhall.FieldErrors{}
	list := func(name string) []int64 {
		v := drf.Param(q, name)
		if v == "" {
			return nil
		}
		var out []int64
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				errs.Add(name, "Enter a number.")
				return nil
			}
			out = append(out, n)
		}
		return out
	}
	f.UserIDs, f.ChapterIDs, f.CourseIDs, f.ContentIDs = list("user_ids"), list("chapter_ids"), list("course_ids"), list("chapter_content_ids")
	if v := drf.Param(q, "exam_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs.Add("exam_id", "Enter a number.")
		}
		f.ExamID = &n
	}
	choice := func(name string, valid func(int) bool) *int {
		v := drf.Param(q, name)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || !valid(n) {
			errs.Add(name, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
			return nil
		}
		return &n
	}
	if n := choice("content_type", func(n int) bool { return examhall.ContentType(n).Valid() }); n != nil {
		t := examhall.ContentType(*n)
		f.Type = &t
	}
	if n := choice("state", func(n int) bool { return n >= 0 && n <= 3 }); n != nil {
		s := examhall.ContentAttemptState(*n)
		f.State = &s
	}
	day := func(name string) (start, next *time.Time) {
		v := drf.Param(q, name)
		if v == "" {
			return nil, nil
		}
		t, err := drf.ParseDate(v, loc)
		if err != nil {
			errs.Add(name, "Enter a valid date.")
			return nil, nil
		}
		n := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
		return &t, &n
	}
	later := func(a, b *time.Time) *time.Time {
		if a == nil || (b != nil && b.After(*a)) {
			return b
		}
		return a
	}
	earlier := func(a, b *time.Time) *time.Time {
		if a == nil || (b != nil && b.Before(*a)) {
			return b
		}
		return a
	}
	if from, next := day("completed_date"); from != nil { // on that day
		f.CompletedFrom, f.CompletedBefore = from, next
	}
	if before, _ := day("completed_before"); before != nil { // on an earlier day
		f.CompletedBefore = earlier(f.CompletedBefore, before)
	}
	if _, next := day("completed_after"); next != nil { // on a later day
		f.CompletedFrom = later(f.CompletedFrom, next)
	}
	return f, errs.Err()
}

// listContentAttempts is GET /api/v3/admin/chapter-content-attempts/.
func (s *Server) listContentAttempts(w http.ResponseWriter, r *http.Request) {
	s.contentAttemptList(w, r, nil)
}

// listOwnContentAttempts is GET /api/v2.5/content-attempts/: the caller's
// own chapter content attempts, in the shape and with the filters of the
// admin list (SPEC §8.4) but user_ids, which is refused (400) rather than
// ignored. It is how a student's course pages read their progress (issue
// 14), which the student API of SPEC §6 only writes.
func (s *Server) listOwnContentAttempts(w http.ResponseWriter, r *http.Request) {
	if drf.Param(r.URL.Query(), "user_ids") != "" {
		s.writeError(w, r, fieldErr("user_ids", "This list holds only your own attempts; leave user_ids out."))
		return
	}
	s.contentAttemptList(w, r, []int64{caller(r).ID})
}

// contentAttemptList writes a page of the content attempts the query
// selects; users, when not nil, replaces its user_ids.
func (s *Server) contentAttemptList(w http.ResponseWriter, r *http.Request, users []int64) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, contentAttemptsPageSize, contentAttemptsMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseContentAttemptFilter(q, s.location())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if users != nil {
		f.UserIDs = users
	}
	f.Limit = page.Size
	if c := drf.Param(q, "cursor"); c != "" {
		// examhall's own, carried by next links; one that does not parse is
		// ignored and the page is found by its number.
		if id, err := strconv.ParseInt(c, 10, 64); err == nil && id > 0 && !page.Last {
			f.AfterID = id
		}
	}
	var list *examhall.ContentAttemptPage
	resolved := page
	if f.AfterID != 0 {
		// The cursor places the page: it exists even when rows before it have
		// left the list since.
		if list, err = s.ContentReports.ContentAttemptList(r.Context(), f); err != nil {
			s.writeError(w, r, err)
			return
		}
	} else if resolved, err = fetchPage(page, func(offset int) (int, error) {
		f.Offset = offset
		if list, err = s.ContentReports.ContentAttemptList(r.Context(), f); err != nil {
			return 0, err
		}
		return list.Count, nil
	}); err != nil {
		s.writeError(w, r, err)
		return
	}
	link := s.requestURL(r)
	query := link.Query()
	query.Del("cursor")
	link.RawQuery = query.Encode()
	env := drf.NewEnvelope(link, resolved, list.Count, s.contentAttemptResults(list))
	// The rows after this page's last decide whether there is a next page,
	// not page × page_size against a count that shrinks as rows leave.
	env.Next = nil
	if list.More {
		query.Set("cursor", strconv.FormatInt(list.Attempts[len(list.Attempts)-1].ID, 10))
		link.RawQuery = query.Encode()
		env.Next = drf.PageLink(link, resolved.Number+1)
	}
	writeJSON(w, http.StatusOK, env)
}

type contentAttemptRow struct {
	ID                    int64   `json:"id"`
	UserID                int64   `json:"user_id"`
	CourseID              int64   `json:"course_id"`
	ChapterID             int64   `json:"chapter_id"`
	ChapterContentID      int64   `json:"chapter_content_id"`
	ContentType           string  `json:"content_type"`
	State                 string  `json:"state"`
	RemainingTime         *string `json:"remaining_time"`
	AssessmentID          *int64  `json:"assessment_id"`
	UserVideoConferenceID *int64  `json:"user_video_conference_id"`
	UserVideoID           *int64  `json:"user_video_id"`
	UserLiveStreamID      *int64  `json:"user_live_stream_id"`
	UserContentID         *int64  `json:"user_content_id"`
	UserAttachmentID      *int64  `json:"user_attachment_id"`
	CorrectAnswersCount   *int    `json:"correct_answers_count,omitempty"`
	IncorrectAnswersCount *int    `json:"incorrect_answers_count,omitempty"`
	Created               string  `json:"created"`
	CompletedOn           *string `json:"completed_on"`
}

type userVideoRow struct {
	ID                   int64  `json:"id"`
	VideoID              int64  `json:"video_id"`
	Created              string `json:"created"`
	WatchedPercentage    int    `json:"watched_percentage"`
	RemainingDuration    *int   `json:"remaining_duration"`
	State                string `json:"state"`
	IsLiveClassRecording bool   `json:"is_live_class_recording"`
}

type userExamRow struct {
	ID                          int64           `json:"id"`
	ExamID                      int64           `json:"exam_id"`
	UserID                      int64           `json:"user_id"`
	TotalScore                  decimal.Decimal `json:"total_score"`
	NumberOfCorrectAnswers      int             `json:"number_of_correct_answers"`
	NumberOfIncorrectAnswers    int             `json:"number_of_incorrect_answers"`
	NumberOfUnansweredQuestions int             `json:"number_of_unanswered_questions"`
	NumberOfAnsweredQuestions   int             `json:"number_of_answered_questions"`
	Percentage                  decimal.Decimal `json:"percentage"`
	Rank                        any             `json:"rank"`
	Result                      string          `json:"result"`
	TotalQuestions              int             `json:"total_questions"`
}

type courseRow struct {
	ID                      int64  `json:"id"`
	Title                   string `json:"title"`
	Description             string `json:"description"`
	Image                   string `json:"image"`
	CreatedBy               *int64 `json:"created_by"`
	Created                 string `json:"created"`
	Modified                string `json:"modified"`
	Slug                    string `json:"slug"`
	ChaptersCount           int    `json:"chapters_count"`
	ContentsCount           int    `json:"contents_count"`
	ExamsCount              int    `json:"exams_count"`
	VideosCount             int    `json:"videos_count"`
	AttachmentsCount        int    `json:"attachments_count"`
	HTMLContentsCount       int    `json:"html_contents_count"`
	Order                   int    `json:"order"`
	MaxAllowedViewsPerVideo *int   `json:"max_allowed_views_per_video"`
	MaxAllowedWatchMinutes  *int   `json:"max_allowed_watch_minutes"`
}

type chapterContentRow struct {
	ID           int64   `json:"id"`
	Order        int     `json:"order"`
	ChapterID    int64   `json:"chapter_id"`
	FreePreview  bool    `json:"free_preview"`
	Title        string  `json:"title"`
	CourseID     int64   `json:"course_id"`
	ExamID       *int64  `json:"exam_id"`
	ContentID    *int64  `json:"content_id"`
	VideoID      *int64  `json:"video_id"`
	AttachmentID *int64  `json:"attachment_id"`
	ContentType  string  `json:"content_type"`
	Start        *string `json:"start"`
	End          *string `json:"end"`
	Description  string  `json:"description"`
}

type userVideoConferenceRow struct {
	ID              int64                 `json:"id"`
	UserID          int64                 `json:"user_id"`
	Duration        *int                  `json:"duration"`
	JoinTime        *string               `json:"join_time"`
	LeaveTime       *string               `json:"leave_time"`
	VideoConference videoConferenceOutput `json:"video_conference"`
}

type userLiveStreamRow struct {
	ID         int64            `json:"id"`
	UserID     int64            `json:"user_id"`
	LiveStream liveStreamOutput `json:"live_stream"`
}

type contentAttemptResults struct {
	ContentAttempts      []contentAttemptRow      `json:"content_attempts"`
	UserVideos           []userVideoRow           `json:"user_videos"`
	UserExams            []userExamRow            `json:"user_exams"`
	Courses              []courseRow              `json:"courses"`
	ChapterContents      []chapterContentRow      `json:"chapter_contents"`
	UserVideoConferences []userVideoConferenceRow `json:"user_video_conferences"`
	UserLiveStreams      []userLiveStreamRow      `json:"user_live_streams"`
}

func (s *Server) contentAttemptResults(p *examhall.ContentAttemptPage) contentAttemptResults {
	out := contentAttemptResults{ContentAttempts: []contentAttemptRow{}, UserVideos: []userVideoRow{},
		UserExams: []userExamRow{}, Courses: []courseRow{}, ChapterContents: []chapterContentRow{},
		UserVideoConferences: []userVideoConferenceRow{}, UserLiveStreams: []userLiveStreamRow{}}
	exams := map[int64]examhall.UserExam{}
	for _, ue := range p.UserExams {
		exams[ue.ID] = ue
		rank := any("NA")
		if ue.Rank > 0 {
			rank = ue.Rank
		}
		out.UserExams = append(out.UserExams, userExamRow{ID: ue.ID, ExamID: ue.ExamID, UserID: ue.UserID,
			TotalScore: ue.Score, NumberOfCorrectAnswers: ue.Correct, NumberOfIncorrectAnswers: ue.Incorrect,
			NumberOfUnansweredQuestions: ue.Unanswered, NumberOfAnsweredQuestions: ue.TotalQuestions - ue.Unanswered,
			Percentage: ue.Percentage, Rank: rank, Result: ue.Result, TotalQuestions: ue.TotalQuestions})
	}
	for _, ca := range p.Attempts {
		row := contentAttemptRow{ID: ca.ID, UserID: ca.UserID, CourseID: ca.CourseID, ChapterID: ca.ChapterID,
			ChapterContentID: ca.ChapterContentID, ContentType: ca.Type.Label(), State: ca.State.String(),
			AssessmentID: nonZero(ca.AttemptID), UserVideoConferenceID: nonZero(ca.UserVideoConferenceID),
			UserVideoID: nonZero(ca.UserVideoID), UserLiveStreamID: nonZero(ca.UserLiveStreamID),
			UserContentID: nonZero(ca.UserNotesID), UserAttachmentID: nonZero(ca.UserAttachmentID),
			Created: s.formatTime(ca.Created), CompletedOn: s.timePtr(ca.CompletedOn)}
		if ue, ok := exams[ca.AttemptID]; ok {
			correct, incorrect := ue.Correct, ue.Incorrect
			row.CorrectAnswersCount, row.IncorrectAnswersCount = &correct, &incorrect
			if ue.Remaining != nil { // seconds with two decimals, as the seed shows it
				left := decimal.Decimal(ue.Remaining.Milliseconds() / 10).String()
				row.RemainingTime = &left
			}
		}
		out.ContentAttempts = append(out.ContentAttempts, row)
	}
	for _, v := range p.UserVideos {
		row := userVideoRow{ID: v.ID, VideoID: v.VideoID, Created: s.formatTime(v.Created),
			WatchedPercentage: v.WatchedPercentage, State: "Started", IsLiveClassRecording: v.IsLiveClassRecording}
		if v.WatchedPercentage > 0 {
			row.RemainingDuration = &v.RemainingSeconds
		}
		if v.Completed {
			row.State = "Completed"
		}
		out.UserVideos = append(out.UserVideos, row)
	}
	for _, c := range p.Courses {
		out.Courses = append(out.Courses, courseRow{ID: c.ID, Title: c.Title, Description: c.Description, Image: c.Image,
			CreatedBy: nonZero(c.CreatedBy), Created: s.formatTime(c.Created), Modified: s.formatTime(c.Modified),
			Slug: c.Slug, ChaptersCount: c.ChaptersCount, ContentsCount: c.ContentsCount, ExamsCount: c.ExamsCount,
			VideosCount: c.VideosCount, AttachmentsCount: c.AttachmentsCount, HTMLContentsCount: c.NotesCount,
			Order: c.Order, MaxAllowedViewsPerVideo: c.MaxAllowedViewsPerVideo, MaxAllowedWatchMinutes: c.MaxAllowedWatchMinutes})
	}
	for _, pc := range p.Contents {
		row := chapterContentRow{ID: pc.ID, Order: pc.Order, ChapterID: pc.ChapterID, FreePreview: pc.FreePreview,
			Title: pc.Title, CourseID: pc.CourseID, ExamID: nonZero(pc.ExamID), ContentType: pc.Type.Name(),
			Start: s.timePtr(pc.Start), End: s.timePtr(pc.End), Description: pc.Description}
		if pc.Video != nil {
			row.VideoID = &pc.Video.ID
		}
		if pc.Attachment != nil {
			row.AttachmentID = &pc.Attachment.ID
		}
		if pc.Notes != nil {
			row.ContentID = &pc.Notes.ID
		}
		out.ChapterContents = append(out.ChapterContents, row)
	}
	for _, u := range p.UserVideoConferences {
		row := userVideoConferenceRow{ID: u.ID, UserID: u.UserID, JoinTime: s.timePtr(u.JoinTime),
			LeaveTime: s.timePtr(u.LeaveTime), VideoConference: s.videoConference(&u.VideoConference)}
		if u.JoinTime != nil {
			row.Duration = &u.DurationSeconds
		}
		out.UserVideoConferences = append(out.UserVideoConferences, row)
	}
	for _, u := range p.UserLiveStreams {
		out.UserLiveStreams = append(out.UserLiveStreams, userLiveStreamRow{ID: u.ID, UserID: u.UserID,
			LiveStream: liveStream(&u.LiveStream)})
	}
	return out
}
