package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/web/browsertest"
)

// courseTab is the exam room tests' browser tab, with what the course
// pages' tests add.
type courseTab struct{ *studentBrowser }

// loaded waits until the page's region with the given id has loaded.
func (b *courseTab) loaded(region string) {
	b.t.Helper()
	b.wait(region+" loaded", fmt.Sprintf(`document.getElementById(%q) && !document.getElementById(%q).hasAttribute('aria-busy')`, region, region), 10*time.Second)
}

// press focuses the element sel and presses Enter, as a keyboard user would.
func (b *courseTab) press(sel string) {
	b.t.Helper()
	b.do(chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(kb.Enter))
}

// text is the visible text of the element sel.
func (b *courseTab) text(sel string) string {
	b.t.Helper()
	return evalIn[string](b.studentBrowser, fmt.Sprintf(`document.querySelector(%q).innerText`, sel))
}

// noSideScroll fails the test when the page is wider than the viewport.
func (b *courseTab) noSideScroll(page string) {
	b.t.Helper()
	if wide := evalIn[bool](b.studentBrowser, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		b.t.Errorf("%s scrolls sideways at %d px", page, browsertest.MobileWidth)
	}
}

// noConsoleErrors fails the test on the pages' console errors but the
// browser's own request for /favicon.ico, which no page names.
func (b *courseTab) noConsoleErrors() {
	b.t.Helper()
	for _, e := range browsertest.ConsoleErrors(b.ctx) {
		if !strings.Contains(e, "/favicon.ico") {
			b.t.Errorf("console error: %s", e)
		}
	}
}

