package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// simulator turns attempt plans into scored attempt records.
type simulator struct {
	o        Options
	plans    []examPlan
	students []*examhall.User
	papers   []*scoring.Paper // by plan; read-only, shared by the workers
	ability  []float64        // by student
}

// abilities gives each student a fixed ability on a standard normal scale.
func abilities(o Options) []float64 {
	r := rand.New(rand.NewPCG(o.Seed, 0xab1e))
	a := make([]float64, o.Students)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	return a
}

// difficulty places a question on the ability scale.
var difficulty = map[examhall.Difficulty]float64{examhall.Easy: -1.2, examhall.Medium: 0, examhall.Hard: 1.2, "": 0}

func (s *simulator) simulate(plans []attemptPlan) []examhall.AttemptRecord {
	records := make([]examhall.AttemptRecord, len(plans))
	byQuestion := map[int64]*examhall.UserAnswer{}
	for i, p := range plans {
		rec := &records[i]
		exam := s.plans[p.exam].exam
		questions := exam.Questions()
		r := rand.New(rand.NewPCG(s.o.Seed, p.seed))
		date := time.UnixMicro(p.date).UTC()
		a := &rec.Attempt
		*a = examhall.Attempt{ExamID: exam.ID, UserID: s.students[p.user].ID, State: p.state, Date: date,
			LastActivity: date, Result: "NA", Unanswered: len(questions)}
		rec.Answers = make([]examhall.UserAnswer, len(questions))
		for j, q := range questions {
			rec.Answers[j] = examhall.UserAnswer{ExamQuestionID: q.ID, Modified: date}
		}
		if p.state == examhall.AttemptNotStarted {
			rec.Sections = blankSections(exam)
			continue
		}
		a.LastStartedTime = &date

		// The student works through the paper; a running attempt is cut
		// off part of the way.
		ability := s.ability[p.user]
		reach := len(questions)
		if p.state == examhall.AttemptRunning {
			reach = r.IntN(len(questions) + 1)
		}
		answerRate := 0.7 + 0.25/(1+math.Exp(-ability))
		var spent time.Duration
		for j := range reach {
			q := &questions[j]
			if r.Float64() > answerRate && !(p.essayUngraded && q.Question.Type == examhall.Essay) {
				continue
			}
			ua := &rec.Answers[j]
			took := time.Duration(20+r.IntN(40)+int(r.ExpFloat64()*60)) * time.Second
			// The student stops when the time is up, and a running attempt
			// has answers only up to now: nothing is dated in the future.
			if exam.Duration != nil && spent+took > *exam.Duration ||
				p.state == examhall.AttemptRunning && date.Add(spent+took).After(s.o.Now) {
				break
			}
			spent += took
			ua.Duration, ua.Modified = took, date.Add(spent)
			right := r.Float64() < 1/(1+math.Exp(-(1.3*(ability-difficulty[q.Question.Difficulty])+0.4)))
			answer(r, ua, q, right, p.state == examhall.AttemptCompleted && !p.essayUngraded)
			ua.Review = r.IntN(20) == 0
			ua.Guessed = !right && r.IntN(3) == 0
		}
		if exam.Duration != nil {
			spent = min(spent, *exam.Duration)
		}
		a.TimeTaken = spent
		a.LastActivity = date.Add(spent)
		if spent > 0 {
			last := a.LastActivity
			a.LastAnswerUpdatedTime = &last
		}
		if p.state == examhall.AttemptRunning {
			a.IntervalOpen = true
			rec.Sections = blankSections(exam)
			continue
		}

		clear(byQuestion)
		for j := range rec.Answers {
			byQuestion[rec.Answers[j].ExamQuestionID] = &rec.Answers[j]
		}
		result := s.papers[p.exam].Score(byQuestion, a.TimeTaken)
		for _, judged := range result.Answers {
			ua := byQuestion[judged.ExamQuestionID]
			ua.Result, ua.Marks = judged.Result, judged.Marks
		}
		completed := a.LastActivity
		a.CompletedOn = &completed
		a.Correct, a.Incorrect, a.Unanswered, a.Partial, a.Pending =
			result.Correct, result.Incorrect, result.Unanswered, result.Partial, result.Pending
		a.Score, a.Percentage, a.Result, a.Speed, a.Accuracy =
			result.Score, result.Percentage, result.Result, result.Speed, result.Accuracy
		a.InRankPopulation = p.ranked
		rec.Sections = make([]examhall.AttemptSection, len(result.Sections))
		for j, sec := range result.Sections {
			rec.Sections[j] = examhall.AttemptSection{SectionID: sec.SectionID, Order: sec.Order, TimeTaken: sec.TimeTaken,
				Correct: sec.Correct, Incorrect: sec.Incorrect, Unanswered: sec.Unanswered, Partial: sec.Partial, Score: sec.Score}
		}
	}
	return records
}

func blankSections(exam *examhall.Exam) []examhall.AttemptSection {
	out := make([]examhall.AttemptSection, len(exam.Sections))
	for i, s := range exam.Sections {
		out[i] = examhall.AttemptSection{SectionID: s.ID, Order: s.Order, Unanswered: len(s.Questions)}
	}
	return out
}

// answer fills ua with a right or a wrong answer to q, as a student would
// give it. An essay of a completed attempt is graded three times in four
// (the rest wait for their grader).
func answer(r *rand.Rand, ua *examhall.UserAnswer, q *examhall.ExamQuestion, right, completed bool) {
	question := &q.Question
	switch question.Type {
	case examhall.MCQSingle, examhall.TrueFalse:
		var wrong []int64
		for _, a := range question.Answers {
			if a.IsCorrect == right {
				ua.SelectedAnswerIDs = []int64{a.ID}
				if right {
					return
				}
			}
			if !a.IsCorrect {
				wrong = append(wrong, a.ID)
			}
		}
		ua.SelectedAnswerIDs = []int64{wrong[r.IntN(len(wrong))]}
	case examhall.MCQMultiple:
		for _, a := range question.Answers {
			// A wrong answer misses a right choice or adds a wrong one.
			if a.IsCorrect && (right || r.IntN(2) == 0) || !a.IsCorrect && !right && r.IntN(2) == 0 {
				ua.SelectedAnswerIDs = append(ua.SelectedAnswerIDs, a.ID)
			}
		}
		if len(ua.SelectedAnswerIDs) == 0 {
			ua.SelectedAnswerIDs = []int64{question.Answers[len(question.Answers)-1].ID}
		}
	case examhall.Numerical:
		v, _ := strconv.Atoi(question.NumericalMin)
		if !right {
			v += 1 + r.IntN(9)
		}
		text := strconv.Itoa(v)
		ua.NumericValue = &text
	case examhall.ShortAnswer:
		text := question.AcceptedAnswers[0]
		if !right {
			text = "I am not sure"
		}
		ua.ShortText = &text
	case examhall.Essay:
		text := "First I write down what is given, then the relation between the quantities, then I solve for the unknown."
		ua.EssayText = &text
		if completed && r.IntN(4) > 0 {
			share := 0.3 + 0.7*r.Float64()
			if !right {
				share /= 2
			}
			marks := decimal.Decimal(math.Round(float64(q.Marks)*share/100) * 100) // whole marks
			ua.GradedMarks = &marks
		}
	}
}
