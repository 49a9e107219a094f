// Package scoring computes every number of an exam attempt from the exam and
// the attempt's answers (SPEC §5): pure functions, no I/O, exact decimals.
//
// A Paper is an exam prepared for scoring (answer keys as sets, subject
// ancestry resolved); it is built once per exam and scores any number of
// attempts, which is what bulk paths (import, regrade, the demo) need.
package scoring

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// Tally is the counts and score of a set of questions. A pending essay counts
// in none of the four judgement counts, only in Pending.
type Tally struct {
	Correct    int
	Incorrect  int
	Partial    int
	Unanswered int
	Pending    int
	Score      decimal.Decimal
}

func (t *Tally) add(r examhall.AnswerResult, marks decimal.Decimal) {
	switch r {
	case examhall.Correct:
		t.Correct++
	case examhall.Incorrect:
		t.Incorrect++
	case examhall.PartiallyCorrect:
		t.Partial++
	case examhall.PendingEvaluation:
		t.Pending++
	default:
		t.Unanswered++
	}
	t.Score += marks
}

// Total is the number of questions the tally covers.
func (t Tally) Total() int { return t.Correct + t.Incorrect + t.Partial + t.Unanswered + t.Pending }

// Answered is the number of questions answered (a pending essay is answered).
func (t Tally) Answered() int { return t.Total() - t.Unanswered }

// Judgement is the result and marks of one exam question in an attempt.
type Judgement struct {
	ExamQuestionID int64
	Result         examhall.AnswerResult
	Marks          decimal.Decimal
}

// SectionScore is the tally of one section; TimeTaken sums the durations
// reported on its questions.
type SectionScore struct {
	SectionID int64
	Order     int
	Tally
	TimeTaken time.Duration
}

// SubjectScore is the tally of one subject row: the questions of the subject
// and of every subject below it. SubjectID 0 is the row of questions without
// a subject, named "Uncategorized".
type SubjectScore struct {
	SubjectID int64
	Name      string
	ParentID  int64
	IsLeaf    bool
	Tally
}

// Uncategorized names the rows of questions without a subject or difficulty.
const Uncategorized = "Uncategorized"

// Result is everything scoring says of an attempt.
type Result struct {
	Tally
	Percentage decimal.Decimal
	Result     string // "Pass", "Fail" or "NA"
	Speed      int    // answered questions per hour of time taken
	Accuracy   int    // correct / answered × 100
	Answers    []Judgement
	Sections   []SectionScore
	Subjects   []SubjectScore // by subject id, the Uncategorized row last
	// Difficulty has a row per level that occurs; "" is the questions without one.
	Difficulty map[examhall.Difficulty]Tally
}

// Stats renders the subject and difficulty tallies as an attempt's
// subject_stats and difficulty_level_stats (SPEC §8.2): one row per subject
// in Subjects' order (subject and parent ids nil for none), and one value per
// level, "uncategorized" for the questions without one.
func (r *Result) Stats() ([]examhall.SubjectStat, map[string]examhall.DifficultyStat) {
	nonZero := func(id int64) *int64 {
		if id == 0 {
			return nil
		}
		return &id
	}
	subjects := []examhall.SubjectStat{}
	for _, s := range r.Subjects {
		subjects = append(subjects, examhall.SubjectStat{SubjectID: nonZero(s.SubjectID), SubjectName: s.Name,
			TotalCount: s.Total(), CorrectAnswersCount: s.Correct, UnansweredCount: s.Unanswered,
			IncorrectAnswersCount: s.Incorrect, ParentSubjectID: nonZero(s.ParentID), IsLeaf: s.IsLeaf,
			Score: s.Score, PartialCorrectAnswersCount: s.Partial})
	}
	levels := map[string]examhall.DifficultyStat{}
	for level, t := range r.Difficulty {
		key := string(level)
		if key == "" {
			key = "uncategorized"
		}
		levels[key] = examhall.DifficultyStat{CorrectAnswersCount: t.Correct, IncorrectAnswersCount: t.Incorrect,
			PartialCorrectAnswersCount: t.Partial, UnansweredCount: t.Unanswered, TotalCount: t.Total()}
	}
	return subjects, levels
}

// paperQuestion is an exam question with its answer key prepared.
type paperQuestion struct {
	examhall.ExamQuestion
	correct  []int64 // sorted
	min, max *big.Rat
	accepted []string // trimmed
	rows     []int    // indexes into Paper.subjects: the subject and its ancestors
	section  int      // index into Paper.sections
}

