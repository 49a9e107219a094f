package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
)

// Exam is an exam with its sections of questions: one input shape for the
// bundle's exams and the authoring API's POST /api/v2.5/admin/exams/, read
// by one converter (Exam.Exam), so that both accept the same fields with the
// same defaults and the same errors (issue 12).
//
// The fields that GET /api/v2.5/admin/exams/<id>/ shows but nobody sets
// (id, created, modified, number_of_questions, total_marks; a section's id
// and order; a question's id, question_id and order; an answer's id) are
// accepted and ignored, as DRF does with read-only fields, so that an exam's
// own output can be sent back as a new exam.
type Exam struct {
	Slug            string           `json:"slug"`
	Title           string           `json:"title"`
	Description     string           `json:"description"`
	StartDate       *string          `json:"start_date"`
	EndDate         *string          `json:"end_date"`
	Duration        *string          `json:"duration"`
	PassPercentage  *decimal.Decimal `json:"pass_percentage"`
	MarkPerQuestion *decimal.Decimal `json:"mark_per_question"` // default 1
	NegativeMarks   *decimal.Decimal `json:"negative_marks"`    // default 0
	EnableRanks     *bool            `json:"enable_ranks"`      // default true
	AllowRetake     bool             `json:"allow_retake"`
	MaxRetakes      *int             `json:"max_retakes"`
	Published       bool             `json:"published"`
	ShowScore       *bool            `json:"show_score"`        // default true
	ShowPercentile  *bool            `json:"show_percentile"`   // default true
	ShowPassOrFail  *bool            `json:"show_pass_or_fail"` // default true
	ShowAnswers     *bool            `json:"show_answers"`      // default true
	Batches         []string         `json:"batches"`
	Sections        []Section        `json:"sections"`

	ID                json.RawMessage `json:"id"`
	Created           json.RawMessage `json:"created"`
	Modified          json.RawMessage `json:"modified"`
	NumberOfQuestions json.RawMessage `json:"number_of_questions"`
	TotalMarks        json.RawMessage `json:"total_marks"`
}

// Section is a section of an exam.
type Section struct {
	Name      string          `json:"name"`
	Duration  *string         `json:"duration"`
	CutOff    decimal.Decimal `json:"cut_off"`
	Questions []Question      `json:"questions"`

	ID    json.RawMessage `json:"id"`
	Order json.RawMessage `json:"order"`
}

// Question is a question with how the exam marks it. Type is any spelling
// examhall writes (examhall.ParseQuestionType). Three fields have a second
// name, the one the admin API shows: direction (direction_html), subject_id
// (subject) and difficulty_level (difficulty); a question gives one of each
// pair. Omitted marks take the exam's mark_per_question and negative_marks.
type Question struct {
	Key             string           `json:"key"`
	Type            string           `json:"type"`
	QuestionHTML    string           `json:"question_html"`
	DirectionHTML   *string          `json:"direction_html"`
	Direction       *string          `json:"direction"`
	ExplanationHTML string           `json:"explanation_html"`
	Subject         *Ref             `json:"subject"`
	SubjectID       *Ref             `json:"subject_id"`
	Difficulty      *string          `json:"difficulty"`
	DifficultyLevel *string          `json:"difficulty_level"`
	Marks           *decimal.Decimal `json:"marks"`
	NegativeMarks   *decimal.Decimal `json:"negative_marks"`
	PartialMarks    *decimal.Decimal `json:"partial_marks"`
	IsBonus         bool             `json:"is_bonus"`
	Answers         []Answer         `json:"answers"`
	NumericalMin    *string          `json:"numerical_min"`
	NumericalMax    *string          `json:"numerical_max"`
	AcceptedAnswers []string         `json:"accepted_answers"`

	ID         json.RawMessage `json:"id"`
	QuestionID json.RawMessage `json:"question_id"`
	Order      json.RawMessage `json:"order"`
}

// Answer is a choice of a choice question.
type Answer struct {
	TextHTML  string `json:"text_html"`
	IsCorrect bool   `json:"is_correct"`

	ID json.RawMessage `json:"id"`
}

// Ref names a record by its id (a JSON number, a record of the database) or
// by its key (a JSON string: a subject's key, an exam's slug).
type Ref struct {
	ID  int64
	Key string
}

// RefMessage is the field message for a reference that is neither.
const RefMessage = "Expected an id (a number) or a key (a string)."

// UnmarshalJSON reads a number as an id, a string as a key.
func (r *Ref) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return drf.Invalid(RefMessage)
	}
	switch v := v.(type) {
	case string:
		*r = Ref{Key: v}
		return nil
	case float64:
		var id int64
		if err := json.Unmarshal(b, &id); err == nil && id > 0 {
			*r = Ref{ID: id}
			return nil
		}
	}
	return drf.Invalid(RefMessage)
}

// MarshalJSON writes the id or the key.
func (r Ref) MarshalJSON() ([]byte, error) {
	if r.Key != "" || r.ID == 0 {
		return json.Marshal(r.Key)
	}
	return json.Marshal(r.ID)
}

// Resolve finds the id a reference names; problem, when not "", is the
// field message for a reference it cannot resolve.
type Resolve func(r Ref) (id int64, problem string)

