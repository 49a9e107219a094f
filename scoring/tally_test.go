package scoring_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/scoring"
)

// Tallying the judgements Score stored gives Score's result back.
func TestTallyOfStoredJudgements(t *testing.T) {
	exam := &examhall.Exam{PassPercentage: ptrDec(decimal.FromInt(40)), Sections: []examhall.Section{{ID: 1, Order: 1,
		Questions: []examhall.ExamQuestion{
			{ID: 10, Marks: decimal.FromInt(4), NegativeMarks: decimal.FromInt(1), Question: examhall.Question{
				Type: examhall.MCQSingle, SubjectID: 2, Difficulty: examhall.Easy,
				Answers: []examhall.Answer{{ID: 100, IsCorrect: true}, {ID: 101}}}},
			{ID: 11, Marks: decimal.FromInt(10), Question: examhall.Question{Type: examhall.Essay}},
			{ID: 12, Marks: decimal.FromInt(2), Question: examhall.Question{Type: examhall.ShortAnswer, AcceptedAnswers: []string{"x"}}},
		}}}}
	subjects := []examhall.Subject{{ID: 1, Name: "Science"}, {ID: 2, Name: "Physics", ParentID: 1}}
	paper := scoring.NewPaper(exam, subjects)
	essay, wrong := "An essay.", "y"
	answers := map[int64]*examhall.UserAnswer{
		10: {ExamQuestionID: 10, SelectedAnswerIDs: []int64{101}, Duration: 30 * time.Second},
		11: {ExamQuestionID: 11, EssayText: &essay, GradedMarks: ptrDec(decimal.FromInt(6))},
		12: {ExamQuestionID: 12, ShortText: &wrong},
	}
	scored := paper.Score(answers, 10*time.Minute)
	for _, j := range scored.Answers {
		answers[j.ExamQuestionID].Result, answers[j.ExamQuestionID].Marks = j.Result, j.Marks
	}
	tallied := paper.Tally(answers, 10*time.Minute)
	if !reflect.DeepEqual(tallied, scored) {
		t.Fatalf("tally differs from score:\n%+v\n%+v", tallied, scored)
	}
	// -1 + 6 + 0 = 5 of 16 = 31.25 %: Fail.
	if scored.Score != decimal.FromInt(5) || scored.Percentage.String() != "31.25" || scored.Result != "Fail" {
		t.Fatalf("score = %s %s %s", scored.Score, scored.Percentage, scored.Result)
	}
}

func ptrDec(d decimal.Decimal) *decimal.Decimal { return &d }

// A subject tree damaged into a cycle must not hang scoring.
func TestSubjectCycleDoesNotHang(t *testing.T) {
	exam := &examhall.Exam{Sections: []examhall.Section{{ID: 1, Questions: []examhall.ExamQuestion{
		{ID: 10, Marks: decimal.FromInt(1), Question: examhall.Question{Type: examhall.Essay, SubjectID: 1}}}}}}
	cyclic := []examhall.Subject{{ID: 1, Name: "A", ParentID: 2}, {ID: 2, Name: "B", ParentID: 1}}
	r := scoring.NewPaper(exam, cyclic).Score(nil, 0)
	if r.Unanswered != 1 || len(r.Subjects) != 2 {
		t.Fatalf("result = %+v", r)
	}
}
