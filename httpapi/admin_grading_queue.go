package httpapi

import (
	"net/http"
	"net/url"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Page sizes of the grading queue.
const (
	gradingQueuePageSize    = 50
	gradingQueueMaxPageSize = 250
)

// pendingEssayOutput is one essay of GET /api/v2.5/admin/grading-queue/.
// question_html is the author's (trusted) HTML; essay_text is what the
// student typed, as typed: a page must escape it.
type pendingEssayOutput struct {
	AttemptID      int64           `json:"attempt_id"`
	UserAnswerID   int64           `json:"user_answer_id"`
	ExamID         int64           `json:"exam_id"`
	ExamTitle      string          `json:"exam_title"`
	UserID         int64           `json:"user_id"`
	Name           *string         `json:"name"`
	QuestionID     int64           `json:"question_id"`
	ExamQuestionID int64           `json:"exam_question_id"`
	QuestionHTML   string          `json:"question_html"`
	EssayText      string          `json:"essay_text"`
	Marks          decimal.Decimal `json:"marks"`
	Submitted      string          `json:"submitted"`
}

// parseGradingQueueFilter reads the optional exams filter: one exam id.
func parseGradingQueueFilter(q url.Values) (examhall.GradingQueueFilter, error) {
	var f examhall.GradingQueueFilter
	if drf.Param(q, "exams") == "" {
		return f, nil // every exam's essays
	}
	ids, err := parseExamIDs(q)
	if err != nil {
		return f, err
	}
	if len(ids) > 1 {
		errs := examhall.FieldErrors{}
		errs.Add("exams", "Enter one exam id.")
		return f, errs.Err()
	}
	f.ExamID = &ids[0]
	return f, nil
}

// listGradingQueue is GET /api/v2.5/admin/grading-queue/[?exams=<id>]: the
// essay answers awaiting grading, the oldest submitted first, paginated.
// An answer leaves it when graded.
func (s *Server) listGradingQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := drf.ParsePage(q, gradingQueuePageSize, gradingQueueMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseGradingQueueFilter(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = page.Size
	var list []examhall.PendingEssay
	var count int
	resolved, err := fetchPage(page, func(offset int) (int, error) {
		f.Offset = offset
		list, count, err = s.Dashboard.GradingQueue(r.Context(), f)
		return count, err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]pendingEssayOutput, len(list))
	for i, p := range list {
		u := examhall.User{FirstName: p.FirstName, LastName: p.LastName}
		results[i] = pendingEssayOutput{AttemptID: p.AttemptID, UserAnswerID: p.AnswerID, ExamID: p.ExamID,
			ExamTitle: p.ExamTitle, UserID: p.UserID, Name: nonEmpty(u.FullName()), QuestionID: p.QuestionID,
			ExamQuestionID: p.ExamQuestionID, QuestionHTML: p.QuestionHTML, EssayText: p.EssayText, Marks: p.Marks,
			Submitted: s.formatTime(p.Submitted)}
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, count, results))
}
