package httpapi

import (
	"net/http"

	"github.com/examhall/examhall/drf"
)

// listAdminCourses is GET /api/v2.5/admin/courses/: every course, with all
// its chapters and contents, in course order, paginated (the page size and
// shape of GET /api/v2.5/courses/). CoursesFor gives staff and admins every
// course.
func (s *Server) listAdminCourses(w http.ResponseWriter, r *http.Request) {
	page, err := drf.ParsePage(r.URL.Query(), coursesPageSize, coursesMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	viewer := caller(r)
	courses, err := s.Courses.CoursesFor(r.Context(), viewer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resolved, offset, err := page.Resolve(len(courses))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := []courseOutput{}
	for _, c := range courses[offset:min(offset+resolved.Size, len(courses))] {
		results = append(results, s.courseOutput(c, viewer, true))
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, len(courses), results))
}
