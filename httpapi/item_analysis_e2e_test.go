package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

// itemAnalysisExam has every kind of question the analysis treats apart:
// choice questions (single, multiple with partial marks, true or false)
// with negative marks, numerical and short answer, a bonus question and an
// essay (negative marks set, never applied).
func itemAnalysisExam() *examhall.Exam {
	d := func(s string) decimal.Decimal {
		v, err := decimal.Parse(s)
		if err != nil {
			panic(err)
		}
		return v
	}
	start := ist(2025, 1, 1, 0, 0, 0, 0)
	answers := func(texts string, correct ...int) []examhall.Answer {
		var out []examhall.Answer
		for i, text := range strings.Split(texts, ",") {
			out = append(out, examhall.Answer{TextHTML: text, IsCorrect: slices.Contains(correct, i)})
		}
		return out
	}
	return &examhall.Exam{Slug: "mock", Title: "National mock", StartDate: &start, MarkPerQuestion: d("1"),
		EnableRanks: true, AllowRetake: true, Published: true, Sections: []examhall.Section{
			{Name: "Choices", Questions: []examhall.ExamQuestion{
				{Marks: d("4"), NegativeMarks: d("1"), Question: examhall.Question{Type: examhall.MCQSingle, QuestionHTML: "<p>2+2?</p>",
					Answers: answers("3,4,5,22", 1)}},
				{Marks: d("4"), NegativeMarks: d("1"), PartialMarks: ptr(d("1.5")), Question: examhall.Question{Type: examhall.MCQMultiple,
					QuestionHTML: "<p>Primes?</p>", Answers: answers("2,3,4,9", 0, 1)}},
				{Marks: d("1"), NegativeMarks: d("0.25"), Question: examhall.Question{Type: examhall.TrueFalse, QuestionHTML: "<p>0 is even.</p>",
					Answers: answers("True,False", 0)}},
			}},
			{Name: "Written", Questions: []examhall.ExamQuestion{
				{Marks: d("3"), NegativeMarks: d("1"), Question: examhall.Question{Type: examhall.Numerical, QuestionHTML: "<p>√4?</p>",
					NumericalMin: "1.99", NumericalMax: "2.01"}},
				{Marks: d("2"), Question: examhall.Question{Type: examhall.ShortAnswer, QuestionHTML: "<p>Capital of India?</p>",
					AcceptedAnswers: []string{"New Delhi"}}},
				{Marks: d("2"), NegativeMarks: d("1"), IsBonus: true, Question: examhall.Question{Type: examhall.MCQSingle,
					QuestionHTML: "<p>A misprinted question.</p>", Answers: answers("a,b,c", 0)}},
				{Marks: d("10"), NegativeMarks: d("2"), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "<p>Discuss.</p>"}},
			}},
		}}
}

