package examhall

import (
	"context"

	"github.com/examhall/examhall/decimal"
)

// Population is which of each user's completed attempts of an exam its item
// analysis counts (issue 16 §1).
type Population int

// The populations of the item analysis. PopulationFirst is the ranking
// population of SPEC §5 (each user's earliest-started completed attempt,
// ties to the lower id); PopulationLast the latest-started (ties to the
// higher id); PopulationBest the highest-scoring (ties to the
// earliest-started, then the lower id); PopulationAll every completed
// attempt.
const (
	PopulationFirst Population = iota
	PopulationAll
	PopulationLast
	PopulationBest
)

// Populations lists every population, in the order of their numbers.
var Populations = []Population{PopulationFirst, PopulationAll, PopulationLast, PopulationBest}

var populationNames = []string{"first", "all", "last", "best"}

// String is the population's name on the wire ("first", "all", "last", "best").
func (p Population) String() string { return populationNames[p] }

// ParsePopulation reads a population's wire name; "" is PopulationFirst.
// Returns EINVALID for any other text.
func ParsePopulation(s string) (Population, error) {
	if s == "" {
		return PopulationFirst, nil
	}
	for i, name := range populationNames {
		if s == name {
			return Population(i), nil
		}
	}
	return 0, Errorf(EINVALID, `"%s" is not a valid choice: use first, all, last or best.`, s)
}

// ScoreCount is how many attempts of a population hold one score.
type ScoreCount struct {
	Score    decimal.Decimal
	Attempts int64
}

// ItemCount is how many attempts of a population were awarded Marks on one
// exam question while the rest of their test (their score minus Marks) came
// to Rest: the joint distribution of x_i and X − x_i, from which every
// per-question statistic follows exactly (sums, sums of squares and
// products, and the sorted pairing of Moodle's discriminative efficiency).
type ItemCount struct {
	Marks, Rest decimal.Decimal
	Attempts    int64
}

// OptionCount is how many attempts of a population chose one answer (option)
// of a choice question, and the sum of their scores (for the option's
// point-biserial correlation).
type OptionCount struct {
	Chosen   int64
	ScoreSum decimal.Decimal
}

// ItemStatisticsData is the sufficient statistics a store keeps for one
// exam and population: enough to compute the whole item analysis without
// reading any attempt. Attempts whose population member awaits essay
// grading are left out of every count and counted in Pending.
type ItemStatisticsData struct {
	Exam       *Exam // read-only
	Population Population
	// Pending is how many population members await essay grading.
	Pending int64
	// Scores is the distribution of X over the population, by ascending score.
	Scores []ScoreCount
	// Items holds, per exam question id, the joint counts of (x_i, X − x_i),
	// by ascending Marks then Rest. Every attempt counts on every question
	// of the exam (an unanswered one with its marks, 0), so each question's
	// counts sum to the population's size; a question no attempt of the
	// population has is absent.
	Items map[int64][]ItemCount
	// Options holds, per answer id of the exam's choice questions, how many
	// chose it and their score sum; an answer nobody chose is absent.
	Options map[int64]OptionCount
}

// ItemStatisticsStore keeps an exam's item-analysis sufficient statistics,
// updated in the transaction that changes an attempt.
type ItemStatisticsStore interface {
	// ItemStatistics returns the sufficient statistics of the exam and
	// population, and a version that changes whenever they change (so that
	// a computed analysis may be cached until then). Returns ENOTFOUND if no
	// exam has the id.
	ItemStatistics(ctx context.Context, examID int64, p Population) (*ItemStatisticsData, int64, error)
	// ItemStatisticsVersion returns the version ItemStatistics would return
	// now, reading one row. Returns ENOTFOUND if no exam has the id.
	ItemStatisticsVersion(ctx context.Context, examID int64) (int64, error)
}

// ItemAnalysis is an exam's item analysis (issue 16 §1; Moodle's quiz
// statistics with Canvas's per-option point-biserial). Every float is nil
// where it is undefined (fewer than 2 attempts, a zero variance), and
// rounded to 4 decimals otherwise.
type ItemAnalysis struct {
	Population Population
	// Attempts is n, the population's size (pending members left out).
	Attempts int64
	// Pending is how many population members await essay grading.
	Pending int64
	// Mean, Median, SD (sample, n − 1) of the scores X, in marks.
	Mean, Median, SD *float64
	// Skewness = m3/m2^1.5 and Kurtosis = m4/m2² − 3, m_k the population
	// central moments.
	Skewness, Kurtosis *float64
	// CronbachAlpha = k/(k−1)·(1 − Σ var(x_i)/var(X)), k every question of
	// the exam (bonus included).
	CronbachAlpha *float64
	// ErrorRatio = 100·√(1 − α), in percent; StandardError =
	// ErrorRatio/100·SD, in marks.
	ErrorRatio, StandardError *float64
	// ScoreDistribution is ScoreBins equal bins of [Σ x_i,min, Σ marks].
	ScoreDistribution []ScoreBin
	// Questions follow the exam's order.
	Questions []QuestionAnalysis
}

// QuestionAnalysis is one exam question's statistics over the population.
type QuestionAnalysis struct {
	ExamQuestionID, QuestionID, SectionID int64
	Type                                  QuestionType
	Marks                                 decimal.Decimal
	// Attempts is n.
	Attempts int64
	// FacilityIndex = 100·(mean(x_i) − x_i,min)/(x_i,max − x_i,min), percent.
	FacilityIndex *float64
	// SDPercent = 100·sd(x_i)/(x_i,max − x_i,min), percent; 0 when sd is 0.
	SDPercent *float64
	// DiscriminationIndex = 100·r(x_i, X − x_i), Pearson.
	DiscriminationIndex *float64
	// DiscriminativeEfficiency = 100·cov(x_i, X − x_i)/(the largest
	// covariance the two distributions allow: both sorted, paired in order).
	DiscriminativeEfficiency *float64
	// Answers, for choice questions only (nil otherwise), in the question's
	// answer order.
	Answers []OptionAnalysis
}

// OptionAnalysis is one answer (option) of a choice question.
type OptionAnalysis struct {
	AnswerID int64
	Chosen   int64
	// ChosenPercent = 100·Chosen/n.
	ChosenPercent *float64
	// PointBiserial = r(chose this option (0/1), X).
	PointBiserial *float64
}
