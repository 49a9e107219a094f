package scoring_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// ---- helpers -------------------------------------------------------------

// dec parses a two-decimal literal; the tests only use valid ones.
func dec(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		panic("bad decimal literal " + s)
	}
	return d
}

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

func strp(s string) *string { return &s }

// question kinds; answer ids are chosen by the caller.

func single(correct int64, wrong ...int64) examhall.Question {
	q := examhall.Question{Type: examhall.MCQSingle, Answers: []examhall.Answer{{ID: correct, IsCorrect: true}}}
	for _, w := range wrong {
		q.Answers = append(q.Answers, examhall.Answer{ID: w})
	}
	return q
}

func trueFalse(correct, wrong int64) examhall.Question {
	return examhall.Question{Type: examhall.TrueFalse, Answers: []examhall.Answer{{ID: wrong}, {ID: correct, IsCorrect: true}}}
}

func multiple(correct, wrong []int64) examhall.Question {
	q := examhall.Question{Type: examhall.MCQMultiple}
	for _, c := range correct {
		q.Answers = append(q.Answers, examhall.Answer{ID: c, IsCorrect: true})
	}
	for _, w := range wrong {
		q.Answers = append(q.Answers, examhall.Answer{ID: w})
	}
	return q
}

func numerical(lo, hi string) examhall.Question {
	return examhall.Question{Type: examhall.Numerical, NumericalMin: lo, NumericalMax: hi}
}

func short(accepted ...string) examhall.Question {
	return examhall.Question{Type: examhall.ShortAnswer, AcceptedAnswers: accepted}
}

func essay() examhall.Question { return examhall.Question{Type: examhall.Essay} }

// opt tweaks an exam question.
type opt func(*examhall.ExamQuestion)

func neg(s string) opt     { return func(q *examhall.ExamQuestion) { q.NegativeMarks = dec(s) } }
func partial(s string) opt { return func(q *examhall.ExamQuestion) { q.PartialMarks = decp(s) } }
func bonus() opt           { return func(q *examhall.ExamQuestion) { q.IsBonus = true } }
func section(id int64) opt { return func(q *examhall.ExamQuestion) { q.SectionID = id } }
func subject(id int64) opt { return func(q *examhall.ExamQuestion) { q.Question.SubjectID = id } }
func level(d examhall.Difficulty) opt {
	return func(q *examhall.ExamQuestion) { q.Question.Difficulty = d }
}

// eq is exam question id with the given question and marks, in section 1.
func eq(id int64, question examhall.Question, marks string, opts ...opt) examhall.ExamQuestion {
	question.ID = id + 1000
	q := examhall.ExamQuestion{ID: id, ExamID: 1, SectionID: 1, Order: int(id), Question: question, Marks: dec(marks)}
	for _, o := range opts {
		o(&q)
	}
	return q
}

// exam builds an exam; with no sections given it has one section, id 1.
func exam(pass *decimal.Decimal, sections []examhall.Section, qs ...examhall.ExamQuestion) *examhall.Exam {
	if sections == nil {
		sections = []examhall.Section{{ID: 1, ExamID: 1, Order: 1, Name: "Main"}}
	}
	for _, q := range qs {
		found := false
		for i := range sections {
			if sections[i].ID == q.SectionID {
				sections[i].Questions = append(sections[i].Questions, q)
				found = true
			}
		}
		if !found {
			panic("question in unknown section")
		}
	}
	return &examhall.Exam{ID: 1, PassPercentage: pass, Sections: sections}
}

// answers

func choose(ids ...int64) *examhall.UserAnswer {
	if ids == nil {
		ids = []int64{}
	}
	return &examhall.UserAnswer{SelectedAnswerIDs: ids}
}
func num(s string) *examhall.UserAnswer  { return &examhall.UserAnswer{NumericValue: strp(s)} }
func text(s string) *examhall.UserAnswer { return &examhall.UserAnswer{ShortText: strp(s)} }
func essayAns(s string, graded *decimal.Decimal) *examhall.UserAnswer {
	return &examhall.UserAnswer{EssayText: strp(s), GradedMarks: graded}
}

func tally(correct, incorrect, partial, unanswered, pending int, score string) scoring.Tally {
	return scoring.Tally{Correct: correct, Incorrect: incorrect, Partial: partial, Unanswered: unanswered, Pending: pending, Score: dec(score)}
}

func score(e *examhall.Exam, answers map[int64]*examhall.UserAnswer, d time.Duration) scoring.Result {
	return scoring.NewPaper(e, nil).Score(answers, d)
}

// ---- one question at a time ------------------------------------------------

