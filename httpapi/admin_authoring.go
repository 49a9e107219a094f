package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// userPatch is the body of PATCH /api/v2.5/admin/users/<id>/: fields left out stay.
type userPatch struct {
	Username  *string   `json:"username"`
	Password  *string   `json:"password"`
	Email     *string   `json:"email"`
	FirstName *string   `json:"first_name"`
	LastName  *string   `json:"last_name"`
	Phone     *string   `json:"phone"`
	Role      *string   `json:"role"`
	IsActive  *bool     `json:"is_active"`
	IsBlocked *bool     `json:"is_blocked"`
	Batches   *[]string `json:"batches"`
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// patchUser is PATCH /api/v2.5/admin/users/<id>/.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in userPatch
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	var hash *string
	if in.Password != nil {
		if len(*in.Password) > auth.MaxPasswordBytes || *in.Password == "" {
			s.writeError(w, r, fieldErr("password", "Ensure the password has between 1 and 72 bytes."))
			return
		}
		h, err := s.Auth.Passwords.Hash(*in.Password)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		hash = &h
	}
	u, err := s.Users.UpdateUser(r.Context(), id, func(u *examhall.User) error {
		set(&u.Username, in.Username)
		set(&u.Email, in.Email)
		set(&u.FirstName, in.FirstName)
		set(&u.LastName, in.LastName)
		set(&u.Phone, in.Phone)
		set(&u.IsActive, in.IsActive)
		set(&u.IsBlocked, in.IsBlocked)
		set(&u.Batches, in.Batches)
		if in.Role != nil {
			u.Role = examhall.Role(*in.Role)
		}
		return nil
	}, hash)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if u.Batches == nil {
		u.Batches = []string{}
	}
	writeJSON(w, http.StatusOK, s.adminUser(r, u))
}

