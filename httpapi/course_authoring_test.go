package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

func TestCourseAuthoring(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := "JWT " + a.token("admin")
		student := "JWT " + a.studentToken(t)
		expect := func(status int, method, path, token string, body any, want string) string {
			t.Helper()
			got := a.do(method, path, token, "application/json", jsonText(t, body))
			if got.status != status || (want != "" && got.body != want) {
				t.Errorf("%s %s: %d %s, want %d %s", method, path, got.status, got.body, status, want)
			}
			return got.body
		}
		var course struct {
			ID       int64
			Chapters []struct {
				ID       int64
				Contents []struct{ ID int64 }
			}
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.token("admin"), map[string]any{"slug": "c1", "title": "C1",
			"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "Notes", "title": "Read me", "notes": map[string]any{"html": "<p>hi</p>"}}}}}}, &course)
		path := fmt.Sprintf("/api/v2.5/admin/courses/%d/", course.ID)
		chapter := course.Chapters[0].ID

		expect(200, "PATCH", path, admin, map[string]any{"title": "C1 (2026)", "batches": []string{"NEET"}}, "")
		expect(400, "PATCH", path, admin, map[string]any{"slug": "no spaces"}, `{"slug":["Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens."]}`)
		expect(403, "PATCH", path, student, map[string]any{"title": "x"}, "")
		expect(404, "PATCH", "/api/v2.5/admin/courses/99/", admin, map[string]any{"title": "x"}, `{"detail":"Not found."}`)

		expect(400, "POST", path+"chapters/", admin, map[string]any{"title": "Two", "contents": []map[string]any{
			{"type": "Exam", "title": "Test", "exam": 999}}}, `{"contents[0].exam":["Invalid pk \"999\" - object does not exist."]}`)
		expect(400, "POST", path+"chapters/", admin, map[string]any{"title": " "}, `{"title":["This field may not be blank."]}`)
		var grown struct {
			Chapters []struct {
				Order    int
				Title    string
				Contents []struct{ Title string }
			}
		}
		a.must(201, "POST", path+"chapters/", a.token("admin"), map[string]any{"title": "Two", "contents": []map[string]any{
			{"type": "Video", "title": "Clip", "video": map[string]any{"url": "https://v.example/2", "duration": 30}}}}, &grown)
		if len(grown.Chapters) != 2 || grown.Chapters[1].Order != 1 || grown.Chapters[1].Contents[0].Title != "Clip" {
			t.Errorf("after adding a chapter: %+v", grown)
		}

		contents := fmt.Sprintf("/api/v2.5/admin/chapters/%d/contents/", chapter)
		var added struct {
			ID    int64
			Order int
		}
		a.must(201, "POST", contents, a.token("admin"), map[string]any{"type": "Attachment", "title": "Sheet",
			"attachment": map[string]any{"url": "https://f.example/s.pdf"}}, &added)
		if added.Order != 1 {
			t.Errorf("appended content order = %d, want 1", added.Order)
		}
		expect(400, "POST", contents, admin, map[string]any{"type": "Podcast", "title": "x"}, `{"type":["\"Podcast\" is not a valid choice. Valid choices: Exam, Quiz, Video, Attachment, Notes, VideoConference, LiveStream."]}`)
		expect(400, "POST", contents, admin, map[string]any{"type": "Video", "title": "x"}, `{"video":["A Video content needs its video."]}`)
		expect(404, "POST", "/api/v2.5/admin/chapters/99/contents/", admin, map[string]any{"type": "Notes", "title": "x",
			"notes": map[string]any{"html": ""}}, `{"detail":"Not found."}`)

		// Progress protects what it refers to.
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", course.Chapters[0].Contents[0].ID), a.token("admin"), nil, nil)
		expect(400, "DELETE", fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", course.Chapters[0].Contents[0].ID), admin, nil,
			`{"detail":"Students have made progress in this content; it cannot be deleted."}`)
		expect(204, "DELETE", fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", added.ID), admin, nil, "")
		expect(404, "DELETE", fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", added.ID), admin, nil, `{"detail":"Not found."}`)
		expect(400, "DELETE", path, admin, nil, `{"detail":"Students have made progress in this course; it cannot be deleted."}`)

		var spare struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.token("admin"), map[string]any{"slug": "spare", "title": "Spare"}, &spare)
		expect(204, "DELETE", fmt.Sprintf("/api/v2.5/admin/courses/%d/", spare.ID), admin, nil, "")
		expect(404, "GET", fmt.Sprintf("/api/v2.5/admin/courses/%d/", spare.ID), admin, nil, `{"detail":"Not found."}`)

		// Editing in place: rename and move chapters; edit a content and its video; reorder contents.
		var now struct {
			Chapters []struct {
				ID       int64
				Title    string
				Contents []struct {
					ID    int64
					Title string
					Video *struct{ URL string }
				}
			}
		}
		a.must(200, "GET", path, a.token("admin"), nil, &now)
		two := now.Chapters[1]
		expect(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/chapters/%d/", two.ID), admin, map[string]any{"title": "Two (revised)", "order": 0},
			fmt.Sprintf(`{"course_id":%d,"description":"","id":%d,"order":0,"title":"Two (revised)"}`, course.ID, two.ID))
		expect(400, "PATCH", fmt.Sprintf("/api/v2.5/admin/chapters/%d/", two.ID), admin, map[string]any{"title": " "}, `{"title":["This field may not be blank."]}`)
		clip := fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", two.Contents[0].ID)
		body := expect(200, "PATCH", clip, admin, map[string]any{"title": "Clip 2", "video": map[string]any{"url": "https://v.example/2b"}}, "")
		if !strings.Contains(body, `"title":"Clip 2"`) || !strings.Contains(body, `"url":"https://v.example/2b"`) {
			t.Errorf("patched content: %s", body)
		}
		expect(400, "PATCH", clip, admin, map[string]any{"type": "Notes"}, `{"type":["The type of a content cannot change; add a new content instead."]}`)
		expect(400, "PATCH", clip, admin, map[string]any{"start": "soon"}, `{"start":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}`)
		var second struct{ ID int64 }
		a.must(201, "POST", fmt.Sprintf("/api/v2.5/admin/chapters/%d/contents/", two.ID), a.token("admin"), map[string]any{"type": "Notes",
			"title": "Second", "notes": map[string]any{"html": "<p>2</p>"}}, &second)
		expect(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/chapter-contents/%d/", second.ID), admin, map[string]any{"order": 0}, "")
		a.must(200, "GET", path, a.token("admin"), nil, &now)
		if now.Chapters[0].Title != "Two (revised)" || now.Chapters[0].Contents[0].Title != "Second" ||
			now.Chapters[0].Contents[1].Video.URL != "https://v.example/2b" || now.Chapters[1].Title != "One" {
			t.Errorf("course after editing: %+v", now)
		}
		expect(400, "DELETE", fmt.Sprintf("/api/v2.5/admin/chapters/%d/", now.Chapters[1].ID), admin, nil,
			`{"detail":"Students have made progress in this chapter; it cannot be deleted."}`)
		expect(204, "DELETE", fmt.Sprintf("/api/v2.5/admin/chapters/%d/", two.ID), admin, nil, "")
		a.must(200, "GET", path, a.token("admin"), nil, &now)
		if len(now.Chapters) != 1 || now.Chapters[0].Title != "One" {
			t.Errorf("course after deleting a chapter: %+v", now)
		}
		var orders struct{ Chapters []struct{ Order int } }
		a.must(200, "GET", path, a.token("admin"), nil, &orders)
		if orders.Chapters[0].Order != 0 {
			t.Errorf("the remaining chapter's order = %d, want 0", orders.Chapters[0].Order)
		}
	})
}
