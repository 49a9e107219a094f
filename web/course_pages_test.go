package web_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// courseBundle is an institute with one course: "Motion" holds a video
// (videoURL, 3 s long), notes, an attachment, a live class open now
// (joinURL) and a chapter test; "Forces" holds one note and a class that
// starts tomorrow.
func courseBundle(videoURL, joinURL string) string {
	start := time.Now().Add(-5 * time.Minute).Format(time.RFC3339)
	tomorrow := time.Now().Add(24 * time.Hour).Format(time.RFC3339)
	return fmt.Sprintf(`{"format": "examhall-bundle/1",
  "exams": [{"slug": "motion-test", "title": "Motion test", "start_date": "2026-01-01T09:00:00+05:30", "duration": "0:30:00",
    "published": true, "sections": [{"name": "A", "questions": [
      {"key": "m1", "type": "true_false", "question_html": "<p>Is g about 9.8 m/s²?</p>",
       "answers": [{"text_html": "True", "is_correct": true}, {"text_html": "False", "is_correct": false}]}]}]}],
  "courses": [{"slug": "physics", "title": "Physics for NEET", "description": "Motion and forces, from the start.",
    "chapters": [
      {"title": "Motion", "contents": [
        {"type": "Video", "title": "What is velocity?", "video": {"title": "Velocity", "url": %q, "duration": 3}},
        {"type": "Notes", "title": "Equations of motion", "notes": {"html": "<p>v = u + <em>at</em></p><p>s = ut + ½at²</p>"}},
        {"type": "Attachment", "title": "Worksheet", "attachment": {"url": "https://files.example/worksheet.pdf"}},
        {"type": "VideoConference", "title": "Doubt class", "video_conference": {"conference_id": "79401700412",
          "provider": "Zoom", "start": %q, "duration": 60, "join_url": %q, "password": "", "show_recorded_video": true}},
        {"type": "Exam", "title": "Chapter test", "exam": "motion-test"}]},
      {"title": "Forces", "contents": [
        {"type": "Notes", "title": "Newton's laws", "notes": {"html": "<p>F = ma</p>"}},
        {"type": "VideoConference", "title": "Revision class", "video_conference": {"conference_id": "79401700413",
          "provider": "Zoom", "start": %q, "duration": 60, "join_url": %q, "password": "", "show_recorded_video": true}}]}]}]}`,
		videoURL, start, joinURL, tomorrow, joinURL)
}

// TestCoursePagesAccess: the course pages are for anyone logged in (staff
// see them as a student would); a visitor is sent to log in and back; each
// page is a shell carrying its script, stylesheet and the path's id.
func TestCoursePagesAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		s := newSite(t, engine)
		s.addUser("asha", examhall.RoleStudent)
		s.addUser("sam", examhall.RoleStaff)
		cases := []struct {
			user, path string
			status     int
			location   string
			has        []string
		}{
			{"", "/courses/", 303, "/login/?next=%2Fcourses%2F", nil},
			{"", "/courses/3/", 303, "/login/?next=%2Fcourses%2F3%2F", nil},
			{"", "/contents/5/?course=3", 303, "/login/?next=%2Fcontents%2F5%2F%3Fcourse%3D3", nil},
			{"asha", "/courses/", 200, "", []string{`<script type="module" src="/static/js/courses.js">`, `href="/static/css/course.css"`, `id="course-list"`, `<a href="/courses/">Courses</a>`}},
			{"asha", "/courses/3/", 200, "", []string{`src="/static/js/course.js"`, `data-id="3"`, `id="course-body"`}},
			{"asha", "/contents/5/?course=3", 200, "", []string{`src="/static/js/content.js"`, `data-id="5"`, `id="content-status" role="status"`}},
			{"sam", "/courses/", 200, "", []string{`src="/static/js/courses.js"`}},
			{"asha", "/courses/3/extra/", 404, "", []string{"There is no page at this address."}},
		}
		for _, c := range cases {
			status, header, body := s.get(s.client(c.user), c.path)
			if status != c.status || header.Get("Location") != c.location {
				t.Errorf("%s GET %s: %d %q, want %d %q", c.user, c.path, status, header.Get("Location"), c.status, c.location)
			}
			for _, want := range c.has {
				if !strings.Contains(body, want) {
					t.Errorf("%s GET %s: the page lacks %s", c.user, c.path, want)
				}
			}
		}
	})
}

// TestCourseAssets: every script and stylesheet the course pages name is
// served, and the scripts import only modules that are there.
func TestCourseAssets(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	for _, name := range []string{"js/courses.js", "js/course.js", "js/content.js", "js/coursekit.js", "css/course.css"} {
		want, err := os.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		status, _, body := s.get(s.client(""), "/static/"+name)
		if status != http.StatusOK || body != string(want) {
			t.Errorf("/static/%s: %d, %d bytes", name, status, len(body))
		}
		for _, line := range strings.Split(body, "\n") {
			if _, from, ok := strings.Cut(line, "} from './"); ok {
				module := strings.TrimSuffix(from, "';")
				if status, _, _ := s.get(s.client(""), "/static/js/"+module); status != http.StatusOK {
					t.Errorf("%s imports %s: %d", name, module, status)
				}
			}
		}
	}
}
