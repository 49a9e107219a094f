package examhall

import (
	"cmp"
	"math"
	"math/big"
	"slices"

	"github.com/examhall/examhall/decimal"
)

// AnalyseItems computes the item analysis of issue 16 §1 from an exam's
// sufficient statistics: Moodle's quiz statistics (the test's moments,
// Cronbach's alpha, error ratio and standard error; per question the
// facility index, the standard deviation as a percentage of the question's
// range, the discrimination index and the discriminative efficiency: see
// Moodle's "Quiz statistics calculations" developer page and
// question/classes/statistics/questions/calculator.php) with Canvas's
// per-option point-biserial correlation. It reads nothing but d.
//
// With n attempts, X an attempt's score and x_i its marks on question i:
// sample statistics divide by n − 1; skewness = m3/m2^1.5 and kurtosis =
// m4/m2² − 3 with m_k the population central moments; the median of an even
// count is the mean of the two middle scores; alpha counts k = every
// question of the exam, bonus ones included. A question's range is
// [x_i,min, marks]: x_i,min is −negative_marks, except 0 for a bonus
// question (as the issue defines it) and for an essay (graded at nothing,
// never below: SPEC §5); the score distribution's bins cover [Σ x_i,min,
// Σ marks]. A statistic is nil where it is undefined: no attempt (means),
// fewer than 2 (everything with n − 1 or a correlation), a zero variance in
// a ratio (correlations, moments, alpha) or a question whose range is
// empty; sd_percent is 0 when the standard deviation is. Values are rounded
// half away from zero to 4 decimals.
//
// Numerics: scores and marks are whole hundredths, so every sum (Σx_i,
// Σx_i², Σx_i·(X − x_i), ΣX … ΣX⁴, the sorted pairing's Σ) is an exact
// integer, kept in int64 while it fits and in a big.Int after. Every
// statistic is then a rational number or ± the square root of one (the
// standard deviations, the correlations, the skewness, the error ratio),
// computed exactly as such and rounded exactly: only the final float64 is
// inexact, so no cancellation (ΣX² − (ΣX)²/n) ever loses digits and a value
// exactly halfway between two 4-decimal numbers always rounds away from zero.
func AnalyseItems(d *ItemStatisticsData) ItemAnalysis {
	return analyseItems(d, (*exactValue).rounded)
}

