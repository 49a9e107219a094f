package examhall

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/examhall/examhall/decimal"
)

func hundredths(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// sitting is one attempt as the brute force sees it: its marks per exam
// question and the answers it chose.
type sitting struct {
	marks  map[int64]decimal.Decimal
	chosen map[int64]bool // answer id → chosen
}

func (s sitting) score() decimal.Decimal {
	var total decimal.Decimal
	for _, m := range s.marks {
		total += m
	}
	return total
}

// itemData aggregates sittings into the sufficient statistics a store keeps.
func itemData(exam *Exam, sittings []sitting) *ItemStatisticsData {
	d := &ItemStatisticsData{Exam: exam, Population: PopulationAll, Pending: 3,
		Items: map[int64][]ItemCount{}, Options: map[int64]OptionCount{}}
	scores := map[decimal.Decimal]int64{}
	joint := map[int64]map[[2]decimal.Decimal]int64{}
	for _, s := range sittings {
		x := s.score()
		scores[x]++
		for id, m := range s.marks {
			if joint[id] == nil {
				joint[id] = map[[2]decimal.Decimal]int64{}
			}
			joint[id][[2]decimal.Decimal{m, x - m}]++
		}
		for id, yes := range s.chosen {
			if yes {
				o := d.Options[id]
				o.Chosen++
				o.ScoreSum += x
				d.Options[id] = o
			}
		}
	}
	for x, c := range scores {
		d.Scores = append(d.Scores, ScoreCount{Score: x, Attempts: c})
	}
	slices.SortFunc(d.Scores, func(a, b ScoreCount) int { return cmp.Compare(a.Score, b.Score) })
	for id, counts := range joint {
		for k, c := range counts {
			d.Items[id] = append(d.Items[id], ItemCount{Marks: k[0], Rest: k[1], Attempts: c})
		}
		slices.SortFunc(d.Items[id], func(a, b ItemCount) int {
			return cmp.Or(cmp.Compare(a.Marks, b.Marks), cmp.Compare(a.Rest, b.Rest))
		})
	}
	return d
}

// randomExam has every kind of question: choice ones with negative and
// partial marks, numerical and short answer, an essay (negative marks set,
// never applied), a bonus question, a question everyone gets right, and one
// worth nothing (an empty range).
func randomExam(rng *rand.Rand) *Exam {
	pick := func(xs ...string) decimal.Decimal { return hundredths(xs[rng.IntN(len(xs))]) }
	partial := pick("0.5", "1.25", "2")
	var id int64 = 100
	next := func() int64 { id++; return id }
	answers := func(k int, correct ...int) []Answer {
		var out []Answer
		for i := range k {
			out = append(out, Answer{ID: next(), IsCorrect: slices.Contains(correct, i)})
		}
		return out
	}
	q := func(sec int64, t QuestionType, marks, neg decimal.Decimal, ans []Answer) ExamQuestion {
		return ExamQuestion{ID: next(), SectionID: sec, Marks: marks, NegativeMarks: neg,
			Question: Question{ID: next(), Type: t, Answers: ans}}
	}
	single := q(1, MCQSingle, pick("1", "4", "2.5"), pick("0", "1", "0.33"), answers(4, 2))
	multiple := q(1, MCQMultiple, pick("3", "4"), pick("0", "0.5"), answers(4, 0, 1, 3))
	multiple.PartialMarks = &partial
	tf := q(1, TrueFalse, hundredths("1"), pick("0", "0.25"), answers(2, 0))
	numerical := q(2, Numerical, pick("2", "3.5"), pick("0", "1"), nil)
	short := q(2, ShortAnswer, hundredths("1"), hundredths("0.5"), nil)
	essay := q(2, Essay, pick("5", "10"), hundredths("1"), nil)
	bonus := q(2, MCQSingle, hundredths("2"), hundredths("1"), answers(3, 0))
	bonus.IsBonus = true
	constant := q(3, Numerical, hundredths("1.5"), 0, nil)
	worthless := q(3, TrueFalse, 0, 0, answers(2, 1))
	exam := &Exam{ID: 1, Sections: []Section{
		{ID: 1, Questions: []ExamQuestion{single, multiple, tf}},
		{ID: 2, Questions: []ExamQuestion{numerical, short, essay, bonus}},
		{ID: 3, Questions: []ExamQuestion{constant, worthless}},
	}}
	// Some exams leave questions out, so that alpha's k varies.
	if rng.IntN(3) == 0 {
		exam.Sections = exam.Sections[:2]
	}
	return exam
}

// randomSitting answers each question at random and marks it by SPEC §5.
func randomSitting(rng *rand.Rand, exam *Exam) sitting {
	s := sitting{marks: map[int64]decimal.Decimal{}, chosen: map[int64]bool{}}
	for _, q := range exam.Questions() {
		var m decimal.Decimal
		switch t := q.Question.Type; {
		case t.HasChoices():
			var picked []Answer
			for _, a := range q.Question.Answers {
				if rng.IntN(len(q.Question.Answers)+1) == 0 {
					picked = append(picked, a)
				}
			}
			if t != MCQMultiple && len(picked) > 1 {
				picked = picked[:1]
			}
			wrong, right := 0, 0
			for _, a := range picked {
				s.chosen[a.ID] = true
				if a.IsCorrect {
					right++
				} else {
					wrong++
				}
			}
			all := 0
			for _, a := range q.Question.Answers {
				if a.IsCorrect {
					all++
				}
			}
			switch {
			case len(picked) == 0:
			case wrong == 0 && right == all:
				m = q.Marks
			case wrong == 0 && q.PartialMarks != nil:
				m = *q.PartialMarks
			default:
				m = -q.NegativeMarks
			}
		case t == Essay:
			m = decimal.Decimal(rng.Int64N(int64(q.Marks) + 1))
		case q.Marks == hundredths("1.5"): // the question everyone gets right
			m = q.Marks
		default:
			m = []decimal.Decimal{0, q.Marks, -q.NegativeMarks}[rng.IntN(3)]
		}
		if q.IsBonus {
			m = q.Marks
		}
		s.marks[q.ID] = m
	}
	return s
}

// bruteForce computes the analysis per attempt, with the textbook formulas
// over float64 arrays (two passes, Moodle's sorted pairing literally).
func bruteForce(exam *Exam, sittings []sitting) ItemAnalysis {
	n := len(sittings)
	f := func(v float64) *float64 { return &v }
	X := make([]float64, n)
	for j, s := range sittings {
		X[j] = s.score().Float64()
	}
	mean := func(v []float64) float64 {
		var s float64
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	cov := func(a, b []float64) float64 {
		ma, mb := mean(a), mean(b)
		var s float64
		for j := range a {
			s += (a[j] - ma) * (b[j] - mb)
		}
		return s / float64(len(a)-1)
	}
	pearson := func(a, b []float64) *float64 {
		va, vb := cov(a, a), cov(b, b)
		if va == 0 || vb == 0 {
			return nil
		}
		return f(cov(a, b) / math.Sqrt(va*vb))
	}
	moment := func(k int) float64 {
		m := mean(X)
		var s float64
		for _, x := range X {
			s += math.Pow(x-m, float64(k))
		}
		return s / float64(n)
	}

	a := ItemAnalysis{Population: PopulationAll, Attempts: int64(n), Pending: 3, Questions: []QuestionAnalysis{}}
	if n > 0 {
		a.Mean = f(mean(X))
		sorted := slices.Sorted(slices.Values(X))
		a.Median = f((sorted[(n-1)/2] + sorted[n/2]) / 2)
	}
	if n >= 2 {
		a.SD = f(math.Sqrt(cov(X, X)))
		if m2 := moment(2); m2 > 1e-12 {
			a.Skewness = f(moment(3) / math.Pow(m2, 1.5))
			a.Kurtosis = f(moment(4)/(m2*m2) - 3)
		}
	}
	var sumVar, lowest, top float64
	k := 0
	for _, q := range exam.Questions() {
		k++
		lo := -q.NegativeMarks.Float64()
		if q.IsBonus || q.Question.Type == Essay {
			lo = 0
		}
		hi := q.Marks.Float64()
		lowest += lo
		top += hi
		x, rest := make([]float64, n), make([]float64, n)
		for j, s := range sittings {
			x[j] = s.marks[q.ID].Float64()
			rest[j] = X[j] - x[j]
		}
		qa := QuestionAnalysis{ExamQuestionID: q.ID, QuestionID: q.Question.ID, SectionID: q.SectionID,
			Type: q.Question.Type, Marks: q.Marks, Attempts: int64(n)}
		if n > 0 && hi > lo {
			qa.FacilityIndex = f(100 * (mean(x) - lo) / (hi - lo))
		}
		if n >= 2 {
			sumVar += cov(x, x)
			if hi > lo {
				qa.SDPercent = f(100 * math.Sqrt(cov(x, x)) / (hi - lo))
			}
			if r := pearson(x, rest); r != nil {
				qa.DiscriminationIndex = f(100 * *r)
				xs, rs := slices.Sorted(slices.Values(x)), slices.Sorted(slices.Values(rest))
				qa.DiscriminativeEfficiency = f(100 * cov(x, rest) / cov(xs, rs))
			}
		}
		if q.Question.Type.HasChoices() {
			qa.Answers = []OptionAnalysis{}
			for _, ans := range q.Question.Answers {
				chose := make([]float64, n)
				o := OptionAnalysis{AnswerID: ans.ID}
				for j, s := range sittings {
					if s.chosen[ans.ID] {
						chose[j] = 1
						o.Chosen++
					}
				}
				if n > 0 {
					o.ChosenPercent = f(100 * float64(o.Chosen) / float64(n))
				}
				if n >= 2 {
					o.PointBiserial = pearson(chose, X)
				}
				qa.Answers = append(qa.Answers, o)
			}
		}
		a.Questions = append(a.Questions, qa)
	}
	if n >= 2 && k >= 2 && cov(X, X) > 0 {
		alpha := float64(k) / float64(k-1) * (1 - sumVar/cov(X, X))
		a.CronbachAlpha = f(alpha)
		a.ErrorRatio = f(100 * math.Sqrt(1-alpha))
		a.StandardError = f(math.Sqrt(1-alpha) * math.Sqrt(cov(X, X)))
	}
	// Bins: [lowest + i·w, lowest + (i+1)·w) on the hundredths, the last closed.
	a.ScoreDistribution = []ScoreBin{}
	if top > lowest {
		w := (top - lowest) / ScoreBins
		for i := range ScoreBins {
			from := math.Ceil(math.Round((lowest+float64(i)*w)*1e6)/1e4) / 100
			to := math.Ceil(math.Round((lowest+float64(i+1)*w)*1e6)/1e4) / 100
			b := ScoreBin{From: decimal.Decimal(math.Round(from * 100)), To: decimal.Decimal(math.Round(to * 100))}
			for _, x := range X {
				if x >= from-1e-9 && (x < to-1e-9 || i == ScoreBins-1 && x <= to+1e-9) {
					b.Count++
				}
			}
			a.ScoreDistribution = append(a.ScoreDistribution, b)
		}
	}
	return a
}

type namedFloat struct {
	name string
	v    *float64
}

// floats lists every number of an analysis with where it is.
func floats(a ItemAnalysis) []namedFloat {
	out := []namedFloat{{"mean", a.Mean}, {"median", a.Median}, {"sd", a.SD}, {"skewness", a.Skewness},
		{"kurtosis", a.Kurtosis}, {"cronbach_alpha", a.CronbachAlpha}, {"error_ratio", a.ErrorRatio},
		{"standard_error", a.StandardError}}
	for _, q := range a.Questions {
		at := fmt.Sprintf("questions[%d].", q.ExamQuestionID)
		out = append(out, namedFloat{at + "facility_index", q.FacilityIndex}, namedFloat{at + "sd_percent", q.SDPercent},
			namedFloat{at + "discrimination_index", q.DiscriminationIndex},
			namedFloat{at + "discriminative_efficiency", q.DiscriminativeEfficiency})
		for _, o := range q.Answers {
			at := fmt.Sprintf("%sanswers[%d].", at, o.AnswerID)
			out = append(out, namedFloat{at + "chosen_percent", o.ChosenPercent}, namedFloat{at + "point_biserial", o.PointBiserial})
		}
	}
	return out
}

// withoutFloats is the analysis with its numbers taken out, to compare the
// rest (counts, ids, bins) exactly.
func withoutFloats(a ItemAnalysis) string {
	a.Mean, a.Median, a.SD, a.Skewness, a.Kurtosis, a.CronbachAlpha, a.ErrorRatio, a.StandardError = nil, nil, nil, nil, nil, nil, nil, nil
	qs := slices.Clone(a.Questions)
	for i := range qs {
		qs[i].FacilityIndex, qs[i].SDPercent, qs[i].DiscriminationIndex, qs[i].DiscriminativeEfficiency = nil, nil, nil, nil
		qs[i].Answers = slices.Clone(qs[i].Answers)
		for j := range qs[i].Answers {
			qs[i].Answers[j].ChosenPercent, qs[i].Answers[j].PointBiserial = nil, nil
		}
	}
	a.Questions = qs
	return fmt.Sprintf("%+v", a)
}

// round4 rounds half away from zero to 4 decimals; ok is false when v is
// too close to a halfway point for float64 to tell which way.
func round4(v float64) (r float64, ok bool) {
	scaled := v * 1e4
	frac := math.Abs(scaled - math.Trunc(scaled))
	return math.Round(scaled) / 1e4, math.Abs(frac-0.5) > 1e-6
}

func describe(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// compareAnalyses checks got against the brute force's want: the same
// shape, every number within 1e-9 (relative to its size) before rounding
// and exactly equal after.
func compareAnalyses(t *testing.T, d *ItemStatisticsData, want ItemAnalysis) {
	t.Helper()
	unrounded := analyseItems(d, (*exactValue).float)
	rounded := AnalyseItems(d)
	if g, w := withoutFloats(unrounded), withoutFloats(want); g != w {
		t.Fatalf("analysis:\n got %s\nwant %s", g, w)
	}
	if g, w := withoutFloats(rounded), withoutFloats(want); g != w {
		t.Fatalf("rounded analysis:\n got %s\nwant %s", g, w)
	}
	gu, gr, w := floats(unrounded), floats(rounded), floats(want)
	for i := range w {
		name := w[i].name
		if (gu[i].v == nil) != (w[i].v == nil) || (gr[i].v == nil) != (w[i].v == nil) {
			t.Errorf("%s = %s (rounded %s), want %s", name, describe(gu[i].v), describe(gr[i].v), describe(w[i].v))
			continue
		}
		if w[i].v == nil {
			continue
		}
		if diff := math.Abs(*gu[i].v - *w[i].v); diff > 1e-9*max(1, math.Abs(*w[i].v)) {
			t.Errorf("%s = %v, want %v (brute force)", name, *gu[i].v, *w[i].v)
		}
		r, ok := round4(*w[i].v)
		switch {
		case ok && *gr[i].v != r:
			t.Errorf("%s rounds to %v, want %v", name, *gr[i].v, r)
		case !ok && math.Abs(*gr[i].v-r) > 1.01e-4:
			t.Errorf("%s rounds to %v, want about %v", name, *gr[i].v, r)
		}
	}
}

// Every statistic of random exams equals the brute force's over the
// attempts themselves: all sizes, including the degenerate ones.
func TestAnalyseItemsMatchesBruteForce(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 16))
		exam := randomExam(rng)
		n := []int{0, 1, 2, 3, 7, 50, 200, 333}[seed%8]
		sittings := make([]sitting, n)
		for j := range sittings {
			sittings[j] = randomSitting(rng, exam)
		}
		t.Run(fmt.Sprintf("seed%d_n%d", seed, n), func(t *testing.T) {
			compareAnalyses(t, itemData(exam, sittings), bruteForce(exam, sittings))
		})
	}
}