func TestJudgeEachQuestion(t *testing.T) {
	const (
		U = examhall.Unanswered
		C = examhall.Correct
		I = examhall.Incorrect
		P = examhall.PartiallyCorrect
		E = examhall.PendingEvaluation
	)
	mcqMulti := multiple([]int64{11, 12, 13}, []int64{14, 15})
	numRange := numerical("9.75", "10.25")
	negRange := numerical("-5.5", "-2")
	sa := short("Photosynthesis", "  light reaction ")

	cases := []struct {
		name   string
		q      examhall.ExamQuestion
		a      *examhall.UserAnswer
		result examhall.AnswerResult
		marks  string
	}{
		// MCQ single: correct → marks; wrong → -negative; none → 0.
		{"single correct", eq(1, single(1, 2, 3), "4", neg("1")), choose(1), C, "4.00"},
		{"single incorrect", eq(1, single(1, 2, 3), "4", neg("1")), choose(2), I, "-1.00"},
		{"single incorrect no negative", eq(1, single(1, 2, 3), "4"), choose(3), I, "0.00"},
		{"single empty selection", eq(1, single(1, 2, 3), "4", neg("1")), choose(), U, "0.00"},
		{"single no answer", eq(1, single(1, 2, 3), "4", neg("1")), nil, U, "0.00"},

		// True or False: as single.
		{"tf correct", eq(1, trueFalse(7, 8), "1", neg("0.25")), choose(7), C, "1.00"},
		{"tf incorrect", eq(1, trueFalse(7, 8), "1", neg("0.25")), choose(8), I, "-0.25"},
		{"tf unanswered", eq(1, trueFalse(7, 8), "1", neg("0.25")), choose(), U, "0.00"},

		// MCQ multiple, correct set {11,12,13}, wrong {14,15}.
		{"multi exact set", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(11, 12, 13), C, "4.00"},
		{"multi exact set other order", eq(1, mcqMulti, "4", neg("1")), choose(13, 11, 12), C, "4.00"},
		{"multi exact set with duplicates", eq(1, mcqMulti, "4", neg("1")), choose(11, 13, 12, 13, 11), C, "4.00"},
		{"multi strict subset with partial", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(11, 12), P, "2.00"},
		{"multi single-item subset with partial", eq(1, mcqMulti, "4", neg("1"), partial("1.50")), choose(13), P, "1.50"},
		{"multi duplicated subset with partial", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(11, 11), P, "2.00"},
		{"multi strict subset without partial", eq(1, mcqMulti, "4", neg("1")), choose(11, 12), I, "-1.00"},
		{"multi subset plus wrong", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(11, 14), I, "-1.00"},
		{"multi full set plus wrong", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(11, 12, 13, 15), I, "-1.00"},
		{"multi only wrong", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(14, 15), I, "-1.00"},
		{"multi unanswered", eq(1, mcqMulti, "4", neg("1"), partial("2")), choose(), U, "0.00"},

		// Numerical, inclusive range [9.75, 10.25].
		{"num lower bound", eq(1, numRange, "3", neg("1")), num("9.75"), C, "3.00"},
		{"num upper bound", eq(1, numRange, "3", neg("1")), num("10.25"), C, "3.00"},
		{"num inside", eq(1, numRange, "3", neg("1")), num("10"), C, "3.00"},
		{"num trailing zero 9.750", eq(1, numRange, "3", neg("1")), num("9.750"), C, "3.00"},
		{"num just below", eq(1, numRange, "3", neg("1")), num("9.74"), I, "-1.00"},
		{"num just below fine", eq(1, numRange, "3", neg("1")), num("9.7499"), I, "-1.00"},
		{"num just above", eq(1, numRange, "3", neg("1")), num("10.26"), I, "-1.00"},
		{"num just above fine", eq(1, numRange, "3", neg("1")), num("10.2501"), I, "-1.00"},
		{"num empty", eq(1, numRange, "3", neg("1")), num(""), U, "0.00"},
		{"num nil value", eq(1, numRange, "3", neg("1")), &examhall.UserAnswer{}, U, "0.00"},
		// Negative range [-5.5, -2].
		{"neg range lower bound", eq(1, negRange, "2", neg("0.5")), num("-5.5"), C, "2.00"},
		{"neg range lower bound 2dp", eq(1, negRange, "2", neg("0.5")), num("-5.50"), C, "2.00"},
		{"neg range upper bound", eq(1, negRange, "2", neg("0.5")), num("-2.00"), C, "2.00"},
		{"neg range inside", eq(1, negRange, "2", neg("0.5")), num("-3"), C, "2.00"},
		{"neg range just below", eq(1, negRange, "2", neg("0.5")), num("-5.51"), I, "-0.50"},
		{"neg range just above", eq(1, negRange, "2", neg("0.5")), num("-1.99"), I, "-0.50"},
		{"neg range positive", eq(1, negRange, "2", neg("0.5")), num("3"), I, "-0.50"},
		// Numerical answers are exact decimal text (examhall.UserAnswer.NumericValue,
		// examhall.ExactNumber: "plain decimal text"); Go's big.Rat extras
		// (hex, binary, octal, digit separators, hex floats) are not numbers here.
		{"num plain 16", eq(1, numerical("15", "17"), "2", neg("0.5")), num("16"), C, "2.00"},
		{"num padded", eq(1, numerical("15", "17"), "2", neg("0.5")), num(" 16.0 "), C, "2.00"},
		{"num exponent", eq(1, numerical("15", "17"), "2", neg("0.5")), num("1.6e1"), I, "-0.50"},
		{"num fraction", eq(1, numerical("15", "17"), "2", neg("0.5")), num("32/2"), I, "-0.50"},
		{"num word", eq(1, numerical("15", "17"), "2", neg("0.5")), num("sixteen"), I, "-0.50"},
		{"num hex", eq(1, numerical("15", "17"), "2", neg("0.5")), num("0x10"), I, "-0.50"},
		{"num binary", eq(1, numerical("15", "17"), "2", neg("0.5")), num("0b10000"), I, "-0.50"},
		{"num octal", eq(1, numerical("15", "17"), "2", neg("0.5")), num("0o20"), I, "-0.50"},
		{"num underscore", eq(1, numerical("15", "17"), "2", neg("0.5")), num("1_6"), I, "-0.50"},
		{"num hex float", eq(1, numerical("15", "17"), "2", neg("0.5")), num("0x1p4"), I, "-0.50"},

		// Short answer: case-insensitive after trimming (both sides).
		{"short exact", eq(1, sa, "2", neg("0.5")), text("Photosynthesis"), C, "2.00"},
		{"short other case", eq(1, sa, "2", neg("0.5")), text("pHOTOSYNTHESIS"), C, "2.00"},
		{"short whitespace and case", eq(1, sa, "2", neg("0.5")), text("  photosynthesis\t\n"), C, "2.00"},
		{"short second accepted, key padded", eq(1, sa, "2", neg("0.5")), text("Light Reaction"), C, "2.00"},
		{"short no match", eq(1, sa, "2", neg("0.5")), text("photo synthesis"), I, "-0.50"},
		{"short blank", eq(1, sa, "2", neg("0.5")), text("   "), U, "0.00"},
		{"short nil text", eq(1, sa, "2", neg("0.5")), &examhall.UserAnswer{}, U, "0.00"},

		// Essay.
		{"essay no answer", eq(1, essay(), "5", neg("1")), nil, U, "0.00"},
		{"essay empty", eq(1, essay(), "5", neg("1")), essayAns("", nil), U, "0.00"},
		{"essay blank", eq(1, essay(), "5", neg("1")), essayAns(" \n ", nil), U, "0.00"},
		{"essay empty but graded", eq(1, essay(), "5", neg("1")), essayAns("", decp("3")), U, "0.00"},
		{"essay pending", eq(1, essay(), "5", neg("1")), essayAns("my essay", nil), E, "0.00"},
		{"essay graded full", eq(1, essay(), "5", neg("1")), essayAns("my essay", decp("5")), C, "5.00"},
		// graded 0 → Incorrect at 0, never -negative_marks
		{"essay graded zero", eq(1, essay(), "5", neg("1")), essayAns("my essay", decp("0")), I, "0.00"},
		{"essay graded between", eq(1, essay(), "5", neg("1")), essayAns("my essay", decp("2.5")), P, "2.50"},
		{"essay graded 0.01", eq(1, essay(), "5", neg("1")), essayAns("my essay", decp("0.01")), P, "0.01"},
		{"essay graded 4.99", eq(1, essay(), "5", neg("1")), essayAns("my essay", decp("4.99")), P, "4.99"},

		// Bonus: full marks, Correct, answered or not, right or wrong.
		{"bonus wrong", eq(1, single(1, 2), "4", neg("1"), bonus()), choose(2), C, "4.00"},
		{"bonus unanswered", eq(1, single(1, 2), "4", neg("1"), bonus()), nil, C, "4.00"},
		{"bonus right", eq(1, single(1, 2), "4", neg("1"), bonus()), choose(1), C, "4.00"},
		{"bonus numerical wrong", eq(1, numRange, "3", neg("1"), bonus()), num("0"), C, "3.00"},
		{"bonus essay pending", eq(1, essay(), "5", bonus()), essayAns("text", nil), C, "5.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := score(exam(nil, nil, c.q), map[int64]*examhall.UserAnswer{1: c.a}, time.Minute)
			want := []scoring.Judgement{{ExamQuestionID: 1, Result: c.result, Marks: dec(c.marks)}}
			if !reflect.DeepEqual(r.Answers, want) {
				t.Errorf("Answers = %+v, want %+v", r.Answers, want)
			}
			var wt scoring.Tally
			switch c.result {
			case C:
				wt.Correct = 1
			case I:
				wt.Incorrect = 1
			case P:
				wt.Partial = 1
			case E:
				wt.Pending = 1
			default:
				wt.Unanswered = 1
			}
			wt.Score = dec(c.marks)
			if r.Tally != wt {
				t.Errorf("Tally = %+v, want %+v", r.Tally, wt)
			}
		})
	}
}

