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
	{"/admin/{$}", page{name: "dashboard", title: "Dashboard", script: "dashboard.js", roles: staff}},
	// (end of the dashboard pages)
}
