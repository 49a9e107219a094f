package examhall_test

import (
	"reflect"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

func dec(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// statisticsExam: a choice with negative marking, a numerical worth 4.50,
// an essay with negative marks set (never applied to essays) and a bonus
// question with negative marks set (never applied to bonus questions):
// scores run from −1 + 0 + 0 + 2 = 1.00 to 4 + 4.50 + 10 + 2 = 20.50.
func statisticsExam() *examhall.Exam {
	pass := dec("50")
	return &examhall.Exam{ID: 1, PassPercentage: &pass, Sections: []examhall.Section{
		{ID: 10, Name: "Part A", Questions: []examhall.ExamQuestion{
			{ID: 101, Marks: dec("4"), NegativeMarks: dec("1"), Question: examhall.Question{Type: examhall.MCQSingle, SubjectID: 7,
				Answers: []examhall.Answer{{ID: 1, IsCorrect: true}, {ID: 2}}}},
			{ID: 102, Marks: dec("4.50"), Question: examhall.Question{Type: examhall.Numerical, NumericalMin: "1", NumericalMax: "2"}},
		}},
		{ID: 20, Name: "Part B", Questions: []examhall.ExamQuestion{
			{ID: 201, Marks: dec("10"), NegativeMarks: dec("2"), Question: examhall.Question{Type: examhall.Essay, SubjectID: 7}},
			{ID: 202, Marks: dec("2"), NegativeMarks: dec("1"), IsBonus: true, Question: examhall.Question{Type: examhall.ShortAnswer,
				SubjectID: 8, AcceptedAnswers: []string{"x"}}},
		}},
	}}
}

// The score range is what the scoring engine gives the worst and the best
// attempt.
func TestScoreRangeIsWhatScoringGives(t *testing.T) {
	exam := statisticsExam()
	lowest, top := exam.ScoreRange()
	if lowest != dec("1") || top != dec("20.50") {
		t.Fatalf("ScoreRange = %s, %s; want 1.00, 20.50", lowest, top)
	}
	paper := scoring.NewPaper(exam, nil)
	sit := func(choice int64, value, short string, essay decimal.Decimal) decimal.Decimal {
		text := "my essay"
		return paper.Score(map[int64]*examhall.UserAnswer{
			101: {SelectedAnswerIDs: []int64{choice}}, 102: {NumericValue: &value},
			201: {EssayText: &text, GradedMarks: &essay}, 202: {ShortText: &short},
		}, 0).Score
	}
	if worst := sit(2, "9", "y", 0); worst != lowest {
		t.Errorf("the worst attempt scores %s, ScoreRange says %s", worst, lowest)
	}
	if best := sit(1, "1.5", "x", dec("10")); best != top {
		t.Errorf("the best attempt scores %s, ScoreRange says %s", best, top)
	}
}

// The bins of [1.00, 20.50] are 0.975 wide: their edges are rounded up to
// the hundredth, and each score falls in the bin whose edges say so.
func TestExamStatistics(t *testing.T) {
	st := examhall.NewExamStatistics(statisticsExam(), examhall.ExamCounts{ExamID: 1, Completed: 9})
	st.SubjectNames[7] = "Physics"
	for _, s := range []struct {
		score     string
		n, passed int
	}{
		{"1.00", 1, 0}, {"1.97", 1, 0}, // bin 0: [1.00, 1.98)
		{"1.98", 2, 0},  // bin 1: [1.98, 2.95)
		{"2.95", 1, 0},  // bin 2
		{"20.49", 1, 1}, // bin 19: [19.53, 20.50]
		{"20.50", 1, 1}, // the top closes the last bin
	} {
		st.AddScores(dec(s.score), s.n, s.passed)
	}
	st.AddQuestionMarks(101, dec("5"))
	st.AddQuestionMarks(102, dec("4.50"))
	st.AddQuestionMarks(201, dec("30.05"))
	st.AddQuestionMarks(202, dec("14"))
	bins := st.Distribution()
	if len(bins) != examhall.ScoreBins {
		t.Fatalf("%d bins", len(bins))
	}
	for _, want := range []struct {
		i        int
		from, to string
		count    int
	}{
		{0, "1.00", "1.98", 2}, {1, "1.98", "2.95", 2}, {2, "2.95", "3.93", 1}, {3, "3.93", "4.90", 0},
		{18, "18.55", "19.53", 0}, {19, "19.53", "20.50", 2},
	} {
		if got := bins[want.i]; got != (examhall.ScoreBin{From: dec(want.from), To: dec(want.to), Count: want.count}) {
			t.Errorf("bin %d = [%s, %s) %d; want [%s, %s) %d", want.i, got.From, got.To, got.Count, want.from, want.to, want.count)
		}
	}
	for i := 1; i < len(bins); i++ {
		if bins[i].From != bins[i-1].To {
			t.Errorf("bin %d starts at %s, bin %d ends at %s", i, bins[i].From, i-1, bins[i-1].To)
		}
	}
	// 7 graded, 2 passed: 28.57 %; total 1 + 1.97 + 3.96 + 2.95 + 20.49 + 20.50 = 50.87, mean 7.267… → 7.27.
	if rate, ok := st.PassRate(); !ok || rate != dec("28.57") {
		t.Errorf("PassRate = %s, %v; want 28.57", rate, ok)
	}
	if m := st.MeanScore(); m == nil || *m != dec("7.27") {
		t.Errorf("MeanScore = %v; want 7.27", m)
	}
	m := func(s string) *decimal.Decimal { d := dec(s); return &d }
	wantSections := []examhall.SectionStatistics{
		{SectionID: 10, Name: "Part A", MeanScore: m("1.36"), MaxScore: dec("8.50")}, // 9.50 / 7 = 1.357…
		{SectionID: 20, Name: "Part B", MeanScore: m("6.29"), MaxScore: dec("12")},   // 44.05 / 7 = 6.292…
	}
	if got := st.Sections(); !reflect.DeepEqual(got, wantSections) {
		t.Errorf("Sections = %+v\nwant %+v", got, wantSections)
	}
	wantSubjects := []examhall.SubjectStatistics{
		{SubjectID: 7, Name: "Physics", MeanScore: m("5.01"), MaxScore: dec("14")}, // 35.05 / 7 = 5.007…
		{SubjectID: 0, Name: "Uncategorized", MeanScore: m("0.64"), MaxScore: dec("4.50")},
		{SubjectID: 8, Name: "", MeanScore: m("2"), MaxScore: dec("2")}, // no name given
	}
	if got := st.Subjects(); !reflect.DeepEqual(got, wantSubjects) {
		t.Errorf("Subjects = %+v\nwant %+v", got, wantSubjects)
	}
}

// Nobody graded: no mean, no pass rate, empty bins; no pass percentage: no
// pass rate; no marks to win or lose: no bins; means round half away from
// zero.
func TestExamStatisticsEdges(t *testing.T) {
	exam := statisticsExam()
	st := examhall.NewExamStatistics(exam, examhall.ExamCounts{})
	if _, ok := st.PassRate(); ok || st.MeanScore() != nil || st.Sections()[0].MeanScore != nil {
		t.Errorf("nobody graded: pass rate %v, mean %v, section mean %v", ok, st.MeanScore(), st.Sections()[0].MeanScore)
	}
	for _, b := range st.Distribution() {
		if b.Count != 0 {
			t.Errorf("nobody graded: bin %+v", b)
		}
	}
	exam.PassPercentage = nil
	st.AddScores(dec("1"), 1, 0)
	st.AddScores(dec("1.01"), 1, 0)
	if _, ok := st.PassRate(); ok {
		t.Error("pass rate without a pass percentage")
	}
	if m := st.MeanScore(); m == nil || *m != dec("1.01") { // 1.005
		t.Errorf("mean of 1.00 and 1.01 = %v; want 1.01", m)
	}
	neg := examhall.NewExamStatistics(exam, examhall.ExamCounts{})
	neg.AddScores(dec("-1"), 1, 0)
	neg.AddScores(dec("-1.01"), 1, 0)
	if m := neg.MeanScore(); m == nil || *m != dec("-1.01") { // −1.005
		t.Errorf("mean of −1.00 and −1.01 = %v; want −1.01", m)
	}
	empty := examhall.NewExamStatistics(&examhall.Exam{}, examhall.ExamCounts{})
	empty.AddScores(0, 3, 0)
	if bins := empty.Distribution(); len(bins) != 0 || empty.Graded != 3 {
		t.Errorf("no marks: %d bins, %d graded", len(bins), empty.Graded)
	}
	if got := empty.Subjects(); got == nil || len(got) != 0 {
		t.Errorf("no questions: subjects %#v", got)
	}
}