// analyseItems computes the analysis, making its numbers with out: rounded
// for AnalyseItems, unrounded for tests that compare with a brute-force
// computation.
func analyseItems(d *ItemStatisticsData, out func(*exactValue) *float64) ItemAnalysis {
	a := ItemAnalysis{Population: d.Population, Pending: d.Pending, Questions: []QuestionAnalysis{}}

	// The test: n, S_k = ΣX^k (hundredths).
	var n int64
	s1, s2 := new(big.Int), new(big.Int)
	s3, s4 := new(big.Int), new(big.Int)
	var sum1, sum2 exactSum
	x, t := new(big.Int), new(big.Int)
	for _, sc := range d.Scores {
		n += sc.Attempts
		sum1.add(sc.Attempts, int64(sc.Score), 1)
		sum2.add(sc.Attempts, int64(sc.Score), int64(sc.Score))
		x.SetInt64(int64(sc.Score))
		t.Mul(x, x).Mul(t, x).Mul(t, big.NewInt(sc.Attempts))
		s3.Add(s3, t)
		t.Mul(t, x)
		s4.Add(s4, t)
	}
	s1.Set(sum1.value())
	s2.Set(sum2.value())
	a.Attempts = n
	bn := big.NewInt(n)

	if n > 0 {
		a.Mean = out(ratValue(new(big.Rat).SetFrac(s1, big.NewInt(n*100))))
		a.Median = out(ratValue(median(d.Scores, n)))
	}
	// A2 = n·Σ(X − mean)², A3 = n²·Σ(X − mean)³, A4 = n³·Σ(X − mean)⁴.
	a2 := new(big.Int).Sub(mul(bn, s2), mul(s1, s1))
	var varX *big.Rat // hundredths²
	if n >= 2 {
		varX = new(big.Rat).SetFrac(a2, big.NewInt(n*(n-1)))
		a.SD = out(sqrtValue(false, scaled(varX, 1, 10000)))
		if a2.Sign() > 0 {
			a3 := mul(bn, bn, s3)
			a3.Sub(a3, mul(big.NewInt(3), bn, s1, s2))
			a3.Add(a3, mul(big.NewInt(2), s1, s1, s1))
			a4 := mul(bn, bn, bn, s4)
			a4.Sub(a4, mul(big.NewInt(4), bn, bn, s1, s3))
			a4.Add(a4, mul(big.NewInt(6), bn, s1, s1, s2))
			a4.Sub(a4, mul(big.NewInt(3), s1, s1, s1, s1))
			// skewness = A3/A2^1.5 = ±√(A3²/A2³); kurtosis = A4/A2² − 3.
			a.Skewness = out(sqrtValue(a3.Sign() < 0, new(big.Rat).SetFrac(mul(a3, a3), mul(a2, a2, a2))))
			kurt := new(big.Rat).SetFrac(a4, mul(a2, a2))
			a.Kurtosis = out(ratValue(kurt.Sub(kurt, big.NewRat(3, 1))))
		}
	}

	var lowest, top decimal.Decimal
	k := 0
	sumVar := new(big.Rat) // Σ var(x_i), hundredths²
	alphaDefined := true
	for _, sec := range d.Exam.Sections {
		for i := range sec.Questions {
			q := &sec.Questions[i]
			k++
			lo := itemMin(q)
			lowest += lo
			top += q.Marks
			qa, v := analyseQuestion(q, lo, d.Items[q.ID], out)
			if v == nil {
				alphaDefined = false
			} else {
				sumVar.Add(sumVar, v)
			}
			if q.Question.Type.HasChoices() {
				qa.Answers = analyseOptions(q, d.Options, n, s1, a2, out)
			}
			a.Questions = append(a.Questions, qa)
		}
	}

	// alpha = k/(k−1)·(1 − Σvar(x_i)/var(X)); error ratio = 100·√(1 − α);
	// standard error = √(1 − α)·sd.
	if alphaDefined && k >= 2 && varX != nil && varX.Sign() > 0 {
		alpha := new(big.Rat).Quo(sumVar, varX)
		alpha.Sub(big.NewRat(1, 1), alpha)
		alpha.Mul(alpha, big.NewRat(int64(k), int64(k-1)))
		a.CronbachAlpha = out(ratValue(alpha))
		if rest := new(big.Rat).Sub(big.NewRat(1, 1), alpha); rest.Sign() >= 0 {
			a.ErrorRatio = out(sqrtValue(false, scaled(rest, 10000, 1)))
			a.StandardError = out(sqrtValue(false, scaled(rest.Mul(rest, varX), 1, 10000)))
		}
	}

	a.ScoreDistribution = distribution(d.Scores, lowest, top)
	return a
}

// itemMin is the least marks question q gives (x_i,min): see AnalyseItems.
func itemMin(q *ExamQuestion) decimal.Decimal {
	if q.IsBonus || q.Question.Type == Essay {
		return 0
	}
	return -q.NegativeMarks
}

// median is the middle score of scores (n attempts in all, n > 0), or the
// mean of the two middle ones, in marks.
func median(scores []ScoreCount, n int64) *big.Rat {
	lowIdx, highIdx := (n-1)/2, n/2 // 0-based positions in ascending order
	var low, high int64
	var seen int64
	for _, sc := range scores {
		if lowIdx >= seen && lowIdx < seen+sc.Attempts {
			low = int64(sc.Score)
		}
		if highIdx >= seen && highIdx < seen+sc.Attempts {
			high = int64(sc.Score)
			break
		}
		seen += sc.Attempts
	}
	return new(big.Rat).SetFrac(new(big.Int).Add(big.NewInt(low), big.NewInt(high)), big.NewInt(200))
}

// distribution counts the scores in ScoreBins equal bins of [lowest, top]
// (as ExamStatistics.Distribution); none when top ≤ lowest.
func distribution(scores []ScoreCount, lowest, top decimal.Decimal) []ScoreBin {
	span := int64(top - lowest)
	if span <= 0 {
		return []ScoreBin{}
	}
	bins := make([]ScoreBin, ScoreBins)
	for i := range bins {
		bins[i] = ScoreBin{From: scoreBinEdge(lowest, span, int64(i)), To: scoreBinEdge(lowest, span, int64(i)+1)}
	}
	for _, sc := range scores {
		bins[scoreBin(sc.Score, lowest, span)].Count += int(sc.Attempts)
	}
	return bins
}