// The bonus question (always full marks), the question everyone gets right
// and the one worth nothing have zero variance: sd_percent 0 (nil for the
// empty range), every correlation nil.
func TestAnalyseItemsConstantQuestions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	exam := randomExam(rng)
	for len(exam.Sections) < 3 {
		exam = randomExam(rng)
	}
	var sittings []sitting
	for range 30 {
		sittings = append(sittings, randomSitting(rng, exam))
	}
	a := AnalyseItems(itemData(exam, sittings))
	for _, q := range a.Questions {
		eq := exam.Question(q.ExamQuestionID)
		constant := eq.IsBonus || eq.Marks == hundredths("1.5") || eq.Marks == 0
		if !constant {
			continue
		}
		wantSD := describe(new(float64))
		wantFacility := "100"
		if eq.Marks == 0 {
			wantSD, wantFacility = "null", "null"
		}
		if describe(q.SDPercent) != wantSD || describe(q.FacilityIndex) != wantFacility ||
			q.DiscriminationIndex != nil || q.DiscriminativeEfficiency != nil {
			t.Errorf("question %d: facility %s, sd_percent %s, discrimination %s, efficiency %s; want %s, %s, null, null",
				q.ExamQuestionID, describe(q.FacilityIndex), describe(q.SDPercent), describe(q.DiscriminationIndex),
				describe(q.DiscriminativeEfficiency), wantFacility, wantSD)
		}
	}
}

