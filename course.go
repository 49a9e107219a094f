package examhall

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ContentType is what a chapter content shows; the numbers are the admin
// API's content_type filter codes.
type ContentType int

// The content types.
const (
	ContentExam            ContentType = 1
	ContentQuiz            ContentType = 2
	ContentVideo           ContentType = 3
	ContentAttachment      ContentType = 4
	ContentNotes           ContentType = 5
	ContentVideoConference ContentType = 7
	ContentLiveStream      ContentType = 8
)

var contentTypeNames = map[ContentType][2]string{
	ContentExam:            {"Exam", "assessment"},
	ContentQuiz:            {"Quiz", "assessment"},
	ContentVideo:           {"Video", "video"},
	ContentAttachment:      {"Attachment", "attachment"},
	ContentNotes:           {"Notes", "notes"},
	ContentVideoConference: {"VideoConference", "videoConference"},
	ContentLiveStream:      {"LiveStream", "live_stream"},
}

// ContentTypeNamed returns the type with the capitalised name ("Video").
func ContentTypeNamed(name string) (ContentType, bool) {
	for t, names := range contentTypeNames {
		if names[0] == name {
			return t, true
		}
	}
	return 0, false
}

// Valid reports whether t is a known content type.
func (t ContentType) Valid() bool { _, ok := contentTypeNames[t]; return ok }

// Name is the capitalised name the chapter contents show ("VideoConference").
func (t ContentType) Name() string { return contentTypeNames[t][0] }

// Label is the name content attempts show ("assessment", "videoConference").
func (t ContentType) Label() string { return contentTypeNames[t][1] }

// IsAssessment reports whether the content is taken as an exam attempt.
func (t ContentType) IsAssessment() bool { return t == ContentExam || t == ContentQuiz }

// Video is a recorded video, DurationSeconds long.
type Video struct {
	ID              int64
	Title           string
	URL             string
	DurationSeconds int
}

// Attachment is a file to download.
type Attachment struct {
	ID    int64
	Title string
	URL   string
}

// Notes is an HTML page.
type Notes struct {
	ID    int64
	Title string
	HTML  string
}

// VideoConference is a live class on a provider such as Zoom, DurationMinutes
// long (the wire's "duration", in minutes as Testpress gives it).
type VideoConference struct {
	ID                  int64
	Title               string
	ConferenceID        string
	Start               *time.Time
	DurationMinutes     int
	Provider            string
	JoinURL             string
	Password            string
	AccessToken         string
	ShowRecordedVideo   bool
	State               string
	HasRecordingExpired bool
}

// ConferenceJoinLead is how long before its start a video conference may be
// joined: a student who comes early waits in the room, as on Zoom, but a
// join days ahead records attendance at a class that has not happened.
// examhall's decision; SPEC §6 is silent.
const ConferenceJoinLead = 15 * time.Minute

// JoinWindow returns when the conference may be joined: from
// ConferenceJoinLead before its Start (inclusive) to its end, Start +
// Duration minutes (exclusive). A conference without a start has no window
// (ok false): it may be joined any time. Leaving is never refused by the
// window, so a session open at the end can still be closed.
func (v *VideoConference) JoinWindow() (opens, closes time.Time, ok bool) {
	if v.Start == nil {
		return time.Time{}, time.Time{}, false
	}
	return v.Start.Add(-ConferenceJoinLead), v.Start.Add(time.Duration(v.DurationMinutes) * time.Minute), true
}

// LiveStream is a streamed class, DurationMinutes long.
type LiveStream struct {
	ID                int64
	Title             string
	StreamURL         string
	DurationMinutes   int
	ShowRecordedVideo bool
	Status            string
	ChatEmbedURL      string
}

// ChapterContent is one piece of a chapter; exactly the field of its type is set.
type ChapterContent struct {
	ID              int64
	ChapterID       int64
	Order           int
	Title           string
	Description     string
	Type            ContentType
	ExamID          int64 // Exam and Quiz
	Video           *Video
	Attachment      *Attachment
	Notes           *Notes
	VideoConference *VideoConference
	LiveStream      *LiveStream
	FreePreview     bool
	Start           *time.Time
	End             *time.Time

	// ExamBatches are the batches of the exam of an Exam or Quiz content
	// (Exam.Batches), sorted; none means every student.
	ExamBatches []string
}

// Chapter is an ordered part of a course.
type Chapter struct {
	ID          int64
	CourseID    int64
	Order       int
	Title       string
	Description string
	Contents    []ChapterContent
}

// Course is a sequence of chapters of contents.
type Course struct {
	ID                      int64
	Slug                    string
	Title                   string
	Description             string
	Image                   string
	CreatedBy               int64 // 0 when unknown
	Order                   int
	MaxAllowedViewsPerVideo *int
	MaxAllowedWatchMinutes  *int
	Created                 time.Time
	Modified                time.Time
	// Batches are the names of the batches the course is for; without any it
	// is for every student. Others may open only its free-preview contents.
	Batches  []string
	Chapters []Chapter
}