// itemAnalysisFixture sits 200 completed attempts of the mock by 110
// students of unequal ability (so that questions discriminate), with
// retakes (so that the first, last and best attempts differ), essays graded
// at partial marks, left ungraded (pending) or unanswered, and two running
// attempts (no population has them). It drives the store as reportFixture
// does: the test reads back only through the API.
func itemAnalysisFixture(t *testing.T, a *testAPI) (examID int64) {
	t.Helper()
	ctx := context.Background()
	db := a.db
	exam := itemAnalysisExam()
	if err := db.CreateExam(ctx, exam); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 200))
	type student struct {
		id      int64
		ability float64
	}
	var students []student
	for i := range 110 {
		u := &examhall.User{Username: fmt.Sprintf("s%03d", i), Email: fmt.Sprintf("s%03d@example.com", i), Role: examhall.RoleStudent, IsActive: true}
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		students = append(students, student{u.ID, 0.15 + 0.8*rng.Float64()})
	}
	qs := exam.Questions()
	answerIDs := func(q examhall.ExamQuestion, right bool) []int64 {
		var ids []int64
		for _, ans := range q.Question.Answers {
			if ans.IsCorrect == right {
				ids = append(ids, ans.ID)
			}
		}
		return ids
	}
	a.clock.Set(ist(2025, 2, 1, 9, 0, 0, 0))
	sitOne := func(s student, end bool) {
		t.Helper()
		a.clock.Advance(time.Minute)
		attempt, err := db.StartAttempt(ctx, s.id, exam.Slug, "")
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.Answers(ctx, s.id, attempt.ID)
		if err != nil {
			t.Fatal(err)
		}
		var essayAnswer int64
		for i, q := range qs {
			right := rng.Float64() < s.ability
			skip := rng.IntN(6) == 0
			var in examhall.AnswerInput
			switch q.Question.Type {
			case examhall.MCQSingle, examhall.TrueFalse:
				pick := answerIDs(q, right)
				in.SelectedAnswerIDs = &[]int64{pick[rng.IntN(len(pick))]}
			case examhall.MCQMultiple:
				correct, wrong := answerIDs(q, true), answerIDs(q, false)
				switch {
				case right:
					in.SelectedAnswerIDs = &correct
				case rng.IntN(2) == 0:
					in.SelectedAnswerIDs = &[]int64{correct[rng.IntN(2)]} // partial
				default:
					in.SelectedAnswerIDs = &[]int64{correct[0], wrong[rng.IntN(2)]}
				}
			case examhall.Numerical:
				in.NumericValue = ptr(map[bool]string{true: "2", false: "2.5"}[right])
			case examhall.ShortAnswer:
				in.ShortText = ptr(map[bool]string{true: "new delhi", false: "Mumbai"}[right])
			case examhall.Essay:
				in.EssayText = ptr("An essay.")
				essayAnswer = list[i].ID
			}
			if skip {
				if q.Question.Type == examhall.Essay {
					essayAnswer = 0
				}
				continue
			}
			if _, _, err := db.SaveAnswer(ctx, s.id, attempt.ID, list[i].ID, in); err != nil {
				t.Fatal(err)
			}
		}
		if !end {
			return
		}
		a.clock.Advance(time.Minute)
		if _, err := db.End(ctx, s.id, attempt.ID); err != nil {
			t.Fatal(err)
		}
		if essayAnswer != 0 && rng.IntN(8) != 0 { // one in eight stays pending
			marks := decimal.Decimal(50 * rng.Int64N(21)) // 0, 0.50, …, 10
			if _, _, err := db.GradeAnswer(ctx, 1, attempt.ID, essayAnswer, marks); err != nil {
				t.Fatal(err)
			}
		}
	}
	completed := 0
	for _, s := range students {
		sitOne(s, true)
		completed++
	}
	for completed < 200 { // retakes by the first students, some twice
		sitOne(students[(completed-110)%60], true)
		completed++
	}
	sitOne(students[3], false)
	sitOne(students[100], false)
	return exam.ID
}

// The wire shape of GET /api/v2.5/admin/exams/<id>/statistics/.
type itemStatsWire struct {
	ExamID            int64    `json:"exam_id"`
	Population        string   `json:"population"`
	Attempts          int64    `json:"attempts"`
	Pending           int64    `json:"pending"`
	Mean              *float64 `json:"mean"`
	Median            *float64 `json:"median"`
	SD                *float64 `json:"sd"`
	Skewness          *float64 `json:"skewness"`
	Kurtosis          *float64 `json:"kurtosis"`
	CronbachAlpha     *float64 `json:"cronbach_alpha"`
	ErrorRatio        *float64 `json:"error_ratio"`
	StandardError     *float64 `json:"standard_error"`
	ScoreDistribution []struct {
		From  decimal.Decimal `json:"from"`
		To    decimal.Decimal `json:"to"`
		Count int             `json:"count"`
	} `json:"score_distribution"`
	Questions []struct {
		ExamQuestionID           int64    `json:"exam_question_id"`
		QuestionID               int64    `json:"question_id"`
		SectionID                int64    `json:"section_id"`
		Type                     string   `json:"type"`
		Marks                    string   `json:"marks"`
		Attempts                 int64    `json:"attempts"`
		FacilityIndex            *float64 `json:"facility_index"`
		SDPercent                *float64 `json:"sd_percent"`
		DiscriminationIndex      *float64 `json:"discrimination_index"`
		DiscriminativeEfficiency *float64 `json:"discriminative_efficiency"`
		Answers                  *[]struct {
			AnswerID      int64    `json:"answer_id"`
			Chosen        int64    `json:"chosen"`
			ChosenPercent *float64 `json:"chosen_percent"`
			PointBiserial *float64 `json:"point_biserial"`
		} `json:"answers"`
	} `json:"questions"`
}

