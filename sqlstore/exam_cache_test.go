package sqlstore_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// replicas opens one database twice, as two serve processes would: each
// handle keeps its own exam cache. The first has migrated the database.
func replicas(t *testing.T, engine sqlstore.Engine, clock examhall.Clock) (a, b *sqlstore.DB) {
	t.Helper()
	dsn := sqltest.DSN(t, engine)
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(context.Background(), dsn, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a = open()
	if _, err := a.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, open()
}

func eachEngine(t *testing.T, fn func(t *testing.T, engine sqlstore.Engine)) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}

// sameAsStored fails unless the exam replica b hands out with the attempt
// (from its cache) equals the exam as a fresh load on replica a finds it:
// b saw a's changes, and no caller changed the shared exam.
func sameAsStored(t *testing.T, a, b *sqlstore.DB, userID, attemptID int64) {
	t.Helper()
	_, got, err := b.Attempt(context.Background(), userID, attemptID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := a.ExamByID(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("replica b's exam differs from the stored one:\n got %+v\nwant %+v", got, want)
	}
}

// TestExamCacheAcrossReplicas changes an exam on replica a while replica b,
// which has the exam cached, runs attempts of it: b's next touch scores with
// the changed exam.
func TestExamCacheAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a, b := replicas(t, engine, examhalltest.NewClock(epoch))
		physics := &examhall.Subject{Name: "Physics"}
		chemistry := &examhall.Subject{Name: "Chemistry"}
		for _, s := range []*examhall.Subject{physics, chemistry} {
			if err := a.CreateSubject(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		exam := sampleExam(physics.ID, chemistry.ID)
		if err := a.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		var students []*examhall.User
		for _, name := range []string{"asha", "bala", "chitra", "dev"} {
			u := newStudent(name)
			if err := a.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
			students = append(students, u)
		}
		asha := students[0].ID
		at, err := b.StartAttempt(ctx, asha, exam.Slug, "")
		if err != nil {
			t.Fatal(err)
		}
		answers, err := b.Answers(ctx, asha, at.ID)
		if err != nil {
			t.Fatal(err)
		}
		q1 := exam.Sections[0].Questions[0] // single choice, 4 marks, -1; "9.8" is right
		picked := []int64{q1.Question.Answers[0].ID}
		if _, _, err := b.SaveAnswer(ctx, asha, at.ID, answers[0].ID, examhall.AnswerInput{SelectedAnswerIDs: &picked}); err != nil {
			t.Fatal(err)
		}

		// A new answer key and negative marks for q1 on a.
		if _, _, err := a.ChangeExamQuestion(ctx, exam.ID, q1.ID, examhall.ExamQuestionChange{
			CorrectAnswerIDs: &[]int64{q1.Question.Answers[1].ID}, NegativeMarks: ptr(dec("2"))}); err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, a, b, asha, at.ID)

		// A new pass mark and title on a.
		if _, _, err := a.UpdateExam(ctx, exam.ID, func(e *examhall.Exam) error {
			e.Title, e.PassPercentage = "Mock Test 1 (revised)", ptr(dec("1"))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, a, b, asha, at.ID)

		// A new numerical question on a, answered and scored on b.
		added := &examhall.ExamQuestion{Marks: dec("3"), Question: examhall.Question{Type: examhall.Numerical,
			QuestionHTML: "<p>c</p>", NumericalMin: "3", NumericalMax: "3"}}
		if _, err := a.AddExamQuestion(ctx, exam.ID, exam.Sections[1].ID, added); err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, a, b, asha, at.ID)
		if answers, err = b.Answers(ctx, asha, at.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.SaveAnswer(ctx, asha, at.ID, answers[len(answers)-1].ID, examhall.AnswerInput{NumericValue: ptr("3")}); err != nil {
			t.Fatal(err)
		}

		// b scores q1 wrong under the new key (-2), the new question right (+3)
		// and the bonus question right (+2): 3 of 28 marks, over the new pass mark.
		ended, err := b.End(ctx, asha, at.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ended.Score != dec("3") || ended.Correct != 2 || ended.Incorrect != 1 || ended.Result != "Pass" {
			t.Errorf("ended on b: score %s, %d correct, %d incorrect, %s; want 3.00, 2, 1, Pass",
				ended.Score, ended.Correct, ended.Incorrect, ended.Result)
		}
		sameAsStored(t, a, b, asha, at.ID)

		// Chemistry deleted on a: its question loses its subject on b.
		if err := a.DeleteSubject(ctx, chemistry.ID); err != nil {
			t.Fatal(err)
		}
		sameAsStored(t, a, b, asha, at.ID)

		// An exam without attempts takes removed questions and new sections:
		// bala's attempt puts the exam in b's cache, and goes with bala.
		if _, err := b.StartAttempt(ctx, students[1].ID, exam.Slug, ""); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteUser(ctx, asha); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteUser(ctx, students[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := a.DeleteExamQuestion(ctx, exam.ID, added.ID); err != nil {
			t.Fatal(err)
		}
		if err := a.AddSection(ctx, exam.ID, &examhall.Section{Name: "Part C"}); err != nil {
			t.Fatal(err)
		}
		chitra, err := b.StartAttempt(ctx, students[2].ID, exam.Slug, "")
		if err != nil {
			t.Fatal(err)
		}
		if chitra.Unanswered != 6 {
			t.Errorf("chitra's attempt on b has %d questions, want 6", chitra.Unanswered)
		}
		sections, err := b.AttemptSections(ctx, chitra.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sections) != 3 {
			t.Errorf("chitra's attempt on b has %d sections, want 3", len(sections))
		}
		sameAsStored(t, a, b, students[2].ID, chitra.ID)
	})
}

// TestExamCacheImport changes an answer key by import on replica a while
// replica b has the exam cached: b ends the attempt with the new key.
func TestExamCacheImport(t *testing.T) {
	raw, err := os.ReadFile("testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a, b := replicas(t, engine, examhalltest.NewClock(epoch))
		if _, err := bundleimport.Import(ctx, a, parseBundle(t, string(raw)), passwords, false); err != nil {
			t.Fatal(err)
		}
		student := newStudent("newcomer")
		if err := a.CreateUser(ctx, student, ""); err != nil {
			t.Fatal(err)
		}
		at, err := b.StartAttempt(ctx, student.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		answers, err := b.Answers(ctx, student.ID, at.ID)
		if err != nil {
			t.Fatal(err)
		}
		// q-002: g to two decimals, 9.75 to 9.85 at first.
		if _, _, err := b.SaveAnswer(ctx, student.ID, at.ID, answers[1].ID, examhall.AnswerInput{NumericValue: ptr("9.80")}); err != nil {
			t.Fatal(err)
		}
		moved := strings.Replace(string(raw), `"numerical_min": "9.75", "numerical_max": "9.85"`,
			`"numerical_min": "9.90", "numerical_max": "9.95"`, 1)
		if moved == string(raw) {
			t.Fatal("the bundle's q-002 range is not where the test expects it")
		}
		if summary, err := bundleimport.Import(ctx, a, parseBundle(t, moved), passwords, false); err != nil || summary.Updated["exams"] != 1 {
			t.Fatalf("import: %+v, %v", summary, err)
		}
		sameAsStored(t, a, b, student.ID, at.ID)
		ended, err := b.End(ctx, student.ID, at.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ended.Correct != 0 || ended.Incorrect != 1 {
			t.Errorf("ended on b: %d correct, %d incorrect; want 0, 1 (9.80 is outside the new range)", ended.Correct, ended.Incorrect)
		}
	})
}
