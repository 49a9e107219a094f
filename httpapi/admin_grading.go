package httpapi

import (
	"net/http"

	"github.com/examhall/examhall/decimal"
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
	_, ua, err := s.Exams.GradeAnswer(r.Context(), caller(r).ID, attemptID, answerID, *in.Marks)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, adminUserAnswer{ID: ua.ID, ExamQuestionID: ua.ExamQuestionID,
		SelectedAnswers: ua.SelectedAnswerIDs, Result: ua.Result.String(), Duration: int64(ua.Duration.Seconds()),
		Review: ua.Review, MarksAwarded: ua.Marks})
}