// handExam: an MCQ worth 4 (−1 for a wrong answer; answers 1 right, 2
// wrong) and a numerical worth 2.
func handExam() *Exam {
	return &Exam{ID: 1, Sections: []Section{{ID: 9, Questions: []ExamQuestion{
		{ID: 11, SectionID: 9, Marks: hundredths("4"), NegativeMarks: hundredths("1"),
			Question: Question{ID: 21, Type: MCQSingle, Answers: []Answer{{ID: 1, IsCorrect: true}, {ID: 2}}}},
		{ID: 12, SectionID: 9, Marks: hundredths("2"), Question: Question{ID: 22, Type: Numerical}},
	}}}}
}

func ptr(v float64) *float64 { return &v }

// Four attempts computed by hand (x1, x2 → X): (4, 2 → 6) chose 1, (4, 0 →
// 4) chose 1, (−1, 2 → 1) chose 2, (0, 0 → 0) chose nothing.
// mean 11/4 = 2.75; median (1 + 4)/2 = 2.5; Σ(X − mean)² = 22.75, var =
// 22.75/3, sd = 2.75379; m2 = 91/16, m3 = 81/32, skewness = m3/m2^1.5 =
// 0.18662, kurtosis = m4/m2² − 3 = −146/91; var(x1) = 83/12, var(x2) = 4/3,
// alpha = 2·(1 − (83/12 + 4/3)/(91/12)) = −16/91, error ratio =
// 100·√(107/91) = 108.43543, standard error = √(107/91)·sd = 2.98608.
// Question 1: facility 100·(7/4 + 1)/5 = 55, sd% = 100·√(83/12)/5 =
// 52.59911; rest = (2, 0, 2, 0), cov = −1/3, r = −(1/3)/√(83/12·4/3) =
// −0.10976; sorted pairing (−1,0)(0,0)(4,2)(4,2): cov max 3, efficiency
// −100/9. Question 2: facility 50, sd% = 100·√(4/3)/2 = 57.73503, the same
// r and efficiency (the rest is question 1). Options: 1 chosen by 2/4 with
// r = 0.94346, 2 by 1/4 with r = −0.42366.
func TestAnalyseItemsHandExample(t *testing.T) {
	exam := handExam()
	sittings := []sitting{
		{marks: map[int64]decimal.Decimal{11: hundredths("4"), 12: hundredths("2")}, chosen: map[int64]bool{1: true}},
		{marks: map[int64]decimal.Decimal{11: hundredths("4"), 12: 0}, chosen: map[int64]bool{1: true}},
		{marks: map[int64]decimal.Decimal{11: hundredths("-1"), 12: hundredths("2")}, chosen: map[int64]bool{2: true}},
		{marks: map[int64]decimal.Decimal{11: 0, 12: 0}, chosen: map[int64]bool{}},
	}
	d := itemData(exam, sittings)
	got := AnalyseItems(d)
	bins := make([]ScoreBin, ScoreBins)
	for i := range bins { // [−1, 6] in bins of 0.35
		bins[i] = ScoreBin{From: hundredths("-1") + decimal.Decimal(35*i), To: hundredths("-1") + decimal.Decimal(35*(i+1))}
	}
	bins[2].Count, bins[5].Count, bins[14].Count, bins[19].Count = 1, 1, 1, 1 // 0, 1, 4, 6
	want := ItemAnalysis{Population: PopulationAll, Attempts: 4, Pending: 3,
		Mean: ptr(2.75), Median: ptr(2.5), SD: ptr(2.7538), Skewness: ptr(0.1866), Kurtosis: ptr(-1.6044),
		CronbachAlpha: ptr(-0.1758), ErrorRatio: ptr(108.4354), StandardError: ptr(2.9861),
		ScoreDistribution: bins,
		Questions: []QuestionAnalysis{
			{ExamQuestionID: 11, QuestionID: 21, SectionID: 9, Type: MCQSingle, Marks: hundredths("4"), Attempts: 4,
				FacilityIndex: ptr(55), SDPercent: ptr(52.5991), DiscriminationIndex: ptr(-10.9764),
				DiscriminativeEfficiency: ptr(-11.1111), Answers: []OptionAnalysis{
					{AnswerID: 1, Chosen: 2, ChosenPercent: ptr(50), PointBiserial: ptr(0.9435)},
					{AnswerID: 2, Chosen: 1, ChosenPercent: ptr(25), PointBiserial: ptr(-0.4237)},
				}},
			{ExamQuestionID: 12, QuestionID: 22, SectionID: 9, Type: Numerical, Marks: hundredths("2"), Attempts: 4,
				FacilityIndex: ptr(50), SDPercent: ptr(57.735), DiscriminationIndex: ptr(-10.9764),
				DiscriminativeEfficiency: ptr(-11.1111)},
		}}
	if g, w := fmt.Sprint(floats(got)), fmt.Sprint(floats(want)); withoutFloats(got) != withoutFloats(want) || !sameFloats(floats(got), floats(want)) {
		t.Errorf("got %s\n%s\nwant %s\n%s", withoutFloats(got), g, withoutFloats(want), w)
	}
}

