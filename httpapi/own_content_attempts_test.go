package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestOwnContentAttempts: GET /api/v2.5/content-attempts/ is the caller's
// own rows of the admin content attempts list (SPEC §8.4), with its filters
// but user_ids; it is how a student's course pages read their progress.
func TestOwnContentAttempts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		asha := a.addUser("asha", examhall.RoleStudent)
		bala := a.addUser("bala", examhall.RoleStudent)
		admin, tokA, tokB := a.token("admin"), a.token("asha"), a.token("bala")
		var course struct {
			ID       int64
			Chapters []struct{ Contents []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "physics", "title": "Physics",
			"chapters": []map[string]any{{"title": "Motion", "contents": []map[string]any{
				{"type": "Video", "title": "Intro", "video": map[string]any{"url": "https://v.example/1", "duration": 600}},
				{"type": "Notes", "title": "Summary", "notes": map[string]any{"html": "<p>v = u + at</p>"}},
			}}}}, &course)
		video, notes := course.Chapters[0].Contents[0].ID, course.Chapters[0].Contents[1].ID
		open := func(token string, content int64) int64 {
			var ca struct{ ID int64 }
			a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", content), token, nil, &ca)
			return ca.ID
		}
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/video-progress/", open(tokA, video)), tokA,
			map[string]any{"watched_percentage": 40.5, "position": 243}, nil)
		a.must(200, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/complete/", open(tokA, notes)), tokA, nil, nil)
		open(tokB, notes)

		const list = "/api/v2.5/content-attempts/"
		got := a.do("GET", list, "JWT "+tokA, "", "")
		if got.status != 200 {
			t.Fatalf("GET %s: %d %s", list, got.status, got.body)
		}
		golden(t, "own_content_attempts.json", got.body)
		// The same rows, side-loads and envelope as the admin list filtered to each.
		for _, u := range []struct {
			id    int64
			token string
		}{{asha.ID, tokA}, {bala.ID, tokB}} {
			admins := a.do("GET", fmt.Sprintf("/api/v3/admin/chapter-content-attempts/?user_ids=%d", u.id), "JWT "+admin, "", "")
			if own := a.do("GET", list, "JWT "+u.token, "", ""); admins.status != 200 || own.body != admins.body {
				t.Errorf("user %d: own list differs from the admin's view of it:\n  own %s\nadmin %s", u.id, own.body, admins.body)
			}
		}
		var videos struct {
			Count   int
			Results struct {
				ContentAttempts []struct {
					ChapterContentID int64 `json:"chapter_content_id"`
				} `json:"content_attempts"`
			}
		}
		a.must(200, "GET", list+"?content_type=3", tokA, nil, &videos)
		if videos.Count != 1 || len(videos.Results.ContentAttempts) != 1 || videos.Results.ContentAttempts[0].ChapterContentID != video {
			t.Errorf("?content_type=3: %+v", videos)
		}
		for _, tt := range []struct {
			query, token string
			status       int
			body         string
		}{
			{fmt.Sprintf("?user_ids=%d", bala.ID), tokA, 400, `{"user_ids":["This list holds only your own attempts; leave user_ids out."]}`},
			{"?state=9", tokA, 400, `{"state":["Select a valid choice. 9 is not one of the available choices."]}`},
			{"?course_ids=999", tokA, 200, `{"count":0,"next":null,"previous":null,"per_page":250,"results":{"content_attempts":[],"user_videos":[],"user_exams":[],"courses":[],"chapter_contents":[],"user_video_conferences":[],"user_live_streams":[]}}`},
			{"", "", 401, `{"detail":"Authentication credentials were not provided."}`},
		} {
			a.expect("GET", list+tt.query, tt.token, "", tt.status, tt.body)
		}
		a.expect("POST", list, tokA, "{}", 405, `{"detail":"Method \"POST\" not allowed."}`)
	})
}