// ---- attempt-level numbers --------------------------------------------------

func TestNegativeScoreAndPercentage(t *testing.T) {
	// two 4-mark questions, 0.5 negative each, both wrong:
	// score = -0.5 + -0.5 = -1.00; total = 4 + 4 = 8; pct = -1/8*100 = -12.50
	e := exam(decp("40"), nil,
		eq(1, single(1, 2), "4", neg("0.5")),
		eq(2, single(3, 4), "4", neg("0.5")),
	)
	r := score(e, map[int64]*examhall.UserAnswer{1: choose(2), 2: choose(3, 4)}, time.Hour)
	if want := tally(0, 2, 0, 0, 0, "-1.00"); r.Tally != want {
		t.Errorf("Tally = %+v, want %+v", r.Tally, want)
	}
	if got := r.Percentage.String(); got != "-12.50" {
		t.Errorf("Percentage = %s, want -12.50", got)
	}
	if r.Result != "Fail" { // -12.50 < 40
		t.Errorf("Result = %q, want Fail", r.Result)
	}
	// answered 2, correct 0 → accuracy 0/2*100 = 0
	if r.Accuracy != 0 {
		t.Errorf("Accuracy = %d, want 0", r.Accuracy)
	}
}

func TestPercentage(t *testing.T) {
	cases := []struct {
		name    string
		qs      []examhall.ExamQuestion
		answers map[int64]*examhall.UserAnswer
		score   string
		pct     string
	}{
		{
			// 1 of 3 marks: 1/3*100 = 33.333… → 33.33
			"one third",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "1"), eq(2, single(3, 4), "2")},
			map[int64]*examhall.UserAnswer{1: choose(1)},
			"1.00", "33.33",
		},
		{
			// 2 of 3 marks: 2/3*100 = 66.666… → 66.67
			"two thirds",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "2"), eq(2, single(3, 4), "1")},
			map[int64]*examhall.UserAnswer{1: choose(1)},
			"2.00", "66.67",
		},
		{
			// 0.01 of 0.01+7.99 = 8: 0.01/8*100 = 0.125 → half away from zero → 0.13
			"half up",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "0.01"), eq(2, single(3, 4), "7.99")},
			map[int64]*examhall.UserAnswer{1: choose(1)},
			"0.01", "0.13",
		},
		{
			// -0.01 of 4+4 = 8: -0.01/8*100 = -0.125 → half away from zero → -0.13
			"half away negative",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "4", neg("0.01")), eq(2, single(3, 4), "4")},
			map[int64]*examhall.UserAnswer{1: choose(2)},
			"-0.01", "-0.13",
		},
		{
			// -1 of 3: -33.333… → -33.33
			"negative third",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "1", neg("1")), eq(2, single(3, 4), "2")},
			map[int64]*examhall.UserAnswer{1: choose(2)},
			"-1.00", "-33.33",
		},
		{
			// total includes bonus: bonus 2 (free) + 6 unanswered → 2/8*100 = 25.00
			"bonus in total",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "2", bonus()), eq(2, single(3, 4), "6")},
			nil,
			"2.00", "25.00",
		},
		{
			// every question 0 marks: total 0 → percentage 0
			"zero total",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "0"), eq(2, single(3, 4), "0", neg("1"))},
			map[int64]*examhall.UserAnswer{1: choose(1), 2: choose(3)},
			"0.00", "0.00",
		},
		{
			// total 0 with a negative score: -1 / 0 → 0
			"zero total negative score",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "0", neg("1"))},
			map[int64]*examhall.UserAnswer{1: choose(2)},
			"-1.00", "0.00",
		},
		{
			// full marks 3+2.5 = 5.5 of 5.5 → 100.00
			"full",
			[]examhall.ExamQuestion{eq(1, single(1, 2), "3"), eq(2, numerical("1", "1"), "2.5")},
			map[int64]*examhall.UserAnswer{1: choose(1), 2: num("1.0")},
			"5.50", "100.00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := score(exam(nil, nil, c.qs...), c.answers, time.Hour)
			if r.Score != dec(c.score) {
				t.Errorf("Score = %s, want %s", r.Score, c.score)
			}
			if r.Percentage.String() != c.pct {
				t.Errorf("Percentage = %s, want %s", r.Percentage, c.pct)
			}
		})
	}
}