// OpenTo reports whether u may open every content of the course: staff
// always, students when the course has no batches or shares one with them
// (BatchesAdmit).
func (c *Course) OpenTo(u *User) bool {
	return BatchesAdmit(c.Batches, u)
}

// RestrictedByBatches reports whether what a student may see of the course
// depends on their batches: the course has batches, or a content points at
// an exam that has.
func (c *Course) RestrictedByBatches() bool {
	if len(c.Batches) > 0 {
		return true
	}
	for _, ch := range c.Chapters {
		for _, cc := range ch.Contents {
			if len(cc.ExamBatches) > 0 {
				return true
			}
		}
	}
	return false
}

// ShownTo reports whether the content appears to u in its course: a
// content pointing at an exam only when the exam's batches admit u (to
// others the exam does not exist, free preview or not: a course cannot open
// an exam to students the exam is not for); then every content when u may
// open the whole course (enrolled), else only the free previews.
func (cc *ChapterContent) ShownTo(u *User, enrolled bool) bool {
	return BatchesAdmit(cc.ExamBatches, u) && (enrolled || cc.FreePreview)
}

// Validate checks a course with its chapters and contents, all at once.
func (c *Course) Validate() error {
	errs := FieldErrors{}
	switch {
	case c.Slug == "":
		errs.Add("slug", "This field may not be blank.")
	case !slugPattern.MatchString(c.Slug):
		errs.Add("slug", `Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`)
	}
	if strings.TrimSpace(c.Title) == "" {
		errs.Add("title", "This field may not be blank.")
	}
	CheckLength(errs, "slug", c.Slug, MaxSlugLength)
	CheckLength(errs, "title", c.Title, MaxTitleLength)
	for i, b := range c.Batches {
		CheckLength(errs, fmt.Sprintf("batches[%d]", i), b, MaxBatchLength)
	}
	for i, ch := range c.Chapters {
		at := fmt.Sprintf("chapters[%d].", i)
		if strings.TrimSpace(ch.Title) == "" {
			errs.Add(at+"title", "This field may not be blank.")
		}
		CheckLength(errs, at+"title", ch.Title, MaxTitleLength)
		for j, cc := range ch.Contents {
			cc.validate(errs, fmt.Sprintf("%scontents[%d].", at, j))
		}
	}
	return errs.Err()
}

func (cc *ChapterContent) validate(errs FieldErrors, at string) {
	if strings.TrimSpace(cc.Title) == "" {
		errs.Add(at+"title", "This field may not be blank.")
	}
	CheckLength(errs, at+"title", cc.Title, MaxTitleLength)
	if cc.Start != nil && cc.End != nil && !cc.End.After(*cc.Start) {
		errs.Add(at+"end", "The end must be after the start.")
	}
	set := map[ContentType]bool{
		ContentExam: cc.ExamID != 0, ContentQuiz: cc.ExamID != 0, ContentVideo: cc.Video != nil,
		ContentAttachment: cc.Attachment != nil, ContentNotes: cc.Notes != nil,
		ContentVideoConference: cc.VideoConference != nil, ContentLiveStream: cc.LiveStream != nil,
	}
	switch {
	case !cc.Type.Valid():
		errs.Add(at+"type", InvalidChoice(fmt.Sprint(int(cc.Type)), ContentTypeChoices()))
	case !set[cc.Type]:
		errs.Add(at+strings.ToLower(cc.Type.Name()), fmt.Sprintf("A %s content needs its %s.", cc.Type.Name(), strings.ToLower(cc.Type.Name())))
	}
	if cc.Video != nil && cc.Video.DurationSeconds < 0 {
		errs.Add(at+"video.duration", "Ensure this value is greater than or equal to 0.")
	}
}

// ContentAttemptState is where a user is with a chapter content; the numbers
// are the admin API's state filter codes.
type ContentAttemptState int

// The content attempt states.
const (
	ContentStarted             ContentAttemptState = 0
	ContentCompleted           ContentAttemptState = 1
	ContentPendingEvaluation   ContentAttemptState = 2
	ContentEvaluationCompleted ContentAttemptState = 3
)

// String is the state as the APIs show it.
func (s ContentAttemptState) String() string {
	return [...]string{"Started", "Completed", "Pending Evaluation", "Evaluation Completed"}[s]
}

// ContentAttempt is a user's engagement with one chapter content; exactly one
// of the record ids is set, after the content's type (none for a fresh one).
type ContentAttempt struct {
	ID                    int64
	UserID                int64
	ChapterContentID      int64
	ChapterID             int64
	CourseID              int64
	Type                  ContentType
	ExamID                int64
	State                 ContentAttemptState
	Created               time.Time
	CompletedOn           *time.Time
	AttemptID             int64
	UserVideoID           int64
	UserVideoConferenceID int64
	UserLiveStreamID      int64
	UserNotesID           int64
	UserAttachmentID      int64
}

