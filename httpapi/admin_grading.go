package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// adminUserAnswer is a user answer as the v3 admin API shows it (SPEC §8.3),
// with the marks it earned.
type adminUserAnswer struct {
	ID              int64           `json:"id"`
	ExamQuestionID  int64           `json:"exam_question_id"`
	SelectedAnswers []int64         `json:"selected_answers"`
	Result          string          `json:"result"`
	Duration        int64           `json:"duration"`
	Review          bool            `json:"review"`
	Guessed         *bool           `json:"guessed"`
	MarksAwarded    decimal.Decimal `json:"marks_awarded"`
}

// gradeAnswer is PUT /api/v3/admin/attempts/<id>/user_answers/<answer_id>/
// with {"marks": …}: staff grade an essay.
func (s *Server) gradeAnswer(w http.ResponseWriter, r *http.Request) {
	attemptID, ok := pathID(r, "id")
	answerID, answerOK := pathID(r, "answer")
	if !ok || !answerOK {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Marks *decimal.Decimal `json:"marks"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Marks == nil {
		s.writeError(w, r, fieldErr("marks", "This field is required."))
		return
	}
	_, ua, err := s.Exams.GradeAnswer(r.Context(), attemptID, answerID, *in.Marks)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, adminUserAnswer{ID: ua.ID, ExamQuestionID: ua.ExamQuestionID,
		SelectedAnswers: ua.SelectedAnswerIDs, Result: ua.Result.String(), Duration: int64(ua.Duration.Seconds()),
		Review: ua.Review, MarksAwarded: ua.Marks})
}

// changeExamQuestion is PUT /api/v2.5/admin/exams/<id>/questions/<exam_question_id>/:
// a new answer key or marks, after which every completed attempt is regraded.
func (s *Server) changeExamQuestion(w http.ResponseWriter, r *http.Request) {
	examID, ok := pathID(r, "id")
	questionID, questionOK := pathID(r, "question")
	if !ok || !questionOK {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	// Every field raw first, so that each is read on its own: all problems
	// are reported at once, and a null is told from a missing field (DRF:
	// "This field may not be null.", except partial_marks, which null removes).
	var in struct {
		Marks           json.RawMessage `json:"marks"`
		NegativeMarks   json.RawMessage `json:"negative_marks"`
		PartialMarks    json.RawMessage `json:"partial_marks"`
		IsBonus         json.RawMessage `json:"is_bonus"`
		CorrectAnswers  json.RawMessage `json:"correct_answers"`
		NumericalMin    json.RawMessage `json:"numerical_min"`
		NumericalMax    json.RawMessage `json:"numerical_max"`
		AcceptedAnswers json.RawMessage `json:"accepted_answers"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var change examhall.ExamQuestionChange
	errs := examhall.FieldErrors{}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  any
	}{
		{"marks", in.Marks, &change.Marks},
		{"negative_marks", in.NegativeMarks, &change.NegativeMarks},
		{"is_bonus", in.IsBonus, &change.IsBonus},
		{"correct_answers", in.CorrectAnswers, &change.CorrectAnswerIDs},
		{"numerical_min", in.NumericalMin, &change.NumericalMin},
		{"numerical_max", in.NumericalMax, &change.NumericalMax},
		{"accepted_answers", in.AcceptedAnswers, &change.AcceptedAnswers},
	} {
		switch {
		case len(f.raw) == 0:
		case string(f.raw) == "null":
			errs.Add(f.name, drf.NullMessage)
		default:
			decodeJSONField(errs, f.name, f.raw, f.dst)
		}
	}
	if len(in.PartialMarks) > 0 {
		var partial *decimal.Decimal
		if decodeJSONField(errs, "partial_marks", in.PartialMarks, &partial) {
			change.PartialMarks = &partial
		}
	}
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	exam, regraded, err := s.Exams.ChangeExamQuestion(r.Context(), examID, questionID, change)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		RegradedAttempts int             `json:"regraded_attempts"`
		Exam             adminExamDetail `json:"exam"`
	}{regraded, s.adminExamDetail(r, exam)})
}
