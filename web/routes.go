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
	// (end of the course pages)

	// Staff: the dashboard.
	{"/admin/{$}", page{name: "dashboard", title: "Dashboard", script: "dashboard.js", roles: staff}},
	// (end of the dashboard pages)
}
