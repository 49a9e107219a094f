package httpapi_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

func TestAdminExamList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		ctx := context.Background()
		physics := &examhall.Subject{Name: "Physics"}
		if err := a.db.CreateSubject(ctx, physics); err != nil {
			t.Fatal(err)
		}
		now := ist(2026, 3, 10, 12, 0, 0, 0)
		a.clock.Set(now)
		day := func(d int) *time.Time { v := ist(2026, 3, d, 9, 0, 0, 0); return &v }
		// id: 1 ended (Mar 1-5), 2 running (Mar 9-11, batch NEET, a physics question), 3 upcoming (Mar 20-),
		// 4 running without dates, 5 ends on Mar 10 at 23:59 (running, batch JEE).
		specs := []struct {
			slug       string
			start, end *time.Time
			batches    []string
			subject    int64
		}{
			{"ended", day(1), day(5), nil, 0},
			{"running", day(9), day(11), []string{"NEET"}, physics.ID},
			{"upcoming", day(20), nil, nil, 0},
			{"open", nil, nil, nil, 0},
			{"closing", day(2), ptr(ist(2026, 3, 10, 23, 59, 0, 0)), []string{"JEE"}, 0},
		}
		for _, s := range specs {
			e := &examhall.Exam{Slug: s.slug + "-x", Title: s.slug, StartDate: s.start, EndDate: s.end, Batches: s.batches,
				MarkPerQuestion: decimal.FromInt(4), Published: true, Sections: []examhall.Section{{Name: "A", Questions: []examhall.ExamQuestion{
					{Marks: decimal.FromInt(4), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "e", SubjectID: s.subject}},
					{Marks: decimal.FromInt(2), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "f"}}}}}}
			if err := a.db.CreateExam(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		admin := "JWT " + a.token("admin")
		const path = "/api/v2.5/admin/exams/"
		tests := []struct {
			query string
			ids   []int64
		}{
			{"", []int64{5, 4, 3, 2, 1}},
			{"?ordering=start_date", []int64{1, 5, 2, 3, 4}},
			{"?ordering=-start_date", []int64{3, 2, 5, 1, 4}},
			{"?ordering=end_date,-id", []int64{1, 5, 2, 3, 4}},
			{"?ordering=-end_date", []int64{2, 5, 1, 4, 3}},
			{"?ordering=title", []int64{5, 4, 3, 2, 1}},
			{"?status=running", []int64{5, 4, 2}},
			{"?status=upcoming", []int64{3}},
			{"?status=completed", []int64{1}},
			{"?start_date=2026-03-09", []int64{3, 2}},
			{"?end_date=2026-03-10", []int64{5, 1}},
			{"?subject=1", []int64{2}},
			{"?batch=2", []int64{5}},
			{"?status=running&batch=1&ordering=start_date", []int64{2}},
			{"?page_size=2&page=2", []int64{3, 2}},
		}
		for _, tt := range tests {
			got := a.do("GET", path+tt.query, admin, "", "")
			if got.status != 200 {
				t.Errorf("%s: %d %s", tt.query, got.status, got.body)
				continue
			}
			if ids := listIDs(t, got.body); !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("%s: ids %v, want %v", tt.query, ids, tt.ids)
			}
		}
		golden(t, "admin_exams_running.json", a.do("GET", path+"?status=running&ordering=start_date", admin, "", "").body)
		for _, tt := range []struct{ query, body string }{
			{"?status=done", `{"status":["Select a valid choice. done is not one of the available choices."]}`},
			{"?start_date=March", `{"start_date":["Enter a valid date."]}`},
			{"?subject=x&batch=y", `{"batch":["Enter a number."],"subject":["Enter a number."]}`},
		} {
			if got := a.do("GET", path+tt.query, admin, "", ""); got.status != 400 || got.body != tt.body {
				t.Errorf("%s: %d %s", tt.query, got.status, got.body)
			}
		}
		if got := a.do("GET", path+"?page=3&page_size=2&status=running", admin, "", ""); got.status != 404 {
			t.Errorf("page past the end: %d", got.status)
		}
		statements := func(query string) int64 {
			before := a.db.Statements()
			a.do("GET", path+query, admin, "", "")
			return a.db.Statements() - before
		}
		if one, all := statements("?page_size=1"), statements("?page_size=5"); one != all {
			t.Errorf("statements: %d for one exam, %d for five", one, all)
		}
		if got := a.do("GET", path, "", "", ""); got.status != 401 {
			t.Errorf("no token: %d", got.status)
		}
		if got := a.do("GET", path, "JWT "+a.studentToken(t), "", ""); got.status != 403 {
			t.Errorf("student: %d", got.status)
		}
	})
}
