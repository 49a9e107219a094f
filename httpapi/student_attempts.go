package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// studentAttempt is an attempt as the v2.2 student API shows it.
type studentAttempt struct {
	URL                string           `json:"url"`
	ID                 int64            `json:"id"`
	Exam               string           `json:"exam"`
	User               int64            `json:"user"`
	Date               string           `json:"date"`
	TotalQuestions     int              `json:"total_questions"`
	Score              *decimal.Decimal `json:"score"`
	ReviewURL          string           `json:"review_url"`
	QuestionsURL       string           `json:"questions_url"`
	Percentile         *pyFloat         `json:"percentile"`
	CorrectCount       int              `json:"correct_count"`
	IncorrectCount     int              `json:"incorrect_count"`
	LastStartedTime    *string          `json:"last_started_time"`
	RemainingTime      *string          `json:"remaining_time"`
	TimeTaken          string           `json:"time_taken"`
	State              string           `json:"state"`
	Rank               any              `json:"rank"`
	MaxRank            any              `json:"max_rank"`
	Percentage         *float64         `json:"percentage"`
	UnansweredCount    int              `json:"unanswered_count"`
	Speed              int              `json:"speed"`
	Accuracy           int              `json:"accuracy"`
	InstituteAttemptID *string          `json:"institute_attempt_id"`
}

// studentAttempt renders the caller's attempt, placed as read with it
// (AttemptPlaced); what it shows of the result follows the exam's settings
// (examhall.Exam.ResultFor): a hidden score, percentage or percentile is
// null, a hidden rank "NA".
func (s *Server) studentAttempt(r *http.Request, a *examhall.Attempt, exam *examhall.Exam, placed examhall.Placement) studentAttempt {
	base := "/api/v2.2/attempts/" + strconv.FormatInt(a.ID, 10) + "/"
	out := studentAttempt{
		URL: s.absoluteURL(r, base, nil).String(), ID: a.ID,
		Exam: s.absoluteURL(r, "/api/v2.2/exams/"+exam.Slug+"/", nil).String(), User: a.UserID,
		Date: s.formatTime(a.Date), TotalQuestions: len(exam.Questions()),
		ReviewURL: s.absoluteURL(r, base+"review/", nil).String(), QuestionsURL: s.absoluteURL(r, base+"questions/", nil).String(),
		CorrectCount: a.Correct, IncorrectCount: a.Incorrect, LastStartedTime: s.timePtr(a.LastStartedTime),
		RemainingTime: drf.FormatDurationPtr(a.RemainingTime(exam)), TimeTaken: drf.FormatDuration(a.TimeTaken),
		State: a.State.String(), Rank: "NA", MaxRank: "NA",
		UnansweredCount: a.Unanswered, Speed: a.Speed, Accuracy: a.Accuracy, InstituteAttemptID: nonEmpty(a.InstituteAttemptID),
	}
	shows := exam.ResultFor(caller(r).Role)
	if shows.Score {
		score, percentage := a.Score, a.Percentage.Float64()
		out.Score, out.Percentage = &score, &percentage
	}
	if placed.Ranked && shows.Percentile {
		p := pyFloat(placed.Percentile.Float64())
		out.Percentile = &p
	}
	if placed.Ranked && shows.Rank {
		out.Rank, out.MaxRank = placed.Rank, placed.Population
	}
	return out
}

