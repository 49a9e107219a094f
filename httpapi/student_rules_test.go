package httpapi_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestAvailableExamsAreTheOnesStillOpenToTheCaller: /exams/available/ lists
// the exams the caller can still start or resume, by the rules the start
// applies (SPEC §6): a completed exam without retakes, or with its
// max_retakes used, leaves the list; an exam with retakes left stays; a
// running attempt stays, to be resumed (issue 12, point 6).
func TestAvailableExamsAreTheOnesStillOpenToTheCaller(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		admin, asha, bala := a.token("admin"), a.token("asha"), a.token("bala")
		oneSection := []map[string]any{{"name": "All", "questions": []map[string]any{{"type": "numerical",
			"question_html": "<p>1?</p>", "numerical_min": "1", "numerical_max": "1"}}}}
		// Created oldest first: the list shows the newest first.
		for _, exam := range []map[string]any{
			{"slug": "once"}, // no retake: gone once completed
			{"slug": "twice", "allow_retake": true, "max_retakes": 1}, // one retake: gone after the second
			{"slug": "no-retake-zero", "allow_retake": true, "max_retakes": 0},
			{"slug": "unlimited", "allow_retake": true}, // stays
			{"slug": "running"}, // started, not ended: stays to be resumed
			{"slug": "untouched"},
		} {
			exam["title"], exam["published"], exam["sections"] = exam["slug"], true, oneSection
			a.must(201, "POST", "/api/v2.5/admin/exams/", admin, exam, nil)
		}
		a.sit(asha, "once")
		a.sit(asha, "twice")
		a.sit(asha, "no-retake-zero")
		a.sit(asha, "unlimited")
		a.sit(asha, "unlimited")
		a.must(201, "POST", "/api/v2.2/exams/running/attempts/", asha, nil, nil)

		available := func(token string) (int, []string) {
			t.Helper()
			var p struct {
				Count   int
				Results []struct{ Slug string }
			}
			a.must(200, "GET", "/api/v2.2/exams/available/", token, nil, &p)
			slugs := []string{}
			for _, e := range p.Results {
				slugs = append(slugs, e.Slug)
			}
			return p.Count, slugs
		}
		check := func(who, token string, want ...string) {
			t.Helper()
			if count, got := available(token); count != len(want) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: available %d %v, want %v", who, count, got, want)
			}
		}
		check("asha", asha, "untouched", "running", "unlimited", "twice")
		check("bala", bala, "untouched", "running", "unlimited", "no-retake-zero", "twice", "once")

		// The list agrees with what a start answers.
		for _, tt := range []struct {
			slug   string
			status int
			body   string
		}{
			{"once", 400, `{"detail":"This exam cannot be retaken."}`},
			{"no-retake-zero", 400, `{"detail":"You have used all 0 retakes of this exam."}`},
			{"running", 400, `{"detail":"An attempt of this exam is already running; resume it."}`},
		} {
			if got := a.do("POST", "/api/v2.2/exams/"+tt.slug+"/attempts/", "JWT "+asha, "", ""); got.status != tt.status || got.body != tt.body {
				t.Errorf("start %s: %d %s, want %d %s", tt.slug, got.status, got.body, tt.status, tt.body)
			}
		}
		// The retake of "twice" uses its last one: then it leaves the list.
		a.sit(asha, "twice")
		check("asha after the retake", asha, "untouched", "running", "unlimited")
		if got := a.do("POST", "/api/v2.2/exams/twice/attempts/", "JWT "+asha, "", ""); got.status != 400 ||
			got.body != `{"detail":"You have used all 1 retakes of this exam."}` {
			t.Errorf("third start of twice: %d %s", got.status, got.body)
		}
		// Ending the running attempt of a no-retake exam takes it off.
		var list struct{ Results []struct{ ID int64 } }
		a.must(200, "GET", "/api/v2.2/attempts/", asha, nil, &list)
		for _, at := range list.Results {
			a.do("PUT", fmt.Sprintf("/api/v2.2/attempts/%d/end/", at.ID), "JWT "+asha, "", "")
		}
		check("asha after ending", asha, "untouched", "unlimited")
	})
}

