package scoring_test

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// bytesSource hands out the fuzz input byte by byte; zeros once it runs out.
type bytesSource struct {
	b []byte
	i int
}

func (s *bytesSource) byte() byte {
	if s.i >= len(s.b) {
		return 0
	}
	v := s.b[s.i]
	s.i++
	return v
}

// intn returns a number in [0, n).
func (s *bytesSource) intn(n int) int { return int(s.byte()) % n }

func pick[T any](s *bytesSource, choices ...T) T { return choices[s.intn(len(choices))] }

// fuzzExam builds a valid exam, its subject tree and an attempt's answers.
func fuzzExam(data []byte) (*examhall.Exam, []examhall.Subject, map[int64]*examhall.UserAnswer, time.Duration) {
	src := &bytesSource{b: data}

	// Subject tree: each subject is a root or a child of an earlier one.
	nSubjects := src.intn(9)
	var subjects []examhall.Subject
	for i := range nSubjects {
		id := int64(i+1) * 3
		if src.intn(2) == 0 {
			id = int64(100 - i)
		}
		s := examhall.Subject{ID: id, Name: "S" + string(rune('A'+i))}
		if i > 0 && src.intn(3) != 0 {
			s.ParentID = subjects[src.intn(i)].ID
		}
		subjects = append(subjects, s)
	}
	var leaves []int64
	for _, s := range subjects {
		if !slices.ContainsFunc(subjects, func(c examhall.Subject) bool { return c.ParentID == s.ID }) {
			leaves = append(leaves, s.ID)
		}
	}

	e := &examhall.Exam{ID: 1}
	if src.intn(3) != 0 {
		e.PassPercentage = decp(pick(src, "0", "25", "33.33", "50", "66.67", "100"))
	}
	nSections := 1 + src.intn(3)
	for i := range nSections {
		e.Sections = append(e.Sections, examhall.Section{ID: int64(10 + 7*i), ExamID: 1, Order: i + 1})
	}
	nQuestions := 1 + src.intn(30)
	answers := map[int64]*examhall.UserAnswer{}
	for i := range nQuestions {
		sec := &e.Sections[src.intn(nSections)]
		id := int64(1 + 3*i)
		base := id * 10 // answer ids of this question: base+0 …
		var q examhall.Question
		switch src.intn(6) {
		case 0:
			q = single(base, base+1, base+2, base+3)
		case 1:
			nCorrect := 1 + src.intn(4)
			var correct, wrong []int64
			for k := range int64(4) {
				if k < int64(nCorrect) {
					correct = append(correct, base+k)
				} else {
					wrong = append(wrong, base+k)
				}
			}
			q = multiple(correct, wrong)
		case 2:
			q = trueFalse(base, base+1)
		case 3:
			q = numerical(pick(src, "-5.5", "0", "9.75"), pick(src, "9.75", "10.25", "12"))
		case 4:
			q = short("Alpha", " beta ")
		default:
			q = essay()
		}
		q.ID = id + 1000
		if len(leaves) > 0 && src.intn(4) != 0 {
			q.SubjectID = leaves[src.intn(len(leaves))]
		}
		q.Difficulty = pick(src, examhall.Difficulty(""), examhall.Easy, examhall.Medium, examhall.Hard)
		eq := examhall.ExamQuestion{
			ID: id, ExamID: 1, SectionID: sec.ID, Order: len(sec.Questions) + 1, Question: q,
			Marks:         dec(pick(src, "0", "1", "2", "4", "0.25", "2.50", "1.33")),
			NegativeMarks: dec(pick(src, "0", "0", "0.25", "1")),
			IsBonus:       src.intn(8) == 0,
		}
		if src.intn(2) == 0 {
			eq.PartialMarks = decp(pick(src, "0.50", "1"))
		}
		sec.Questions = append(sec.Questions, eq)

		// The attempt's answer, blank or not.
		if src.intn(5) == 0 {
			continue
		}
		a := &examhall.UserAnswer{ExamQuestionID: id, Duration: time.Duration(src.intn(200)) * time.Second}
		switch q.Type {
		case examhall.MCQSingle, examhall.MCQMultiple, examhall.TrueFalse:
			a.SelectedAnswerIDs = []int64{}
			for range src.intn(5) {
				a.SelectedAnswerIDs = append(a.SelectedAnswerIDs, base+int64(src.intn(len(q.Answers))))
			}
		case examhall.Numerical:
			if src.intn(6) != 0 {
				a.NumericValue = strp(pick(src, "", " ", "-5.5", "0", "9.75", "9.750", "10", "10.25", "11", "13", "abc"))
			}
		case examhall.ShortAnswer:
			if src.intn(6) != 0 {
				a.ShortText = strp(pick(src, "", "  ", "alpha", " ALPHA ", "Beta", "gamma"))
			}
		default:
			if src.intn(6) != 0 {
				a.EssayText = strp(pick(src, "", " \n", "an essay"))
			}
			if src.intn(2) == 0 {
				g := pick(src, decimal.Decimal(0), eq.Marks/2, eq.Marks, dec("0.25"))
				if g > eq.Marks {
					g = eq.Marks
				}
				a.GradedMarks = &g
			}
		}
		answers[id] = a
	}
	timeTaken := time.Duration(src.intn(256)) * time.Duration(pick(src, time.Second, time.Minute))
	return e, subjects, answers, timeTaken
}

