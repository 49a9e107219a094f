package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

func dec(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// sampleExam has two sections and a question of every type.
func sampleExam(physics, chemistry int64) *examhall.Exam {
	start := time.Date(2026, 1, 1, 3, 30, 0, 0, time.UTC)
	return &examhall.Exam{
		Slug: "mock-1", Title: "Mock Test 1", Description: "<p>Full syllabus</p>", StartDate: &start,
		Duration: ptr(3 * time.Hour), PassPercentage: ptr(dec("40")), MarkPerQuestion: dec("4"),
		NegativeMarks: dec("1"), EnableRanks: true, AllowRetake: true, ShowScore: true, ShowPercentile: true,
		ShowPassOrFail: true, ShowAnswers: true, Published: true, Batches: []string{"JEE 2027", "NEET 2027"},
		Sections: []examhall.Section{
			{Name: "Part A", CutOff: dec("10"), Questions: []examhall.ExamQuestion{
				{Marks: dec("4"), NegativeMarks: dec("1"), Question: examhall.Question{Key: "q-1", Type: examhall.MCQSingle,
					QuestionHTML: "<p>g?</p>", ExplanationHTML: "<p>9.8</p>", SubjectID: physics, Difficulty: examhall.Easy,
					Answers: []examhall.Answer{{TextHTML: "9.8", IsCorrect: true}, {TextHTML: "10"}}}},
				{Marks: dec("4"), NegativeMarks: dec("2"), PartialMarks: ptr(dec("1")), Question: examhall.Question{
					Type: examhall.MCQMultiple, QuestionHTML: "<p>Noble gases</p>", SubjectID: chemistry, Difficulty: examhall.Hard,
					Answers: []examhall.Answer{{TextHTML: "He", IsCorrect: true}, {TextHTML: "Ne", IsCorrect: true}, {TextHTML: "O"}}}},
				{Marks: dec("1"), Question: examhall.Question{Type: examhall.TrueFalse, QuestionHTML: "<p>Sun is a star</p>",
					Answers: []examhall.Answer{{TextHTML: "True", IsCorrect: true}, {TextHTML: "False"}}}},
			}},
			{Name: "Part B", Duration: ptr(time.Hour), Questions: []examhall.ExamQuestion{
				{Marks: dec("4"), Question: examhall.Question{Type: examhall.Numerical, QuestionHTML: "<p>g</p>",
					DirectionHTML: "<p>Two decimals</p>", SubjectID: physics, Difficulty: examhall.Medium,
					NumericalMin: "9.75", NumericalMax: "9.85"}},
				{Marks: dec("2"), IsBonus: true, Question: examhall.Question{Type: examhall.ShortAnswer, QuestionHTML: "<p>Who?</p>",
					AcceptedAnswers: []string{"Newton", "Isaac Newton"}}},
				{Marks: dec("10"), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "<p>Explain</p>"}},
			}},
		},
	}
}