func TestResult(t *testing.T) {
	// total 4 marks: q1 2 marks, q2 1 mark, q3 1 mark
	qs := []examhall.ExamQuestion{eq(1, single(1, 2), "2"), eq(2, single(3, 4), "1"), eq(3, single(5, 6), "1")}
	half := map[int64]*examhall.UserAnswer{1: choose(1)} // 2/4 = 50.00
	cases := []struct {
		name    string
		pass    *decimal.Decimal
		qs      []examhall.ExamQuestion
		answers map[int64]*examhall.UserAnswer
		pct     string
		want    string
	}{
		{"exactly pass", decp("50"), qs, half, "50.00", "Pass"},       // 50.00 ≥ 50.00
		{"just below", decp("50.01"), qs, half, "50.00", "Fail"},      // 50.00 < 50.01
		{"above", decp("25"), qs, half, "50.00", "Pass"},              // 50.00 ≥ 25
		{"no pass percentage", nil, qs, half, "50.00", "NA"},          // no pass_percentage
		{"zero pass, zero score", decp("0"), qs, nil, "0.00", "Pass"}, // 0 ≥ 0
		{
			// 49.99 of 100 → 49.99 < 50 → Fail
			"49.99 fails 50", decp("50"),
			[]examhall.ExamQuestion{eq(1, single(1, 2), "49.99"), eq(2, single(3, 4), "50.01")},
			map[int64]*examhall.UserAnswer{1: choose(1)}, "49.99", "Fail",
		},
		{
			// judged on the rounded percentage: 1/3 = 33.333… → 33.33 ≥ 33.33 → Pass
			"rounded down passes", decp("33.33"),
			[]examhall.ExamQuestion{eq(1, single(1, 2), "1"), eq(2, single(3, 4), "2")},
			map[int64]*examhall.UserAnswer{1: choose(1)}, "33.33", "Pass",
		},
		{
			// 2/3 = 66.666… → 66.67 ≥ 66.67 → Pass (unrounded 66.666… would fail)
			"rounded up passes", decp("66.67"),
			[]examhall.ExamQuestion{eq(1, single(1, 2), "2"), eq(2, single(3, 4), "1")},
			map[int64]*examhall.UserAnswer{1: choose(1)}, "66.67", "Pass",
		},
		{
			// 0.01/8 = 0.125% → 0.13 ≥ 0.13 → Pass
			"half away passes", decp("0.13"),
			[]examhall.ExamQuestion{eq(1, single(1, 2), "0.01"), eq(2, single(3, 4), "7.99")},
			map[int64]*examhall.UserAnswer{1: choose(1)}, "0.13", "Pass",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := score(exam(c.pass, nil, c.qs...), c.answers, time.Hour)
			if r.Percentage.String() != c.pct || r.Result != c.want {
				t.Errorf("Percentage, Result = %s, %q; want %s, %q", r.Percentage, r.Result, c.pct, c.want)
			}
		})
	}
}

