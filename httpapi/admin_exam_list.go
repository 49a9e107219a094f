package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the admin exams list.
const (
	examListPageSize    = 200
	examListMaxPageSize = 1000
)

// parseExamListFilter reads the admin exams list's filters (SPEC §7).
func parseExamListFilter(q map[string][]string, loc *time.Location, now time.Time) (examhall.ExamListFilter, error) {
	get := func(name string) string { return drf.Param(q, name) }
	f := examhall.ExamListFilter{Now: now}
	errs := examhall.FieldErrors{}
	day := func(name string) *time.Time {
		v := get(name)
		if v == "" {
			return nil
		}
		t, err := drf.ParseDate(v, loc)
		if err != nil {
			errs.Add(name, "Enter a valid date.")
			return nil
		}
		return &t
	}
	f.StartsFrom = day("start_date")
	if end := day("end_date"); end != nil { // ending on or before that day
		next := time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, loc)
		f.EndsBefore = &next
	}
	switch status := get("status"); status {
	case "", "running", "upcoming", "completed":
		f.Status = status
	default:
		errs.Add("status", fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", status))
	}
	for _, name := range []string{"subject", "batch"} {
		v := get(name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs.Add(name, "Enter a number.")
		}
		if name == "subject" {
			f.SubjectID = n
		} else {
			f.BatchID = n
		}
	}
	for _, term := range strings.Split(get("ordering"), ",") {
		term = strings.TrimSpace(term)
		if field := strings.TrimPrefix(term, "-"); field == "start_date" || field == "end_date" {
			f.OrderBy, f.Desc = field, strings.HasPrefix(term, "-")
			break
		}
	}
	return f, errs.Err()
}

// listAdminExams is GET /api/v2.5/admin/exams/.
func (s *Server) listAdminExams(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, examListPageSize, examListMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseExamListFilter(q, s.location(), s.Auth.Clock.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = page.Size
	var exams []examhall.ExamSummary
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		f.Offset = offset
		exams, count, err = s.Reports.ExamList(r.Context(), f)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]adminExam, len(exams))
	for i := range exams {
		results[i] = s.adminExam(&exams[i].Exam, exams[i].NumberOfQuestions, exams[i].TotalMarks)
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}
