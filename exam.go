package examhall

import (
	"time"

	"github.com/examhall/examhall/decimal"
)

// QuestionType is how a question is answered and judged (SPEC §5).
type QuestionType string

// The question types.
const (
	MCQSingle   QuestionType = "mcq_single"
	MCQMultiple QuestionType = "mcq_multiple"
	TrueFalse   QuestionType = "true_false"
	Numerical   QuestionType = "numerical"
	ShortAnswer QuestionType = "short_answer"
	Essay       QuestionType = "essay"
)

// Valid reports whether t is a known question type.
func (t QuestionType) Valid() bool {
	_, ok := questionTypeNames[t]
	return ok
}

// Label is the type as the v3 admin API names it ("MCQ, Single Correct").
func (t QuestionType) Label() string { return questionTypeNames[t][0] }

// Code is the one-letter type of the v2.2 student API (R, C, T, N, S, E).
func (t QuestionType) Code() string { return questionTypeNames[t][1] }

// HasChoices reports whether the type is answered by picking answers.
func (t QuestionType) HasChoices() bool {
	return t == MCQSingle || t == MCQMultiple || t == TrueFalse
}

var questionTypeNames = map[QuestionType][2]string{
	MCQSingle:   {"MCQ, Single Correct", "R"},
	MCQMultiple: {"MCQ, Multiple Correct", "C"},
	TrueFalse:   {"True or False", "T"},
	Numerical:   {"Numerical", "N"},
	ShortAnswer: {"Short Answer", "S"},
	Essay:       {"Essay", "E"},
}

// Difficulty is a question's difficulty level; "" when it has none.
type Difficulty string

// The difficulty levels.
const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

// Valid reports whether d is a level or none.
func (d Difficulty) Valid() bool {
	return d == "" || d == Easy || d == Medium || d == Hard
}

// Subject is a node of the subject tree; ParentID is 0 at the root.
type Subject struct {
	ID       int64
	Key      string // natural key of the import bundle; "" when made in the API
	Name     string
	ParentID int64
}

// Answer is one choice of a choice question.
type Answer struct {
	ID        int64
	TextHTML  string
	IsCorrect bool
}

// Question is a question of the bank; exams use it through ExamQuestions.
type Question struct {
	ID              int64
	Key             string
	Type            QuestionType
	QuestionHTML    string
	DirectionHTML   string
	ExplanationHTML string
	SubjectID       int64 // 0 = no subject
	Difficulty      Difficulty
	Answers         []Answer // choice types, in display order
	// NumericalMin and NumericalMax bound the correct values of a numerical
	// question, inclusive, as exact decimal text.
	NumericalMin string
	NumericalMax string
	// AcceptedAnswers are the right texts of a short-answer question, compared
	// case-insensitively after trimming.
	AcceptedAnswers []string
}

// Section is a part of an exam, with its questions in order.
type Section struct {
	ID        int64
	ExamID    int64
	Order     int
	Name      string
	Duration  *time.Duration
	CutOff    decimal.Decimal
	Questions []ExamQuestion
}

// ExamQuestion is an exam's use of a question, in one of its sections.
type ExamQuestion struct {
	ID            int64
	ExamID        int64
	SectionID     int64
	Order         int
	Question      Question
	Marks         decimal.Decimal
	NegativeMarks decimal.Decimal
	PartialMarks  *decimal.Decimal
	IsBonus       bool
}

// Exam is a timed or untimed test with sections of questions.
type Exam struct {
	ID              int64
	Slug            string
	Title           string
	Description     string
	StartDate       *time.Time
	EndDate         *time.Time
	Duration        *time.Duration // nil = untimed
	PassPercentage  *decimal.Decimal
	MarkPerQuestion decimal.Decimal
	NegativeMarks   decimal.Decimal
	EnableRanks     bool
	AllowRetake     bool
	MaxRetakes      *int // nil = no limit when retakes are allowed
	ShowScore       bool
	ShowPercentile  bool
	ShowPassOrFail  bool
	ShowAnswers     bool
	Published       bool
	Created         time.Time
	Modified        time.Time

	// Batches are the names of the batches the exam is for; none means everyone.
	Batches []string

	Sections []Section // by order
}

// Questions lists the exam's questions in exam order: section by section.
func (e *Exam) Questions() []ExamQuestion {
	var all []ExamQuestion
	for _, s := range e.Sections {
		all = append(all, s.Questions...)
	}
	return all
}

// Question returns the exam question with the id, or nil.
func (e *Exam) Question(id int64) *ExamQuestion {
	for i := range e.Sections {
		for j := range e.Sections[i].Questions {
			if e.Sections[i].Questions[j].ID == id {
				return &e.Sections[i].Questions[j]
			}
		}
	}
	return nil
}

// TotalMarks is the sum of the marks of the exam's questions, bonus ones included.
func (e *Exam) TotalMarks() decimal.Decimal {
	var total decimal.Decimal
	for _, s := range e.Sections {
		for _, q := range s.Questions {
			total += q.Marks
		}
	}
	return total
}

// ReviewShows is what the review of a completed attempt (SPEC §6) shows of
// each answer beyond the student's own input.
type ReviewShows struct {
	AnswerKey bool // answers[].is_correct, explanation_html and result
	Marks     bool // marks_awarded
}

// ReviewFor says what the review of an attempt of the exam shows to a user
// with role, after the exam's settings as Testpress has them: show_answers
// (answer key and explanations) and show_score (score, percentage, rank).
// Without show_answers a student sees neither the key nor each answer's
// result, which gives the key away ("Incorrect" strikes a choice out);
// without show_score, no answer's marks, the parts of the score. Marks give
// the key away as well, so they need both. Staff and admins, who read the
// key through the authoring API anyway, see everything.
func (e *Exam) ReviewFor(role Role) ReviewShows {
	if role != RoleStudent {
		return ReviewShows{AnswerKey: true, Marks: true}
	}
	return ReviewShows{AnswerKey: e.ShowAnswers, Marks: e.ShowAnswers && e.ShowScore}
}

// ResultShows is what a user's own attempt (SPEC §6: the student attempt
// views and a course content's assessment) shows of its result.
type ResultShows struct {
	Score      bool // score and percentage
	Percentile bool // percentile
	Rank       bool // rank and max_rank
}

// ResultFor says what an attempt of the exam shows of its result to a user
// with role, after the exam's settings: show_score hides the score and the
// percentage, and with them the rank and the percentile, which order
// scores and so give them away; show_percentile hides the percentile;
// enable_ranks off shows no rank (SPEC §6: "NA"). The counts of correct,
// incorrect and unanswered answers stay: what was right is the answer key's
// business (show_answers, see ReviewFor). Staff and admins see everything
// the exam has.
func (e *Exam) ResultFor(role Role) ResultShows {
	if role != RoleStudent {
		return ResultShows{Score: true, Percentile: true, Rank: e.EnableRanks}
	}
	return ResultShows{Score: e.ShowScore, Percentile: e.ShowScore && e.ShowPercentile,
		Rank: e.ShowScore && e.EnableRanks}
}
