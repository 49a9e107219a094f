package httpapi_test

import (
	"fmt"
	"reflect"
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

// Issue 12: a course has one input shape in the authoring API and the
// bundle: the same bad course gets the same errors both ways (the bundle's
// keys name the course and contents), and the same good course, with an
// exam named by slug and one by id, comes out the same both ways.
func TestCourseInputSharedWithBundle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		mock := a.createExam(t, "mock")
		viaImport := func(course map[string]any) map[string]any {
			return map[string]any{"format": "examhall-bundle/1", "courses": []any{course}}
		}
		same := func(status int, course map[string]any, wantAPI, wantImport string) {
			t.Helper()
			a.expect(t, status, "POST", "/api/v2.5/admin/courses/", course, wantAPI)
			a.expect(t, status, "POST", "/api/v2.5/admin/import/", viaImport(course), wantImport)
		}
		bad := map[string]any{"slug": "bad", "title": "Bad", "chapters": []map[string]any{{"title": " ", "contents": []map[string]any{
			{"type": "Podcast", "title": "Cast"},
			{"type": "Notes", "title": "Read", "start": "soon", "notes": map[string]any{"html": "x"}, "video": map[string]any{"url": "u"}},
			{"type": "Video", "title": "Clip", "video": map[string]any{"url": "u", "duration": -1}},
			{"type": "Exam", "title": "Test"},
			{"type": "Notes", "content_type": "Notes", "title": "Twice", "notes": map[string]any{"html": ""}},
			{"title": "Untyped"},
		}}}}
		same(400, bad, `{"chapters[0].contents[0].type":["\"Podcast\" is not a valid choice. Valid choices: Exam, Quiz, Video, Attachment, Notes, VideoConference, LiveStream."],`+
			`"chapters[0].contents[1].start":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],`+
			`"chapters[0].contents[1].video":["A Notes content has no video."],`+
			`"chapters[0].contents[2].video.duration":["Ensure this value is greater than or equal to 0."],`+
			`"chapters[0].contents[3].exam":["A Exam content needs its exam."],`+
			`"chapters[0].contents[4].content_type":["Give either type or content_type, not both."],`+
			`"chapters[0].contents[5].type":["This field is required."],`+
			`"chapters[0].title":["This field may not be blank."]}`,
			`{"courses[0] \"bad\".chapters[0].contents[0] \"Cast\".type":["\"Podcast\" is not a valid choice. Valid choices: Exam, Quiz, Video, Attachment, Notes, VideoConference, LiveStream."],`+
				`"courses[0] \"bad\".chapters[0].contents[1] \"Read\".start":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],`+
				`"courses[0] \"bad\".chapters[0].contents[1] \"Read\".video":["A Notes content has no video."],`+
				`"courses[0] \"bad\".chapters[0].contents[2] \"Clip\".video.duration":["Ensure this value is greater than or equal to 0."],`+
				`"courses[0] \"bad\".chapters[0].contents[3] \"Test\".exam":["A Exam content needs its exam."],`+
				`"courses[0] \"bad\".chapters[0].contents[4] \"Twice\".content_type":["Give either type or content_type, not both."],`+
				`"courses[0] \"bad\".chapters[0].contents[5] \"Untyped\".type":["This field is required."],`+
				`"courses[0] \"bad\".chapters[0].title":["This field may not be blank."]}`)
		exam := func(ref any) map[string]any {
			return map[string]any{"slug": "refs", "title": "Refs", "chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "Exam", "title": "Test", "exam": ref}}}}}
		}
		same(400, exam("nope"), `{"chapters[0].contents[0].exam":["No exam with the slug \"nope\"."]}`,
			`{"courses[0] \"refs\".chapters[0].contents[0] \"Test\".exam":["No exam with the slug \"nope\"."]}`)
		same(400, exam(999), `{"chapters[0].contents[0].exam":["Invalid pk \"999\" - object does not exist."]}`,
			`{"courses[0] \"refs\".chapters[0].contents[0] \"Test\".exam":["Invalid pk \"999\" - object does not exist."]}`)
		same(400, exam(true), `{"chapters[0].contents[0].exam":["Expected an id (a number) or a key (a string)."]}`,
			`{"courses[0] \"refs\".chapters[0].contents[0] \"Test\".exam":["Expected an id (a number) or a key (a string)."]}`)
		var list struct{ Count int }
		if a.must(200, "GET", "/api/v2.5/admin/courses/", a.admin, nil, &list); list.Count != 0 {
			t.Errorf("after bad courses: %d courses, want none", list.Count)
		}

		// The same good course, once through each path, comes out the same.
		good := func(slug string) map[string]any {
			return map[string]any{"slug": slug, "title": "Good", "description": "d", "image": "https://i.example/c.png",
				"batches": []string{"NEET"}, "chapters": []map[string]any{{"title": "One", "description": "first", "contents": []map[string]any{
					{"type": "Video", "title": "Intro", "free_preview": true, "video": map[string]any{"url": "https://v.example/1", "duration": 600}},
					{"type": "Notes", "title": "Summary", "notes": map[string]any{"title": "Sum", "html": "<p>s</p>"}},
					{"type": "Attachment", "title": "Sheet", "attachment": map[string]any{"url": "https://f.example/s.pdf"}},
					{"type": "Exam", "title": "By slug", "exam": "mock", "start": "2026-03-01T09:00:00+05:30", "end": "2026-03-02T09:00:00+05:30"},
					{"type": "Quiz", "title": "By id", "exam": mock},
					{"type": "VideoConference", "title": "Doubts", "video_conference": map[string]any{"conference_id": "794",
						"provider": "Zoom", "start": "2026-03-05T17:00:00+05:30", "duration": 60, "join_url": "https://z.example/j",
						"password": "pw", "access_token": "tok", "show_recorded_video": true, "state": "Scheduled"}},
					{"type": "LiveStream", "title": "Revision", "live_stream": map[string]any{"stream_url": "https://s.example/l",
						"duration": 90, "show_recorded_video": true, "status": "Not Started", "chat_embed_url": "https://s.example/chat"}},
				}}}}
		}
		var fromAPI, fromBundle map[string]any
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.admin, good("via-api"), &fromAPI)
		a.expect(t, 200, "POST", "/api/v2.5/admin/import/", viaImport(good("via-bundle")),
			`{"created":{"courses":1},"updated":{},"unchanged":{},"dry_run":false}`)
		var courses struct {
			Results []struct {
				ID   int64
				Slug string
			}
		}
		a.must(200, "GET", "/api/v2.5/admin/courses/", a.admin, nil, &courses)
		for _, c := range courses.Results {
			if c.Slug == "via-bundle" {
				a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/courses/%d/", c.ID), a.admin, nil, &fromBundle)
			}
		}
		if got, want := content(fromBundle), content(fromAPI); !reflect.DeepEqual(got, want) {
			t.Errorf("through the bundle:\n%s\nthrough the API:\n%s", jsonText(t, got), jsonText(t, want))
		}
		contents := fromAPI["chapters"].([]any)[0].(map[string]any)["contents"].([]any)
		for i, want := range []string{`"exam_id":` + fmt.Sprint(mock), `"exam_id":` + fmt.Sprint(mock),
			`"access_token":"tok"`, `"chat_embed_url":"https://s.example/chat"`} {
			if got := jsonText(t, contents[3+i]); !strings.Contains(got, want) {
				t.Errorf("content %d: %s, want %s in it", 3+i, got, want)
			}
		}
		// The bundle imported again is unchanged.
		a.expect(t, 200, "POST", "/api/v2.5/admin/import/", viaImport(good("via-bundle")),
			`{"created":{},"updated":{},"unchanged":{"courses":1},"dry_run":false}`)

		// PATCH names the exam the same ways.
		bySlug := fmt.Sprintf("/api/v2.5/admin/chapter-contents/%v/", contents[3].(map[string]any)["id"])
		a.expect(t, 200, "PATCH", bySlug, map[string]any{"exam": "mock", "title": "By slug (2)"}, "")
		a.expect(t, 400, "PATCH", bySlug, map[string]any{"exam": "nope"}, `{"exam":["No exam with the slug \"nope\"."]}`)
		a.expect(t, 400, "PATCH", bySlug, map[string]any{"exam": true}, `{"exam":["Expected an id (a number) or a key (a string)."]}`)
	})
}

