package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
)

// TestExamBatchesAcrossReplicas: who may see and start an exam follows its
// batches and the user's as they are now, on every replica. Replica b has
// the exam cached while replica a changes the exam's batches and a
// student's: b's next list, detail and start follow at once.
func TestExamBatchesAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	eachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a, b := replicas(t, engine, examhalltest.NewClock(epoch))
		exam := sampleExam(0, 0) // for JEE 2027 and NEET 2027
		exam.StartDate = nil
		if err := a.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		open := sampleExam(0, 0)
		open.Slug, open.StartDate, open.Batches = "open", nil, nil
		for i := range open.Sections {
			for j := range open.Sections[i].Questions {
				open.Sections[i].Questions[j].Question.Key = "" // keys are unique across the bank
			}
		}
		if err := a.CreateExam(ctx, open); err != nil {
			t.Fatal(err)
		}
		users := map[string]*examhall.User{
			"asha": newStudent("asha"), "bala": newUser("bala", examhall.RoleStudent, "Foundation"),
			"chitra": newUser("chitra", examhall.RoleStudent), "sunil": newUser("sunil", examhall.RoleStaff),
		}
		for _, u := range users {
			if err := a.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
		}
		listed := func(name string, window examhall.ExamWindow) []string {
			t.Helper()
			exams, err := b.PublishedExams(ctx, epoch, window, users[name].ID)
			if err != nil {
				t.Fatal(err)
			}
			slugs := []string{}
			for _, e := range exams {
				slugs = append(slugs, e.Slug)
			}
			return slugs
		}
		check := func(step, name string, wantList []string, wantOpen bool) {
			t.Helper()
			if got := listed(name, examhall.ExamsAll); !reflect.DeepEqual(got, wantList) {
				t.Errorf("%s: %s's list %v, want %v", step, name, got, wantList)
			}
			_, err := b.VisibleExam(ctx, users[name].ID, exam.Slug)
			if got := err == nil; got != wantOpen || (err != nil && examhall.ErrorCodeOf(err) != examhall.ENOTFOUND) {
				t.Errorf("%s: %s's detail: %v, want visible %v", step, name, err, wantOpen)
			}
		}
		start := func(step, name string, wantCode examhall.ErrorCode) *examhall.Attempt {
			t.Helper()
			at, err := b.StartAttempt(ctx, users[name].ID, exam.Slug, "")
			if examhall.ErrorCodeOf(err) != wantCode { // "" for none
				t.Errorf("%s: %s starts: %v, want %q", step, name, err, wantCode)
			}
			return at
		}
		both := []string{"open", "mock-1"}
		check("at first", "asha", both, true)
		check("at first", "bala", []string{"open"}, false)
		check("at first", "chitra", []string{"open"}, false)
		check("at first", "sunil", both, true)
		start("at first", "bala", examhall.ENOTFOUND)
		start("at first", "chitra", examhall.ENOTFOUND)
		if _, err := b.StartAttempt(ctx, users["chitra"].ID, "open", ""); err != nil {
			t.Errorf("chitra starts the exam without batches: %v", err)
		}
		start("at first", "sunil", "")
		asha := start("at first", "asha", "")

		// The exam opens to the Foundation batch, on replica a.
		if _, _, err := a.UpdateExam(ctx, exam.ID, func(e *examhall.Exam) error {
			e.Batches = append(e.Batches, "Foundation")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		check("Foundation added", "bala", both, true)
		start("Foundation added", "bala", "")

		// Asha leaves NEET with a running attempt, which she may finish; her
		// history keeps the exam, the detail stays hers; no new attempt.
		if _, err := a.UpdateUser(ctx, users["asha"].ID, func(u *examhall.User) error {
			u.Batches = []string{}
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := b.End(ctx, users["asha"].ID, asha.ID); err != nil {
			t.Fatalf("asha ends her attempt after leaving the batch: %v", err)
		}
		check("asha left", "asha", []string{"open"}, true)
		if got := listed("asha", examhall.ExamsHistory); !reflect.DeepEqual(got, []string{"mock-1"}) {
			t.Errorf("asha's history after leaving: %v", got)
		}
		start("asha left", "asha", examhall.ENOTFOUND)

		// Without batches the exam is for everyone.
		if _, _, err := a.UpdateExam(ctx, exam.ID, func(e *examhall.Exam) error {
			e.Batches = nil
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		check("batches removed", "chitra", both, true)
		start("batches removed", "chitra", "")
		start("batches removed", "asha", "")
	})
}
