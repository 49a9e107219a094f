package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// subjectResolver resolves the subjects of an exam or question body: an id
// as it is (the store checks it), a key (the bundle's natural key) looked up
// among the subjects.
func (s *Server) subjectResolver(r *http.Request) (bundle.Resolve, error) {
	subjects, err := s.Exams.Subjects(r.Context())
	if err != nil {
		return nil, err
	}
	keys := map[string]int64{}
	for _, sub := range subjects {
		if sub.Key != "" {
			keys[sub.Key] = sub.ID
		}
	}
	return func(ref bundle.Ref) (int64, string) {
		if ref.Key == "" {
			return ref.ID, ""
		}
		id, ok := keys[ref.Key]
		if !ok {
			return 0, fmt.Sprintf("No subject with the key %q.", ref.Key)
		}
		return id, ""
	}, nil
}

// createExam is POST /api/v2.5/admin/exams/.
func (s *Server) createExam(w http.ResponseWriter, r *http.Request) {
	var in bundle.Exam
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	subject, err := s.subjectResolver(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	errs := examhall.FieldErrors{}
	exam := in.Exam(s.location(), subject, errs)
	if err := bundle.Check(exam, errs); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Exams.CreateExam(r.Context(), exam); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.adminExamDetail(r, exam))
}

// getExam is GET /api/v2.5/admin/exams/<id>/.
func (s *Server) getExam(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	exam, err := s.Exams.ExamByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.adminExamDetail(r, exam))
}

func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// adminExam is an exam as GET /api/v2.5/admin/exams/ shows it (SPEC §7).
type adminExam struct {
	ID                int64           `json:"id"`
	Slug              string          `json:"slug"`
	Created           string          `json:"created"`
	Description       string          `json:"description"`
	Duration          *string         `json:"duration"`
	EnableRanks       bool            `json:"enable_ranks"`
	EndDate           *string         `json:"end_date"`
	MarkPerQuestion   decimal.Decimal `json:"mark_per_question"`
	Modified          string          `json:"modified"`
	NegativeMarks     decimal.Decimal `json:"negative_marks"`
	NumberOfQuestions int             `json:"number_of_questions"`
	PassPercentage    *float64        `json:"pass_percentage"`
	Published         bool            `json:"published"`
	StartDate         *string         `json:"start_date"`
	Title             string          `json:"title"`
	ShowScore         bool            `json:"show_score"`
	ShowPercentile    bool            `json:"show_percentile"`
	ShowPassOrFail    bool            `json:"show_pass_or_fail"`
	TotalMarks        decimal.Decimal `json:"total_marks"`
}

// adminExamDetail adds the exam's batches, sections and questions, with answer keys.
type adminExamDetail struct {
	adminExam
	Batches  []string       `json:"batches"`
	Sections []adminSection `json:"sections"`
}

type adminSection struct {
	ID        int64               `json:"id"`
	Order     int                 `json:"order"`
	Name      string              `json:"name"`
	Duration  *string             `json:"duration"`
	CutOff    decimal.Decimal     `json:"cut_off"`
	Questions []adminExamQuestion `json:"questions"`
}

type adminExamQuestion struct {
	ID              int64            `json:"id"`
	QuestionID      int64            `json:"question_id"`
	Order           int              `json:"order"`
	Key             *string          `json:"key"`
	Type            string           `json:"type"`
	QuestionHTML    string           `json:"question_html"`
	Direction       *string          `json:"direction"`
	ExplanationHTML string           `json:"explanation_html"`
	SubjectID       *int64           `json:"subject_id"`
	DifficultyLevel *string          `json:"difficulty_level"`
	Marks           decimal.Decimal  `json:"marks"`
	NegativeMarks   decimal.Decimal  `json:"negative_marks"`
	PartialMarks    *decimal.Decimal `json:"partial_marks"`
	IsBonus         bool             `json:"is_bonus"`
	Answers         []adminAnswer    `json:"answers"`
	NumericalMin    *string          `json:"numerical_min"`
	NumericalMax    *string          `json:"numerical_max"`
	AcceptedAnswers []string         `json:"accepted_answers"`
}