// deleteByID answers DELETE …/<id>/ with 204 after del succeeds.
func (s *Server) deleteByID(del func(r *http.Request, id int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r, "id")
		if !ok {
			writeDetail(w, http.StatusNotFound, "Not found.")
			return
		}
		if err := del(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) deleteUser(r *http.Request, id int64) error {
	return s.Users.DeleteUser(r.Context(), id)
}
func (s *Server) deleteSubject(r *http.Request, id int64) error {
	return s.Exams.DeleteSubject(r.Context(), id)
}
func (s *Server) deleteExam(r *http.Request, id int64) error {
	return s.Exams.DeleteExam(r.Context(), id)
}

// patchSubject is PATCH /api/v2.5/admin/subjects/<id>/ {"name", "parent"}.
func (s *Server) patchSubject(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Name   *string `json:"name"`
		Parent *int64  `json:"parent"` // 0 makes it a root
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	subjects, err := s.Exams.Subjects(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var subject *examhall.Subject
	for i := range subjects {
		if subjects[i].ID == id {
			subject = &subjects[i]
		}
	}
	if subject == nil {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	set(&subject.Name, in.Name)
	set(&subject.ParentID, in.Parent)
	if err := s.Exams.UpdateSubject(r.Context(), subject); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, subjectOutput{ID: subject.ID, Name: subject.Name, Parent: nonZero(subject.ParentID)})
}

// examPatch is the body of PATCH /api/v2.5/admin/exams/<id>/: the exam's own
// fields; its questions change through the question endpoints.
type examPatch struct {
	Slug            *string          `json:"slug"`
	Title           *string          `json:"title"`
	Description     *string          `json:"description"`
	StartDate       *string          `json:"start_date"`
	EndDate         *string          `json:"end_date"`
	Duration        *string          `json:"duration"`
	PassPercentage  json.RawMessage  `json:"pass_percentage"` // null removes the pass mark
	MarkPerQuestion *decimal.Decimal `json:"mark_per_question"`
	NegativeMarks   *decimal.Decimal `json:"negative_marks"`
	EnableRanks     *bool            `json:"enable_ranks"`
	AllowRetake     *bool            `json:"allow_retake"`
	MaxRetakes      json.RawMessage  `json:"max_retakes"` // null: no limit
	ShowScore       *bool            `json:"show_score"`
	ShowPercentile  *bool            `json:"show_percentile"`
	ShowPassOrFail  *bool            `json:"show_pass_or_fail"`
	ShowAnswers     *bool            `json:"show_answers"`
	Published       *bool            `json:"published"`
	Batches         *[]string        `json:"batches"`
}

// patchExam is PATCH /api/v2.5/admin/exams/<id>/. Dates and durations may
// be set to null with an explicit null (an empty string also clears them).
func (s *Server) patchExam(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in examPatch
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	exam, _, err := s.Exams.UpdateExam(r.Context(), id, func(exam *examhall.Exam) error {
		set(&exam.Slug, in.Slug)
		set(&exam.Title, in.Title)
		set(&exam.Description, in.Description)
		set(&exam.MarkPerQuestion, in.MarkPerQuestion)
		set(&exam.NegativeMarks, in.NegativeMarks)
		set(&exam.EnableRanks, in.EnableRanks)
		set(&exam.AllowRetake, in.AllowRetake)
		set(&exam.ShowScore, in.ShowScore)
		set(&exam.ShowPercentile, in.ShowPercentile)
		set(&exam.ShowPassOrFail, in.ShowPassOrFail)
		set(&exam.ShowAnswers, in.ShowAnswers)
		set(&exam.Published, in.Published)
		set(&exam.Batches, in.Batches)
		errs := examhall.FieldErrors{}
		nullable(errs, "pass_percentage", in.PassPercentage, &exam.PassPercentage)
		nullable(errs, "max_retakes", in.MaxRetakes, &exam.MaxRetakes)
		if in.StartDate != nil {
			exam.StartDate = drf.TimeField(errs, "start_date", emptyAsNil(in.StartDate), s.location())
		}
		if in.EndDate != nil {
			exam.EndDate = drf.TimeField(errs, "end_date", emptyAsNil(in.EndDate), s.location())
		}
		if in.Duration != nil {
			exam.Duration = drf.DurationField(errs, "duration", emptyAsNil(in.Duration))
		}
		return errs.Err()
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.adminExamDetail(r, exam))
}

// nullable sets *dst from a field that may be absent (kept), null (cleared)
// or a value.
func nullable[T any](errs examhall.FieldErrors, field string, raw json.RawMessage, dst **T) {
	if len(raw) == 0 {
		return
	}
	var v *T
	if decodeJSONField(errs, field, raw, &v) {
		*dst = v
	}
}

func emptyAsNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// addSection is POST /api/v2.5/admin/exams/<id>/sections/.
func (s *Server) addSection(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Name     string          `json:"name"`
		Duration *string         `json:"duration"`
		CutOff   decimal.Decimal `json:"cut_off"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	errs := examhall.FieldErrors{}
	section := &examhall.Section{Name: in.Name, CutOff: in.CutOff, Duration: drf.DurationField(errs, "duration", in.Duration)}
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Exams.AddSection(r.Context(), id, section); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeExam(w, r, http.StatusCreated, id)
}

func (s *Server) writeExam(w http.ResponseWriter, r *http.Request, status int, id int64) {
	exam, err := s.Exams.ExamByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, s.adminExamDetail(r, exam))
}

// addExamQuestion is POST /api/v2.5/admin/exams/<id>/questions/: a question
// (as in the exam body) with the "section" it goes to, appended to it.
func (s *Server) addExamQuestion(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	var in struct {
		Section int64 `json:"section"`
		bundle.Question
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	exam, err := s.Exams.ExamByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	subject, err := s.subjectResolver(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	errs := examhall.FieldErrors{}
	q := in.Question.ExamQuestion(exam.MarkPerQuestion, exam.NegativeMarks, subject, errs, "")
	if err := errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Exams.AddExamQuestion(r.Context(), id, in.Section, &q); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeExam(w, r, http.StatusCreated, id)
}

// deleteExamQuestion is DELETE /api/v2.5/admin/exams/<id>/questions/<question>/.
func (s *Server) deleteExamQuestion(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	questionID, questionOK := pathID(r, "question")
	if !ok || !questionOK {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	if err := s.Exams.DeleteExamQuestion(r.Context(), id, questionID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changeExamQuestion is PUT or PATCH /api/v2.5/admin/exams/<id>/questions/<exam_question_id>/:
// fields left out stay. Its wording (question_html, direction_html,
// explanation_html, subject, difficulty, answers' text_html by answer id)
// changes without a regrade; a new answer key (correct_answers) or marks
// regrade every completed attempt. The answer is the exam and how many
// attempts were regraded.
func (s *Server) changeExamQuestion(w http.ResponseWriter, r *http.Request) {
	examID, ok := pathID(r, "id")
	questionID, questionOK := pathID(r, "question")
	if !ok || !questionOK {
		writeDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	// Every field raw first, so that each is read on its own: all problems
	// are reported at once, and a null is told from a missing field (DRF:
	// "This field may not be null.", except the fields that null clears).
	var in struct {
		Marks           json.RawMessage `json:"marks"`
		NegativeMarks   json.RawMessage `json:"negative_marks"`
		PartialMarks    json.RawMessage `json:"partial_marks"` // null removes
		IsBonus         json.RawMessage `json:"is_bonus"`
		CorrectAnswers  json.RawMessage `json:"correct_answers"`
		NumericalMin    json.RawMessage `json:"numerical_min"`
		NumericalMax    json.RawMessage `json:"numerical_max"`
		AcceptedAnswers json.RawMessage `json:"accepted_answers"`
		QuestionHTML    json.RawMessage `json:"question_html"`
		DirectionHTML   json.RawMessage `json:"direction_html"` // null removes
		ExplanationHTML json.RawMessage `json:"explanation_html"`
		Subject         json.RawMessage `json:"subject"`    // an id or a key; null removes
		Difficulty      json.RawMessage `json:"difficulty"` // null removes
		Answers         json.RawMessage `json:"answers"`    // [{"id", "text_html"}]
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
		{"question_html", in.QuestionHTML, &change.QuestionHTML},
		{"explanation_html", in.ExplanationHTML, &change.ExplanationHTML},
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
	var text *string
	if len(in.DirectionHTML) > 0 && decodeJSONField(errs, "direction_html", in.DirectionHTML, &text) {
		change.DirectionHTML = ptrTo(deref(text))
	}
	if len(in.Difficulty) > 0 && decodeJSONField(errs, "difficulty", in.Difficulty, &text) {
		change.Difficulty = ptrTo(examhall.Difficulty(deref(text)))
	}
	var subject *bundle.Ref
	if len(in.Subject) > 0 && decodeJSONField(errs, "subject", in.Subject, &subject) {
		change.SubjectID = ptrTo(int64(0))
		if subject != nil {
			resolve, err := s.subjectResolver(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			id, problem := resolve(*subject)
			if problem != "" {
				errs.Add("subject", problem)
			}
			change.SubjectID = &id
		}
	}
	var answers []struct {
		ID       int64   `json:"id"`
		TextHTML *string `json:"text_html"`
	}
	if len(in.Answers) > 0 && decodeJSONField(errs, "answers", in.Answers, &answers) {
		change.AnswerTexts = map[int64]string{}
		for i, a := range answers {
			switch {
			case a.ID == 0:
				errs.Add(fmt.Sprintf("answers[%d].id", i), "This field is required.")
			case a.TextHTML != nil:
				change.AnswerTexts[a.ID] = *a.TextHTML
			}
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

func ptrTo[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
