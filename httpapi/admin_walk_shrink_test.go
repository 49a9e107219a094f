package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

// TestAdminAttemptWalkWhileListShrinks walks ?state=0 five at a time while an
// attempt already returned leaves the list (ended, or its user deleted): the
// walk still returns every attempt that stays running, and a saved next link
// never answers "Invalid page." (issue 10, fault 2).
func TestAdminAttemptWalkWhileListShrinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		for _, ordering := range []string{"-id", "id", "-date", "date"} {
			for _, shrink := range []string{"end", "delete user"} {
				t.Run(ordering+" "+shrink, func(t *testing.T) {
					a := newTestAPI(t, engine)
					a.addUser("admin", examhall.RoleAdmin)
					ctx := context.Background()
					exam := &examhall.Exam{Slug: "shrink", Title: "Shrink", MarkPerQuestion: decimal.FromInt(1),
						Published: true, Sections: []examhall.Section{{Name: "All", Questions: []examhall.ExamQuestion{
							{Marks: decimal.FromInt(1), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "e"}}}}}}
					if err := a.db.CreateExam(ctx, exam); err != nil {
						t.Fatal(err)
					}
					type started struct{ user, attempt int64 }
					var all []started
					for i := range 11 {
						u := a.addUser(fmt.Sprintf("s%02d", i), examhall.RoleStudent)
						at, err := a.db.StartAttempt(ctx, u.ID, "shrink", "")
						if err != nil {
							t.Fatal(err)
						}
						all = append(all, started{u.ID, at.ID})
						a.clock.Advance(time.Second)
					}
					leave := func(s started) {
						t.Helper()
						var err error
						if shrink == "end" {
							_, err = a.db.End(ctx, s.user, s.attempt)
						} else {
							err = a.db.DeleteUser(ctx, s.user)
						}
						if err != nil {
							t.Fatal(err)
						}
					}
					byID := map[int64]started{}
					for _, s := range all {
						byID[s.attempt] = s
					}
					page := func(path string) ([]int64, string) {
						t.Helper()
						var env struct {
							Next    *string
							Results []struct{ ID int64 }
						}
						a.must(200, "GET", strings.TrimPrefix(path, baseURL), a.token("admin"), nil, &env)
						var ids []int64
						for _, r := range env.Results {
							ids = append(ids, r.ID)
						}
						if env.Next == nil {
							return ids, ""
						}
						return ids, *env.Next
					}

					// Walk: after page 1, the first attempt it returned leaves the list.
					seen, left := map[int64]bool{}, int64(0)
					next := "/api/v2.5/admin/attempts/?state=0&page_size=5&ordering=" + ordering
					for pages := 0; next != ""; pages++ {
						ids, n := page(next)
						for _, id := range ids {
							if seen[id] {
								t.Errorf("attempt %d returned twice", id)
							}
							seen[id] = true
						}
						if pages == 0 {
							left = ids[0]
							leave(byID[left])
						}
						next = n
					}
					for _, s := range all {
						if !seen[s.attempt] {
							t.Errorf("attempt %d never returned (left: %d)", s.attempt, left)
						}
					}

					// A saved link to the last page, followed after a row before
					// it left: that page, not 404 "Invalid page.".
					u := a.addUser("s11", examhall.RoleStudent)
					if _, err := a.db.StartAttempt(ctx, u.ID, "shrink", ""); err != nil {
						t.Fatal(err)
					}
					first, second := page("/api/v2.5/admin/attempts/?state=0&page_size=5&ordering=" + ordering)
					ids2, third := page(second)
					if len(first) != 5 || len(ids2) != 5 || third == "" {
						t.Fatalf("pages %v %v, next %q: want 5, 5 and a third page", first, ids2, third)
					}
					leave(byID[ids2[0]])
					ids3, after := page(third)
					if len(ids3) != 1 || after != "" || slices.Contains(first, ids3[0]) || slices.Contains(ids2, ids3[0]) {
						t.Errorf("third page %v (next %q) after %v %v: want the one attempt left, no next link", ids3, after, first, ids2)
					}
				})
			}
		}
	})
}

