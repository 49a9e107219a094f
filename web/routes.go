package web

// pageTable is every page behind a login: its path pattern (net/http's, with
// the trailing slash every examhall path has) and the page.
var pageTable = []struct {
	pattern string
	page    page
}{
	// Students: exams and the exam room (everyone may open them; staff see
	// them as a student would).
	{"/exams/{$}", page{name: "exams", title: "Exams", script: "exams.js", style: "exam.css", roles: everyone}},
	{"/exams/{slug}/{$}", page{name: "exam", title: "Exam", script: "exam.js", style: "exam.css", roles: everyone}},
	{"/attempts/{id}/{$}", page{name: "room", title: "Exam room", script: "room.js", style: "exam.css", roles: everyone}},
	{"/attempts/{id}/result/{$}", page{name: "result", title: "Result", script: "result.js", style: "exam.css", roles: everyone}},
	{"/attempts/{id}/review/{$}", page{name: "review", title: "Review", script: "review.js", style: "exam.css", roles: everyone}},
	// (end of the exam-room pages)

	// Students: courses.
	{"/courses/{$}", page{name: "courses", title: "Courses", script: "courses.js", style: "course.css", roles: everyone}},
	{"/courses/{id}/{$}", page{name: "course", title: "Course", script: "course.js", style: "course.css", roles: everyone}},
	// A content's page: ?course=<id> names its course (the course page's
	// links carry it); without it the page finds the content among the
	// student's courses.
	{"/contents/{id}/{$}", page{name: "content", title: "Course content", script: "content.js", style: "course.css", roles: everyone}},
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
