package examhall

import (
	"github.com/examhall/examhall/decimal"
)

// ExamCounts is how many attempts of an exam are in each state of SPEC §8.1,
// as the database's triggers keep them (never counted over the attempts).
type ExamCounts struct {
	ExamID                         int64
	Running, Completed, NotStarted int
	// PendingEvaluation are the completed attempts with an essay awaiting
	// grading; they are counted in Completed too, as §8.1's state filter
	// counts them.
	PendingEvaluation int
}

// ScoreBins is how many equal bins an exam's score distribution has.
const ScoreBins = 20

// ScoreBin is one bin of a score distribution: the Count scores s with
// From ≤ s < To (the last bin: From ≤ s ≤ To).
type ScoreBin struct {
	From, To decimal.Decimal
	Count    int
}

// SectionStatistics is a section's mean score over an exam's graded
// population and the most it can give.
type SectionStatistics struct {
	SectionID int64
	Name      string
	MeanScore *decimal.Decimal // nil: no graded attempt
	MaxScore  decimal.Decimal
}

// SubjectStatistics is the mean score of the questions tagged with one
// subject (SubjectID 0: none, named "Uncategorized") over an exam's graded
// population, and the most they can give.
type SubjectStatistics struct {
	SubjectID int64
	Name      string
	MeanScore *decimal.Decimal // nil: no graded attempt
	MaxScore  decimal.Decimal
}

// ExamStatistics is what an exam's charts draw, accumulated from its graded
// population: each user's first completed attempt (the rank population of
// SPEC §5) whose evaluation is complete; an attempt with an essay awaiting
// grading has only a provisional score and stays out until graded. The store
// feeds it aggregates (AddScores, AddQuestionMarks), never the attempts
// themselves, so that it holds nothing per attempt.
type ExamStatistics struct {
	Exam   *Exam // read-only
	Counts ExamCounts
	// SubjectNames names the subjects the exam's questions are tagged with.
	SubjectNames map[int64]string
	// Graded is the population's size; Passed how many of it have the
	// result Pass.
	Graded, Passed int

	scoreTotal     int64 // hundredths
	lowest, top    decimal.Decimal
	bins           [ScoreBins]int
	questionTotals map[int64]int64 // exam question id → hundredths
}

// NewExamStatistics starts the statistics of exam with its counts.
func NewExamStatistics(exam *Exam, counts ExamCounts) *ExamStatistics {
	lowest, top := exam.ScoreRange()
	return &ExamStatistics{Exam: exam, Counts: counts, SubjectNames: map[int64]string{},
		lowest: lowest, top: top, questionTotals: map[int64]int64{}}
}

// AddScores adds n graded attempts that scored score, passed of them with
// the result Pass.
func (s *ExamStatistics) AddScores(score decimal.Decimal, n, passed int) {
	s.Graded += n
	s.Passed += passed
	s.scoreTotal += int64(score) * int64(n)
	if span := int64(s.top - s.lowest); span > 0 {
		s.bins[scoreBin(score, s.lowest, span)] += n
	}
}

// scoreBin is the bin of score among ScoreBins equal bins of [lowest,
// lowest + span], span > 0 hundredths: floor((score − lowest) × bins /
// span), exact in whole hundredths; the top score closes the last bin.
func scoreBin(score, lowest decimal.Decimal, span int64) int {
	bin := int((int64(score-lowest) * ScoreBins) / span)
	return min(max(bin, 0), ScoreBins-1)
}

// scoreBinEdge is where bin i of ScoreBins equal bins of [lowest, lowest +
// span] starts (i = ScoreBins: where the last one ends): lowest + i × span /
// ScoreBins rounded up to the next hundredth, so that the bin holds exactly
// the whole-hundredth scores from its start up to, not including, the next.
func scoreBinEdge(lowest decimal.Decimal, span, i int64) decimal.Decimal {
	return lowest + decimal.Decimal((i*span+ScoreBins-1)/ScoreBins) // the ceiling: both are ≥ 0
}

// AddQuestionMarks adds the marks the graded attempts won (or lost) on one
// exam question, summed over them.
func (s *ExamStatistics) AddQuestionMarks(examQuestionID int64, total decimal.Decimal) {
	s.questionTotals[examQuestionID] += int64(total)
}