// ContentAttemptRecord is a chapter content attempt made outside the
// progress flow (the demo's history), with what its record holds. The
// course, chapter, type and exam come from the content. AttemptID links an
// Exam or Quiz content to an attempt already stored; WatchedPercentage
// (0–100) is a video's; Sessions are a video conference's attendance.
type ContentAttemptRecord struct {
	UserID, ChapterContentID int64
	State                    ContentAttemptState
	Created                  time.Time
	CompletedOn              *time.Time
	AttemptID                int64
	WatchedPercentage        int
	Sessions                 []AttendanceSession
}

// AttendanceSession is one join and the leave after it, at a video conference.
type AttendanceSession struct{ Joined, Left time.Time }

// Attendance is one user's presence at a video conference: the first join,
// the last leave and the seconds of all sessions.
type Attendance struct {
	UserID              int64
	FirstName, LastName string
	Email               string
	JoinTime, LeaveTime *time.Time
	DurationSeconds     int
}

// VideoCompleteAt is the watched percentage at which a video counts as seen.
const VideoCompleteAt = 90

// MaxVideoPosition bounds the position a student reports in a video, in
// seconds: a week, beyond any recording.
const MaxVideoPosition = 7 * 24 * 3600

// CourseStore keeps courses and runs course progress.
type CourseStore interface {
	// CreateCourse validates the course and inserts it with its chapters and
	// contents (and their videos, notes, …) in one transaction; an exam that
	// does not exist is EINVALID.
	CreateCourse(ctx context.Context, c *Course) error
	CourseByID(ctx context.Context, id int64) (*Course, error)
	// UpdateCourse applies change to the locked course and saves its own
	// fields and batches (not its chapters).
	UpdateCourse(ctx context.Context, id int64, change func(*Course) error) (*Course, error)
	// DeleteCourse deletes a course nobody has progress in.
	DeleteCourse(ctx context.Context, id int64) error
	// AddChapter appends a chapter (with its contents) to the course.
	AddChapter(ctx context.Context, courseID int64, ch *Chapter) error
	// AddContent appends a content to the chapter.
	AddContent(ctx context.Context, chapterID int64, cc *ChapterContent) error
	// DeleteContent deletes a content nobody has progress in.
	DeleteContent(ctx context.Context, id int64) error
	// UpdateChapter applies change to the locked chapter and saves it; a new
	// Order moves it among its course's chapters.
	UpdateChapter(ctx context.Context, id int64, change func(*Chapter) error) (*Chapter, error)
	// DeleteChapter deletes a chapter nobody has progress in.
	DeleteChapter(ctx context.Context, id int64) error
	// UpdateContent applies change to the locked content and saves it with
	// what it points at (a video's url, a note's html, …); a new Order moves
	// it within its chapter. Its type and exam cannot change.
	UpdateContent(ctx context.Context, id int64, change func(*ChapterContent) error) (*ChapterContent, error)
	// CoursesFor returns the courses a user may see (for every student, or
	// for a batch of theirs), by order then id; staff see them all.
	CoursesFor(ctx context.Context, u *User) ([]*Course, error)
	// OpenContent returns the user's open attempt at the content, or starts
	// one (created=true); an Exam or Quiz content starts an exam attempt.
	OpenContent(ctx context.Context, userID, contentID int64) (a *ContentAttempt, created bool, err error)
	// VideoProgress records how much of a video was watched (it only grows):
	// watchedPercentage is 0–100 and may have a fraction; it is kept as a
	// whole percent rounded down, which keeps the rule exact (x ≥ 90 exactly
	// when ⌊x⌋ ≥ 90). At VideoCompleteAt the content attempt completes.
	// positionSeconds is where the player stands, in seconds from the start,
	// at most MaxVideoPosition. Outside those ranges it is EINVALID.
	VideoProgress(ctx context.Context, userID, contentAttemptID int64, watchedPercentage float64, positionSeconds int) (*ContentAttempt, error)
	// CompleteContent completes a Notes or Attachment content attempt.
	CompleteContent(ctx context.Context, userID, contentAttemptID int64) (*ContentAttempt, error)
	// Join opens an attendance session of a video conference, or joins a
	// live stream. Returns EINVALID, saying when, if now is outside the
	// conference's JoinWindow; ENOTFOUND if the attempt is not the user's.
	Join(ctx context.Context, userID, contentAttemptID int64) (*ContentAttempt, error)
	// Leave closes the open session of a video conference.
	Leave(ctx context.Context, userID, contentAttemptID int64) (*ContentAttempt, error)
	// ContentAttemptsOf returns the user's content attempts, by id.
	ContentAttemptsOf(ctx context.Context, userID int64) ([]*ContentAttempt, error)
	// Attendance returns a page of a video conference's attendees, by user id,
	// and how many there are. Returns ENOTFOUND if there is no such video
	// conference.
	Attendance(ctx context.Context, videoConferenceID int64, offset, limit int) ([]Attendance, int, error)
}