func sameFloats(a, b []namedFloat) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].name != b[i].name || describe(a[i].v) != describe(b[i].v) {
			return false
		}
	}
	return true
}

// No attempt: only counts; one: the means but no spread; two equal scores:
// a zero spread (sd 0, sd_percent 0) and no correlation, moment or alpha.
func TestAnalyseItemsDegenerate(t *testing.T) {
	exam := handExam()
	one := sitting{marks: map[int64]decimal.Decimal{11: hundredths("4"), 12: 0}, chosen: map[int64]bool{1: true}}
	for _, tc := range []struct {
		name     string
		sittings []sitting
		want     string
	}{
		{"none", nil, "mean null median null sd null skewness null kurtosis null cronbach_alpha null error_ratio null standard_error null " +
			"q11 null null null null a1 0 null null a2 0 null null q12 null null null null"},
		{"one", []sitting{one}, "mean 4 median 4 sd null skewness null kurtosis null cronbach_alpha null error_ratio null standard_error null " +
			"q11 100 null null null a1 1 100 null a2 0 0 null q12 0 null null null"},
		{"two equal", []sitting{one, one}, "mean 4 median 4 sd 0 skewness null kurtosis null cronbach_alpha null error_ratio null standard_error null " +
			"q11 100 0 null null a1 2 100 null a2 0 0 null q12 0 0 null null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := AnalyseItems(itemData(exam, tc.sittings))
			got := fmt.Sprintf("mean %s median %s sd %s skewness %s kurtosis %s cronbach_alpha %s error_ratio %s standard_error %s",
				describe(a.Mean), describe(a.Median), describe(a.SD), describe(a.Skewness), describe(a.Kurtosis),
				describe(a.CronbachAlpha), describe(a.ErrorRatio), describe(a.StandardError))
			for _, q := range a.Questions {
				got += fmt.Sprintf(" q%d %s %s %s %s", q.ExamQuestionID, describe(q.FacilityIndex), describe(q.SDPercent),
					describe(q.DiscriminationIndex), describe(q.DiscriminativeEfficiency))
				for _, o := range q.Answers {
					got += fmt.Sprintf(" a%d %d %s %s", o.AnswerID, o.Chosen, describe(o.ChosenPercent), describe(o.PointBiserial))
				}
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if int(a.Attempts) != len(tc.sittings) || len(a.ScoreDistribution) != ScoreBins {
				t.Errorf("attempts %d, %d bins; want %d, %d", a.Attempts, len(a.ScoreDistribution), len(tc.sittings), ScoreBins)
			}
		})
	}
}

