package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

// subjectTree is the demo's subject hierarchy: a parent and its leaves.
var subjectTree = []struct {
	name   string
	leaves []string
}{
	{"Physics", []string{"Mechanics", "Electricity and Magnetism", "Optics"}},
	{"Chemistry", []string{"Physical Chemistry", "Organic Chemistry", "Inorganic Chemistry"}},
	{"Mathematics", []string{"Algebra", "Calculus", "Coordinate Geometry"}},
	{"Biology", []string{"Botany", "Zoology"}},
}

// questionMaker writes one question of a leaf subject from random numbers,
// with its key computed, so every generated question has a right answer.
type questionMaker func(r *rand.Rand, t examhall.QuestionType) examhall.Question

// makers are the question templates of each leaf subject.
var makers = map[string]questionMaker{
	"Mechanics": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		m, a := 2+r.IntN(19), 1+r.IntN(9)
		return arithmetic(r, t, fmt.Sprintf("A body of mass %d kg accelerates uniformly at %d m/s². What is the net force on it, in newtons?", m, a), m*a)
	},
	"Electricity and Magnetism": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		i, res := 1+r.IntN(9), 2+r.IntN(29)
		return arithmetic(r, t, fmt.Sprintf("A current of %d A flows through a %d Ω resistor. What is the potential difference across it, in volts?", i, res), i*res)
	},
	"Optics": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		f := 5 * (1 + r.IntN(8))
		return arithmetic(r, t, fmt.Sprintf("A thin convex lens has a focal length of %d cm. What is its power, in hundredths of a dioptre?", f), 10000/f)
	},
	"Physical Chemistry": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		n := 1 + r.IntN(12)
		return arithmetic(r, t, fmt.Sprintf("How many grams of water are there in %d mol of water?", n), 18*n)
	},
	"Organic Chemistry": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		c := 1 + r.IntN(10)
		return arithmetic(r, t, fmt.Sprintf("How many hydrogen atoms does an alkane with %d carbon atoms have?", c), 2*c+2)
	},
	"Inorganic Chemistry": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		z := 3 + r.IntN(16)
		return arithmetic(r, t, fmt.Sprintf("An element has atomic number %d. How many electrons does its neutral atom have?", z), z)
	},
	"Algebra": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		a, b := 2+r.IntN(8), 3+r.IntN(20)
		return arithmetic(r, t, fmt.Sprintf("If %dx − %d = %d, what is x?", a, b, a*7-b), 7)
	},
	"Calculus": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		a, x := 2+r.IntN(6), 1+r.IntN(5)
		return arithmetic(r, t, fmt.Sprintf("What is the derivative of %dx² at x = %d?", a, x), 2*a*x)
	},
	"Coordinate Geometry": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		k := 1 + r.IntN(6)
		return arithmetic(r, t, fmt.Sprintf("How far is the point (%d, %d) from the origin?", 3*k, 4*k), 5*k)
	},
	"Botany": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		n := 2 + r.IntN(10)
		return arithmetic(r, t, fmt.Sprintf("A diploid plant cell has %d pairs of chromosomes. How many chromosomes does its gamete carry?", n), n)
	},
	"Zoology": func(r *rand.Rand, t examhall.QuestionType) examhall.Question {
		n := 60 + r.IntN(40)
		return arithmetic(r, t, fmt.Sprintf("A heart beats %d times a minute. How many beats is that in two minutes?", n), 2*n)
	},
}