func TestPendingEssay(t *testing.T) {
	// q1 single 2 marks correct, q2 single 2 marks wrong (neg 1), q3 essay 4 marks pending,
	// q4 single 2 marks unanswered.
	e := exam(decp("10"), nil,
		eq(1, single(1, 2), "2"),
		eq(2, single(3, 4), "2", neg("1")),
		eq(3, essay(), "4", neg("1")),
		eq(4, single(5, 6), "2"),
	)
	r := score(e, map[int64]*examhall.UserAnswer{
		1: choose(1), 2: choose(4), 3: essayAns("an essay", nil), 4: choose(),
	}, 30*time.Minute)
	// score = 2 - 1 + 0 + 0 = 1.00; counts: C1 I1 P0 U1 pending 1
	if want := tally(1, 1, 0, 1, 1, "1.00"); r.Tally != want {
		t.Errorf("Tally = %+v, want %+v", r.Tally, want)
	}
	// C+I+P+U = 3 = 4 questions - 1 pending
	if got := r.Correct + r.Incorrect + r.Partial + r.Unanswered; got != 3 {
		t.Errorf("C+I+P+U = %d, want 3", got)
	}
	// 1/10*100 = 10.00 ≥ pass 10, but pending → NA
	if r.Percentage.String() != "10.00" || r.Result != "NA" {
		t.Errorf("Percentage, Result = %s, %q; want 10.00, NA", r.Percentage, r.Result)
	}
	// answered = 4 - 1 unanswered = 3 (pending essay counts); accuracy = 1/3*100 = 33.3 → 33
	if r.Accuracy != 33 {
		t.Errorf("Accuracy = %d, want 33", r.Accuracy)
	}
	// speed = 3 answered / 0.5 h = 6
	if r.Speed != 6 {
		t.Errorf("Speed = %d, want 6", r.Speed)
	}

	// once graded 4 of 4: score 1 + 4 = 5, 5/10 = 50.00 → Pass; accuracy 2/3 → 66.7 → 67
	r = score(e, map[int64]*examhall.UserAnswer{
		1: choose(1), 2: choose(4), 3: essayAns("an essay", decp("4")), 4: choose(),
	}, 30*time.Minute)
	if want := tally(2, 1, 0, 1, 0, "5.00"); r.Tally != want {
		t.Errorf("graded: Tally = %+v, want %+v", r.Tally, want)
	}
	if r.Percentage.String() != "50.00" || r.Result != "Pass" || r.Accuracy != 67 {
		t.Errorf("graded: Percentage, Result, Accuracy = %s, %q, %d; want 50.00, Pass, 67", r.Percentage, r.Result, r.Accuracy)
	}
}

