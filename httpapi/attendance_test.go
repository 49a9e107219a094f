package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestAttendanceOfUnknownConference: the attendance of a video conference
// that does not exist is 404, not an empty page; one nobody joined yet is an
// empty page (issue 10, fault 11).
func TestAttendanceOfUnknownConference(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		var course struct {
			Chapters []struct {
				Contents []struct {
					VideoConference struct{ ID int64 } `json:"video_conference"`
				}
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "c", "title": "C",
			"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "VideoConference", "title": "Doubts", "video_conference": map[string]any{
					"conference_id": "1", "provider": "Zoom", "duration": 60}}}}}}, &course)
		known := course.Chapters[0].Contents[0].VideoConference.ID
		for _, tt := range []struct {
			id     int64
			status int
			body   string
		}{
			{known + 1, 404, `{"detail":"Not found."}`},
			{known, 200, `{"count":0,"next":null,"previous":null,"per_page":20,"results":[]}`},
		} {
			got := a.do("GET", fmt.Sprintf("/api/v3/admin/attempts/%d/video-conference/", tt.id), "JWT "+admin, "", "")
			if got.status != tt.status || got.body != tt.body {
				t.Errorf("conference %d: %d %s, want %d %s", tt.id, got.status, got.body, tt.status, tt.body)
			}
		}
	})
}