// arithmetic turns a question with a whole-number answer into a question of
// type t: choices around the answer, a numeric range, accepted text, a
// statement to judge, or an essay to explain the method.
func arithmetic(r *rand.Rand, t examhall.QuestionType, text string, answer int) examhall.Question {
	q := examhall.Question{Type: t, QuestionHTML: "<p>" + text + "</p>",
		ExplanationHTML: "<p>The answer is " + strconv.Itoa(answer) + ".</p>"}
	switch t {
	case examhall.MCQSingle:
		correct := r.IntN(4)
		for i := range 4 {
			v := answer + (i-correct)*(1+answer/10+r.IntN(2))
			q.Answers = append(q.Answers, examhall.Answer{TextHTML: strconv.Itoa(v), IsCorrect: i == correct})
		}
	case examhall.MCQMultiple:
		q.QuestionHTML = "<p>" + text + " Select every expression equal to the answer.</p>"
		for i := range 4 {
			right := i%2 == 0 || r.IntN(3) == 0
			v := answer
			if !right {
				v += 1 + r.IntN(5)
			}
			q.Answers = append(q.Answers, examhall.Answer{TextHTML: fmt.Sprintf("%d + %d", v-i, i), IsCorrect: right})
		}
	case examhall.TrueFalse:
		claim := answer
		if r.IntN(2) == 0 {
			claim += 1 + r.IntN(3)
		}
		q.QuestionHTML = "<p>" + text + " True or false: the answer is " + strconv.Itoa(claim) + ".</p>"
		q.Answers = []examhall.Answer{{TextHTML: "True", IsCorrect: claim == answer}, {TextHTML: "False", IsCorrect: claim != answer}}
	case examhall.Numerical:
		q.DirectionHTML = "<p>Answer with a number.</p>"
		q.NumericalMin, q.NumericalMax = strconv.Itoa(answer), strconv.Itoa(answer)
	case examhall.ShortAnswer:
		q.DirectionHTML = "<p>Answer in words or digits.</p>"
		q.AcceptedAnswers = []string{strconv.Itoa(answer)}
	case examhall.Essay:
		q.QuestionHTML = "<p>" + text + " Explain your method step by step.</p>"
	}
	return q
}

// examKind is a family of exams with one shape: national mock tests take
// ~50,000 students each; chapter tests and descriptive tests a few hundred.
type examKind int

const (
	nationalMock examKind = iota
	chapterTest
	descriptiveTest
	courseTest // a course chapter's own test (courseTestPlans)
)

// examPlan is what the demo decides about an exam before making it.
type examPlan struct {
	kind     examKind
	attempts int // how many attempts it will have
	distinct int // how many students take it (the rest are retakes)
	start    time.Time
	end      *time.Time // nil: open-ended
	exam     *examhall.Exam
}

// open reports whether students may still take the exam at now.
func (p *examPlan) open(now time.Time) bool { return p.end == nil || p.end.After(now) }

func dec(units int64) decimal.Decimal { return decimal.Decimal(units * 100) }