func TestSpeedAndAccuracy(t *testing.T) {
	// ten 1-mark questions, ids 1..10, correct answer id 1, wrong 2.
	var qs []examhall.ExamQuestion
	for id := int64(1); id <= 10; id++ {
		qs = append(qs, eq(id, single(1, 2), "1"))
	}
	e := exam(nil, nil, qs...)
	ans := func(correct, wrong int) map[int64]*examhall.UserAnswer {
		m := map[int64]*examhall.UserAnswer{}
		id := int64(1)
		for range correct {
			m[id] = choose(1)
			id++
		}
		for range wrong {
			m[id] = choose(2)
			id++
		}
		return m
	}
	cases := []struct {
		name            string
		correct, wrong  int
		d               time.Duration
		speed, accuracy int
	}{
		{"3 in 40 min", 2, 1, 40 * time.Minute, 5, 67},                   // 3/(40/60) = 4.5 → 5; 2/3 = 66.7 → 67
		{"zero time", 2, 1, 0, 0, 67},                                    // divisor 0 → 0
		{"nothing answered", 0, 0, time.Hour, 0, 0},                      // 0/1 = 0; accuracy divisor 0 → 0
		{"1 in 2h", 1, 0, 2 * time.Hour, 1, 100},                         // 1/2 = 0.5 → 1; 1/1 = 100
		{"1 in 3h", 0, 1, 3 * time.Hour, 0, 0},                           // 1/3 = 0.33 → 0; 0/1 = 0
		{"1 in 80 min", 1, 7, 80 * time.Minute, 6, 13},                   // 8/(4/3) = 6; 1/8 = 12.5 → 13
		{"10 in 1 min", 1, 9, time.Minute, 600, 10},                      // 10*60 = 600; 1/10 = 10
		{"5 in 90 s", 1, 4, 90 * time.Second, 200, 20},                   // 5*3600/90 = 200; 1/5 = 20
		{"7 in 61 min", 5, 2, 61 * time.Minute, 7, 71},                   // 7*60/61 = 6.89 → 7; 5/7 = 71.4 → 71
		{"1 in 7200s+1ms", 1, 0, 2*time.Hour + time.Millisecond, 0, 100}, // 0.49999… → 0
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := score(e, ans(c.correct, c.wrong), c.d)
			if r.Speed != c.speed || r.Accuracy != c.accuracy {
				t.Errorf("Speed, Accuracy = %d, %d; want %d, %d", r.Speed, r.Accuracy, c.speed, c.accuracy)
			}
		})
	}
}

func TestAccuracyCountsBonusAndPartial(t *testing.T) {
	// q1 bonus unanswered (Correct), q2 multi partial, q3 single wrong, q4 unanswered.
	e := exam(nil, nil,
		eq(1, single(1, 2), "1", bonus()),
		eq(2, multiple([]int64{3, 4}, []int64{5}), "2", partial("1")),
		eq(3, single(6, 7), "1", neg("0.25")),
		eq(4, single(8, 9), "1"),
	)
	r := score(e, map[int64]*examhall.UserAnswer{2: choose(3), 3: choose(7)}, time.Hour)
	// score = 1 + 1 - 0.25 + 0 = 1.75; total 5 → 35.00
	if want := tally(1, 1, 1, 1, 0, "1.75"); r.Tally != want {
		t.Errorf("Tally = %+v, want %+v", r.Tally, want)
	}
	// answered = 4 - 1 = 3; accuracy = 1/3 → 33; speed = 3/1h = 3
	if r.Percentage.String() != "35.00" || r.Accuracy != 33 || r.Speed != 3 {
		t.Errorf("Percentage, Accuracy, Speed = %s, %d, %d; want 35.00, 33, 3", r.Percentage, r.Accuracy, r.Speed)
	}
}

