package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// sampleCourse has one content of each type; the exam and quiz are examID.
func sampleCourse(examID int64) *examhall.Course {
	start := epoch.Add(24 * time.Hour)
	class := epoch // the class is on: it may be joined (VideoConference.JoinWindow)
	return &examhall.Course{Slug: "neet-physics", Title: "NEET Physics", Description: "<p>Mechanics</p>", Batches: []string{},
		Chapters: []examhall.Chapter{{Title: "Kinematics", Contents: []examhall.ChapterContent{
			{Title: "Intro", Type: examhall.ContentVideo, Video: &examhall.Video{Title: "Intro", URL: "https://v.example/1", DurationSeconds: 600}},
			{Title: "Summary", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "Summary", HTML: "<p>v = u + at</p>"}},
			{Title: "Worksheet", Type: examhall.ContentAttachment, Attachment: &examhall.Attachment{Title: "Worksheet", URL: "https://f.example/w.pdf"}},
			{Title: "Chapter test", Type: examhall.ContentExam, ExamID: examID},
			{Title: "Doubt class", Type: examhall.ContentVideoConference, VideoConference: &examhall.VideoConference{
				Title: "Doubt class", ConferenceID: "79401700412", Provider: "Zoom", Start: &class, DurationMinutes: 60, ShowRecordedVideo: true}},
			{Title: "Revision", Type: examhall.ContentLiveStream, LiveStream: &examhall.LiveStream{Title: "Revision", DurationMinutes: 90}},
			{Title: "Later", Type: examhall.ContentNotes, Notes: &examhall.Notes{Title: "Later"}, Start: &start},
		}}},
	}
}

func TestCourseProgress(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		f := newAttemptFixture(t, db, clock)
		course := sampleCourse(f.exam.ID)
		if err := db.CreateCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		// The exam content comes with the exam's batches (sorted).
		course.Chapters[0].Contents[3].ExamBatches = []string{"JEE 2027", "NEET 2027"}
		got, err := db.CourseByID(ctx, course.ID)
		if err != nil || !reflect.DeepEqual(got, course) {
			t.Fatalf("CourseByID:\n got %+v\nwant %+v\n%v", got, course, err)
		}
		bad := sampleCourse(999)
		bad.Slug = "bad"
		if err := db.CreateCourse(ctx, bad); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("course with an unknown exam: %v", err)
		}
		u := f.students[0].ID
		contents := course.Chapters[0].Contents
		open := func(i int, wantCreated bool) *examhall.ContentAttempt {
			t.Helper()
			ca, created, err := db.OpenContent(ctx, u, contents[i].ID)
			if err != nil || created != wantCreated {
				t.Fatalf("open %s: created=%v err=%v", contents[i].Title, created, err)
			}
			return ca
		}
		video := open(0, true)
		if again := open(0, false); again.ID != video.ID {
			t.Fatalf("reopening gave attempt %d, want %d", again.ID, video.ID)
		}
		if ca, _ := db.VideoProgress(ctx, u, video.ID, 40, 240); ca.State != examhall.ContentStarted {
			t.Fatalf("40%%: %+v", ca)
		}
		if ca, _ := db.VideoProgress(ctx, u, video.ID, 10, 60); ca.State != examhall.ContentStarted { // never shrinks
			t.Fatalf("10%%: %+v", ca)
		}
		clock.Advance(time.Minute)
		if ca, err := db.VideoProgress(ctx, u, video.ID, 95, 570); err != nil || ca.State != examhall.ContentCompleted || !ca.CompletedOn.Equal(epoch.Add(time.Minute)) {
			t.Fatalf("95%%: %+v, %v", ca, err)
		}
		if _, err := db.VideoProgress(ctx, u, video.ID, 101, 0); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("101%%: %v", err)
		}
		notes := open(1, true)
		if ca, err := db.CompleteContent(ctx, u, notes.ID); err != nil || ca.State != examhall.ContentCompleted {
			t.Fatalf("notes: %+v, %v", ca, err)
		}
		if _, err := db.CompleteContent(ctx, u, video.ID); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("completing a video by hand: %v", err)
		}
		exam := open(3, true)
		if exam.AttemptID == 0 || exam.State != examhall.ContentStarted {
			t.Fatalf("exam content: %+v", exam)
		}
		a := &examhall.Attempt{ID: exam.AttemptID}
		f.answerAll(t, u, a, true)
		if _, err := db.End(ctx, u, a.ID); err != nil {
			t.Fatal(err)
		}
		if ca := open(3, true); ca.ID == exam.ID { // the finished one is no longer open: a retake starts
			t.Fatalf("reopened the finished exam content")
		}
		answers, _ := db.Answers(ctx, u, a.ID)
		if _, _, err := db.GradeAnswer(ctx, 1, a.ID, answers[5].ID, dec("6")); err != nil {
			t.Fatal(err)
		}
		conference := open(4, true)
		if _, err := db.Leave(ctx, u, conference.ID); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("leaving without joining: %v", err)
		}
		for _, stay := range []time.Duration{10 * time.Minute, 5 * time.Minute} {
			if _, err := db.Join(ctx, u, conference.ID); err != nil {
				t.Fatal(err)
			}
			clock.Advance(stay)
			if _, err := db.Leave(ctx, u, conference.ID); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		stream := open(5, true)
		if ca, err := db.Join(ctx, u, stream.ID); err != nil || ca.State != examhall.ContentCompleted {
			t.Fatalf("live stream: %+v, %v", ca, err)
		}
		if _, _, err := db.OpenContent(ctx, u, contents[6].ID); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("content before its start: %v", err)
		}
		// Two sessions of 10 and 5 minutes: joined at the first join, left at the last leave.
		attendance, count, err := db.Attendance(ctx, contents[4].VideoConference.ID, 0, 20)
		if err != nil || count != 1 || len(attendance) != 1 {
			t.Fatalf("attendance: %+v, %d, %v", attendance, count, err)
		}
		want := examhall.Attendance{UserID: u, FirstName: "First student0", Email: "student0@example.com",
			JoinTime: ptr(epoch.Add(time.Minute)), LeaveTime: ptr(epoch.Add(17 * time.Minute)), DurationSeconds: 900}
		if !reflect.DeepEqual(attendance[0], want) {
			t.Fatalf("attendance = %+v, want %+v", attendance[0], want)
		}
		// The exam content went Pending Evaluation (essay) and then Evaluation Completed.
		var state examhall.ContentAttemptState
		list, err := db.ContentAttemptsOf(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		for _, ca := range list {
			if ca.ID == exam.ID {
				state = ca.State
			}
		}
		if state != examhall.ContentEvaluationCompleted {
			t.Fatalf("exam content state after grading = %v", state)
		}
	})
}