// TestReviewShowsIsBonus: the review marks a bonus question with is_bonus,
// which says why an unanswered one is Correct at full marks (SPEC §5; the
// name is §8.3's). Non-bonus items say false; the questions list, before and
// after completion, has no review keys (issue 12, point 6).
func TestReviewShowsIsBonus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, asha := a.token("admin"), a.token("asha")
		a.must(201, "POST", "/api/v2.5/admin/exams/", admin, map[string]any{"slug": "bonus", "title": "Bonus",
			"published": true, "show_answers": true, "sections": []map[string]any{{"name": "A", "questions": []map[string]any{
				{"type": "numerical", "question_html": "<p>1?</p>", "numerical_min": "1", "numerical_max": "1", "marks": "2"},
				{"type": "numerical", "question_html": "<p>flawed</p>", "numerical_min": "2", "numerical_max": "2", "marks": "3",
					"is_bonus": true},
			}}}}, nil)
		id := a.sit(asha, "bonus", map[string]any{"numeric_value": "1"})
		var page struct {
			Results []struct{ ID int64 }
		}
		a.must(200, "GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", id), asha, nil, &page)
		item := func(n int) string {
			return fmt.Sprintf(`"id":%d,"url":"%s/api/v2.2/attempts/%d/questions/%d/"`, page.Results[n].ID, baseURL, id, page.Results[n].ID)
		}
		got := a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/review/", id), "JWT "+asha, "", "")
		want := `{"count":2,"next":null,"previous":null,"per_page":20,"results":[` +
			`{` + item(0) + `,"order":0,"section_id":%[1]d,"question":{"question_html":"<p>1?</p>","direction":null,"answers":[],"subject":null,"type":"N"},` +
			`"selected_answers":[],"short_text":null,"numeric_value":"1","essay_text":null,"review":false,` +
			`"explanation_html":"","result":"Correct","marks_awarded":"2.00","is_bonus":false},` +
			`{` + item(1) + `,"order":1,"section_id":%[1]d,"question":{"question_html":"<p>flawed</p>","direction":null,"answers":[],"subject":null,"type":"N"},` +
			`"selected_answers":[],"short_text":null,"numeric_value":null,"essay_text":null,"review":false,` +
			`"explanation_html":"","result":"Correct","marks_awarded":"3.00","is_bonus":true}]}`
		var exam struct {
			Sections []struct{ ID int64 }
		}
		a.must(200, "GET", "/api/v2.2/exams/bonus/", asha, nil, &exam)
		want = fmt.Sprintf(want, exam.Sections[0].ID)
		if got.status != 200 || got.body != want {
			t.Errorf("review: %d\n%s\nwant\n%s", got.status, got.body, want)
		}
		questions := a.do("GET", fmt.Sprintf("/api/v2.2/attempts/%d/questions/", id), "JWT "+asha, "", "")
		if questions.status != 200 || strings.Contains(questions.body, "is_bonus") {
			t.Errorf("questions list: %d %s", questions.status, questions.body)
		}
	})
}

// TestConferenceJoinWindow: a video conference can be joined from 15
// minutes before its start to its end (start + duration); before, the join
// is refused with when it opens; after, with when it ended; a refused join
// records no attendance and cannot be left (issue 12, point 6). A
// conference without a start opens any time.
func TestConferenceJoinWindow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin := a.token("admin")
		start := epoch.Add(48 * time.Hour).Truncate(time.Second) // two days on: 2026-01-07T10:00:00+05:30
		var course struct {
			Chapters []struct {
				Contents []struct {
					ID              int64
					VideoConference *struct{ ID int64 } `json:"video_conference"`
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "c", "title": "C",
			"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "VideoConference", "title": "Doubts", "video_conference": map[string]any{
					"conference_id": "1", "provider": "Zoom", "start": start.Format(time.RFC3339), "duration": 60}},
				{"type": "VideoConference", "title": "Any time", "video_conference": map[string]any{
					"conference_id": "2", "provider": "Zoom", "duration": 60}},
			}}}}, &course)
		contents := course.Chapters[0].Contents
		var ca, anyTime struct{ ID int64 }
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", contents[0].ID), a.token("asha"), nil, &ca)
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", contents[1].ID), a.token("asha"), nil, &anyTime)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/join/", anyTime.ID), a.token("asha"), nil, nil)

		step := func(at time.Time, what string, status int, body string) {
			t.Helper()
			a.clock.Set(at)
			got := a.do("PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/%s/", ca.ID, what), "JWT "+a.token("asha"), "", "")
			if got.status != status || (body != "" && got.body != body) {
				t.Errorf("%s at %s: %d %s, want %d %s", what, at.Format(time.RFC3339Nano), got.status, got.body, status, body)
			}
		}
		const early = `{"detail":"This class starts at 2026-01-07T10:00:00+05:30; you can join from 2026-01-07T09:45:00+05:30."}`
		const ended = `{"detail":"This class ended at 2026-01-07T11:00:00+05:30."}`
		step(epoch, "join", 400, early)
		step(epoch, "leave", 400, `{"detail":"You have not joined this class."}`)
		step(start.Add(-15*time.Minute-time.Microsecond), "join", 400, early)
		a.clock.Set(start)
		attendance := fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", contents[0].VideoConference.ID)
		if got := a.do("GET", attendance, "JWT "+a.token("admin"), "", ""); got.status != 200 ||
			got.body != `{"count":0,"next":null,"previous":null,"per_page":20,"results":[]}` {
			t.Errorf("attendance after refused joins: %d %s", got.status, got.body)
		}
		step(start.Add(-15*time.Minute), "join", 200, "")
		step(start.Add(10*time.Minute), "leave", 200, "")
		step(start.Add(59*time.Minute), "join", 200, "")
		step(start.Add(61*time.Minute), "leave", 200, "") // a session open at the end may still be closed
		step(start.Add(time.Hour), "join", 400, ended)
		step(start.Add(3*24*time.Hour), "join", 400, ended)
		a.clock.Set(start.Add(3 * 24 * time.Hour))
		want := `{"count":1,"next":null,"previous":null,"per_page":20,"results":[{"name":"Asha Rao","email":"asha@example.com",` +
			`"join_time":"2026-01-07T09:45:00+05:30","leave_time":"2026-01-07T11:01:00+05:30","duration":1620}]}`
		if got := a.do("GET", attendance, "JWT "+a.token("admin"), "", ""); got.status != 200 || got.body != want {
			t.Errorf("attendance: %d %s\nwant %s", got.status, got.body, want)
		}
	})
}