// startAttempt is POST /api/v2.2/exams/<slug>/attempts/.
func (s *Server) startAttempt(w http.ResponseWriter, r *http.Request) {
	var in struct {
		InstituteAttemptID string `json:"institute_attempt_id"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if utf8.RuneCountInString(in.InstituteAttemptID) > examhall.MaxInstituteAttemptIDLength {
		s.writeError(w, r, fieldErr("institute_attempt_id",
			fmt.Sprintf("Ensure this field has no more than %d characters.", examhall.MaxInstituteAttemptIDLength)))
		return
	}
	a, err := s.Attempts.StartAttempt(r.Context(), caller(r).ID, r.PathValue("slug"), in.InstituteAttemptID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeAttempt(w, r, http.StatusCreated, a.ID)
}

// writeAttempt answers with the caller's attempt as it is now.
func (s *Server) writeAttempt(w http.ResponseWriter, r *http.Request, status int, id int64) {
	a, exam, placed, err := s.Attempts.AttemptPlaced(r.Context(), caller(r).ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, s.studentAttempt(r, a, exam, placed))
}

// getAttempt is GET /api/v2.2/attempts/<id>/.
func (s *Server) getAttempt(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	s.writeAttempt(w, r, http.StatusOK, id)
}

// attemptStep is PUT …/start/, …/heartbeat/ and …/end/.
func (s *Server) attemptStep(step func(*Server) func(r *http.Request, userID, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			writeDetail(w, http.StatusNotFound, "Not found.")
			return
		}
		if err := step(s)(r, caller(r).ID, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeAttempt(w, r, http.StatusOK, id)
	}
}

func resumeStep(s *Server) func(r *http.Request, userID, id int64) error {
	return func(r *http.Request, userID, id int64) error {
		_, err := s.Attempts.Resume(r.Context(), userID, id)
		return err
	}
}

func heartbeatStep(s *Server) func(r *http.Request, userID, id int64) error {
	return func(r *http.Request, userID, id int64) error {
		_, err := s.Attempts.Heartbeat(r.Context(), userID, id)
		return err
	}
}

func endStep(s *Server) func(r *http.Request, userID, id int64) error {
	return func(r *http.Request, userID, id int64) error {
		_, err := s.Attempts.End(r.Context(), userID, id)
		return err
	}
}

// Page sizes of an attempt's questions.
const (
	questionsPageSize    = 20
	questionsMaxPageSize = 250
)

// attemptItem is one question of an attempt with the caller's answer.
type attemptItem struct {
	ID              int64        `json:"id"`
	URL             string       `json:"url"`
	Order           int          `json:"order"`
	SectionID       int64        `json:"section_id"`
	Question        itemQuestion `json:"question"`
	SelectedAnswers []int64      `json:"selected_answers"`
	ShortText       *string      `json:"short_text"`
	NumericValue    *string      `json:"numeric_value"`
	EssayText       *string      `json:"essay_text"`
	Review          bool         `json:"review"`
	// After completion, on the review endpoint only:
	ExplanationHTML reviewField[string]          `json:"explanation_html,omitzero"`
	Result          reviewField[string]          `json:"result,omitzero"`
	MarksAwarded    reviewField[decimal.Decimal] `json:"marks_awarded,omitzero"`
	// IsBonus says why a bonus question is Correct at full marks, answered
	// or not (SPEC §5; the name is §8.3's). Shown whatever the settings:
	// it reveals no key.
	IsBonus reviewField[bool] `json:"is_bonus,omitzero"`
}

// reviewField is a key of the review only: left out of the questions list
// (unset, the zero value) and, in a review, the value or null when the
// exam's settings hide it from the caller (Exam.ReviewFor). The key stays
// either way, so that a client reads one shape whatever the settings.
type reviewField[T any] struct {
	set   bool
	value *T // nil: hidden
}

// reviewed is a review field holding v, or null unless shown.
func reviewed[T any](v T, shown bool) reviewField[T] {
	if !shown {
		return reviewField[T]{set: true}
	}
	return reviewField[T]{set: true, value: &v}
}

// IsZero leaves an unset field out (omitzero).
func (f reviewField[T]) IsZero() bool { return !f.set }

// MarshalJSON writes the value, or null, with HTML left as it is (as
// writeJSON writes the rest of the body).
func (f reviewField[T]) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f.value); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type itemQuestion struct {
	QuestionHTML string       `json:"question_html"`
	Direction    *string      `json:"direction"`
	Answers      []itemAnswer `json:"answers"`
	Subject      *string      `json:"subject"`
	Type         string       `json:"type"`
}

type itemAnswer struct {
	ID        int64             `json:"id"`
	TextHTML  string            `json:"text_html"`
	IsCorrect reviewField[bool] `json:"is_correct,omitzero"`
}

// attemptItems renders the attempt's answers as the questions list shows
// them, or with review, as the review does: with what the exam's settings
// let the caller see of the key and the marks (Exam.ReviewFor).
func (s *Server) attemptItems(r *http.Request, attemptID int64, exam *examhall.Exam, answers []*examhall.UserAnswer,
	subjects map[int64]string, review bool) []attemptItem {
	shows := exam.ReviewFor(caller(r).Role)
	byID := map[int64]examhall.ExamQuestion{}
	for _, q := range exam.Questions() {
		byID[q.ID] = q
	}
	items := make([]attemptItem, 0, len(answers))
	for _, ua := range answers {
		q := byID[ua.ExamQuestionID]
		item := attemptItem{
			ID:    ua.ID,
			URL:   s.absoluteURL(r, "/api/v2.2/attempts/"+strconv.FormatInt(attemptID, 10)+"/questions/"+strconv.FormatInt(ua.ID, 10)+"/", nil).String(),
			Order: q.Order, SectionID: q.SectionID, SelectedAnswers: ua.SelectedAnswerIDs, ShortText: ua.ShortText,
			NumericValue: ua.NumericValue, EssayText: ua.EssayText, Review: ua.Review,
			Question: itemQuestion{QuestionHTML: q.Question.QuestionHTML, Direction: nonEmpty(q.Question.DirectionHTML),
				Answers: []itemAnswer{}, Type: q.Question.Type.Code()},
		}
		if name, ok := subjects[q.Question.SubjectID]; ok {
			item.Question.Subject = &name
		}
		for _, a := range q.Question.Answers {
			ia := itemAnswer{ID: a.ID, TextHTML: a.TextHTML}
			if review {
				ia.IsCorrect = reviewed(a.IsCorrect, shows.AnswerKey)
			}
			item.Question.Answers = append(item.Question.Answers, ia)
		}
		if review {
			item.ExplanationHTML = reviewed(q.Question.ExplanationHTML, shows.AnswerKey)
			item.Result = reviewed(ua.Result.String(), shows.AnswerKey)
			item.MarksAwarded = reviewed(ua.Marks, shows.Marks)
			item.IsBonus = reviewed(q.IsBonus, true)
		}
		items = append(items, item)
	}
	return items
}

// listAttemptQuestions is GET /api/v2.2/attempts/<id>/questions/ (review=false)
// and …/review/ (review=true, only once the attempt is completed).
func (s *Server) listAttemptQuestions(review bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			writeDetail(w, http.StatusNotFound, "Not found.")
			return
		}
		page, err := drf.ParsePage(r.URL.Query(), questionsPageSize, questionsMaxPageSize)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// One snapshot: a regrade in between must not pair new results with
		// an old answer key.
		rep, err := s.Reports.AttemptAnswers(r.Context(), caller(r).ID, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		a, exam, answers := rep.Attempt, rep.Exam, rep.Answers
		if review && a.State != examhall.AttemptCompleted {
			writeDetail(w, http.StatusBadRequest, "The review opens once the attempt is completed.")
			return
		}
		resolved, offset, err := page.Resolve(len(answers))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		subjects := subjectNames(rep.Subjects)
		pageAnswers := answers[offset:min(offset+resolved.Size, len(answers))]
		items := s.attemptItems(r, id, exam, pageAnswers, subjects, review)
		writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, len(answers), items))
	}
}

// subjectNames are the subjects' names by id.
func subjectNames(subjects []examhall.Subject) map[int64]string {
	names := make(map[int64]string, len(subjects))
	for _, sub := range subjects {
		names[sub.ID] = sub.Name
	}
	return names
}

// saveAnswer is PUT /api/v2.2/attempts/<id>/questions/<item_id>/.
func (s *Server) saveAnswer(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	itemID, itemOK := pathID(r, "item")
	if !ok || !itemOK {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var body struct {
		SelectedAnswers *[]int64         `json:"selected_answers"`
		ShortText       *string          `json:"short_text"`
		NumericValue    *json.RawMessage `json:"numeric_value"`
		EssayText       *string          `json:"essay_text"`
		Review          *bool            `json:"review"`
		Duration        *float64         `json:"duration"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := examhall.AnswerInput{SelectedAnswerIDs: body.SelectedAnswers, ShortText: body.ShortText,
		EssayText: body.EssayText, Review: body.Review}
	if body.NumericValue != nil { // a decimal string, or a JSON number
		var text string
		if err := json.Unmarshal(*body.NumericValue, &text); err != nil {
			text = string(*body.NumericValue)
		}
		in.NumericValue = &text
	}
	if body.Duration != nil {
		// Clamped to a second past the bound before the conversion, which
		// would overflow: Validate then refuses it with the bound's message.
		limit := (examhall.MaxSaveDuration + time.Second).Seconds()
		d := time.Duration(max(-limit, min(*body.Duration, limit)) * float64(time.Second))
		in.Duration = &d
	}
	ua, exam, err := s.Attempts.SaveAnswer(r.Context(), caller(r).ID, id, itemID, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Rendered from what the save returned: the exam it was checked
	// against, and the one subject name the item shows, if any.
	var ids []int64
	if subject := exam.Question(ua.ExamQuestionID).Question.SubjectID; subject != 0 {
		ids = append(ids, subject)
	}
	names, err := s.Exams.SubjectNames(r.Context(), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.attemptItems(r, id, exam, []*examhall.UserAnswer{ua}, names, false)[0])
}

// listAttempts is GET /api/v2.2/attempts/: the caller's attempts, newest first.
func (s *Server) listAttempts(w http.ResponseWriter, r *http.Request) {
	page, err := drf.ParsePage(r.URL.Query(), questionsPageSize, questionsMaxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	attempts, err := s.Attempts.UserAttempts(r.Context(), caller(r).ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resolved, offset, err := page.Resolve(len(attempts))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := []studentAttempt{}
	for _, listed := range attempts[offset:min(offset+resolved.Size, len(attempts))] {
		// One read per attempt: a student has few, and each read brings a
		// running attempt's clock up to date.
		a, exam, placed, err := s.Attempts.AttemptPlaced(r.Context(), caller(r).ID, listed.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		results = append(results, s.studentAttempt(r, a, exam, placed))
	}
	writeJSON(w, http.StatusOK, drf.NewEnvelope(s.requestURL(r), resolved, len(attempts), results))
}
