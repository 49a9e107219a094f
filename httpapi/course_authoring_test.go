package httpapi_test

import (
	"fmt"
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
		expect(400, "POST", contents, admin, map[string]any{"type": "Podcast", "title": "x"}, `{"type":["\"Podcast\" is not a valid choice."]}`)
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
	})
}
