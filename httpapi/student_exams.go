package httpapi

import (
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// studentExam is an exam as the v2.2 student API shows it (SPEC §6), fields
// in Testpress's order.
type studentExam struct {
	URL               string           `json:"url"`
	ID                int64            `json:"id"`
	Title             string           `json:"title"`
	Description       string           `json:"description"`
	StartDate         *string          `json:"start_date"`
	EndDate           *string          `json:"end_date"`
	Duration          *string          `json:"duration"`
	NumberOfQuestions int              `json:"number_of_questions"`
	NegativeMarks     decimal.Decimal  `json:"negative_marks"`
	MarkPerQuestion   decimal.Decimal  `json:"mark_per_question"`
	AllowRetake       bool             `json:"allow_retake"`
	MaxRetakes        *int             `json:"max_retakes"`
	EnableRanks       bool             `json:"enable_ranks"`
	Created           string           `json:"created"`
	Slug              string           `json:"slug"`
	ShowAnswers       bool             `json:"show_answers"`
	Sections          []studentSection `json:"sections"`
}

type studentSection struct {
	ID       int64           `json:"id"`
	Order    int             `json:"order"`
	Name     string          `json:"name"`
	Duration *string         `json:"duration"`
	CutOff   decimal.Decimal `json:"cut_off"`
}

func (s *Server) studentExam(r *http.Request, e *examhall.Exam) studentExam {
	out := studentExam{
		URL: s.absoluteURL(r, "/api/v2.2/exams/"+e.Slug+"/", nil).String(), ID: e.ID, Title: e.Title,
		Description: e.Description, StartDate: s.timePtr(e.StartDate), EndDate: s.timePtr(e.EndDate),
		Duration: drf.FormatDurationPtr(e.Duration), NumberOfQuestions: len(e.Questions()),
		NegativeMarks: e.NegativeMarks, MarkPerQuestion: e.MarkPerQuestion, AllowRetake: e.AllowRetake,
		MaxRetakes: e.MaxRetakes, EnableRanks: e.EnableRanks, Created: s.formatTime(e.Created), Slug: e.Slug,
		ShowAnswers: e.ShowAnswers, Sections: make([]studentSection, len(e.Sections)),
	}
	for i, sec := range e.Sections {
		out.Sections[i] = studentSection{ID: sec.ID, Order: sec.Order, Name: sec.Name,
			Duration: drf.FormatDurationPtr(sec.Duration), CutOff: sec.CutOff}
	}
	return out
}

// Page sizes of the student exam lists.
const (
	examsPageSize    = 20
	examsMaxPageSize = 100
)

// listExams is GET /api/v2.2/exams/ and its available/, upcoming/ and
// history/ lists: published exams, newest start date first (exams without
// one last), then newest first. The windows are judged at the request's
// instant and hold only the exams whose batches admit the caller;
// available/ leaves out those the caller can no longer start or resume
// (completed, with no retake left: examhall.StartRefusal); history
// is the caller's (exams with a completed attempt, whatever their batches
// are now).
func (s *Server) listExams(window examhall.ExamWindow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, err := drf.ParsePage(r.URL.Query(), examsPageSize, examsMaxPageSize)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		exams, err := s.Exams.PublishedExams(r.Context(), s.Auth.Clock.Now(), window, caller(r).ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		count := len(exams)
		resolved, offset, err := page.Resolve(count)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		exams = exams[offset:min(offset+resolved.Size, count)]
		results := make([]studentExam, len(exams))
		for i, e := range exams {
			results[i] = s.studentExam(r, e)
		}
		writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
	}
}

// getStudentExam is GET /api/v2.2/exams/<slug>/: a published exam, whatever
// its dates (a student may look at an upcoming or ended exam), that the
// caller may see (Exams.VisibleExam). An unpublished exam, or one whose
// batches leave a student out, is not found, as an unknown slug is: a 403
// would tell the student that the slug exists.
func (s *Server) getStudentExam(w http.ResponseWriter, r *http.Request) {
	exam, err := s.Exams.VisibleExam(r.Context(), caller(r).ID, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.studentExam(r, exam))
}