// analyseQuestion computes one question's statistics from the joint counts
// of (x_i, X − x_i), and returns its sample variance (hundredths²; nil for
// fewer than 2 attempts) for Cronbach's alpha.
func analyseQuestion(q *ExamQuestion, lo decimal.Decimal, items []ItemCount, out func(*exactValue) *float64) (QuestionAnalysis, *big.Rat) {
	qa := QuestionAnalysis{ExamQuestionID: q.ID, QuestionID: q.Question.ID, SectionID: q.SectionID,
		Type: q.Question.Type, Marks: q.Marks}
	var n int64
	var sx, sxx, sr, srr, sxr exactSum
	// The marginals of x_i and X − x_i, to sort for the pairing.
	marks, rests := make([]ItemCount, 0, len(items)), make([]ItemCount, 0, len(items))
	for _, it := range items {
		n += it.Attempts
		sx.add(it.Attempts, int64(it.Marks), 1)
		sxx.add(it.Attempts, int64(it.Marks), int64(it.Marks))
		sr.add(it.Attempts, int64(it.Rest), 1)
		srr.add(it.Attempts, int64(it.Rest), int64(it.Rest))
		sxr.add(it.Attempts, int64(it.Marks), int64(it.Rest))
		marks = append(marks, ItemCount{Marks: it.Marks, Attempts: it.Attempts})
		rests = append(rests, ItemCount{Rest: it.Rest, Attempts: it.Attempts})
	}
	qa.Attempts = n
	bn := big.NewInt(n)
	span := int64(q.Marks - lo)
	if n > 0 && span > 0 {
		// facility = 100·(Σx/n − lo)/span = (Σx − n·lo)·100/(n·span).
		num := new(big.Int).Sub(sx.value(), mul(bn, big.NewInt(int64(lo))))
		qa.FacilityIndex = out(ratValue(new(big.Rat).SetFrac(num.Mul(num, big.NewInt(100)), mul(bn, big.NewInt(span)))))
	}
	if n < 2 {
		return qa, nil
	}
	// n·Σ(x − x̄)², n·Σ(r − r̄)², n·Σ(x − x̄)(r − r̄): exact integers.
	cxx := new(big.Int).Sub(mul(bn, sxx.value()), mul(sx.value(), sx.value()))
	crr := new(big.Int).Sub(mul(bn, srr.value()), mul(sr.value(), sr.value()))
	cxr := new(big.Int).Sub(mul(bn, sxr.value()), mul(sx.value(), sr.value()))
	variance := new(big.Rat).SetFrac(cxx, big.NewInt(n*(n-1)))
	if span > 0 {
		// sd_percent = 100·sd/span = √(var·10⁴/span²).
		qa.SDPercent = out(sqrtValue(false, scaled(variance, 10000, span*span)))
	}
	if cxx.Sign() > 0 && crr.Sign() > 0 {
		// r = cxr/√(cxx·crr) = ±√(cxr²/(cxx·crr)).
		qa.DiscriminationIndex = out(sqrtValue(cxr.Sign() < 0, scaled(new(big.Rat).SetFrac(mul(cxr, cxr), mul(cxx, crr)), 10000, 1)))
		// Moodle pairs the marks sorted with the rests sorted: the largest
		// covariance these two marginals allow.
		slices.SortFunc(marks, func(a, b ItemCount) int { return cmp.Compare(a.Marks, b.Marks) })
		slices.SortFunc(rests, func(a, b ItemCount) int { return cmp.Compare(a.Rest, b.Rest) })
		best := sortedPairing(marks, rests)
		// > 0: two non-constant marginals paired in order covary positively.
		if cmax := new(big.Int).Sub(mul(bn, best), mul(sx.value(), sr.value())); cmax.Sign() > 0 {
			qa.DiscriminativeEfficiency = out(ratValue(new(big.Rat).SetFrac(cxr.Mul(cxr, big.NewInt(100)), cmax)))
		}
	}
	return qa, variance
}

// sortedPairing is Σ x_(j)·r_(j), x_(j) and r_(j) the j-th smallest marks
// and rest: the two marginals (items by ascending Marks, rests by ascending
// Rest, repeats allowed) walked in step, never one row per attempt.
func sortedPairing(items, rests []ItemCount) *big.Int {
	var s exactSum
	i, j := 0, 0
	var leftI, leftJ int64
	for i < len(items) && j < len(rests) {
		if leftI == 0 {
			leftI = items[i].Attempts
		}
		if leftJ == 0 {
			leftJ = rests[j].Attempts
		}
		m := min(leftI, leftJ)
		s.add(m, int64(items[i].Marks), int64(rests[j].Rest))
		leftI -= m
		leftJ -= m
		if leftI == 0 {
			i++
		}
		if leftJ == 0 {
			j++
		}
	}
	return s.value()
}

