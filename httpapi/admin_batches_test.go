package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// Issue 12: batches are listed, created and renamed; a renamed batch keeps
// its users and exams. Bad input is refused and changes nothing.
func TestAdminBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		a.addUser("asha", examhall.RoleStudent, "NEET 2027")
		a.expect(t, 200, "GET", "/api/v2.5/admin/batches/", nil,
			`{"count":1,"next":null,"previous":null,"per_page":200,"results":[{"id":1,"name":"NEET 2027","users_count":1}]}`)
		a.expect(t, 201, "POST", "/api/v2.5/admin/batches/", map[string]any{"name": "JEE 2027"}, `{"id":2,"name":"JEE 2027","users_count":0}`)
		a.expect(t, 400, "POST", "/api/v2.5/admin/batches/", map[string]any{"name": "JEE 2027"}, `{"name":["batch with this name already exists."]}`)
		a.expect(t, 400, "POST", "/api/v2.5/admin/batches/", map[string]any{"name": " "}, `{"name":["This field may not be blank."]}`)
		a.expect(t, 400, "POST", "/api/v2.5/admin/batches/", map[string]any{"title": "x"}, `{"title":["Unknown field."]}`)
		a.expect(t, 400, "PATCH", "/api/v2.5/admin/batches/1/", map[string]any{"name": "JEE 2027"}, `{"name":["batch with this name already exists."]}`)
		a.expect(t, 400, "PATCH", "/api/v2.5/admin/batches/1/", map[string]any{}, `{"name":["This field is required."]}`)
		a.expect(t, 404, "PATCH", "/api/v2.5/admin/batches/99/", map[string]any{"name": "X"}, `{"detail":"Not found."}`)
		a.expect(t, 200, "GET", "/api/v2.5/admin/batches/?page_size=1&page=2", nil,
			`{"count":2,"next":null,"previous":"https://exams.example.com/api/v2.5/admin/batches/?page_size=1","per_page":1,"results":[{"id":1,"name":"NEET 2027","users_count":1}]}`)

		// An exam for the batch, seen by Asha; renamed, it still is.
		var exam struct {
			ID      int64
			Batches []string
		}
		a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, map[string]any{"slug": "neet", "title": "NEET mock", "published": true,
			"batches": []string{"NEET 2027"}, "sections": []map[string]any{{"name": "A"}}}, &exam)
		seen := func() int {
			var list struct{ Count int }
			a.must(200, "GET", "/api/v2.2/exams/", a.token("asha"), nil, &list)
			return list.Count
		}
		if n := seen(); n != 1 {
			t.Fatalf("asha sees %d exams before the rename", n)
		}
		a.expect(t, 200, "PATCH", "/api/v2.5/admin/batches/1/", map[string]any{"name": "NEET 2028"}, `{"id":1,"name":"NEET 2028","users_count":1}`)
		if n := seen(); n != 1 {
			t.Errorf("asha sees %d exams after the rename", n)
		}
		var asha struct{ Batches []string }
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/users/%d/", a.users["asha"].ID), a.admin, nil, &asha)
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/", exam.ID), a.admin, nil, &exam)
		if fmt.Sprint(asha.Batches, exam.Batches) != "[NEET 2028] [NEET 2028]" {
			t.Errorf("after the rename: user %v, exam %v", asha.Batches, exam.Batches)
		}
		resp := a.do("GET", "/api/v2.5/admin/batches/", "JWT "+a.token("asha"), "", "")
		if resp.status != 403 {
			t.Errorf("a student lists batches: %d %s", resp.status, resp.body)
		}
	})
}

// Issue 12: the admin course list, paginated as the other admin lists.
func TestAdminCourseList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		for _, slug := range []string{"physics", "chemistry"} {
			a.must(201, "POST", "/api/v2.5/admin/courses/", a.admin, map[string]any{"slug": slug, "title": slug, "batches": []string{"JEE"},
				"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{{"type": "Notes", "title": "N", "notes": map[string]any{"html": "<p>n</p>"}}}}}}, nil)
		}
		a.expect(t, 200, "GET", "/api/v2.5/admin/courses/?page_size=1&page=2", nil,
			`{"count":2,"next":null,"previous":"https://exams.example.com/api/v2.5/admin/courses/?page_size=1","per_page":1,"results":[`+
				`{"id":2,"slug":"chemistry","title":"chemistry","description":"","image":"","created":"2026-01-05T10:00:00.250000+05:30",`+
				`"modified":"2026-01-05T10:00:00.250000+05:30","batches":["JEE"],"chapters":[{"id":2,"order":0,"title":"One","description":"",`+
				`"contents":[{"id":2,"order":0,"chapter_id":2,"title":"N","description":"","content_type":"Notes","free_preview":false,`+
				`"start":null,"end":null,"exam_id":null,"video":null,"attachment":null,"notes":{"html":"<p>n</p>","id":2,"title":"N"},`+
				`"video_conference":null,"live_stream":null}]}]}]}`)
		a.expect(t, 404, "GET", "/api/v2.5/admin/courses/?page=3", nil, `{"detail":"Invalid page."}`)
	})
}