// ScoreRange is the least and the most an attempt of the exam can score by
// the rules of SPEC §5: a bonus question gives its marks to everyone; an
// essay 0 (graded at nothing, never below) to marks; any other question
// −negative_marks (a wrong answer) to marks.
func (e *Exam) ScoreRange() (lowest, top decimal.Decimal) {
	for _, s := range e.Sections {
		for _, q := range s.Questions {
			top += q.Marks
			switch {
			case q.IsBonus:
				lowest += q.Marks
			case q.Question.Type != Essay:
				lowest -= q.NegativeMarks
			}
		}
	}
	return lowest, top
}

// ScoreRange is the least and the most an attempt of the exam can score (see
// Exam.ScoreRange): the ends of the distribution.
func (s *ExamStatistics) ScoreRange() (lowest, top decimal.Decimal) { return s.lowest, s.top }

// PassRate is the percentage of the graded population with the result Pass,
// rounded half away from zero to two decimals; ok is false when the exam has
// no pass percentage or nobody is graded.
func (s *ExamStatistics) PassRate() (rate decimal.Decimal, ok bool) {
	if s.Exam.PassPercentage == nil || s.Graded == 0 {
		return 0, false
	}
	return decimal.Percent(decimal.Decimal(s.Passed), decimal.Decimal(s.Graded)), true
}

// MeanScore is the population's mean score, rounded half away from zero to
// two decimals; nil when nobody is graded.
func (s *ExamStatistics) MeanScore() *decimal.Decimal {
	return s.mean(s.scoreTotal)
}

func (s *ExamStatistics) mean(total int64) *decimal.Decimal {
	if s.Graded == 0 {
		return nil
	}
	m := decimal.Decimal(decimal.DivRound(total, int64(s.Graded)))
	return &m
}

// Distribution is the population's scores in ScoreBins equal bins of
// [lowest, top] (ScoreRange). Bin i starts at lowest + i × (top − lowest) /
// ScoreBins rounded up to the next hundredth: scores are whole hundredths,
// so the bin holds exactly the scores from its From up to, not including,
// its To, and the last one its To as well. An exam whose scores cannot differ
// (top = lowest) has no bins.
func (s *ExamStatistics) Distribution() []ScoreBin {
	span := int64(s.top - s.lowest)
	if span <= 0 {
		return []ScoreBin{}
	}
	bins := make([]ScoreBin, ScoreBins)
	for i := range bins {
		bins[i] = ScoreBin{From: scoreBinEdge(s.lowest, span, int64(i)), To: scoreBinEdge(s.lowest, span, int64(i)+1), Count: s.bins[i]}
	}
	return bins
}

// Sections are the exam's sections in order, each with its mean score.
func (s *ExamStatistics) Sections() []SectionStatistics {
	out := make([]SectionStatistics, 0, len(s.Exam.Sections))
	for _, sec := range s.Exam.Sections {
		st := SectionStatistics{SectionID: sec.ID, Name: sec.Name}
		var total int64
		for _, q := range sec.Questions {
			st.MaxScore += q.Marks
			total += s.questionTotals[q.ID]
		}
		st.MeanScore = s.mean(total)
		out = append(out, st)
	}
	return out
}

// UncategorizedName names the questions without a subject (SPEC §5).
const UncategorizedName = "Uncategorized"

// Subjects are the subjects the exam's questions are tagged with (not their
// ancestors), in the order they first appear in the exam, each with its
// mean score; questions without one make the row of SubjectID 0.
func (s *ExamStatistics) Subjects() []SubjectStatistics {
	var out []SubjectStatistics
	totals := []int64{}
	at := map[int64]int{}
	for _, sec := range s.Exam.Sections {
		for _, q := range sec.Questions {
			id := q.Question.SubjectID
			i, ok := at[id]
			if !ok {
				name := s.SubjectNames[id]
				if id == 0 {
					name = UncategorizedName
				}
				i = len(out)
				at[id] = i
				out = append(out, SubjectStatistics{SubjectID: id, Name: name})
				totals = append(totals, 0)
			}
			out[i].MaxScore += q.Marks
			totals[i] += s.questionTotals[q.ID]
		}
	}
	for i := range out {
		out[i].MeanScore = s.mean(totals[i])
	}
	if out == nil {
		out = []SubjectStatistics{}
	}
	return out
}