// Exam converts the input to a domain exam. Fields that do not parse are
// recorded in errs, keyed from the exam ("sections[0].questions[1].subject");
// the domain (examhall.Exam.Validate) checks the rest. subject resolves the
// questions' subjects.
func (in *Exam) Exam(loc *time.Location, subject Resolve, errs examhall.FieldErrors) *examhall.Exam {
	orTrue := func(v *bool) bool { return v == nil || *v }
	e := &examhall.Exam{Slug: in.Slug, Title: in.Title, Description: in.Description, PassPercentage: in.PassPercentage,
		MarkPerQuestion: decimal.FromInt(1), EnableRanks: orTrue(in.EnableRanks), AllowRetake: in.AllowRetake,
		MaxRetakes: in.MaxRetakes, ShowScore: orTrue(in.ShowScore), ShowPercentile: orTrue(in.ShowPercentile),
		ShowPassOrFail: orTrue(in.ShowPassOrFail), ShowAnswers: orTrue(in.ShowAnswers), Published: in.Published,
		Batches: in.Batches}
	if e.Batches == nil {
		e.Batches = []string{}
	}
	if in.MarkPerQuestion != nil {
		e.MarkPerQuestion = *in.MarkPerQuestion
	}
	if in.NegativeMarks != nil {
		e.NegativeMarks = *in.NegativeMarks
	}
	e.StartDate = drf.TimeField(errs, "start_date", in.StartDate, loc)
	e.EndDate = drf.TimeField(errs, "end_date", in.EndDate, loc)
	e.Duration = drf.DurationField(errs, "duration", in.Duration)
	for j, s := range in.Sections {
		at := fmt.Sprintf("sections[%d].", j)
		section := examhall.Section{Name: s.Name, CutOff: s.CutOff, Duration: drf.DurationField(errs, at+"duration", s.Duration)}
		for k := range s.Questions {
			q := s.Questions[k].ExamQuestion(e.MarkPerQuestion, e.NegativeMarks, subject, errs, fmt.Sprintf("%squestions[%d].", at, k))
			section.Questions = append(section.Questions, q)
		}
		e.Sections = append(e.Sections, section)
	}
	return e
}

// Check validates a converted exam or course: the errors of fields that
// did not parse (parseErrs, from Exam.Exam or Course.Course) and those of
// the domain's rules (examhall.Exam.Validate, examhall.Course.Validate), all
// at once; a field that did not parse keeps only that error (the domain saw
// its zero value).
func Check(record interface{ Validate() error }, parseErrs examhall.FieldErrors) error {
	errs := examhall.FieldErrors{}
	for field, msgs := range parseErrs {
		errs[field] = append(errs[field], msgs...)
	}
	var e *examhall.Error
	if err := record.Validate(); errors.As(err, &e) {
		for field, msgs := range e.Fields {
			if len(parseErrs[field]) == 0 {
				errs[field] = append(errs[field], msgs...)
			}
		}
	} else if err != nil {
		return err
	}
	return errs.Err()
}

// ExamQuestion converts the input to a domain exam question, its omitted
// marks those given; fields that do not parse are recorded in errs, keyed
// after at. An unknown type is left for the domain's validation to report.
func (q *Question) ExamQuestion(marks, negative decimal.Decimal, subject Resolve, errs examhall.FieldErrors, at string) examhall.ExamQuestion {
	t, ok := examhall.ParseQuestionType(q.Type)
	if !ok {
		t = examhall.QuestionType(q.Type)
	}
	eq := examhall.ExamQuestion{Marks: marks, NegativeMarks: negative, PartialMarks: q.PartialMarks, IsBonus: q.IsBonus,
		Question: examhall.Question{Key: q.Key, Type: t, QuestionHTML: q.QuestionHTML,
			DirectionHTML:   deref(oneOf(errs, at, "direction_html", q.DirectionHTML, "direction", q.Direction)),
			ExplanationHTML: q.ExplanationHTML,
			Difficulty:      examhall.Difficulty(deref(oneOf(errs, at, "difficulty", q.Difficulty, "difficulty_level", q.DifficultyLevel))),
			NumericalMin:    deref(q.NumericalMin), NumericalMax: deref(q.NumericalMax), AcceptedAnswers: q.AcceptedAnswers}}
	if ref := oneOf(errs, at, "subject", q.Subject, "subject_id", q.SubjectID); ref != nil {
		id, problem := subject(*ref)
		if problem != "" {
			errs.Add(at+"subject", problem)
		}
		eq.Question.SubjectID = id
	}
	if q.Marks != nil {
		eq.Marks = *q.Marks
	}
	if q.NegativeMarks != nil {
		eq.NegativeMarks = *q.NegativeMarks
	}
	for _, a := range q.Answers {
		eq.Question.Answers = append(eq.Question.Answers, examhall.Answer{TextHTML: a.TextHTML, IsCorrect: a.IsCorrect})
	}
	return eq
}

// oneOf is the value of a field that has a second name: the one given, or
// nil; both given is an error on the second.
func oneOf[T any](errs examhall.FieldErrors, at, name string, v *T, alias string, av *T) *T {
	if v != nil && av != nil {
		errs.Add(at+alias, fmt.Sprintf("Give either %s or %s, not both.", name, alias))
	}
	if v != nil {
		return v
	}
	return av
}

// DecodeError turns the errors of drf.DecodeJSON into examhall's: a body
// that is not one JSON value is EINVALID with its message under
// "non_field_errors" when syntaxField says so, else as the error's message
// ({"detail": …} over HTTP, as DRF's parser answers); every field problem is
// a field error keyed by key(path). Anything else (a target drf cannot fill)
// is returned as it is, which is internal. It is the one mapper of the
// bundle and the authoring API.
func DecodeError(err error, key func(drf.Path) string, syntaxField string) error {
	var syntax *drf.JSONSyntaxError
	var fields drf.FieldErrors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax) && syntaxField != "":
		return &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.", Fields: map[string][]string{syntaxField: {syntax.Error()}}}
	case errors.As(err, &syntax):
		return examhall.Errorf(examhall.EINVALID, "%s", syntax.Error())
	case errors.As(err, &fields):
		errs := examhall.FieldErrors{}
		for _, f := range fields {
			errs.Add(key(f.Path), f.Message)
		}
		return errs.Err()
	default:
		return err
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
