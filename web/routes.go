package web

// pageTable is every page behind a login: its path pattern (net/http's, with
// the trailing slash every examhall path has) and the page.
var pageTable = []struct {
	pattern string
	page    page
}{
	// Students: exams and the exam room (everyone may open them; staff see
	// them as a student would).
	{"/exams/{$}", page{name: "exams", title: "Exams", script: "exams.js", roles: everyone}},
	// (end of the exam-room pages)

	// Students: courses.
	// (end of the course pages)

	// Staff: the dashboard.
	// The §8 reporting API, import and exports are the admin's (SPEC §3);
	// the counts, an exam's charts and grading are staff's too.
	{"/admin/{$}", page{name: "dashboard", title: "Dashboard", script: "dashboard.js", style: "admin.css", roles: staff}},
	{"/admin/attempts/{$}", page{name: "attempts", title: "Attempts", script: "attempts.js", style: "admin.css", roles: adminOnly}},
	{"/admin/attempts/{id}/{$}", page{name: "attempt", title: "Attempt", script: "attempt.js", style: "admin.css", roles: adminOnly}},
	{"/admin/exams/{id}/{$}", page{name: "exam_charts", title: "Exam results", script: "exam_charts.js", style: "admin.css", roles: staff}},
	{"/admin/grading/{$}", page{name: "grading", title: "Grading", script: "grading.js", style: "admin.css", roles: staff}},
	{"/admin/import/{$}", page{name: "import", title: "Import", script: "import.js", style: "admin.css", roles: adminOnly}},
	{"/admin/exports/{$}", page{name: "exports", title: "Exports", script: "exports.js", style: "admin.css", roles: adminOnly}},
	// (end of the dashboard pages)
}
