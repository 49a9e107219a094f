package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

type e2eContentAttempt struct {
	ID          int64       `json:"id"`
	State       string      `json:"state"`
	ContentType string      `json:"content_type"`
	CompletedOn *string     `json:"completed_on"`
	Assessment  *e2eAttempt `json:"assessment"`
}

// TestCourseEndToEnd: an admin builds a course with one content of each
// type; three students work through it over HTTP (a video watched to the
// end, one left at 40 %, a conference joined twice, an exam completed, a quiz
// with an essay pending, then graded).
func TestCourseEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		E := epoch
		var exam, quiz struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "chapter-test", "title": "Chapter test",
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{{"type": "true_false", "question_html": "g = 9.8?",
				"answers": []map[string]any{{"text_html": "True", "is_correct": true}, {"text_html": "False"}}}}}}}, &exam)
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "quick-quiz", "title": "Quick quiz",
			"sections": []map[string]any{{"name": "A", "questions": []map[string]any{{"type": "essay", "question_html": "Why?", "marks": "5"}}}}}, &quiz)
		start := E.Add(time.Hour).Format(time.RFC3339)
		var course struct {
			ID       int64
			Chapters []struct {
				Contents []struct {
					ID              int64
					VideoConference *struct{ ID int64 } `json:"video_conference"`
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "neet-physics", "title": "NEET Physics",
			"chapters": []map[string]any{{"title": "Kinematics", "contents": []map[string]any{
				{"type": "Video", "title": "Intro", "video": map[string]any{"url": "https://v.example/1", "duration": 600}},
				{"type": "Notes", "title": "Summary", "notes": map[string]any{"html": "<p>v = u + at</p>"}},
				{"type": "Attachment", "title": "Worksheet", "attachment": map[string]any{"url": "https://f.example/w.pdf"}},
				{"type": "Exam", "title": "Chapter test", "exam": exam.ID},
				{"type": "Quiz", "title": "Quick quiz", "exam": quiz.ID},
				{"type": "VideoConference", "title": "Doubt class", "video_conference": map[string]any{
					"conference_id": "79401700412", "provider": "Zoom", "start": start, "duration": 60, "show_recorded_video": true}},
				{"type": "LiveStream", "title": "Revision", "live_stream": map[string]any{"duration": 90}},
			}}}}, &course)
		c := course.Chapters[0].Contents
		golden(t, "admin_course.json", a.do("GET", fmt.Sprintf("/api/v2.5/admin/courses/%d/", course.ID), "JWT "+admin, "", "").body)

		tokens := map[string]string{}
		students := []string{"asha", "bala", "chitra"}
		for _, name := range students {
			a.must(201, "POST", "/api/v2.5/admin/users/", admin, map[string]any{"username": name, "password": "pw-" + name,
				"first_name": name[:1] + "x", "email": name + "@example.com"}, nil)
		}
		// at moves the clock and logs everyone in again: tokens live an hour.
		at := func(d time.Duration) {
			a.clock.Set(E.Add(d))
			for _, name := range students {
				var tok struct{ Token string }
				a.must(200, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": name, "password": "pw-" + name}, &tok)
				tokens[name] = tok.Token
			}
			admin = a.token("admin")
		}
		at(0)
		open := func(student string, content int, status int) e2eContentAttempt {
			t.Helper()
			var ca e2eContentAttempt
			a.must(status, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", c[content].ID), tokens[student], nil, &ca)
			return ca
		}
		step := func(student string, ca e2eContentAttempt, what string, body any, status int) e2eContentAttempt {
			t.Helper()
			var out e2eContentAttempt
			a.must(status, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/%s/", ca.ID, what), tokens[student], body, &out)
			return out
		}

		// Asha watches the video to the end; Bala stops at 40 %.
		v := open("asha", 0, 201)
		if again := open("asha", 0, 200); again.ID != v.ID {
			t.Fatalf("the open video attempt was not reused")
		}
		at(10 * time.Minute)
		if got := step("asha", v, "video-progress", map[string]any{"watched_percentage": 92, "position": 552}, 200); got.State != "Completed" {
			t.Errorf("video at 92%%: %+v", got)
		}
		vb := open("bala", 0, 201)
		if got := step("bala", vb, "video-progress", map[string]any{"watched_percentage": 40, "position": 240}, 200); got.State != "Started" {
			t.Errorf("video at 40%%: %+v", got)
		}
		step("bala", vb, "video-progress", map[string]any{"watched_percentage": 101}, 400)
		// Notes and the worksheet are marked done; the live stream is joined.
		step("asha", open("asha", 1, 201), "complete", nil, 200)
		step("asha", open("asha", 2, 201), "complete", nil, 200)
		if got := step("chitra", open("chitra", 6, 201), "join", nil, 200); got.State != "Completed" {
			t.Errorf("live stream: %+v", got)
		}
		step("chitra", v, "complete", nil, 404) // another user's attempt
		step("asha", v, "complete", nil, 400)   // a video completes by progress
		// Bala joins the doubt class twice: 20 + 15 minutes; Chitra once, without leaving yet.
		vc := open("bala", 5, 201)
		step("bala", vc, "leave", nil, 400)
		for _, span := range [][2]int{{60, 80}, {90, 105}} {
			at(time.Duration(span[0]) * time.Minute)
			step("bala", vc, "join", nil, 200)
			at(time.Duration(span[1]) * time.Minute)
			if got := step("bala", vc, "leave", nil, 200); got.State != "Completed" {
				t.Errorf("conference after leaving: %+v", got)
			}
		}
		at(100 * time.Minute)
		step("chitra", open("chitra", 5, 201), "join", nil, 200)
		golden(t, "admin_conference_attendance.json", a.do("GET",
			fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", c[5].VideoConference.ID), "JWT "+admin, "", "").body)

		// The exam content runs an exam attempt; ending it completes the content.
		at(2 * time.Hour)
		ex := open("asha", 3, 201)
		if ex.Assessment == nil || ex.Assessment.State != "Running" {
			t.Fatalf("exam content: %+v", ex)
		}
		end := func(student string, attempt int64) {
			a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", attempt), tokens[student], nil, nil)
		}
		end("asha", ex.Assessment.ID)
		// The quiz's essay waits for a grader, then is graded.
		qz := open("chitra", 4, 201)
		var page struct{ Results []e2eItem }
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", qz.Assessment.ID), tokens["chitra"], nil, &page)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.2/attempts/%d/questions/%d/", qz.Assessment.ID, page.Results[0].ID),
			tokens["chitra"], map[string]any{"essay_text": "Because of inertia."}, nil)
		end("chitra", qz.Assessment.ID)
		a.must(200, "PUT", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/%d/", qz.Assessment.ID, page.Results[0].ID),
			admin, map[string]any{"marks": "4"}, nil)
		for _, tt := range []struct {
			student string
			ca      e2eContentAttempt
			want    string
		}{{"asha", ex, "Completed"}, {"chitra", qz, "Evaluation Completed"}, {"bala", vb, "Started"}, {"asha", v, "Completed"}} {
			users, _, _ := a.db.Users(t.Context(), examhall.UserFilter{Query: tt.student, Limit: 1})
			list, err := a.db.ContentAttemptsOf(t.Context(), users[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, ca := range list {
				if ca.ID == tt.ca.ID && ca.State.String() != tt.want {
					t.Errorf("%s's %s attempt: %s, want %s", tt.student, ca.Type.Name(), ca.State, tt.want)
				}
			}
		}
	})
}
