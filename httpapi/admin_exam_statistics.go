package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// examCountsOutput is one exam's attempt counts (issue 14). completed
// includes pending_evaluation, as the attempts list's state=1 does.
type examCountsOutput struct {
	ExamID            int64 `json:"exam_id"`
	Running           int   `json:"running"`
	Completed         int   `json:"completed"`
	PendingEvaluation int   `json:"pending_evaluation"`
	NotStarted        int   `json:"not_started"`
}

func countsOutput(c examhall.ExamCounts) examCountsOutput {
	return examCountsOutput{ExamID: c.ExamID, Running: c.Running, Completed: c.Completed,
		PendingEvaluation: c.PendingEvaluation, NotStarted: c.NotStarted}
}

// parseExamIDs reads the required exams parameter: one exam id or a
// comma-separated list of up to examhall.MaxCountedExams.
func parseExamIDs(q url.Values) ([]int64, error) {
	errs := examhall.FieldErrors{}
	v := drf.Param(q, "exams")
	if strings.TrimSpace(v) == "" {
		errs.Add("exams", "This field is required.")
		return nil, errs.Err()
	}
	parts := strings.Split(v, ",")
	if len(parts) > examhall.MaxCountedExams {
		errs.Add("exams", fmt.Sprintf("Ensure this field has no more than %d elements.", examhall.MaxCountedExams))
		return nil, errs.Err()
	}
	ids := make([]int64, 0, len(parts))
	for _, part := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil {
			errs.Add("exams", "Enter a number.")
			return nil, errs.Err()
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// listExamCounts is GET /api/v2.5/admin/exam-counts/?exams=<id>,<id>,…: each
// exam's attempt counts, in the order asked (each exam once), not paginated
// (the list is bounded). An unknown exam is 404, as everywhere in the API.
func (s *Server) listExamCounts(w http.ResponseWriter, r *http.Request) {
	ids, err := parseExamIDs(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.Dashboard.ExamCounts(r.Context(), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]examCountsOutput, len(counts))
	for i, c := range counts {
		results[i] = countsOutput(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// examSummary is GET /api/v2.5/admin/exams/<id>/summary/: the counts, then
// what the exam's charts draw (see examhall.ExamStatistics).
type examSummary struct {
	examCountsOutput
	Title             string           `json:"title"`
	GradedCount       int              `json:"graded_count"`
	PassRate          *pyFloat         `json:"pass_rate"`
	MeanScore         *decimal.Decimal `json:"mean_score"`
	MinScore          decimal.Decimal  `json:"min_score"`
	MaxScore          decimal.Decimal  `json:"max_score"`
	ScoreDistribution []scoreBinOutput `json:"score_distribution"`
	Sections          []sectionMean    `json:"sections"`
	Subjects          []subjectMean    `json:"subjects"`
}

type scoreBinOutput struct {
	From  decimal.Decimal `json:"from"`
	To    decimal.Decimal `json:"to"`
	Count int             `json:"count"`
}

type sectionMean struct {
	SectionID int64            `json:"section_id"`
	Name      string           `json:"name"`
	MeanScore *decimal.Decimal `json:"mean_score"`
	MaxScore  decimal.Decimal  `json:"max_score"`
}

type subjectMean struct {
	SubjectID *int64           `json:"subject_id"`
	Name      string           `json:"name"`
	MeanScore *decimal.Decimal `json:"mean_score"`
	MaxScore  decimal.Decimal  `json:"max_score"`
}

func (s *Server) getExamSummary(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	st, err := s.Dashboard.ExamStatistics(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := examSummary{examCountsOutput: countsOutput(st.Counts), Title: st.Exam.Title, GradedCount: st.Graded,
		MeanScore: st.MeanScore(), ScoreDistribution: []scoreBinOutput{}, Sections: []sectionMean{}, Subjects: []subjectMean{}}
	if rate, ok := st.PassRate(); ok {
		f := pyFloat(rate.Float64())
		out.PassRate = &f
	}
	out.MinScore, out.MaxScore = st.ScoreRange()
	for _, b := range st.Distribution() {
		out.ScoreDistribution = append(out.ScoreDistribution, scoreBinOutput(b))
	}
	for _, sec := range st.Sections() {
		out.Sections = append(out.Sections, sectionMean(sec))
	}
	for _, sub := range st.Subjects() {
		out.Subjects = append(out.Subjects, subjectMean{SubjectID: nonZero(sub.SubjectID), Name: sub.Name,
			MeanScore: sub.MeanScore, MaxScore: sub.MaxScore})
	}
	writeJSON(w, http.StatusOK, out)
}
