package web_test

import (
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// dashboardPages are the staff dashboard's pages and whether only admins may
// open them (the §8 reporting API, import and exports are admin-only, SPEC
// §3; the counts, an exam's charts and grading are staff's too).
var dashboardPages = []struct {
	path, title string
	adminOnly   bool
}{
	{"/admin/", "Dashboard", false},
	{"/admin/?status=running", "Dashboard", false},
	{"/admin/attempts/", "Attempts", true},
	{"/admin/attempts/?exams=1&state=1&ordering=-correct_answers_count,id", "Attempts", true},
	{"/admin/attempts/7/", "Attempt", true},
	{"/admin/exams/3/", "Exam results", false},
	{"/admin/grading/", "Grading", false},
	{"/admin/grading/?exams=3", "Grading", false},
	{"/admin/import/", "Import", true},
	{"/admin/exports/", "Exports", true},
}

// TestDashboardPageAccess: a student gets 403 on every dashboard page,
// staff on the admin-only ones; the roles the API serves get the page; a
// visitor without a session is sent to log in and brought back to the same
// address, query string and all.
func TestDashboardPageAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		s := newSite(t, engine)
		s.addUser("asha", examhall.RoleStudent)
		s.addUser("sam", examhall.RoleStaff)
		s.addUser("root", examhall.RoleAdmin)
		student, staffer, admin, nobody := s.client("asha"), s.client("sam"), s.client("root"), s.client("")
		for _, p := range dashboardPages {
			if status, _, body := s.get(student, p.path); status != 403 || !strings.Contains(body, "Your account may not open this page.") {
				t.Errorf("student GET %s: %d, want 403", p.path, status)
			}
			wantStaff := 200
			if p.adminOnly {
				wantStaff = 403
			}
			if status, _, body := s.get(staffer, p.path); status != wantStaff {
				t.Errorf("staff GET %s: %d, want %d: %s", p.path, status, wantStaff, body)
			}
			status, _, body := s.get(admin, p.path)
			if status != 200 || !strings.Contains(body, "<title>"+p.title+" · Riverside Academy</title>") {
				t.Errorf("admin GET %s: %d %s", p.path, status, body)
			}
			status, header, _ := s.get(nobody, p.path)
			if want := "/login/?next=" + strings.NewReplacer("/", "%2F", "?", "%3F", "=", "%3D", "&", "%26", ",", "%2C").Replace(p.path); status != 303 || header.Get("Location") != want {
				t.Errorf("visitor GET %s: %d %q, want 303 %q", p.path, status, header.Get("Location"), want)
			}
		}
	})
}

// TestDashboardNavigation: the dashboard links staff to the pages their
// role may open, and no further.
func TestDashboardNavigation(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	s.addUser("sam", examhall.RoleStaff)
	s.addUser("root", examhall.RoleAdmin)
	adminLinks := []string{`href="/admin/attempts/"`, `href="/admin/exports/"`, `href="/admin/import/"`}
	_, _, body := s.get(s.client("root"), "/admin/")
	for _, l := range append(adminLinks, `href="/admin/grading/"`, `data-admin="true"`) {
		if !strings.Contains(body, l) {
			t.Errorf("admin's dashboard lacks %s", l)
		}
	}
	_, _, body = s.get(s.client("sam"), "/admin/")
	for _, l := range adminLinks {
		if strings.Contains(body, l) {
			t.Errorf("staff's dashboard links to %s", l)
		}
	}
	if !strings.Contains(body, `href="/admin/grading/"`) || !strings.Contains(body, `data-admin="false"`) {
		t.Errorf("staff's dashboard: %s", body)
	}
}