func TestSections(t *testing.T) {
	sections := []examhall.Section{
		{ID: 20, ExamID: 1, Order: 1, Name: "A"},
		{ID: 10, ExamID: 1, Order: 2, Name: "B"},
		{ID: 30, ExamID: 1, Order: 3, Name: "Empty"},
	}
	e := exam(nil, sections,
		// section 20
		eq(1, single(1, 2), "4", neg("1"), section(20)),
		eq(2, single(3, 4), "4", neg("1"), section(20)),
		eq(3, numerical("1", "2"), "2", section(20)),
		// section 10
		eq(4, multiple([]int64{5, 6}, []int64{7}), "4", partial("2"), section(10)),
		eq(5, essay(), "5", section(10)),
		eq(6, short("yes"), "1", section(10), bonus()),
	)
	with := func(a *examhall.UserAnswer, d time.Duration) *examhall.UserAnswer { a.Duration = d; return a }
	r := score(e, map[int64]*examhall.UserAnswer{
		1: with(choose(1), 30*time.Second),                 // correct 4
		2: with(choose(4), 45*time.Second),                 // wrong -1
		3: with(num(""), 5*time.Second),                    // blank → unanswered, time still counts
		4: with(choose(6), 2*time.Minute),                  // partial 2
		5: with(essayAns("words", decp("3")), time.Minute), // partial 3
		// 6: bonus, no answer → correct 1
		99: with(choose(1), time.Hour), // not a question of the exam: ignored
	}, 10*time.Minute)
	want := []scoring.SectionScore{
		// 4 - 1 + 0 = 3; time 30 + 45 + 5 = 80 s
		{SectionID: 20, Order: 1, Tally: tally(1, 1, 0, 1, 0, "3.00"), TimeTaken: 80 * time.Second},
		// 2 + 3 + 1 = 6; time 120 + 60 = 180 s
		{SectionID: 10, Order: 2, Tally: tally(1, 0, 2, 0, 0, "6.00"), TimeTaken: 3 * time.Minute},
		{SectionID: 30, Order: 3},
	}
	if !reflect.DeepEqual(r.Sections, want) {
		t.Errorf("Sections =\n%+v\nwant\n%+v", r.Sections, want)
	}
	// attempt: C2 I1 P2 U1, score 3 + 6 = 9; total 4+4+2+4+5+1 = 20 → 45.00
	if wt := tally(2, 1, 2, 1, 0, "9.00"); r.Tally != wt {
		t.Errorf("Tally = %+v, want %+v", r.Tally, wt)
	}
	if r.Percentage.String() != "45.00" {
		t.Errorf("Percentage = %s, want 45.00", r.Percentage)
	}
	wantAnswers := []scoring.Judgement{
		{1, examhall.Correct, dec("4")},
		{2, examhall.Incorrect, dec("-1")},
		{3, examhall.Unanswered, 0},
		{4, examhall.PartiallyCorrect, dec("2")},
		{5, examhall.PartiallyCorrect, dec("3")},
		{6, examhall.Correct, dec("1")},
	}
	if !reflect.DeepEqual(r.Answers, wantAnswers) {
		t.Errorf("Answers = %+v, want %+v", r.Answers, wantAnswers)
	}
}

func TestSubjects(t *testing.T) {
	// Science(10) > Physics(7) > Mechanics(3), Physics > Optics(5, unused),
	// Science > Chemistry(2); Maths(1) unused; given in arbitrary order.
	subjects := []examhall.Subject{
		{ID: 3, Name: "Mechanics", ParentID: 7},
		{ID: 1, Name: "Maths"},
		{ID: 10, Name: "Science"},
		{ID: 2, Name: "Chemistry", ParentID: 10},
		{ID: 5, Name: "Optics", ParentID: 7},
		{ID: 7, Name: "Physics", ParentID: 10},
	}
	e := exam(nil, nil,
		eq(1, single(1, 2), "4", neg("1"), subject(3)),                  // Mechanics correct 4
		eq(2, single(3, 4), "4", neg("1"), subject(3)),                  // Mechanics wrong -1
		eq(3, numerical("0", "1"), "2", subject(2)),                     // Chemistry correct 2
		eq(4, short("a"), "1", subject(7)),                              // Physics (own) unanswered 0
		eq(5, essay(), "3"),                                             // none, pending 0
		eq(6, multiple([]int64{5, 6}, []int64{7}), "2", partial("0.5")), // none, partial 0.5
	)
	r := scoring.NewPaper(e, subjects).Score(map[int64]*examhall.UserAnswer{
		1: choose(1), 2: choose(4), 3: num("0.5"), 5: essayAns("x", nil), 6: choose(5),
	}, time.Hour)
	want := []scoring.SubjectScore{
		{SubjectID: 2, Name: "Chemistry", ParentID: 10, IsLeaf: true, Tally: tally(1, 0, 0, 0, 0, "2.00")},
		{SubjectID: 3, Name: "Mechanics", ParentID: 7, IsLeaf: true, Tally: tally(1, 1, 0, 0, 0, "3.00")}, // 4 - 1
		// Physics = Mechanics (C1 I1, 3) + own q4 (U1, 0) → C1 I1 U1, 3
		{SubjectID: 7, Name: "Physics", ParentID: 10, IsLeaf: false, Tally: tally(1, 1, 0, 1, 0, "3.00")},
		// Science = Physics (C1 I1 U1, 3) + Chemistry (C1, 2) → C2 I1 U1, 5
		{SubjectID: 10, Name: "Science", ParentID: 0, IsLeaf: false, Tally: tally(2, 1, 0, 1, 0, "5.00")},
		// q5 pending + q6 partial 0.5
		{SubjectID: 0, Name: "Uncategorized", ParentID: 0, IsLeaf: true, Tally: tally(0, 0, 1, 0, 1, "0.50")},
	}
	if !reflect.DeepEqual(r.Subjects, want) {
		t.Errorf("Subjects =\n%+v\nwant\n%+v", r.Subjects, want)
	}
	// attempt: 4 - 1 + 2 + 0 + 0 + 0.5 = 5.50
	if wt := tally(2, 1, 1, 1, 1, "5.50"); r.Tally != wt {
		t.Errorf("Tally = %+v, want %+v", r.Tally, wt)
	}

	// No question without a subject: no Uncategorized row.
	e2 := exam(nil, nil, eq(1, single(1, 2), "1", subject(2)))
	r2 := scoring.NewPaper(e2, subjects).Score(nil, 0)
	want2 := []scoring.SubjectScore{
		{SubjectID: 2, Name: "Chemistry", ParentID: 10, IsLeaf: true, Tally: tally(0, 0, 0, 1, 0, "0")},
		{SubjectID: 10, Name: "Science", IsLeaf: false, Tally: tally(0, 0, 0, 1, 0, "0")},
	}
	if !reflect.DeepEqual(r2.Subjects, want2) {
		t.Errorf("Subjects =\n%+v\nwant\n%+v", r2.Subjects, want2)
	}

	// Only uncategorized questions: just that row.
	e3 := exam(nil, nil, eq(1, single(1, 2), "1"))
	r3 := scoring.NewPaper(e3, subjects).Score(map[int64]*examhall.UserAnswer{1: choose(1)}, 0)
	want3 := []scoring.SubjectScore{{Name: scoring.Uncategorized, IsLeaf: true, Tally: tally(1, 0, 0, 0, 0, "1")}}
	if !reflect.DeepEqual(r3.Subjects, want3) {
		t.Errorf("Subjects = %+v, want %+v", r3.Subjects, want3)
	}
}