// iaAttempt is one completed attempt as §8.1 and §8.3 show it.
type iaAttempt struct {
	id, user int64
	date     time.Time
	score    float64
	pending  bool
	marks    map[int64]float64 // exam question id → marks awarded
	chosen   map[int64]bool    // answer id → selected
}

// iaQuestion is one exam question as §8.3 shows it.
type iaQuestion struct {
	ID            int64                `json:"id"`
	QuestionID    int64                `json:"question_id"`
	SectionID     int64                `json:"section_id"`
	Type          string               `json:"type"`
	Marks         decimal.Decimal      `json:"marks"`
	NegativeMarks decimal.Decimal      `json:"negative_marks"`
	PartialMarks  *decimal.Decimal     `json:"partial_marks"`
	Answers       []struct{ ID int64 } `json:"answers"`
	Order         int                  `json:"order"`
	IsBonus       bool                 `json:"is_bonus"`
}

// iaRead reads the exam's completed attempts through §8.1 and each one's
// marks and choices through §8.3; the exam questions in exam order.
func iaRead(t *testing.T, a *testAPI, admin string, examID int64) ([]iaAttempt, []iaQuestion) {
	t.Helper()
	var list struct {
		Next    *string
		Results []struct {
			ID     int64
			Date   time.Time
			UserID int64 `json:"user_id"`
			Score  decimal.Decimal
			State  string
		}
	}
	a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/attempts/?exams=%d&page_size=1000", examID), admin, nil, &list)
	if list.Next != nil {
		t.Fatal("more than one page of attempts")
	}
	var attempts []iaAttempt
	questions := map[int64]iaQuestion{}
	for _, r := range list.Results {
		if r.State != "Completed" {
			continue
		}
		var page struct {
			Next    *string
			Results struct {
				UserAnswers []struct {
					ExamQuestionID  int64   `json:"exam_question_id"`
					SelectedAnswers []int64 `json:"selected_answers"`
					Result          string
				} `json:"user_answers"`
				ExamQuestions []json.RawMessage `json:"exam_questions"`
			}
		}
		a.must(200, "GET", fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/?page_size=1000", r.ID), admin, nil, &page)
		for _, raw := range page.Results.ExamQuestions {
			var q iaQuestion
			if err := json.Unmarshal(raw, &q); err != nil {
				t.Fatal(err)
			}
			questions[q.ID] = q
		}
		at := iaAttempt{id: r.ID, user: r.UserID, date: r.Date, score: r.Score.Float64(), marks: map[int64]float64{}, chosen: map[int64]bool{}}
		// Marks by SPEC §5 from the result and the question's marks; an
		// essay's from the score, the rest of which the others make.
		var others float64
		essay, essayResult := int64(0), ""
		for _, ua := range page.Results.UserAnswers {
			q := questions[ua.ExamQuestionID]
			for _, id := range ua.SelectedAnswers {
				at.chosen[id] = true
			}
			if q.Type == "Essay" {
				essay = q.ID
				essayResult = ua.Result
				at.pending = ua.Result == "Pending Evaluation"
				continue
			}
			var m float64
			switch ua.Result {
			case "Correct":
				m = q.Marks.Float64()
			case "Partially Correct":
				m = q.PartialMarks.Float64()
			case "Incorrect":
				m = -q.NegativeMarks.Float64()
			case "Unanswered":
			default:
				t.Fatalf("attempt %d: result %q", r.ID, ua.Result)
			}
			at.marks[q.ID] = m
			others += m
		}
		if essay != 0 {
			m := math.Round((at.score-others)*100) / 100
			at.marks[essay] = m
			var ok bool
			switch full := questions[essay].Marks.Float64(); essayResult {
			case "Correct":
				ok = m == full
			case "Partially Correct":
				ok = m > 0 && m < full
			default: // Incorrect, Unanswered, Pending Evaluation
				ok = m == 0
			}
			if !ok {
				t.Fatalf("attempt %d: the essay's %v marks (score %v − the others' %v) contradict its result %q",
					r.ID, m, at.score, others, essayResult)
			}
		}
		attempts = append(attempts, at)
	}
	var qs []iaQuestion
	for _, q := range questions {
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(x, y iaQuestion) int {
		if x.SectionID != y.SectionID {
			return int(x.SectionID - y.SectionID)
		}
		return x.Order - y.Order
	})
	return attempts, qs
}

// iaPopulation picks the population's members among the completed
// attempts (SPEC §5 and issue 16 §1): each user's first (earliest-started,
// ties to the lower id), last (latest-started, ties to the higher id) or
// best (highest score, ties to the earliest-started, then the lower id),
// or all of them; then leaves out those whose essay awaits grading.
func iaPopulation(all []iaAttempt, population string) (members []iaAttempt, pending int64) {
	chosen := map[int64]iaAttempt{}
	var picked []iaAttempt
	for _, at := range all {
		if population == "all" {
			picked = append(picked, at)
			continue
		}
		cur, ok := chosen[at.user]
		earlier := at.date.Before(cur.date) || at.date.Equal(cur.date) && at.id < cur.id
		better := false
		switch population {
		case "first":
			better = earlier
		case "last":
			better = cur.date.Before(at.date) || at.date.Equal(cur.date) && at.id > cur.id
		case "best":
			better = at.score > cur.score || at.score == cur.score && earlier
		}
		if !ok || better {
			chosen[at.user] = at
		}
	}
	for _, at := range chosen {
		picked = append(picked, at)
	}
	for _, at := range picked {
		if at.pending {
			pending++
			continue
		}
		members = append(members, at)
	}
	return members, pending
}

// iaStats computes the analysis by its definitions over the attempts.
type iaStats struct {
	floats map[string]*float64
	ints   map[string]int64
}

func iaCompute(members []iaAttempt, qs []iaQuestion) iaStats {
	st := iaStats{floats: map[string]*float64{}, ints: map[string]int64{}}
	f := func(v float64) *float64 { return &v }
	n := len(members)
	X := make([]float64, n)
	for j, at := range members {
		X[j] = at.score
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
		if n < 2 || cov(a, a) == 0 || cov(b, b) == 0 {
			return nil
		}
		return f(cov(a, b) / math.Sqrt(cov(a, a)*cov(b, b)))
	}
	central := func(k float64) float64 {
		m := mean(X)
		var s float64
		for _, x := range X {
			s += math.Pow(x-m, k)
		}
		return s / float64(n)
	}
	st.ints["attempts"] = int64(n)
	if n > 0 {
		st.floats["mean"] = f(mean(X))
		sorted := slices.Sorted(slices.Values(X))
		st.floats["median"] = f((sorted[(n-1)/2] + sorted[n/2]) / 2)
	}
	if n >= 2 {
		st.floats["sd"] = f(math.Sqrt(cov(X, X)))
		if m2 := central(2); m2 > 0 {
			st.floats["skewness"] = f(central(3) / math.Pow(m2, 1.5))
			st.floats["kurtosis"] = f(central(4)/(m2*m2) - 3)
		}
	}
	var sumVar, lowest, top float64
	for _, q := range qs {
		at := fmt.Sprintf("q%d.", q.ID)
		lo := -q.NegativeMarks.Float64()
		if q.IsBonus || q.Type == "Essay" {
			lo = 0
		}
		hi := q.Marks.Float64()
		lowest += lo
		top += hi
		x, rest := make([]float64, n), make([]float64, n)
		for j, m := range members {
			x[j] = m.marks[q.ID]
			rest[j] = X[j] - x[j]
		}
		st.ints[at+"attempts"] = int64(n)
		if n > 0 {
			st.floats[at+"facility_index"] = f(100 * (mean(x) - lo) / (hi - lo))
		}
		st.floats[at+"discrimination_index"], st.floats[at+"discriminative_efficiency"] = nil, nil
		if n >= 2 {
			sumVar += cov(x, x)
			st.floats[at+"sd_percent"] = f(100 * math.Sqrt(cov(x, x)) / (hi - lo))
			if r := pearson(x, rest); r != nil {
				st.floats[at+"discrimination_index"] = f(100 * *r)
				// Moodle: pair the marks sorted with the rests sorted.
				xs, rs := slices.Sorted(slices.Values(x)), slices.Sorted(slices.Values(rest))
				st.floats[at+"discriminative_efficiency"] = f(100 * cov(x, rest) / cov(xs, rs))
			}
		}
		for _, ans := range q.Answers {
			at := fmt.Sprintf("%sa%d.", at, ans.ID)
			chose := make([]float64, n)
			var c int64
			for j, m := range members {
				if m.chosen[ans.ID] {
					chose[j] = 1
					c++
				}
			}
			st.ints[at+"chosen"] = c
			if n > 0 {
				st.floats[at+"chosen_percent"] = f(100 * float64(c) / float64(n))
			}
			st.floats[at+"point_biserial"] = pearson(chose, X)
		}
	}
	if k := float64(len(qs)); n >= 2 && cov(X, X) > 0 {
		alpha := k / (k - 1) * (1 - sumVar/cov(X, X))
		st.floats["cronbach_alpha"] = f(alpha)
		st.floats["error_ratio"] = f(100 * math.Sqrt(1-alpha))
		st.floats["standard_error"] = f(math.Sqrt(1-alpha) * math.Sqrt(cov(X, X)))
	}
	// 20 equal bins of [Σ x_i,min, Σ marks], half-open but the last.
	w := (top - lowest) / 20
	for i := range 20 {
		from, to := lowest+float64(i)*w, lowest+float64(i+1)*w
		var c int64
		for _, x := range X {
			// Scores are whole hundredths, and so are the bins' ends once
			// rounded up: compare in hundredths.
			xh, fh, th := math.Round(x*100), math.Ceil(math.Round(from*1e6)/1e4), math.Ceil(math.Round(to*1e6)/1e4)
			if xh >= fh && (xh < th || i == 19 && xh <= th) {
				c++
			}
		}
		st.ints[fmt.Sprintf("bin%d.count", i)] = c
		st.floats[fmt.Sprintf("bin%d.from", i)] = f(from)
		st.floats[fmt.Sprintf("bin%d.to", i)] = f(to)
	}
	return st
}

// flatten puts the response in iaStats's terms.
func (w itemStatsWire) flatten() iaStats {
	st := iaStats{floats: map[string]*float64{
		"mean": w.Mean, "median": w.Median, "sd": w.SD, "skewness": w.Skewness, "kurtosis": w.Kurtosis,
		"cronbach_alpha": w.CronbachAlpha, "error_ratio": w.ErrorRatio, "standard_error": w.StandardError,
	}, ints: map[string]int64{"attempts": w.Attempts}}
	for i, b := range w.ScoreDistribution {
		from, to := b.From.Float64(), b.To.Float64()
		st.floats[fmt.Sprintf("bin%d.from", i)] = &from
		st.floats[fmt.Sprintf("bin%d.to", i)] = &to
		st.ints[fmt.Sprintf("bin%d.count", i)] = int64(b.Count)
	}
	for _, q := range w.Questions {
		at := fmt.Sprintf("q%d.", q.ExamQuestionID)
		st.ints[at+"attempts"] = q.Attempts
		st.floats[at+"facility_index"] = q.FacilityIndex
		st.floats[at+"sd_percent"] = q.SDPercent
		st.floats[at+"discrimination_index"] = q.DiscriminationIndex
		st.floats[at+"discriminative_efficiency"] = q.DiscriminativeEfficiency
		if q.Answers != nil {
			for _, o := range *q.Answers {
				at := fmt.Sprintf("%sa%d.", at, o.AnswerID)
				st.ints[at+"chosen"] = o.Chosen
				st.floats[at+"chosen_percent"] = o.ChosenPercent
				st.floats[at+"point_biserial"] = o.PointBiserial
			}
		}
	}
	return st
}

func iaShow(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// compareItemStats checks every statistic of the response against the
// test's own computation: the same keys, the same nulls, numbers within
// 0.0001 (a bin's ends: the hundredth at or above the exact one).
func compareItemStats(t *testing.T, population string, got, want iaStats) {
	t.Helper()
	for k, w := range want.ints {
		if g, ok := got.ints[k]; !ok || g != w {
			t.Errorf("%s: %s = %d (present %v), want %d", population, k, g, ok, w)
		}
	}
	for k := range got.ints {
		if _, ok := want.ints[k]; !ok {
			t.Errorf("%s: unexpected %s", population, k)
		}
	}
	for k, w := range want.floats {
		g, ok := got.floats[k]
		tolerance := 0.0001
		if strings.HasPrefix(k, "bin") {
			tolerance = 0.01
		}
		switch {
		case !ok:
			t.Errorf("%s: %s missing, want %s", population, k, iaShow(w))
		case (g == nil) != (w == nil) || g != nil && math.Abs(*g-*w) > tolerance+1e-9:
			t.Errorf("%s: %s = %s, want %s", population, k, iaShow(g), iaShow(w))
		}
	}
	for k := range got.floats {
		if _, ok := want.floats[k]; !ok {
			t.Errorf("%s: unexpected %s", population, k)
		}
	}
}

// TestItemAnalysisAgainstTheAttempts is issue 16's Done-when for item
// analysis: every statistic of a generated exam with 200 attempts, for each
// population, equals the test's own computation from §8.1 and §8.3 alone;
// an ungraded essay keeps its attempt out and counts in pending, until it is
// graded.
func TestItemAnalysisAgainstTheAttempts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := a.token("admin")
		examID := itemAnalysisFixture(t, a)

		check := func() {
			t.Helper()
			attempts, qs := iaRead(t, a, admin, examID)
			if len(qs) != 7 {
				t.Fatalf("%d exam questions", len(qs))
			}
			means := map[string]float64{}
			for _, population := range []string{"first", "all", "last", "best"} {
				members, pending := iaPopulation(attempts, population)
				if pending == 0 {
					t.Errorf("%s: no member pending: the fixture does not test pending", population)
				}
				means[population] = *iaCompute(members, qs).floats["mean"]
				var got itemStatsWire
				a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/statistics/?population=%s", examID, population), admin, nil, &got)
				if got.ExamID != examID || got.Population != population || got.Pending != pending {
					t.Errorf("%s: exam_id %d, population %q, pending %d; want %d, %q, %d",
						population, got.ExamID, got.Population, got.Pending, examID, population, pending)
				}
				if len(got.Questions) != len(qs) || len(got.ScoreDistribution) != 20 {
					t.Fatalf("%s: %d questions, %d bins", population, len(got.Questions), len(got.ScoreDistribution))
				}
				for i, q := range got.Questions {
					w := qs[i]
					wantAnswers := w.Type == "MCQ, Single Correct" || w.Type == "MCQ, Multiple Correct" || w.Type == "True or False"
					if q.ExamQuestionID != w.ID || q.QuestionID != w.QuestionID || q.SectionID != w.SectionID || q.Type != w.Type ||
						q.Marks != w.Marks.String() || (q.Answers != nil) != wantAnswers {
						t.Errorf("%s: question %d is %+v, want %+v", population, i, q, w)
					}
					if q.Answers != nil {
						var ids, wantIDs []int64
						for _, o := range *q.Answers {
							ids = append(ids, o.AnswerID)
						}
						for _, o := range w.Answers {
							wantIDs = append(wantIDs, o.ID)
						}
						if !slices.Equal(ids, wantIDs) {
							t.Errorf("%s: question %d answers %v, want %v (the question's order)", population, q.ExamQuestionID, ids, wantIDs)
						}
					}
				}
				compareItemStats(t, population, got.flatten(), iaCompute(members, qs))
			}
			if means["first"] == means["last"] || means["first"] == means["best"] || means["last"] == means["best"] {
				t.Errorf("the populations' means %v do not tell them apart", means)
			}
			var first itemStatsWire
			a.must(200, "GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/statistics/", examID), admin, nil, &first)
			if first.Population != "first" {
				t.Errorf("default population %q, want first", first.Population)
			}
		}
		check()

		// The fixture left some essays pending; the populations must show
		// it, and grading one moves its attempt into them.
		attempts, _ := iaRead(t, a, admin, examID)
		var pendingAttempt int64
		for _, at := range attempts {
			if at.pending {
				pendingAttempt = at.id
			}
		}
		if _, pending := iaPopulation(attempts, "all"); pending == 0 || pendingAttempt == 0 {
			t.Fatal("no pending essay in the fixture")
		}
		answers, err := a.db.Answers(context.Background(), examhall.AnyUser, pendingAttempt)
		if err != nil {
			t.Fatal(err)
		}
		essay := answers[len(answers)-1]
		if _, _, err := a.db.GradeAnswer(context.Background(), 1, pendingAttempt, essay.ID, decimal.FromInt(7)); err != nil {
			t.Fatal(err)
		}
		check()

		if got := a.do("GET", fmt.Sprintf("/api/v2.5/admin/exams/%d/statistics/?population=median", examID), "JWT "+admin, "", ""); got.status != 400 {
			t.Errorf("unknown population: %d %s", got.status, got.body)
		}
	})
}
