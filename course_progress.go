package examhall

import (
	"context"
	"time"
)

// ContentAttemptFilter selects a page of the admin chapter content attempts
// list (SPEC §8.4); empty lists and nil values select everything.
type ContentAttemptFilter struct {
	UserIDs, ChapterIDs, CourseIDs, ContentIDs []int64
	ExamID                                     *int64
	Type                                       *ContentType
	State                                      *ContentAttemptState
	CompletedFrom, CompletedBefore             *time.Time // completed_on in [from, before)
	// AfterID, when not 0, is a keyset cursor: the page holds the rows with
	// larger ids (the list runs by id), whatever Offset says, so that a walk
	// skips nothing when rows it has passed leave the list.
	AfterID       int64
	Offset, Limit int
}

// UserVideo is a user's progress through a video.
type UserVideo struct {
	ID                   int64
	VideoID              int64
	Created              time.Time
	WatchedPercentage    int
	RemainingSeconds     int
	Completed            bool
	IsLiveClassRecording bool
}

// UserExam is an exam attempt as the content attempts list side-loads it.
type UserExam struct {
	Attempt
	TotalQuestions int
	Rank           int // 0 when ranks are off or the attempt has none yet
	Remaining      *time.Duration
}

// CourseSummary is a course with the counts of what it holds.
type CourseSummary struct {
	Course
	ChaptersCount, ContentsCount, ExamsCount, VideosCount, AttachmentsCount, NotesCount int
}

// PlacedContent is a chapter content with its course.
type PlacedContent struct {
	ChapterContent
	CourseID int64
}

// UserVideoConference is a user's attendance at a video conference.
type UserVideoConference struct {
	ID, UserID          int64
	JoinTime, LeaveTime *time.Time
	DurationSeconds     int
	VideoConference     VideoConference
}

// UserLiveStream is a user's joining of a live stream.
type UserLiveStream struct {
	ID, UserID int64
	LiveStream LiveStream
}

// ContentAttemptPage is one page of content attempts with, once each, the
// records they refer to.
type ContentAttemptPage struct {
	Attempts []*ContentAttempt
	// Count is the number of rows the filter selects (the cursor aside).
	Count int
	// More tells whether rows follow the page's last one.
	More                 bool
	UserVideos           []UserVideo
	UserExams            []UserExam
	Courses              []CourseSummary
	Contents             []PlacedContent
	UserVideoConferences []UserVideoConference
	UserLiveStreams      []UserLiveStream
}

// ContentReportStore serves the admin chapter content attempts list.
type ContentReportStore interface {
	ContentAttemptList(ctx context.Context, f ContentAttemptFilter) (*ContentAttemptPage, error)
}