// Paper is an exam prepared for scoring.
type Paper struct {
	questions      []paperQuestion
	sections       []examhall.Section
	subjects       []SubjectScore // the rows, with names and tree links, tallies zero
	totalMarks     decimal.Decimal
	passPercentage *decimal.Decimal
}

// NewPaper prepares exam for scoring. subjects must hold every subject of the
// exam's questions and their ancestors; with the whole tree, IsLeaf tells the
// subjects without children anywhere, otherwise among those given.
func NewPaper(exam *examhall.Exam, subjects []examhall.Subject) *Paper {
	p := &Paper{sections: exam.Sections, totalMarks: exam.TotalMarks(), passPercentage: exam.PassPercentage}
	byID := make(map[int64]examhall.Subject, len(subjects))
	hasChildren := map[int64]bool{}
	for _, s := range subjects {
		byID[s.ID] = s
		hasChildren[s.ParentID] = true
	}
	// The subject rows: every subject used, and its ancestors.
	used := map[int64]bool{}
	uncategorized := false
	questions := exam.Questions()
	for _, q := range questions {
		if q.Question.SubjectID == 0 {
			uncategorized = true
		}
		for id := q.Question.SubjectID; id != 0 && !used[id]; id = byID[id].ParentID {
			used[id] = true
		}
	}
	ids := make([]int64, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rowIndex := make(map[int64]int, len(ids)+1)
	for _, id := range ids {
		s := byID[id]
		rowIndex[id] = len(p.subjects)
		p.subjects = append(p.subjects, SubjectScore{SubjectID: id, Name: s.Name, ParentID: s.ParentID, IsLeaf: !hasChildren[id]})
	}
	if uncategorized {
		rowIndex[0] = len(p.subjects)
		p.subjects = append(p.subjects, SubjectScore{Name: Uncategorized, IsLeaf: true})
	}

	for i, s := range exam.Sections {
		for _, q := range s.Questions {
			p.questions = append(p.questions, prepare(q, i, byID, rowIndex))
		}
	}
	return p
}

// prepare readies one question of section number section.
func prepare(q examhall.ExamQuestion, section int, byID map[int64]examhall.Subject, rowIndex map[int64]int) paperQuestion {
	pq := paperQuestion{ExamQuestion: q, section: section}
	for _, a := range q.Question.Answers {
		if a.IsCorrect {
			pq.correct = append(pq.correct, a.ID)
		}
	}
	slices.Sort(pq.correct)
	pq.min, pq.max = examhall.ExactNumber(q.Question.NumericalMin), examhall.ExactNumber(q.Question.NumericalMax)
	for _, text := range q.Question.AcceptedAnswers {
		pq.accepted = append(pq.accepted, strings.TrimSpace(text))
	}
	if q.Question.SubjectID == 0 {
		pq.rows = []int{rowIndex[0]}
	}
	seen := map[int64]bool{} // a damaged tree with a cycle must not loop forever
	for id := q.Question.SubjectID; id != 0 && !seen[id]; id = byID[id].ParentID {
		seen[id] = true
		pq.rows = append(pq.rows, rowIndex[id])
	}
	return pq
}

// Score scores one attempt: answers holds the attempt's answers by exam
// question id (a question without one is unanswered); timeTaken is the
// attempt's active time.
func (p *Paper) Score(answers map[int64]*examhall.UserAnswer, timeTaken time.Duration) Result {
	return p.tally(answers, timeTaken, (*paperQuestion).judge)
}

// Tally adds up judgements made before — each answer's stored Result and
// Marks — into the attempt's counts and the section, subject and difficulty
// rows, without judging again.
func (p *Paper) Tally(answers map[int64]*examhall.UserAnswer, timeTaken time.Duration) Result {
	return p.tally(answers, timeTaken, func(_ *paperQuestion, a *examhall.UserAnswer) (examhall.AnswerResult, decimal.Decimal) {
		if a == nil {
			return examhall.Unanswered, 0
		}
		return a.Result, a.Marks
	})
}

func (p *Paper) tally(answers map[int64]*examhall.UserAnswer, timeTaken time.Duration,
	judge func(*paperQuestion, *examhall.UserAnswer) (examhall.AnswerResult, decimal.Decimal)) Result {
	r := Result{
		Answers:    make([]Judgement, len(p.questions)),
		Sections:   make([]SectionScore, len(p.sections)),
		Subjects:   slices.Clone(p.subjects),
		Difficulty: map[examhall.Difficulty]Tally{},
	}
	for i, s := range p.sections {
		r.Sections[i] = SectionScore{SectionID: s.ID, Order: s.Order}
	}
	for i := range p.questions {
		q := &p.questions[i]
		a := answers[q.ID]
		result, marks := judge(q, a)
		r.Answers[i] = Judgement{ExamQuestionID: q.ID, Result: result, Marks: marks}
		r.Tally.add(result, marks)
		if len(r.Sections) > 0 {
			sec := &r.Sections[q.section]
			sec.add(result, marks)
			if a != nil {
				sec.TimeTaken = examhall.AddDurations(sec.TimeTaken, a.Duration)
			}
		}
		for _, row := range q.rows {
			r.Subjects[row].add(result, marks)
		}
		level := r.Difficulty[q.Question.Difficulty]
		level.add(result, marks)
		r.Difficulty[q.Question.Difficulty] = level
	}
	r.Percentage = decimal.Percent(r.Score, p.totalMarks)
	r.Result = "NA"
	if p.passPercentage != nil && r.Pending == 0 {
		r.Result = "Fail"
		if r.Percentage >= *p.passPercentage {
			r.Result = "Pass"
		}
	}
	r.Speed = int(decimal.DivRound(int64(r.Answered())*int64(time.Hour/time.Microsecond), timeTaken.Microseconds()))
	r.Accuracy = int(decimal.DivRound(int64(r.Correct)*100, int64(r.Answered())))
	return r
}

// judge applies the rules of SPEC §5 to one answer.
func (q *paperQuestion) judge(a *examhall.UserAnswer) (examhall.AnswerResult, decimal.Decimal) {
	if q.IsBonus {
		return examhall.Correct, q.Marks
	}
	if a == nil || !answered(q.Question.Type, a) {
		return examhall.Unanswered, 0
	}
	var result examhall.AnswerResult
	switch q.Question.Type {
	case examhall.MCQSingle, examhall.TrueFalse:
		result = examhall.Incorrect
		if len(a.SelectedAnswerIDs) == 1 && len(q.correct) > 0 && slices.Contains(q.correct, a.SelectedAnswerIDs[0]) {
			result = examhall.Correct
		}
	case examhall.MCQMultiple:
		result = q.judgeMultiple(a.SelectedAnswerIDs)
	case examhall.Numerical:
		result = examhall.Incorrect
		if v := examhall.ExactNumber(*a.NumericValue); v != nil && q.min != nil && q.max != nil && v.Cmp(q.min) >= 0 && v.Cmp(q.max) <= 0 {
			result = examhall.Correct
		}
	case examhall.ShortAnswer:
		result = examhall.Incorrect
		text := strings.TrimSpace(*a.ShortText)
		for _, accepted := range q.accepted {
			if strings.EqualFold(text, accepted) {
				result = examhall.Correct
				break
			}
		}
	case examhall.Essay:
		switch {
		case a.GradedMarks == nil:
			return examhall.PendingEvaluation, 0
		case *a.GradedMarks >= q.Marks:
			return examhall.Correct, q.Marks
		case *a.GradedMarks <= 0:
			return examhall.Incorrect, 0
		default:
			return examhall.PartiallyCorrect, *a.GradedMarks
		}
	}
	switch result {
	case examhall.Correct:
		return result, q.Marks
	case examhall.PartiallyCorrect:
		return result, *q.PartialMarks
	default:
		return result, -q.NegativeMarks
	}
}

// judgeMultiple: the exact correct set is correct; a strict subset of it
// (nothing wrong picked) is partially correct when the question gives partial
// marks; anything else is incorrect.
func (q *paperQuestion) judgeMultiple(selected []int64) examhall.AnswerResult {
	picked := slices.Clone(selected)
	slices.Sort(picked)
	picked = slices.Compact(picked)
	for _, id := range picked {
		if _, found := slices.BinarySearch(q.correct, id); !found {
			return examhall.Incorrect
		}
	}
	switch {
	case len(picked) == len(q.correct):
		return examhall.Correct
	case q.PartialMarks != nil:
		return examhall.PartiallyCorrect
	default:
		return examhall.Incorrect
	}
}

// answered reports whether a holds an answer of the question's kind; blank
// texts are no answer.
func answered(t examhall.QuestionType, a *examhall.UserAnswer) bool {
	switch t {
	case examhall.MCQSingle, examhall.MCQMultiple, examhall.TrueFalse:
		return len(a.SelectedAnswerIDs) > 0
	case examhall.Numerical:
		return a.NumericValue != nil && strings.TrimSpace(*a.NumericValue) != ""
	case examhall.ShortAnswer:
		return a.ShortText != nil && strings.TrimSpace(*a.ShortText) != ""
	default:
		return a.EssayText != nil && strings.TrimSpace(*a.EssayText) != ""
	}
}