// Rounding is exact, half away from zero, for rationals and square roots
// alike, where float64 arithmetic would go either way.
func TestExactValueRounding(t *testing.T) {
	rat := func(a, b int64) *exactValue { return ratValue(big.NewRat(a, b)) }
	for _, tc := range []struct {
		v    *exactValue
		want *float64
	}{
		{rat(5, 100000), ptr(0.0001)},
		{rat(-5, 100000), ptr(-0.0001)},
		{rat(4999, 100000000), ptr(0)},
		{rat(-4999, 100000000), ptr(0)},
		{rat(20001, 20000), ptr(1.0001)}, // 1.00005
		{rat(200001, 200000), ptr(1)},    // 1.000005
		{rat(1234565, 100000), ptr(12.3457)},
		{rat(-1234565, 100000), ptr(-12.3457)},
		{sqrtValue(false, big.NewRat(1, 4)), ptr(0.5)},
		{sqrtValue(false, big.NewRat(2, 1)), ptr(1.4142)},
		{sqrtValue(true, big.NewRat(12345*12345, 100000*100000)), ptr(-0.1235)}, // exactly −0.12345
		{sqrtValue(false, big.NewRat(12345*12345-1, 100000*100000)), ptr(0.1234)},
		{sqrtValue(true, new(big.Rat)), ptr(0)},
		{nil, nil},
	} {
		if got := tc.v.rounded(); describe(got) != describe(tc.want) || got != nil && *got == 0 && math.Signbit(*got) {
			t.Errorf("%v rounds to %s, want %s", tc.v, describe(got), describe(tc.want))
		}
	}
}