func TestExams(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		science := &examhall.Subject{Key: "sci", Name: "Science"}
		if err := db.CreateSubject(ctx, science); err != nil {
			t.Fatal(err)
		}
		physics := &examhall.Subject{Key: "phy", Name: "Physics", ParentID: science.ID}
		chemistry := &examhall.Subject{Name: "Chemistry", ParentID: science.ID}
		for _, s := range []*examhall.Subject{physics, chemistry} {
			if err := db.CreateSubject(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateSubject(ctx, &examhall.Subject{Name: "Orphan", ParentID: 999}); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("unknown parent: %v", err)
		}
		subjects, err := db.Subjects(ctx)
		if want := []examhall.Subject{*science, *physics, *chemistry}; err != nil || !reflect.DeepEqual(subjects, want) {
			t.Fatalf("Subjects = %+v, %v", subjects, err)
		}

		exam := sampleExam(physics.ID, chemistry.ID)
		if err := db.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		if exam.ID == 0 || exam.Sections[1].Questions[2].ID == 0 || exam.Sections[0].Questions[1].Question.Answers[2].ID == 0 {
			t.Fatalf("ids not set: %+v", exam)
		}
		if q := exam.Questions(); len(q) != 6 || q[5].Order != 5 || q[3].SectionID != exam.Sections[1].ID {
			t.Fatalf("questions = %+v", q)
		}
		for _, load := range []func() (*examhall.Exam, error){
			func() (*examhall.Exam, error) { return db.ExamByID(ctx, exam.ID) },
			func() (*examhall.Exam, error) { return db.ExamBySlug(ctx, "mock-1") },
		} {
			got, err := load()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, exam) {
				t.Fatalf("loaded exam differs:\n got %+v\nwant %+v", got, exam)
			}
		}
		if got := exam.TotalMarks(); got != dec("25") {
			t.Errorf("TotalMarks = %s, want 25.00", got)
		}

		// A second exam with the same slug, or a question on an unknown subject, changes nothing.
		again := sampleExam(physics.ID, 999)
		err = db.CreateExam(ctx, again)
		var e *examhall.Error
		if !asErr(err, &e) || !reflect.DeepEqual(e.Fields, map[string][]string{
			"sections[0].questions[1].subject": {`Invalid pk "999" - object does not exist.`}}) {
			t.Fatalf("unknown subject: %v", err)
		}
		again = sampleExam(physics.ID, chemistry.ID)
		if err := db.CreateExam(ctx, again); !asErr(err, &e) ||
			!reflect.DeepEqual(e.Fields, map[string][]string{"slug": {"exam with this slug already exists."}}) {
			t.Fatalf("duplicate slug: %v", err)
		}
		if _, err := db.ExamByID(ctx, exam.ID+1); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("exam after failed creates: %v", err)
		}
	})
}

func TestExamValidation(t *testing.T) {
	exam := sampleExam(0, 0)
	exam.Slug = "bad slug"
	exam.NegativeMarks = dec("-1")
	exam.PassPercentage = ptr(dec("101"))
	q := exam.Sections[0].Questions
	q[0].Question.Answers[1].IsCorrect = true                   // two correct in a single-correct question
	q[1].PartialMarks = ptr(dec("5"))                           // above the marks
	q[2].Question.Answers = q[2].Question.Answers[:1]           // true/false with one answer
	exam.Sections[1].Questions[0].Question.NumericalMax = "9.7" // below the minimum
	exam.Sections[1].Questions[1].Question.AcceptedAnswers = []string{"  "}
	exam.Sections[1].Questions[2].Question.Type = "poem"
	err := exam.Validate()
	want := map[string][]string{
		"slug":                                      {`Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`},
		"negative_marks":                            {"Ensure this value is greater than or equal to 0."},
		"pass_percentage":                           {"Ensure this value is between 0 and 100."},
		"sections[0].questions[0].answers":          {"A single-correct question needs exactly one correct answer."},
		"sections[0].questions[1].partial_marks":    {"Ensure partial marks are between 0 and the marks."},
		"sections[0].questions[2].answers":          {"A true-or-false question needs exactly two answers."},
		"sections[1].questions[0].numerical_max":    {"Ensure numerical_max is not less than numerical_min."},
		"sections[1].questions[1].accepted_answers": {"A short-answer question needs at least one accepted answer."},
		"sections[1].questions[2].type":             {`"poem" is not a valid choice. Valid choices: mcq_single, mcq_multiple, true_false, numerical, short_answer, essay.`},
	}
	var e *examhall.Error
	if !asErr(err, &e) || !reflect.DeepEqual(e.Fields, want) {
		t.Fatalf("Validate = %v", err)
	}
	if err := (&examhall.Exam{Slug: "history", Title: "X", Sections: []examhall.Section{{Name: "A"}}}).Validate(); !asErr(err, &e) ||
		!reflect.DeepEqual(e.Fields, map[string][]string{"slug": {`"history" names a list of exams in the student API; choose another slug.`}}) {
		t.Fatalf("reserved slug: %v", err)
	}
	if err := (&examhall.Exam{Slug: "x", Title: "X"}).Validate(); !asErr(err, &e) ||
		!reflect.DeepEqual(e.Fields, map[string][]string{"sections": {"An exam needs at least one section."}}) {
		t.Fatalf("no sections: %v", err)
	}
}
