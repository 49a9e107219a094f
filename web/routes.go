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
	{"/courses/{$}", page{name: "courses", title: "Courses", script: "courses.js", style: "course.css", roles: everyone}},
	{"/courses/{id}/{$}", page{name: "course", title: "Course", script: "course.js", style: "course.css", roles: everyone}},
	// A content's page: ?course=<id> names its course (the course page's
	// links carry it); without it the page finds the content among the
	// student's courses.
	{"/contents/{id}/{$}", page{name: "content", title: "Course content", script: "content.js", style: "course.css", roles: everyone}},
	// (end of the course pages)

	// Staff: the dashboard.
	{"/admin/{$}", page{name: "dashboard", title: "Dashboard", script: "dashboard.js", roles: staff}},
	// (end of the dashboard pages)
}