type adminAnswer struct {
	ID        int64  `json:"id"`
	TextHTML  string `json:"text_html"`
	IsCorrect bool   `json:"is_correct"`
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (s *Server) timePtr(t *time.Time) *string { return drf.FormatTimePtr(t, s.location()) }

func (s *Server) adminExam(e *examhall.Exam, questions int, totalMarks decimal.Decimal) adminExam {
	var pass *float64
	if e.PassPercentage != nil {
		p := e.PassPercentage.Float64()
		pass = &p
	}
	return adminExam{
		ID: e.ID, Slug: e.Slug, Created: s.formatTime(e.Created), Description: e.Description,
		Duration: drf.FormatDurationPtr(e.Duration), EnableRanks: e.EnableRanks, EndDate: s.timePtr(e.EndDate),
		MarkPerQuestion: e.MarkPerQuestion, Modified: s.formatTime(e.Modified), NegativeMarks: e.NegativeMarks,
		NumberOfQuestions: questions, PassPercentage: pass, Published: e.Published,
		StartDate: s.timePtr(e.StartDate), Title: e.Title, ShowScore: e.ShowScore, ShowPercentile: e.ShowPercentile,
		ShowPassOrFail: e.ShowPassOrFail, TotalMarks: totalMarks,
	}
}

func (s *Server) adminExamDetail(r *http.Request, e *examhall.Exam) adminExamDetail {
	d := adminExamDetail{adminExam: s.adminExam(e, len(e.Questions()), e.TotalMarks()), Batches: e.Batches, Sections: []adminSection{}}
	if d.Batches == nil {
		d.Batches = []string{}
	}
	for _, sec := range e.Sections {
		out := adminSection{ID: sec.ID, Order: sec.Order, Name: sec.Name, Duration: drf.FormatDurationPtr(sec.Duration),
			CutOff: sec.CutOff, Questions: []adminExamQuestion{}}
		for _, q := range sec.Questions {
			aq := adminExamQuestion{ID: q.ID, QuestionID: q.Question.ID, Order: q.Order, Key: nonEmpty(q.Question.Key),
				Type: q.Question.Type.Label(), QuestionHTML: q.Question.QuestionHTML, Direction: nonEmpty(q.Question.DirectionHTML),
				ExplanationHTML: q.Question.ExplanationHTML, SubjectID: nonZero(q.Question.SubjectID),
				DifficultyLevel: nonEmpty(string(q.Question.Difficulty)), Marks: q.Marks, NegativeMarks: q.NegativeMarks,
				PartialMarks: q.PartialMarks, IsBonus: q.IsBonus, Answers: []adminAnswer{},
				NumericalMin: nonEmpty(q.Question.NumericalMin), NumericalMax: nonEmpty(q.Question.NumericalMax),
				AcceptedAnswers: q.Question.AcceptedAnswers}
			if aq.AcceptedAnswers == nil {
				aq.AcceptedAnswers = []string{}
			}
			for _, a := range q.Question.Answers {
				aq.Answers = append(aq.Answers, adminAnswer{ID: a.ID, TextHTML: a.TextHTML, IsCorrect: a.IsCorrect})
			}
			out.Questions = append(out.Questions, aq)
		}
		d.Sections = append(d.Sections, out)
	}
	return d
}

// subjectInput is the body of POST /api/v2.5/admin/subjects/.
type subjectInput struct {
	Name   string `json:"name"`
	Parent int64  `json:"parent"`
}

type subjectOutput struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Parent *int64 `json:"parent"`
}

// createSubject is POST /api/v2.5/admin/subjects/.
func (s *Server) createSubject(w http.ResponseWriter, r *http.Request) {
	var in subjectInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	subject := &examhall.Subject{Name: in.Name, ParentID: in.Parent}
	if err := s.Exams.CreateSubject(r.Context(), subject); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, subjectOutput{ID: subject.ID, Name: subject.Name, Parent: nonZero(subject.ParentID)})
}

// listSubjects is GET /api/v2.5/admin/subjects/: the whole tree, by id.
func (s *Server) listSubjects(w http.ResponseWriter, r *http.Request) {
	subjects, err := s.Exams.Subjects(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]subjectOutput, len(subjects))
	for i, sub := range subjects {
		out[i] = subjectOutput{ID: sub.ID, Name: sub.Name, Parent: nonZero(sub.ParentID)}
	}
	writeJSON(w, http.StatusOK, out)
}
