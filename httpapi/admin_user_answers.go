package httpapi

import (
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Page sizes of an attempt's user answers (SPEC §8.3).
const (
	userAnswersPageSize    = 250
	userAnswersMaxPageSize = 1000
)

// v3UserAnswer is one row of results.user_answers.
type v3UserAnswer struct {
	ID              int64   `json:"id"`
	ExamQuestionID  int64   `json:"exam_question_id"`
	SelectedAnswers []int64 `json:"selected_answers"`
	Result          string  `json:"result"`
	Duration        int64   `json:"duration"`
	Review          bool    `json:"review"`
	Guessed         *bool   `json:"guessed"` // never recorded by examhall: null, as the seed shows
}

// v3ExamQuestion is one row of results.exam_questions.
type v3ExamQuestion struct {
	ID              int64            `json:"id"`
	QuestionID      int64            `json:"question_id"`
	SectionID       int64            `json:"section_id"`
	QuestionHTML    string           `json:"question_html"`
	Type            string           `json:"type"`
	Marks           decimal.Decimal  `json:"marks"`
	NegativeMarks   decimal.Decimal  `json:"negative_marks"`
	PartialMarks    *decimal.Decimal `json:"partial_marks"`
	Direction       *string          `json:"direction"`
	Answers         []itemAnswer     `json:"answers"`
	DifficultyLevel *string          `json:"difficulty_level"`
	Order           int              `json:"order"`
	IsBonus         bool             `json:"is_bonus"`
	ExamID          int64            `json:"exam_id"`
}

// listUserAnswers is GET /api/v3/admin/attempts/<id>/user_answers/: a page
// of the attempt's answers, one per exam question, with the exam questions
// that page refers to side-loaded.
func (s *Server) listUserAnswers(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	page, err := drf.ParsePage(r.URL.Query(), userAnswersPageSize, userAnswersMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// One snapshot: a regrade in between must not pair new results with old marks.
	rep, err := s.Reports.AttemptReport(r.Context(), examhall.AnyUser, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	exam, answers := rep.Exam, rep.Answers
	resolved, offset, err := page.Resolve(len(answers))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := struct {
		UserAnswers   []v3UserAnswer   `json:"user_answers"`
		ExamQuestions []v3ExamQuestion `json:"exam_questions"`
	}{[]v3UserAnswer{}, []v3ExamQuestion{}}
	for _, ua := range answers[offset:min(offset+resolved.Size, len(answers))] {
		selected := ua.SelectedAnswerIDs
		if selected == nil {
			selected = []int64{}
		}
		results.UserAnswers = append(results.UserAnswers, v3UserAnswer{ID: ua.ID, ExamQuestionID: ua.ExamQuestionID,
			SelectedAnswers: selected, Result: ua.Result.String(), Duration: int64(ua.Duration.Seconds()),
			Review: ua.Review})
		q := exam.Question(ua.ExamQuestionID)
		out := v3ExamQuestion{ID: q.ID, QuestionID: q.Question.ID, SectionID: q.SectionID,
			QuestionHTML: q.Question.QuestionHTML, Type: q.Question.Type.Label(), Marks: q.Marks,
			NegativeMarks: q.NegativeMarks, PartialMarks: q.PartialMarks, Direction: nonEmpty(q.Question.DirectionHTML),
			Answers: []itemAnswer{}, DifficultyLevel: nonEmpty(string(q.Question.Difficulty)), Order: q.Order,
			IsBonus: q.IsBonus, ExamID: q.ExamID}
		for _, a := range q.Question.Answers {
			out.Answers = append(out.Answers, itemAnswer{ID: a.ID, TextHTML: a.TextHTML})
		}
		results.ExamQuestions = append(results.ExamQuestions, out)
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, len(answers), results))
}
