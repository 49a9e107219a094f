package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// call sends a request without a body and decodes the JSON answer into out.
func call(t *testing.T, method, url, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "JWT "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

// TestServeDemoShowsEveryFeature starts serve --demo on each engine and
// checks, through the API, that a newcomer finds every feature working at
// once (issue 12, point 5): (a) each Exam/Quiz content of the courses opens
// an exam attempt for a student of the course, (b) titled as the content
// is, (c) course progress in §8.4, (d) no running attempt with a time in the
// future, (e) a video conference with attendance (§8.5) and an essay
// pending grading; (f) a second serve --demo prints the students' password
// again (re-set on that start), and only the new one logs in.
func TestServeDemoShowsEveryFeature(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			m, out := start(t, "--db", dsn, "--demo")
			base := m.URL()
			admin := regexp.MustCompile(`admin login: username admin, password (\S+)\n`).FindStringSubmatch(out)
			students := regexp.MustCompile(`students log in as (student000001) … student000200 with password (\S+)\n`).FindStringSubmatch(out)
			if admin == nil || students == nil {
				t.Fatalf("serve --demo printed %q", out)
			}
			_, adminToken := login(t, base, "admin", admin[1])
			status, student := login(t, base, students[1], students[2])
			if status != 200 {
				t.Fatalf("student login: %d", status)
			}

			// (a), (b): every test of every course opens for student000001.
			var courses struct {
				Results []struct {
					Title    string
					Chapters []struct {
						Title    string
						Contents []struct {
							ID          int64
							Title       string
							ContentType string `json:"content_type"`
							ExamID      *int64 `json:"exam_id"`
						}
					}
				}
			}
			if status := call(t, "GET", base+"/api/v2.5/courses/", student, &courses); status != 200 || len(courses.Results) != 2 {
				t.Fatalf("courses: %d %+v", status, courses)
			}
			tests := 0
			for _, c := range courses.Results {
				for _, ch := range c.Chapters {
					for _, cc := range ch.Contents {
						if cc.ContentType != "Exam" && cc.ContentType != "Quiz" {
							continue
						}
						tests++
						var exam struct{ Title string }
						call(t, "GET", fmt.Sprintf("%s/api/v2.5/admin/exams/%d/", base, *cc.ExamID), adminToken, &exam)
						if !strings.HasPrefix(cc.Title, ch.Title+": ") || !strings.HasPrefix(exam.Title, ch.Title+" — ") {
							t.Errorf("%s / %s: content %q opens exam %q", c.Title, ch.Title, cc.Title, exam.Title)
						}
						var ca struct {
							Assessment *struct{ State string }
						}
						status := call(t, "POST", fmt.Sprintf("%s/api/v2.5/chapter-contents/%d/attempts/", base, cc.ID), student, &ca)
						if status != 201 || ca.Assessment == nil || ca.Assessment.State != "Running" {
							t.Errorf("%s / %q: %d %+v", c.Title, cc.Title, status, ca.Assessment)
						}
					}
				}
			}
			if tests != 7 {
				t.Errorf("%d tests in the courses, want one per chapter (7)", tests)
			}

			// (c), (e): course progress of every kind, an essay pending grading.
			type page struct {
				Count   int
				Results struct {
					ContentAttempts []struct {
						ContentType  string `json:"content_type"`
						State        string
						AssessmentID *int64 `json:"assessment_id"`
					} `json:"content_attempts"`
					UserVideoConferences []struct {
						VideoConference struct{ ID int64 } `json:"video_conference"`
					} `json:"user_video_conferences"`
				}
			}
			kinds := map[string]bool{}
			var pending, conference int64
			for n := 1; ; n++ {
				var p page
				if status := call(t, "GET", fmt.Sprintf("%s/api/v3/admin/chapter-content-attempts/?page=%d", base, n), adminToken, &p); status != 200 {
					break
				}
				for _, ca := range p.Results.ContentAttempts {
					kinds[ca.ContentType+"/"+ca.State] = true
					if ca.State == "Pending Evaluation" && pending == 0 {
						pending = *ca.AssessmentID
					}
				}
				for _, uvc := range p.Results.UserVideoConferences {
					conference = uvc.VideoConference.ID
				}
			}
			for _, want := range []string{"assessment/Completed", "assessment/Pending Evaluation", "video/Completed", "video/Started",
				"notes/Completed", "attachment/Completed", "videoConference/Completed", "live_stream/Completed"} {
				if !kinds[want] {
					t.Errorf("no %s content attempt in §8.4: %v", want, kinds)
				}
			}
			if pending == 0 {
				t.Fatal("no exam attempt pending evaluation")
			}
			var answers struct {
				Results struct {
					UserAnswers []struct{ Result string } `json:"user_answers"`
				}
			}
			call(t, "GET", fmt.Sprintf("%s/api/v3/admin/attempts/%d/user_answers/", base, pending), adminToken, &answers)
			essays := 0
			for _, ua := range answers.Results.UserAnswers {
				if ua.Result == "Pending Evaluation" {
					essays++
				}
			}
			if essays == 0 {
				t.Errorf("attempt %d has no answer pending evaluation: %+v", pending, answers)
			}
			var attendance struct {
				Count   int
				Results []struct{ Duration int }
			}
			call(t, "GET", fmt.Sprintf("%s/api/v3/admin/attempts/%d/video-conference/", base, conference), adminToken, &attendance)
			if attendance.Count == 0 || attendance.Results[0].Duration <= 0 {
				t.Errorf("attendance of conference %d: %+v", conference, attendance)
			}

			// (d): no running attempt has a time after now.
			now := time.Now()
			var running struct {
				Count   int
				Results []map[string]any
			}
			call(t, "GET", base+"/api/v2.5/admin/attempts/?state=0&page_size=1000", adminToken, &running)
			if running.Count == 0 || running.Count != len(running.Results) {
				t.Fatalf("running attempts: %d of %d", len(running.Results), running.Count)
			}
			for _, a := range running.Results {
				for _, key := range []string{"date", "last_started_time", "last_answer_updated_time"} {
					s, _ := a[key].(string)
					if s == "" {
						continue
					}
					at, err := time.Parse(time.RFC3339Nano, s)
					if err != nil || at.After(now) {
						t.Errorf("running attempt %v: %s %s is in the future (now %s) %v", a["id"], key, s, now.Format(time.RFC3339Nano), err)
					}
				}
			}
			m.Close()

			// (f): a second start re-sets the students' password and says it.
			m2, out := start(t, "--db", dsn, "--demo")
			again := regexp.MustCompile(`students log in as student000001 … with password (\S+) \(re-set on this start for the 200 students who had not changed it\)\n`).FindStringSubmatch(out)
			if again == nil || !strings.Contains(out, "no demo data loaded") {
				t.Fatalf("second serve --demo printed %q", out)
			}
			if status, _ := login(t, m2.URL(), "student000200", again[1]); status != 200 {
				t.Errorf("login with the re-set password: %d", status)
			}
			if status, _ := login(t, m2.URL(), "student000001", students[2]); status != 400 {
				t.Errorf("login with the first password: %d", status)
			}
		})
	}
}
