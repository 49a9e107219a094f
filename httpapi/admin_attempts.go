package httpapi

import (
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
	"github.com/examhall/examhall/scoring"
)

// adminAttemptDetail is GET /api/v2.5/admin/attempts/<id>/: fields and
// order as the seed lists them (SPEC §8.2).
type adminAttemptDetail struct {
	ID                    int64                              `json:"id"`
	Date                  string                             `json:"date"`
	ExamID                int64                              `json:"exam_id"`
	UserID                int64                              `json:"user_id"`
	Email                 string                             `json:"email"`
	Name                  *string                            `json:"name"`
	Phone                 *string                            `json:"phone"`
	CorrectAnswersCount   int                                `json:"correct_answers_count"`
	IncorrectAnswersCount int                                `json:"incorrect_answers_count"`
	UnansweredCount       int                                `json:"unanswered_count"`
	Score                 decimal.Decimal                    `json:"score"`
	Percentage            float64                            `json:"percentage"`
	Percentile            *pyFloat                           `json:"percentile"`
	TimeTaken             string                             `json:"time_taken"`
	RemainingTime         *string                            `json:"remaining_time"`
	Result                string                             `json:"result"`
	State                 string                             `json:"state"`
	LastStartedTime       *string                            `json:"last_started_time"`
	LastAnswerUpdatedTime *string                            `json:"last_answer_updated_time"`
	Speed                 int                                `json:"speed"`
	ExamURL               string                             `json:"exam_url"`
	UserURL               string                             `json:"user_url"`
	Username              string                             `json:"username"`
	Sections              []adminAttemptSection              `json:"sections"`
	SubjectStats          []examhall.SubjectStat             `json:"subject_stats"`
	DifficultyLevelStats  map[string]examhall.DifficultyStat `json:"difficulty_level_stats"`
	InstituteAttemptID    *string                            `json:"institute_attempt_id"`
}

type adminAttemptSection struct {
	ID                    int64           `json:"id"`
	Order                 int             `json:"order"`
	SectionID             int64           `json:"section_id"`
	TimeTaken             string          `json:"time_taken"`
	CorrectAnswersCount   int             `json:"correct_answers_count"`
	IncorrectAnswersCount int             `json:"incorrect_answers_count"`
	UnansweredCount       int             `json:"unanswered_count"`
	Score                 decimal.Decimal `json:"score"`
}

// getAdminAttempt is GET /api/v2.5/admin/attempts/<id>/. Subject and
// difficulty stats are tallied from the judgements stored with the answers.
func (s *Server) getAdminAttempt(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	rep, err := s.Reports.AttemptReport(r.Context(), examhall.AnyUser, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.adminAttemptDetail(r, rep))
}

// adminAttemptDetail renders the report of one attempt, all read at one
// snapshot.
func (s *Server) adminAttemptDetail(r *http.Request, rep *examhall.AttemptReport) *adminAttemptDetail {
	a, exam, u, answers := rep.Attempt, rep.Exam, rep.User, rep.Answers
	byQuestion := make(map[int64]*examhall.UserAnswer, len(answers))
	for _, ua := range answers {
		byQuestion[ua.ExamQuestionID] = ua
	}
	stats := scoring.NewPaper(exam, rep.Subjects).Tally(byQuestion, a.TimeTaken)

	d := &adminAttemptDetail{
		ID: a.ID, Date: s.formatTime(a.Date), ExamID: a.ExamID, UserID: a.UserID, Email: u.Email,
		Name: nonEmpty(u.FullName()), Phone: nonEmpty(u.Phone), CorrectAnswersCount: a.Correct,
		IncorrectAnswersCount: a.Incorrect, UnansweredCount: a.Unanswered, Score: a.Score,
		Percentage: a.Percentage.Float64(), TimeTaken: drf.FormatDuration(a.TimeTaken),
		RemainingTime: drf.FormatDurationPtr(a.RemainingTime(exam)), Result: a.Result, State: a.State.String(),
		LastStartedTime: s.timePtr(a.LastStartedTime), LastAnswerUpdatedTime: s.timePtr(a.LastAnswerUpdatedTime),
		Speed:   a.Speed,
		ExamURL: s.examURL(r, a.ExamID),
		UserURL: s.userURL(r, a.UserID), Username: u.Username, Sections: []adminAttemptSection{},
		InstituteAttemptID: nonEmpty(a.InstituteAttemptID),
	}
	if rep.Ranked {
		p := pyFloat(rep.Percentile.Float64())
		d.Percentile = &p
	}
	for _, sec := range rep.Sections {
		d.Sections = append(d.Sections, adminAttemptSection{ID: sec.ID, Order: sec.Order, SectionID: sec.SectionID,
			TimeTaken: drf.FormatDuration(sec.TimeTaken), CorrectAnswersCount: sec.Correct,
			IncorrectAnswersCount: sec.Incorrect, UnansweredCount: sec.Unanswered, Score: sec.Score})
	}
	d.SubjectStats, d.DifficultyLevelStats = stats.Stats()
	return d
}