// adminJSON GETs an admin API path with c and decodes the answer into v.
func (s *site) adminJSON(c *http.Client, path string, v any) {
	s.t.Helper()
	resp, err := c.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		s.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// contentAttempts is the admin's view (SPEC §8.4) of the content attempts
// of user.
type contentAttempts struct {
	Results struct {
		ContentAttempts []struct {
			ChapterContentID int64  `json:"chapter_content_id"`
			State            string `json:"state"`
			AssessmentID     *int64 `json:"assessment_id"`
		} `json:"content_attempts"`
		UserVideos []struct {
			WatchedPercentage int    `json:"watched_percentage"`
			State             string `json:"state"`
		} `json:"user_videos"`
	}
}

// TestCourseJourney: a student opens her course in a real browser, plays
// its video to the end (a real 3-second VP8 WebM served by the test server),
// marks the notes and the worksheet done with the keyboard, joins and leaves
// the live class, and sees each chapter's progress follow; what the pages
// show matches what the admin API reports. axe finds nothing serious on the
// course list, a course and a content; the pages fit a 375 px phone.
// SQLite only: the API under the pages runs on both engines in httpapi.
func TestCourseJourney(t *testing.T) {
	s := newSite(t, sqlstore.SQLite,
		fixture{"GET /media/clip.webm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, "testdata/clip.webm") // with Range, as a media server answers
		})},
		fixture{"GET /class/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<!doctype html><title>Class</title><p>You are in the class.</p>")
		})})
	asha := s.addUser("asha", examhall.RoleStudent)
	s.addUser("root", examhall.RoleAdmin)
	joinURL := s.URL + "/class/79401700412"
	s.importBundle(courseBundle(s.URL+"/media/clip.webm", joinURL))
	admin := s.client("root")
	var courses struct {
		Results []struct {
			ID       int64
			Chapters []struct {
				Contents []struct {
					ID              int64
					VideoConference *struct{ ID int64 } `json:"video_conference"`
				}
			}
		}
	}
	s.adminJSON(s.client("asha"), "/api/v2.5/courses/", &courses)
	course := courses.Results[0]
	motion := course.Chapters[0].Contents
	video, notes, worksheet, class, test := motion[0].ID, motion[1].ID, motion[2].ID, motion[3].ID, motion[4].ID
	progress := func() contentAttempts {
		var out contentAttempts
		s.adminJSON(admin, fmt.Sprintf("/api/v3/admin/chapter-content-attempts/?user_ids=%d", asha.ID), &out)
		return out
	}
	stateOf := func(content int64) string {
		for _, ca := range progress().Results.ContentAttempts {
			if ca.ChapterContentID == content {
				return ca.State
			}
		}
		return ""
	}

	b := &courseTab{newStudentBrowser(t, s)}
	b.do(chromedp.Navigate(s.URL+"/login/?next=/courses/"), chromedp.SendKeys(chromedp.ID("username"), "asha"),
		chromedp.SendKeys(chromedp.ID("password"), "pw-asha"), chromedp.KeyEvent(kb.Enter))
	b.wait("the course list", `location.pathname === '/courses/'`, 10*time.Second)
	b.loaded("course-list")
	if got := b.text(".course-card"); !strings.Contains(got, "Physics for NEET") || !strings.Contains(got, "0 of 7 done (0 %)") {
		t.Errorf("course card: %q", got)
	}
	browsertest.RequireAccessible(t, b.ctx)

	b.press(".course-card h2 a")
	b.wait("the course page", fmt.Sprintf(`location.pathname === '/courses/%d/'`, course.ID), 10*time.Second)
	b.loaded("course-body")
	if got, title := b.text("#course-title"), evalIn[string](b.studentBrowser, `document.title`); got != "Physics for NEET" || title != "Physics for NEET · Riverside Academy" {
		t.Errorf("course title %q, page title %q", got, title)
	}
	chapterWords := func(n int) string {
		return b.text(fmt.Sprintf(".chapter:nth-of-type(%d) .progress-words", n))
	}
	if got := chapterWords(1); got != "0 of 5 done (0 %)" {
		t.Errorf("Motion before: %q", got)
	}
	browsertest.RequireAccessible(t, b.ctx)

	// The video: played to its end, it reports what was watched.
	b.press(fmt.Sprintf(`a[href="/contents/%d/?course=%d"]`, video, course.ID))
	b.loaded("content-body")
	b.wait("the video's metadata", `document.getElementById('player').readyState >= 1`, 10*time.Second)
	if d := evalIn[float64](b.studentBrowser, `document.getElementById('player').duration`); d < 2.5 || d > 4 {
		t.Fatalf("the test video lasts %v s; chromium cannot read it?", d)
	}
	browsertest.RequireAccessible(t, b.ctx)
	// Muted, as autoplay without a click on the page is refused.
	evalIn[bool](b.studentBrowser, `(async () => { const p = document.getElementById('player'); p.muted = true; await p.play(); return true })()`)
	b.wait("the video's end", `document.getElementById('player').ended`, 15*time.Second)
	b.wait("the last report", `document.getElementById('content-status').textContent.includes('Done')`, 10*time.Second)
	shown, err := strconv.Atoi(b.text("#watched"))
	if err != nil {
		t.Fatal(err)
	}
	got := progress()
	if len(got.Results.UserVideos) != 1 || got.Results.UserVideos[0].WatchedPercentage != shown || shown < 90 || got.Results.UserVideos[0].State != "Completed" {
		t.Errorf("the page shows %d %% watched; the API: %+v", shown, got.Results.UserVideos)
	}
	if st := stateOf(video); st != "Completed" {
		t.Errorf("video content attempt: %q", st)
	}

	// The notes, the author's HTML as written, and the worksheet: marked done with the keyboard.
	for _, c := range []struct {
		id   int64
		what string
	}{{notes, "note"}, {worksheet, "attachment"}} {
		b.do(chromedp.Navigate(fmt.Sprintf("%s/contents/%d/?course=%d", s.URL, c.id, course.ID)))
		b.loaded("content-body")
		if c.id == notes && evalIn[string](b.studentBrowser, `document.querySelector('.notes em').textContent`) != "at" {
			t.Errorf("the notes' HTML is not shown as the author wrote it")
		}
		if c.id == worksheet {
			if got := evalIn[string](b.studentBrowser, `[...document.querySelectorAll('#content-body a')].map(a => a.href + ' ' + a.target + ' ' + a.rel).join()`); got != "https://files.example/worksheet.pdf _blank noopener" {
				t.Errorf("worksheet link: %q", got)
			}
		}
		if st := stateOf(c.id); st != "" {
			t.Errorf("opening the %s page recorded an attempt: %q", c.what, st)
		}
		b.press("#mark-done")
		b.wait(c.what+" done", `document.querySelector('.done-note')`, 5*time.Second)
		if got := b.text(".done-note"); got != "You have marked this "+c.what+" as done." {
			t.Errorf("%s: %q", c.what, got)
		}
		if st := stateOf(c.id); st != "Completed" {
			t.Errorf("%s content attempt: %q", c.what, st)
		}
	}

	// The live class: Join opens its link in a new tab and records attendance; Leave closes it.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/contents/%d/?course=%d", s.URL, class, course.ID)))
	b.loaded("content-body")
	browsertest.RequireAccessible(t, b.ctx)
	if got := evalIn[string](b.studentBrowser, `(j => j.href + ' ' + j.target + ' ' + j.rel)(document.getElementById('join'))`); got != joinURL+" _blank noopener" {
		t.Errorf("join link: %q", got)
	}
	b.press("#join")
	b.wait("joined", `!document.getElementById('leave').hidden`, 5*time.Second)
	type attendee struct {
		Email     string  `json:"email"`
		JoinTime  *string `json:"join_time"`
		LeaveTime *string `json:"leave_time"`
	}
	var attendance struct{ Results []attendee }
	vcPath := fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", motion[3].VideoConference.ID)
	s.adminJSON(admin, vcPath, &attendance)
	if len(attendance.Results) != 1 || attendance.Results[0].Email != "asha@example.com" || attendance.Results[0].JoinTime == nil || attendance.Results[0].LeaveTime != nil {
		t.Errorf("attendance after joining: %+v", attendance.Results)
	}
	b.press("#leave")
	b.wait("left", `document.getElementById('leave').hidden && document.getElementById('content-status').textContent.includes('Attended')`, 5*time.Second)
	s.adminJSON(admin, vcPath, &attendance)
	if len(attendance.Results) != 1 || attendance.Results[0].LeaveTime == nil {
		t.Errorf("attendance after leaving: %+v", attendance.Results)
	}
	if st := stateOf(class); st != "Completed" {
		t.Errorf("class content attempt: %q", st)
	}

	// Back on the course: the chapter's progress has followed, as has the list's.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/courses/%d/", s.URL, course.ID)))
	b.loaded("course-body")
	if got := chapterWords(1); got != "4 of 5 done (80 %)" {
		t.Errorf("Motion after: %q", got)
	}
	if got := chapterWords(2); got != "0 of 2 done (0 %)" {
		t.Errorf("Forces after: %q", got)
	}
	if got := b.text(fmt.Sprintf(`[data-content="%d"] .content-state`, video)); got != "Done" {
		t.Errorf("the video's row says %q", got)
	}
	browsertest.Screenshot(t, b.ctx, "course")
	b.noConsoleErrors()
	if err := browsertest.Mobile(b.ctx); err != nil {
		t.Fatal(err)
	}
	b.noSideScroll("the course page")
	b.do(chromedp.Navigate(fmt.Sprintf("%s/contents/%d/?course=%d", s.URL, video, course.ID)))
	b.loaded("content-body")
	b.noSideScroll("the video page")
	b.do(chromedp.Navigate(s.URL + "/courses/"))
	b.loaded("course-list")
	b.noSideScroll("the course list")
	if got := b.text(".course-card .progress-words"); got != "4 of 7 done (57 %)" {
		t.Errorf("course list after: %q", got)
	}
	if err := browsertest.Desktop(b.ctx); err != nil {
		t.Fatal(err)
	}

	// A class that starts tomorrow: joining says when it opens, and records no attendance.
	later := course.Chapters[1].Contents[1]
	b.do(chromedp.Navigate(fmt.Sprintf("%s/contents/%d/?course=%d", s.URL, later.ID, course.ID)))
	b.loaded("content-body")
	b.press("#join")
	b.wait("the refusal", `!document.getElementById('content-error').hidden`, 5*time.Second)
	if got := b.text("#content-error"); !strings.HasPrefix(got, "This class starts at ") || !evalIn[bool](b.studentBrowser, `document.getElementById('leave').hidden`) {
		t.Errorf("joining early: %q", got)
	}
	s.adminJSON(admin, fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", later.VideoConference.ID), &attendance)
	if len(attendance.Results) != 0 {
		t.Errorf("joining early recorded attendance: %+v", attendance.Results)
	}

	// The chapter test starts through the content (so finishing it completes
	// the content) and goes on in the exam room.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/contents/%d/", s.URL, test))) // without ?course=: found among her courses
	b.loaded("content-body")
	if got := b.text("#content-title"); got != "Chapter test" {
		t.Errorf("test page title %q", got)
	}
	b.press("#start-test")
	b.wait("the exam room", `location.pathname.startsWith('/attempts/')`, 10*time.Second)
	var assessment int64
	for _, ca := range progress().Results.ContentAttempts {
		if ca.ChapterContentID == test && ca.AssessmentID != nil {
			assessment = *ca.AssessmentID
		}
	}
	if path := evalIn[string](b.studentBrowser, `location.pathname`); assessment == 0 || path != fmt.Sprintf("/attempts/%d/", assessment) {
		t.Errorf("the test opened %s; its content attempt's assessment is %d", path, assessment)
	}
}