// The sums stay exact past int64: a sum that overflows moves to big.Int.
func TestExactSumOverflow(t *testing.T) {
	var s exactSum
	want := new(big.Int)
	for _, f := range [][3]int64{{1 << 40, 1 << 20, 3}, {math.MaxInt64, 1, 1}, {-5, 7, 11}, {math.MinInt64, -1, 1}, {1 << 62, 1 << 62, 1 << 62}} {
		s.add(f[0], f[1], f[2])
		want.Add(want, mul(big.NewInt(f[0]), big.NewInt(f[1]), big.NewInt(f[2])))
	}
	if s.value().Cmp(want) != 0 {
		t.Errorf("sum = %s, want %s", s.value(), want)
	}
	var small exactSum
	small.add(-3, 4, 5)
	small.add(2, 2, 2)
	if small.big != nil || small.value().Int64() != -52 {
		t.Errorf("small sum = %s (big %v), want -52 as int64", small.value(), small.big != nil)
	}
}

// The sorted pairing of two marginals is that of the attempts sorted.
func TestSortedPairing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 50 {
		n := 1 + rng.IntN(40)
		xs, rs := make([]int64, n), make([]int64, n)
		for j := range n {
			xs[j], rs[j] = rng.Int64N(7)-2, rng.Int64N(30)-5
		}
		slices.Sort(xs)
		slices.Sort(rs)
		var want int64
		for j := range n {
			want += xs[j] * rs[j]
		}
		// Merge equal values into counts, as the marginals come.
		merge := func(v []int64, set func(int64) ItemCount) []ItemCount {
			var out []ItemCount
			for _, x := range v {
				if len(out) > 0 && (out[len(out)-1].Marks+out[len(out)-1].Rest) == decimal.Decimal(x) {
					out[len(out)-1].Attempts++
					continue
				}
				out = append(out, set(x))
			}
			return out
		}
		marks := merge(xs, func(x int64) ItemCount { return ItemCount{Marks: decimal.Decimal(x), Attempts: 1} })
		rests := merge(rs, func(x int64) ItemCount { return ItemCount{Rest: decimal.Decimal(x), Attempts: 1} })
		if got := sortedPairing(marks, rests); got.Int64() != want {
			t.Fatalf("sortedPairing = %s, want %d", got, want)
		}
	}
}