func TestDifficulty(t *testing.T) {
	e := exam(nil, nil,
		eq(1, single(1, 2), "2", level(examhall.Easy)),             // correct 2
		eq(2, single(3, 4), "2", neg("0.5"), level(examhall.Easy)), // wrong -0.5
		eq(3, single(5, 6), "3", level(examhall.Hard)),             // unanswered
		eq(4, essay(), "5", level(examhall.Hard)),                  // pending
		eq(5, short("x"), "1"),                                     // none, correct 1
	)
	r := score(e, map[int64]*examhall.UserAnswer{
		1: choose(1), 2: choose(4), 4: essayAns("e", nil), 5: text(" X "),
	}, time.Hour)
	want := map[examhall.Difficulty]scoring.Tally{
		examhall.Easy: tally(1, 1, 0, 0, 0, "1.50"), // 2 - 0.5
		examhall.Hard: tally(0, 0, 0, 1, 1, "0"),
		"":            tally(1, 0, 0, 0, 0, "1.00"),
	} // no Medium row: no medium question
	if !reflect.DeepEqual(r.Difficulty, want) {
		t.Errorf("Difficulty = %+v, want %+v", r.Difficulty, want)
	}

	// only medium questions: only the medium row
	r = score(exam(nil, nil, eq(1, single(1, 2), "1", level(examhall.Medium))), nil, 0)
	want = map[examhall.Difficulty]scoring.Tally{examhall.Medium: tally(0, 0, 0, 1, 0, "0")}
	if !reflect.DeepEqual(r.Difficulty, want) {
		t.Errorf("Difficulty = %+v, want %+v", r.Difficulty, want)
	}
}

func TestPaperReused(t *testing.T) {
	// A Paper scores several attempts independently.
	e := exam(decp("50"), nil, eq(1, single(1, 2), "1", subject(0)), eq(2, single(3, 4), "1", neg("1")))
	p := scoring.NewPaper(e, nil)
	r1 := p.Score(map[int64]*examhall.UserAnswer{1: choose(1), 2: choose(3)}, time.Hour) // 1 + 1 = 2 → 100.00
	r2 := p.Score(map[int64]*examhall.UserAnswer{2: choose(4)}, time.Hour)               // 0 - 1 = -1 → -50.00
	if r1.Score != dec("2") || r1.Result != "Pass" || r1.Subjects[0].Score != dec("2") {
		t.Errorf("first attempt: %+v", r1)
	}
	if r2.Score != dec("-1") || r2.Percentage.String() != "-50.00" || r2.Result != "Fail" || r2.Subjects[0].Score != dec("-1") {
		t.Errorf("second attempt: %+v", r2)
	}
}

// TestSectionTimeSaturates: a section's time is the sum of its answers'
// durations, saturating at the largest duration instead of wrapping around
// to a negative time (issue 10, fault 7).
func TestSectionTimeSaturates(t *testing.T) {
	e := exam(nil, []examhall.Section{{ID: 1, ExamID: 1, Order: 1, Name: "A"}},
		eq(1, numerical("1", "2"), "1", section(1)),
		eq(2, numerical("1", "2"), "1", section(1)),
		eq(3, numerical("1", "2"), "1", section(1)),
	)
	with := func(d time.Duration) *examhall.UserAnswer { a := num("1"); a.Duration = d; return a }
	r := score(e, map[int64]*examhall.UserAnswer{1: with(math.MaxInt64 / 2), 2: with(math.MaxInt64 / 2), 3: with(time.Hour)}, time.Hour)
	if got := r.Sections[0].TimeTaken; got != math.MaxInt64 {
		t.Errorf("section time = %v, want the largest duration", got)
	}
}