func FuzzScore(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 1, 2, 0, 1, 2, 2, 29, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, twice: the quick brown fox"))
	seed := make([]byte, 512)
	for i := range seed {
		seed[i] = byte(i*37 + i/3)
	}
	f.Add(seed)
	for i := range seed {
		seed[i] = byte(i*i + 11)
	}
	f.Add(seed)

	f.Fuzz(func(t *testing.T, data []byte) {
		e, subjects, answers, timeTaken := fuzzExam(data)
		r := scoring.NewPaper(e, subjects).Score(answers, timeTaken)
		questions := e.Questions()
		n := len(questions)

		// Counts add up to the number of questions.
		if got := r.Correct + r.Incorrect + r.Partial + r.Unanswered + r.Pending; got != n {
			t.Fatalf("C+I+P+U+Pending = %d, want %d questions", got, n)
		}

		// One judgement per question in exam order; their marks sum to the score.
		if len(r.Answers) != n {
			t.Fatalf("%d judgements for %d questions", len(r.Answers), n)
		}
		var sum decimal.Decimal
		var total decimal.Decimal
		for i, j := range r.Answers {
			q := questions[i]
			if j.ExamQuestionID != q.ID {
				t.Fatalf("judgement %d is for question %d, want %d", i, j.ExamQuestionID, q.ID)
			}
			if q.IsBonus && (j.Result != examhall.Correct || j.Marks != q.Marks) {
				t.Fatalf("bonus question %d judged %v %s", q.ID, j.Result, j.Marks)
			}
			if j.Result == examhall.PendingEvaluation && q.Question.Type != examhall.Essay {
				t.Fatalf("question %d of type %s pending", q.ID, q.Question.Type)
			}
			sum += j.Marks
			total += q.Marks
		}
		if sum != r.Score {
			t.Fatalf("judgement marks sum to %s, score is %s", sum, r.Score)
		}

		// Sections add up to the attempt.
		if len(r.Sections) != len(e.Sections) {
			t.Fatalf("%d section rows for %d sections", len(r.Sections), len(e.Sections))
		}
		var secs scoring.Tally
		for _, s := range r.Sections {
			secs = addTally(secs, s.Tally)
		}
		if secs != r.Tally {
			t.Fatalf("sections sum to %+v, attempt is %+v", secs, r.Tally)
		}

		// Subject rows: leaves (with Uncategorized) add up to the attempt;
		// each parent row is the sum of its child rows.
		var leafSum scoring.Tally
		for i, row := range r.Subjects {
			if i > 0 && row.SubjectID != 0 && row.SubjectID <= r.Subjects[i-1].SubjectID {
				t.Fatalf("subject rows out of order: %+v", r.Subjects)
			}
			if row.SubjectID == 0 && (i != len(r.Subjects)-1 || !row.IsLeaf || row.Name != scoring.Uncategorized) {
				t.Fatalf("bad Uncategorized row %d: %+v", i, r.Subjects)
			}
			if row.SubjectID != 0 {
				hasChild := slices.ContainsFunc(subjects, func(s examhall.Subject) bool { return s.ParentID == row.SubjectID })
				if row.IsLeaf == hasChild {
					t.Fatalf("row %d IsLeaf = %v, has children %v", row.SubjectID, row.IsLeaf, hasChild)
				}
			}
			if row.IsLeaf {
				leafSum = addTally(leafSum, row.Tally)
				continue
			}
			var children scoring.Tally
			for _, c := range r.Subjects {
				if c.SubjectID != 0 && c.ParentID == row.SubjectID {
					children = addTally(children, c.Tally)
				}
			}
			if children != row.Tally {
				t.Fatalf("row %d = %+v, its children sum to %+v", row.SubjectID, row.Tally, children)
			}
		}
		if leafSum != r.Tally {
			t.Fatalf("leaf subject rows sum to %+v, attempt is %+v", leafSum, r.Tally)
		}

		// Difficulty rows cover every question, and only levels that occur.
		levels := 0
		for d, tl := range r.Difficulty {
			if tl.Total() == 0 {
				t.Fatalf("difficulty row %q with no question", d)
			}
			levels += tl.Total()
		}
		if levels != n {
			t.Fatalf("difficulty rows cover %d questions, want %d", levels, n)
		}

		// Percentage = score*100/total rounded half away from zero to hundredths.
		var want decimal.Decimal
		if total != 0 {
			// in hundredths: score_h * 10000 / total_h
			num := new(big.Int).Mul(big.NewInt(int64(r.Score)), big.NewInt(10000))
			den := big.NewInt(int64(total))
			neg := num.Sign()*den.Sign() < 0
			num.Abs(num)
			den.Abs(den)
			q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
			if rem.Lsh(rem, 1).Cmp(den) >= 0 {
				q.Add(q, big.NewInt(1))
			}
			if neg {
				q.Neg(q)
			}
			want = decimal.Decimal(q.Int64())
		}
		if r.Percentage != want {
			t.Fatalf("Percentage = %s, want %s (score %s of %s)", r.Percentage, want, r.Score, total)
		}

		if r.Accuracy < 0 || r.Accuracy > 100 {
			t.Fatalf("Accuracy = %d", r.Accuracy)
		}
		if r.Speed < 0 {
			t.Fatalf("Speed = %d", r.Speed)
		}
		switch {
		case e.PassPercentage == nil || r.Pending > 0:
			if r.Result != "NA" {
				t.Fatalf("Result = %q, want NA", r.Result)
			}
		case r.Percentage >= *e.PassPercentage:
			if r.Result != "Pass" {
				t.Fatalf("Result = %q, want Pass", r.Result)
			}
		default:
			if r.Result != "Fail" {
				t.Fatalf("Result = %q, want Fail", r.Result)
			}
		}
	})
}

func addTally(a, b scoring.Tally) scoring.Tally {
	return scoring.Tally{
		Correct:    a.Correct + b.Correct,
		Incorrect:  a.Incorrect + b.Incorrect,
		Partial:    a.Partial + b.Partial,
		Unanswered: a.Unanswered + b.Unanswered,
		Pending:    a.Pending + b.Pending,
		Score:      a.Score + b.Score,
	}
}