// Issue 12: a course's own output is accepted back as input: GET, then
// POST it as a new course, gives the same course.
func TestCourseRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		a.createExam(t, "mock")
		var created map[string]any
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.admin, map[string]any{"slug": "orig", "title": "Original",
			"description": "d", "image": "https://i.example/c.png", "batches": []string{"NEET"},
			"chapters": []map[string]any{
				{"title": "One", "description": "first", "contents": []map[string]any{
					{"type": "Video", "title": "Intro", "free_preview": true, "start": "2026-03-01T09:00:00Z",
						"video": map[string]any{"title": "Intro video", "url": "https://v.example/1", "duration": 600}},
					{"type": "Exam", "title": "Test", "exam": "mock"},
					{"type": "VideoConference", "title": "Doubts", "video_conference": map[string]any{"conference_id": "794",
						"provider": "Zoom", "start": "2026-03-05T17:00:00+05:30", "duration": 60, "access_token": "tok", "state": "Scheduled"}},
				}},
				{"title": "Two", "contents": []map[string]any{
					{"type": "Notes", "title": "Summary", "notes": map[string]any{"html": "<p>s</p>"}},
					{"type": "Attachment", "title": "Sheet", "attachment": map[string]any{"url": "https://f.example/s.pdf"}},
					{"type": "LiveStream", "title": "Revision", "live_stream": map[string]any{"stream_url": "https://s.example/l",
						"duration": 90, "status": "Live", "chat_embed_url": "https://s.example/chat"}},
				}},
			}}, &created)
		var got map[string]any
		a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/courses/%v/", created["id"]), a.admin, nil, &got)
		got["slug"] = "copy"
		var copied map[string]any
		a.must(201, "POST", "/api/v2.5/admin/courses/", a.admin, got, &copied)
		if c, o := content(copied), content(got); !reflect.DeepEqual(c, o) {
			t.Errorf("copy:\n%s\noriginal:\n%s", jsonText(t, c), jsonText(t, o))
		}
		// The bundle takes it too.
		got["slug"] = "bundled"
		a.expect(t, 200, "POST", "/api/v2.5/admin/import/", map[string]any{"format": "examhall-bundle/1", "courses": []any{got}},
			`{"created":{"courses":1},"updated":{},"unchanged":{},"dry_run":false}`)
	})
}

// createExam creates an exam of one question with the slug; it returns its id.
func (a *authorTest) createExam(t *testing.T, slug string) int64 {
	t.Helper()
	var exam struct{ ID int64 }
	a.must(201, "POST", "/api/v2.5/admin/exams/", a.admin, map[string]any{"slug": slug, "title": slug,
		"sections": []map[string]any{{"name": "A", "questions": []map[string]any{choiceQuestion("mcq_single")}}}}, &exam)
	return exam.ID
}