// buildExam makes the exam of plan number i, with questions from the leaves.
func buildExam(r *rand.Rand, i int, p *examPlan, leaves []examhall.Subject) *examhall.Exam {
	e := &examhall.Exam{Slug: fmt.Sprintf("exam-%04d", i+1), StartDate: &p.start, EndDate: p.end,
		EnableRanks: true, ShowScore: true, ShowPercentile: true, ShowPassOrFail: true, ShowAnswers: true,
		Published: true, AllowRetake: p.attempts > p.distinct}
	pass := dec(35)
	e.PassPercentage = &pass
	switch p.kind {
	case nationalMock:
		n := i + 1
		e.Slug = fmt.Sprintf("national-mock-%02d", n)
		e.Title = fmt.Sprintf("National Mock Test %d (JEE Main pattern)", n)
		e.Description = "<p>Full syllabus: Physics, Chemistry and Mathematics. +4 for a right answer, −1 for a wrong one.</p>"
		e.Duration = durationOf(3 * time.Hour)
		e.MarkPerQuestion, e.NegativeMarks = dec(4), dec(1)
		for s, parent := range []string{"Physics", "Chemistry", "Mathematics"} {
			sec := examhall.Section{Name: parent}
			for q := range 15 {
				t := examhall.MCQSingle
				if q >= 12 {
					t = examhall.Numerical
				}
				eq := examQuestion(r, t, leavesOf(leaves, parent), dec(4), dec(1))
				eq.IsBonus = s == 0 && q == 7 // a flawed question, marks to everyone
				if t == examhall.Numerical {
					eq.NegativeMarks = 0
				}
				sec.Questions = append(sec.Questions, eq)
			}
			e.Sections = append(e.Sections, sec)
		}
	case chapterTest:
		leaf := leaves[r.IntN(len(leaves))]
		e.Title = fmt.Sprintf("%s — Chapter Test %d", leaf.Name, i+1)
		e.Description = "<p>Practice test on " + leaf.Name + ". Retakes are not ranked.</p>"
		e.Duration = durationOf(time.Duration(20+10*r.IntN(5)) * time.Minute)
		e.MarkPerQuestion, e.NegativeMarks = dec(1), 0
		e.AllowRetake = true
		sec := examhall.Section{Name: leaf.Name}
		for range 10 + r.IntN(16) {
			t := pickType(r, false)
			neg := decimal.Decimal(0)
			if t == examhall.MCQSingle {
				neg = decimal.Decimal(25) // a quarter mark
			}
			eq := examQuestion(r, t, []examhall.Subject{leaf}, dec(1), neg)
			if t == examhall.MCQMultiple {
				half := decimal.Decimal(50)
				eq.PartialMarks = &half
			}
			sec.Questions = append(sec.Questions, eq)
		}
		e.Sections = []examhall.Section{sec}
	case descriptiveTest:
		parent := subjectTree[r.IntN(len(subjectTree))].name
		e.Title = fmt.Sprintf("%s — Descriptive Test %d", parent, i+1)
		e.Description = "<p>Short answers and one essay, graded by your teacher.</p>"
		e.Duration = durationOf(time.Hour)
		e.MarkPerQuestion = dec(2)
		e.ShowPercentile = false
		pool := leavesOf(leaves, parent)
		objective := examhall.Section{Name: "Objective"}
		for range 4 + r.IntN(3) {
			objective.Questions = append(objective.Questions, examQuestion(r, pickType(r, false), pool, dec(2), 0))
		}
		written := examhall.Section{Name: "Written", Questions: []examhall.ExamQuestion{
			examQuestion(r, examhall.ShortAnswer, pool, dec(2), 0),
			examQuestion(r, examhall.Essay, pool, dec(10), 0),
		}}
		e.Sections = []examhall.Section{objective, written}
	}
	return e
}

func examQuestion(r *rand.Rand, t examhall.QuestionType, pool []examhall.Subject, marks, negative decimal.Decimal) examhall.ExamQuestion {
	leaf := pool[r.IntN(len(pool))]
	q := makers[leaf.Name](r, t)
	q.SubjectID = leaf.ID
	q.Difficulty = []examhall.Difficulty{examhall.Easy, examhall.Medium, examhall.Medium, examhall.Hard}[r.IntN(4)]
	return examhall.ExamQuestion{Question: q, Marks: marks, NegativeMarks: negative}
}

// pickType draws a question type with the mix of a typical test.
func pickType(r *rand.Rand, essays bool) examhall.QuestionType {
	switch n := r.IntN(100); {
	case n < 55:
		return examhall.MCQSingle
	case n < 70:
		return examhall.MCQMultiple
	case n < 80:
		return examhall.TrueFalse
	case n < 92:
		return examhall.Numerical
	case n < 97 || !essays:
		return examhall.ShortAnswer
	default:
		return examhall.Essay
	}
}

func leavesOf(leaves []examhall.Subject, parent string) []examhall.Subject {
	for _, p := range subjectTree {
		if p.name != parent {
			continue
		}
		var out []examhall.Subject
		for _, l := range leaves {
			for _, name := range p.leaves {
				if l.Name == name {
					out = append(out, l)
				}
			}
		}
		return out
	}
	return nil
}

func durationOf(d time.Duration) *time.Duration { return &d }
