package httpapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
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
		// Completions either side of midnight in the institute's time zone (IST).
		at(ist(2026, 1, 5, 23, 59, 59, 999999).Sub(E))
		notesB := open("bala", 1, 201)
		step("bala", notesB, "complete", nil, 200)
		at(ist(2026, 1, 6, 0, 0, 0, 0).Sub(E))
		step("bala", open("bala", 2, 201), "complete", nil, 200)

		const list = "/api/v3/admin/chapter-content-attempts/"
		golden(t, "admin_content_attempts.json", a.do("GET", list, "JWT "+admin, "", "").body)
		users := map[string]int64{}
		for _, name := range students {
			found, _, _ := a.db.Users(t.Context(), examhall.UserFilter{Query: name, Limit: 1})
			users[name] = found[0].ID
		}
		ids := func(query string) []int64 {
			t.Helper()
			got := a.do("GET", list+query, "JWT "+admin, "", "")
			if got.status != 200 {
				t.Fatalf("%s: %d %s", query, got.status, got.body)
			}
			var env struct {
				Results struct {
					ContentAttempts []struct{ ID int64 } `json:"content_attempts"`
				}
			}
			if err := json.Unmarshal([]byte(got.body), &env); err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, r := range env.Results.ContentAttempts {
				out = append(out, r.ID)
			}
			return out
		}
		// Content attempts in order: 1 asha video, 2 bala video, 3 asha notes, 4 asha worksheet, 5 chitra stream,
		// 6 bala conference, 7 chitra conference, 8 asha exam, 9 chitra quiz, 10 bala notes (23:59:59.999999),
		// 11 bala worksheet (00:00 the next day). Bala's video stays at 40 %.
		for _, tt := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
			{fmt.Sprintf("?user_ids=%d", users["asha"]), []int64{1, 3, 4, 8}},
			{fmt.Sprintf("?user_ids=%d,%d", users["bala"], users["chitra"]), []int64{2, 5, 6, 7, 9, 10, 11}},
			{fmt.Sprintf("?chapter_content_ids=%d,%d", c[0].ID, c[1].ID), []int64{1, 2, 3, 10}},
			{fmt.Sprintf("?course_ids=%d&content_type=3", course.ID), []int64{1, 2}},
			{"?chapter_ids=999", []int64{}},
			{fmt.Sprintf("?exam_id=%d", quiz.ID), []int64{9}},
			{"?content_type=1", []int64{8}},
			{"?content_type=2", []int64{9}},
			{"?content_type=7&state=1", []int64{6}},
			{"?state=0", []int64{2, 7}},
			{"?state=3", []int64{9}},
			{"?completed_date=2026-01-05", []int64{1, 3, 4, 5, 6, 8, 9, 10}},
			{"?completed_date=2026-01-06", []int64{11}},
			{"?completed_before=2026-01-06", []int64{1, 3, 4, 5, 6, 8, 9, 10}},
			{"?completed_before=2026-01-05", []int64{}},
			{"?completed_after=2026-01-05", []int64{11}},
			{"?completed_after=2026-01-04&completed_before=2026-01-06&user_ids=" + fmt.Sprint(users["bala"]), []int64{6, 10}},
			{"?page_size=3&page=2", []int64{4, 5, 6}},
		} {
			if got := ids(tt.query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.query, got, tt.want)
			}
		}
		for _, tt := range []struct{ query, body string }{
			{"?content_type=6", `{"content_type":["Select a valid choice. 6 is not one of the available choices."]}`},
			{"?state=4", `{"state":["Select a valid choice. 4 is not one of the available choices."]}`},
			{"?user_ids=1,x", `{"user_ids":["Enter a number."]}`},
			{"?completed_date=2026-02-30", `{"completed_date":["Enter a valid date."]}`},
			{"?exam_id=one", `{"exam_id":["Enter a number."]}`},
		} {
			if got := a.do("GET", list+tt.query, "JWT "+admin, "", ""); got.status != 400 || got.body != tt.body {
				t.Errorf("%s: %d %s", tt.query, got.status, got.body)
			}
		}
		// Statements per request are bounded whatever the page size: 2 to authenticate, a count, the
		// page and at most one per side-loaded kind (6); kinds the page does not refer to are skipped.
		for _, size := range []int{1, 3, 10, 1000} {
			before := a.db.Statements()
			a.do("GET", fmt.Sprintf("%s?page_size=%d", list, size), "JWT "+admin, "", "")
			if n := a.db.Statements() - before; n > 10 {
				t.Errorf("page_size=%d ran %d statements", size, n)
			}
		}
		for _, p := range []string{list, fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", c[5].VideoConference.ID)} {
			if got := a.do("GET", p, "", "", ""); got.status != 401 {
				t.Errorf("GET %s without a token: %d", p, got.status)
			}
			if got := a.do("GET", p, "JWT "+tokens["asha"], "", ""); got.status != 403 {
				t.Errorf("GET %s as a student: %d", p, got.status)
			}
		}

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

		// A course for the JEE batch: others see only its free preview; a JEE student sees all.
		var jee struct {
			ID       int64
			Chapters []struct{ Contents []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "jee-maths", "title": "JEE Maths",
			"batches": []string{"JEE"}, "chapters": []map[string]any{{"title": "Limits", "contents": []map[string]any{
				{"type": "Notes", "title": "Free sample", "free_preview": true, "notes": map[string]any{"html": "<p>lim</p>"}},
				{"type": "Notes", "title": "Full notes", "notes": map[string]any{"html": "<p>ε-δ</p>"}},
			}}}}, &jee)
		a.must(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/users/%d/", users["chitra"]), admin, map[string]any{"batches": []string{"JEE"}}, nil)
		at(3 * time.Hour)
		var courses struct {
			Count   int
			Results []struct{ Slug string }
		}
		a.must(200, "GET", "/api/v2.5/courses/", tokens["asha"], nil, &courses)
		if courses.Count != 1 || courses.Results[0].Slug != "neet-physics" {
			t.Errorf("asha's courses: %+v", courses)
		}
		a.must(200, "GET", "/api/v2.5/courses/", tokens["chitra"], nil, &courses)
		if courses.Count != 2 {
			t.Errorf("chitra's courses: %+v", courses)
		}
		var contents struct {
			Chapters []struct{ Contents []struct{ Title string } }
		}
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/courses/%d/contents/", jee.ID), tokens["asha"], nil, &contents)
		if got := contents.Chapters[0].Contents; len(got) != 1 || got[0].Title != "Free sample" {
			t.Errorf("asha's view of the JEE course: %+v", got)
		}
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", jee.Chapters[0].Contents[0].ID), tokens["asha"], nil, nil)
		a.must(403, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", jee.Chapters[0].Contents[1].ID), tokens["asha"], nil, nil)
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", jee.Chapters[0].Contents[1].ID), tokens["chitra"], nil, nil)
		a.must(404, "POST", "/api/v2.5/chapter-contents/999/attempts/", tokens["chitra"], nil, nil)
	})
}
