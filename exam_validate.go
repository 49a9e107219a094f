package examhall

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall/decimal"
)

// reservedSlugs are the student exam lists under /api/v2.2/exams/.
var reservedSlugs = map[string]bool{"available": true, "upcoming": true, "history": true}

var (
	slugPattern    = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)
	decimalPattern = regexp.MustCompile(`^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)
)

// MaxExamDuration bounds the duration of a timed exam or section: a year
// of active time, beyond any sitting (an untimed exam has no duration).
const MaxExamDuration = 365 * 24 * time.Hour

// checkExamDuration refuses a duration that is not positive or exceeds
// MaxExamDuration.
func checkExamDuration(errs FieldErrors, field string, d *time.Duration) {
	switch {
	case d == nil:
	case *d <= 0:
		errs.Add(field, "Ensure the duration is greater than zero.")
	case *d > MaxExamDuration:
		errs.Add(field, "Ensure this value is less than or equal to 365 days, 0:00:00.")
	}
}

// Validate checks an exam with its sections and questions, all at once.
// Errors of nested records are keyed by their path, e.g.
// "sections[0].questions[2].answers".
func (e *Exam) Validate() error {
	errs := FieldErrors{}
	switch {
	case e.Slug == "":
		errs.Add("slug", "This field may not be blank.")
	case !slugPattern.MatchString(e.Slug):
		errs.Add("slug", `Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`)
	case reservedSlugs[e.Slug]:
		errs.Add("slug", fmt.Sprintf("%q names a list of exams in the student API; choose another slug.", e.Slug))
	}
	if strings.TrimSpace(e.Title) == "" {
		errs.Add("title", "This field may not be blank.")
	}
	CheckLength(errs, "slug", e.Slug, MaxSlugLength)
	CheckLength(errs, "title", e.Title, MaxTitleLength)
	for i, b := range e.Batches {
		CheckLength(errs, fmt.Sprintf("batches[%d]", i), b, MaxBatchLength)
	}
	if e.StartDate != nil && e.EndDate != nil && !e.EndDate.After(*e.StartDate) {
		errs.Add("end_date", "The end date must be after the start date.")
	}
	checkExamDuration(errs, "duration", e.Duration)
	if p := e.PassPercentage; p != nil && (*p < 0 || *p > decimal.FromInt(100)) {
		errs.Add("pass_percentage", "Ensure this value is between 0 and 100.")
	}
	nonNegative(errs, "mark_per_question", e.MarkPerQuestion)
	nonNegative(errs, "negative_marks", e.NegativeMarks)
	if e.MaxRetakes != nil && *e.MaxRetakes < 0 {
		errs.Add("max_retakes", "Ensure this value is greater than or equal to 0.")
	}
	if len(e.Sections) == 0 {
		errs.Add("sections", "An exam needs at least one section.")
	}
	for i, s := range e.Sections {
		at := fmt.Sprintf("sections[%d].", i)
		if strings.TrimSpace(s.Name) == "" {
			errs.Add(at+"name", "This field may not be blank.")
		}
		checkExamDuration(errs, at+"duration", s.Duration)
		nonNegative(errs, at+"cut_off", s.CutOff)
		for j, q := range s.Questions {
			q.validate(errs, fmt.Sprintf("%squestions[%d].", at, j))
		}
	}
	return errs.Err()
}

// Validate checks one exam question on its own, recording errors in errs.
func (q *ExamQuestion) Validate(errs FieldErrors) { q.validate(errs, "") }

func (q *ExamQuestion) validate(errs FieldErrors, at string) {
	nonNegative(errs, at+"marks", q.Marks)
	nonNegative(errs, at+"negative_marks", q.NegativeMarks)
	if q.PartialMarks != nil {
		switch {
		case q.Question.Type != MCQMultiple:
			errs.Add(at+"partial_marks", "Only multiple-correct questions give partial marks.")
		case *q.PartialMarks < 0 || *q.PartialMarks > q.Marks:
			errs.Add(at+"partial_marks", "Ensure partial marks are between 0 and the marks.")
		}
	}
	q.Question.validate(errs, at)
}

func (q *Question) validate(errs FieldErrors, at string) {
	CheckLength(errs, at+"key", q.Key, MaxKeyLength)
	if !q.Type.Valid() {
		errs.Add(at+"type", InvalidChoice(string(q.Type), QuestionTypeChoices()))
		return
	}
	if !q.Difficulty.Valid() {
		errs.Add(at+"difficulty", InvalidChoice(string(q.Difficulty), DifficultyChoices()))
	}
	correct := 0
	for _, a := range q.Answers {
		if a.IsCorrect {
			correct++
		}
	}
	switch q.Type {
	case MCQSingle, MCQMultiple, TrueFalse:
		switch {
		case q.Type == TrueFalse && len(q.Answers) != 2:
			errs.Add(at+"answers", "A true-or-false question needs exactly two answers.")
		case len(q.Answers) < 2:
			errs.Add(at+"answers", "A choice question needs at least two answers.")
		case correct == 0:
			errs.Add(at+"answers", "A choice question needs at least one correct answer.")
		case correct > 1 && q.Type != MCQMultiple:
			errs.Add(at+"answers", "A single-correct question needs exactly one correct answer.")
		}
	default:
		if len(q.Answers) > 0 {
			errs.Add(at+"answers", "Only choice questions have answers.")
		}
	}
	if q.Type == Numerical {
		lo, hi := ExactNumber(q.NumericalMin), ExactNumber(q.NumericalMax)
		for _, f := range []struct {
			name, text string
			n          *big.Rat
		}{{"numerical_min", q.NumericalMin, lo}, {"numerical_max", q.NumericalMax, hi}} {
			switch {
			case f.n != nil:
			case strings.TrimSpace(f.text) == "":
				errs.Add(at+f.name, "A numerical question needs a decimal number here.")
			default:
				errs.Add(at+f.name, "A valid number is required.") // DRF's DecimalField
			}
		}
		if lo != nil && hi != nil && lo.Cmp(hi) > 0 {
			errs.Add(at+"numerical_max", "Ensure numerical_max is not less than numerical_min.")
		}
	}
	if q.Type == ShortAnswer {
		ok := false
		for _, text := range q.AcceptedAnswers {
			ok = ok || strings.TrimSpace(text) != ""
		}
		if !ok {
			errs.Add(at+"accepted_answers", "A short-answer question needs at least one accepted answer.")
		}
	}
}

// MaxMarks bounds every mark of a question or exam, so that sums and
// percentages stay far inside exact integer arithmetic.
var MaxMarks = decimal.FromInt(1_000_000)

func nonNegative(errs FieldErrors, field string, d decimal.Decimal) {
	switch {
	case d < 0:
		errs.Add(field, "Ensure this value is greater than or equal to 0.")
	case d > MaxMarks:
		errs.Add(field, "Ensure this value is less than or equal to "+MaxMarks.String()+".")
	}
}

// ExactNumber reads plain decimal text ("9.75", "-3", " 2.50 "), the form of
// numerical answers and ranges; nil for anything else ("1e3", "1/2", "").
func ExactNumber(s string) *big.Rat {
	s = strings.TrimSpace(s)
	if !decimalPattern.MatchString(s) { // big.Rat alone would also take 0x10, 1_6, 1e3, 1/2
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// ExamQuestionChange is a change to an exam question: its wording or how it
// is marked; nil fields stay as they are. A change of how it is marked
// (SameScoring false) regrades the exam's attempts; a change of wording
// alone does not.
type ExamQuestionChange struct {
	QuestionHTML    *string
	DirectionHTML   *string
	ExplanationHTML *string
	SubjectID       *int64           // 0 removes the subject
	Difficulty      *Difficulty      // "" removes the level
	AnswerTexts     map[int64]string // answer id → new text_html

	Marks            *decimal.Decimal
	NegativeMarks    *decimal.Decimal
	PartialMarks     **decimal.Decimal // set to a nil pointer to remove partial marks
	IsBonus          *bool
	CorrectAnswerIDs *[]int64 // the new answer key of a choice question
	NumericalMin     *string
	NumericalMax     *string
	AcceptedAnswers  *[]string
}

// Apply changes q; an answer id of another question is an EINVALID error
// (field correct_answers or answers).
func (c *ExamQuestionChange) Apply(q *ExamQuestion) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&q.Question.QuestionHTML, c.QuestionHTML)
	set(&q.Question.DirectionHTML, c.DirectionHTML)
	set(&q.Question.ExplanationHTML, c.ExplanationHTML)
	if c.SubjectID != nil {
		q.Question.SubjectID = *c.SubjectID
	}
	if c.Difficulty != nil {
		q.Question.Difficulty = *c.Difficulty
	}
	for id, text := range c.AnswerTexts {
		found := false
		for i := range q.Question.Answers {
			if a := &q.Question.Answers[i]; a.ID == id {
				a.TextHTML, found = text, true
			}
		}
		if !found {
			return &Error{Code: EINVALID, Message: "Invalid input.", Fields: map[string][]string{
				"answers": {fmt.Sprintf(`Invalid pk "%d" - not an answer of this question.`, id)}}}
		}
	}
	if c.Marks != nil {
		q.Marks = *c.Marks
	}
	if c.NegativeMarks != nil {
		q.NegativeMarks = *c.NegativeMarks
	}
	if c.PartialMarks != nil {
		q.PartialMarks = *c.PartialMarks
	}
	if c.IsBonus != nil {
		q.IsBonus = *c.IsBonus
	}
	if c.CorrectAnswerIDs != nil {
		correct := map[int64]bool{}
		for _, id := range *c.CorrectAnswerIDs {
			correct[id] = true
		}
		for i := range q.Question.Answers {
			a := &q.Question.Answers[i]
			a.IsCorrect = correct[a.ID]
			delete(correct, a.ID)
		}
		for id := range correct {
			return &Error{Code: EINVALID, Message: "Invalid input.", Fields: map[string][]string{
				"correct_answers": {fmt.Sprintf(`Invalid pk "%d" - not an answer of this question.`, id)}}}
		}
	}
	if c.NumericalMin != nil {
		q.Question.NumericalMin = *c.NumericalMin
	}
	if c.NumericalMax != nil {
		q.Question.NumericalMax = *c.NumericalMax
	}
	if c.AcceptedAnswers != nil {
		q.Question.AcceptedAnswers = *c.AcceptedAnswers
	}
	errs := FieldErrors{}
	q.validate(errs, "")
	return errs.Err()
}

// SameScoring reports whether q and o are marked alike: the same marks,
// type, answer key, numerical range and accepted answers. Questions that
// differ only in wording (text, direction, explanation, subject, difficulty)
// score every answer the same, so a change between them needs no regrade
// (SPEC §7: the answer key or the marks trigger one).
func (q *ExamQuestion) SameScoring(o *ExamQuestion) bool {
	samePartial := (q.PartialMarks == nil) == (o.PartialMarks == nil) && (q.PartialMarks == nil || *q.PartialMarks == *o.PartialMarks)
	if q.Marks != o.Marks || q.NegativeMarks != o.NegativeMarks || !samePartial || q.IsBonus != o.IsBonus ||
		q.Question.Type != o.Question.Type || q.Question.NumericalMin != o.Question.NumericalMin ||
		q.Question.NumericalMax != o.Question.NumericalMax || !slices.Equal(q.Question.AcceptedAnswers, o.Question.AcceptedAnswers) ||
		len(q.Question.Answers) != len(o.Question.Answers) {
		return false
	}
	for i, a := range q.Question.Answers {
		if b := o.Question.Answers[i]; a.ID != b.ID || a.IsCorrect != b.IsCorrect {
			return false
		}
	}
	return true
}