// analyseOptions computes the options of choice question q in its answer
// order: chosen_percent = 100·chosen/n and point_biserial = r(chose (0/1),
// X) = (n·T − c·S1)/√((n·c − c²)·A2), c the choosers and T their score sum.
func analyseOptions(q *ExamQuestion, options map[int64]OptionCount, n int64, s1, a2 *big.Int, out func(*exactValue) *float64) []OptionAnalysis {
	answers := make([]OptionAnalysis, 0, len(q.Question.Answers))
	bn := big.NewInt(n)
	for _, ans := range q.Question.Answers {
		oc := options[ans.ID]
		o := OptionAnalysis{AnswerID: ans.ID, Chosen: oc.Chosen}
		if n > 0 {
			o.ChosenPercent = out(ratValue(big.NewRat(100*oc.Chosen, n)))
		}
		if n >= 2 && a2.Sign() > 0 && oc.Chosen > 0 && oc.Chosen < n {
			c := big.NewInt(oc.Chosen)
			num := new(big.Int).Sub(mul(bn, big.NewInt(int64(oc.ScoreSum))), mul(c, s1))
			varC := new(big.Int).Sub(mul(bn, c), mul(c, c))
			o.PointBiserial = out(sqrtValue(num.Sign() < 0, new(big.Rat).SetFrac(mul(num, num), mul(varC, a2))))
		}
		answers = append(answers, o)
	}
	return answers
}

// mul is the product of its factors, a new big.Int.
func mul(factors ...*big.Int) *big.Int {
	p := big.NewInt(1)
	for _, f := range factors {
		p.Mul(p, f)
	}
	return p
}

// scaled is r·num/den, a new big.Rat.
func scaled(r *big.Rat, num, den int64) *big.Rat {
	return new(big.Rat).Mul(r, big.NewRat(num, den))
}

// exactSum is an exact sum of products of int64s: an int64 while it fits
// (every realistic exam), a big.Int after.
type exactSum struct {
	small int64
	big   *big.Int
}

// add adds a·b·c.
func (s *exactSum) add(a, b, c int64) {
	if s.big == nil {
		if p, ok := mul64(a, b); ok {
			if p, ok = mul64(p, c); ok {
				if total := s.small + p; (p >= 0) == (total >= s.small) {
					s.small = total
					return
				}
			}
		}
		s.big = big.NewInt(s.small)
	}
	s.big.Add(s.big, mul(big.NewInt(a), big.NewInt(b), big.NewInt(c)))
}

// value is the sum, a new big.Int.
func (s *exactSum) value() *big.Int {
	if s.big != nil {
		return new(big.Int).Set(s.big)
	}
	return big.NewInt(s.small)
}

// mul64 is a·b; ok is false when it overflows int64.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == math.MinInt64 && b == -1) || (b == math.MinInt64 && a == -1) {
		return 0, false
	}
	return p, true
}

// exactValue is a statistic held exactly as (−1)^neg·√sq, sq ≥ 0 rational:
// every statistic of the analysis is a rational or ± the square root of
// one (a rational p is held as p²). A nil *exactValue is undefined.
type exactValue struct {
	neg bool
	sq  *big.Rat
}

// ratValue holds the rational p.
func ratValue(p *big.Rat) *exactValue {
	return &exactValue{neg: p.Sign() < 0, sq: new(big.Rat).Mul(p, p)}
}

// sqrtValue holds ±√sq (− when neg).
func sqrtValue(neg bool, sq *big.Rat) *exactValue {
	return &exactValue{neg: neg && sq.Sign() != 0, sq: sq}
}

// rounded is the value rounded half away from zero to 4 decimals; nil when
// undefined. With N/D = 4·10⁸·sq, the rounded magnitude is the largest k
// with k − ½ ≤ 10⁴·√sq, i.e. (2k − 1)² ≤ N/D: k = ⌊(⌊√⌊N/D⌋⌋ + 1)/2⌋, all
// in integers.
func (v *exactValue) rounded() *float64 {
	if v == nil {
		return nil
	}
	q := new(big.Int).Mul(v.sq.Num(), big.NewInt(4_0000_0000))
	q.Quo(q, v.sq.Denom())
	q.Sqrt(q)
	q.Add(q, big.NewInt(1))
	q.Rsh(q, 1)
	if v.neg {
		q.Neg(q)
	}
	f, _ := new(big.Rat).SetFrac(q, big.NewInt(10000)).Float64()
	return &f
}

// float is the value unrounded, to float64 precision; nil when undefined.
func (v *exactValue) float() *float64 {
	if v == nil {
		return nil
	}
	r := new(big.Float).SetPrec(200).SetRat(v.sq)
	f, _ := r.Sqrt(r).Float64()
	if v.neg {
		f = -f
	}
	return &f
}