// TestContentAttemptWalkWhileListShrinks is the same walk over the chapter
// content attempts list: ?state=0 two at a time while a content attempt
// already returned is completed.
func TestContentAttemptWalkWhileListShrinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		var course struct {
			Chapters []struct{ Contents []struct{ ID int64 } }
		}
		a.must(201, "POST", "/api/v2.5/admin/courses/", admin, map[string]any{"slug": "c", "title": "C",
			"chapters": []map[string]any{{"title": "One", "contents": []map[string]any{
				{"type": "Notes", "title": "Summary", "notes": map[string]any{"html": "<p>n</p>"}}}}}}, &course)
		content := course.Chapters[0].Contents[0].ID
		owner, all := map[int64]string{}, []int64{}
		for i := range 7 {
			name := fmt.Sprintf("s%d", i)
			a.addUser(name, examhall.RoleStudent)
			var ca struct{ ID int64 }
			a.must(201, "POST", fmt.Sprintf("/api/v2.5/chapter-contents/%d/attempts/", content), a.token(name), nil, &ca)
			owner[ca.ID], all = name, append(all, ca.ID)
		}
		page := func(path string) ([]int64, string) {
			t.Helper()
			var env struct {
				Next    *string
				Results struct {
					ContentAttempts []struct{ ID int64 } `json:"content_attempts"`
				}
			}
			a.must(200, "GET", strings.TrimPrefix(path, baseURL), admin, nil, &env)
			var ids []int64
			for _, r := range env.Results.ContentAttempts {
				ids = append(ids, r.ID)
			}
			if env.Next == nil {
				return ids, ""
			}
			return ids, *env.Next
		}
		complete := func(id int64) {
			t.Helper()
			a.must(200, "PUT", fmt.Sprintf("/api/v2.5/content-attempts/%d/complete/", id), a.token(owner[id]), nil, nil)
		}
		seen := map[int64]bool{}
		next := "/api/v3/admin/chapter-content-attempts/?state=0&page_size=2"
		for pages := 0; next != ""; pages++ {
			ids, n := page(next)
			for _, id := range ids {
				seen[id] = true
			}
			if pages == 0 {
				complete(ids[0])
			}
			next = n
		}
		for _, id := range all {
			if !seen[id] {
				t.Errorf("content attempt %d never returned", id)
			}
		}
		// 6 started: pages of 2, 2, 2; a saved link to page 3 after a row of
		// page 2 completes is that page, not 404.
		_, second := page("/api/v3/admin/chapter-content-attempts/?state=0&page_size=2")
		ids2, third := page(second)
		if third == "" {
			t.Fatalf("no third page after %v", ids2)
		}
		complete(ids2[0])
		if ids3, after := page(third); len(ids3) != 2 || after != "" {
			t.Errorf("third page %v, next %q: want two attempts and no next link", ids3, after)
		}
	})
}

// TestCursorThatCannotPlaceAPage: a cursor the ordering cannot use (the wrong
// number of values, or an ordering whose terms run different ways) is
// ignored, so the page is found by its number and a page past the end is
// "Invalid page." again; page=last ignores a cursor too.
func TestCursorThatCannotPlaceAPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		ctx := context.Background()
		exam := &examhall.Exam{Slug: "c", Title: "C", MarkPerQuestion: decimal.FromInt(1), Published: true,
			Sections: []examhall.Section{{Name: "All", Questions: []examhall.ExamQuestion{
				{Marks: decimal.FromInt(1), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "e"}}}}}}
		if err := a.db.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			u := a.addUser(fmt.Sprintf("s%d", i), examhall.RoleStudent)
			if _, err := a.db.StartAttempt(ctx, u.ID, "c", ""); err != nil {
				t.Fatal(err)
			}
			a.clock.Advance(time.Second)
		}
		ids := func(query string) (int, string) {
			t.Helper()
			got := a.do("GET", "/api/v2.5/admin/attempts/?"+query, "JWT "+admin, "", "")
			var env struct{ Results []struct{ ID int64 } }
			if got.status == 200 {
				if err := json.Unmarshal([]byte(got.body), &env); err != nil {
					t.Fatal(err)
				}
				var s []string
				for _, r := range env.Results {
					s = append(s, fmt.Sprint(r.ID))
				}
				return got.status, strings.Join(s, " ")
			}
			return got.status, got.body
		}
		for _, tt := range []struct {
			query  string
			status int
			want   string
		}{
			{"ordering=-date&page_size=2&page=99&cursor=5", 404, `{"detail":"Invalid page."}`},
			{"ordering=date,-id&page_size=2&page=2&cursor=1.2", 200, "3 4"},
			{"ordering=-id&page_size=2&page=2&cursor=5.1", 200, "4 3"},
			{"ordering=-id&page_size=2&page=2&cursor=5", 200, "4 3"},
			{"ordering=-id&page_size=4&page=last&cursor=5", 200, "2 1"},
		} {
			if status, got := ids(tt.query); status != tt.status || got != tt.want {
				t.Errorf("%s: %d %s, want %d %s", tt.query, status, got, tt.status, tt.want)
			}
		}
		if got := a.do("GET", "/api/v3/admin/chapter-content-attempts/?page=last&cursor=1", "JWT "+admin, "", ""); got.status != 200 {
			t.Errorf("content attempts, page=last with a cursor: %d %s", got.status, got.body)
		}
	})
}
