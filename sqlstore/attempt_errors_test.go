package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// The errors the AttemptStore documents are the ones it returns (issue 12:
// its docstrings say what each method returns and which errors).
func TestAttemptStoreErrors(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		owner, other, late := f.students[0], f.students[1], f.students[2]
		a, err := db.StartAttempt(ctx, owner.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.StartAttempt(ctx, other.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		answersOfB, err := db.Answers(ctx, other.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		answers, err := db.Answers(ctx, owner.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		code := func(what string, err error, want examhall.ErrorCode) {
			t.Helper()
			if got := examhall.ErrorCodeOf(err); got != want {
				t.Errorf("%s: %v (code %q), want code %q", what, err, got, want)
			}
		}
		_, err = db.StartAttempt(ctx, owner.ID, "no-such-exam", "")
		code("StartAttempt of an unknown slug", err, examhall.ENOTFOUND)
		_, err = db.StartAttempt(ctx, owner.ID, "mock-1", "")
		code("StartAttempt with one running", err, examhall.EINVALID)
		for _, id := range []int64{b.ID, b.ID + 1000} { // another user's, and none
			_, _, err = db.Attempt(ctx, owner.ID, id)
			code("Attempt", err, examhall.ENOTFOUND)
			_, _, _, err = db.AttemptPlaced(ctx, owner.ID, id)
			code("AttemptPlaced", err, examhall.ENOTFOUND)
			_, err = db.Heartbeat(ctx, owner.ID, id)
			code("Heartbeat", err, examhall.ENOTFOUND)
			_, err = db.Resume(ctx, owner.ID, id)
			code("Resume", err, examhall.ENOTFOUND)
			_, err = db.End(ctx, owner.ID, id)
			code("End", err, examhall.ENOTFOUND)
			_, err = db.Answers(ctx, owner.ID, id)
			code("Answers", err, examhall.ENOTFOUND)
			_, _, err = db.SaveAnswer(ctx, owner.ID, id, answersOfB[0].ID, examhall.AnswerInput{Review: ptr(true)})
			code("SaveAnswer", err, examhall.ENOTFOUND)
		}
		_, _, err = db.SaveAnswer(ctx, owner.ID, a.ID, answersOfB[0].ID, examhall.AnswerInput{Review: ptr(true)})
		code("SaveAnswer of another attempt's answer", err, examhall.ENOTFOUND)
		_, _, err = db.SaveAnswer(ctx, owner.ID, a.ID, answers[0].ID, examhall.AnswerInput{NumericValue: ptr("9.8")})
		code("SaveAnswer of input the question does not take", err, examhall.EINVALID)
		if sections, err := db.AttemptSections(ctx, b.ID+1000); err != nil || len(sections) != 0 {
			t.Errorf("AttemptSections of no attempt: %v, %v", sections, err)
		}
		if _, _, _, ok, err := db.Rank(ctx, a); ok || err != nil {
			t.Errorf("Rank of a running attempt: ok %v, %v", ok, err)
		}

		ended, err := db.End(ctx, owner.ID, a.ID)
		if err != nil || ended.State != examhall.AttemptCompleted {
			t.Fatalf("End: %+v, %v", ended, err)
		}
		if again, err := db.End(ctx, owner.ID, a.ID); err != nil || again.State != examhall.AttemptCompleted ||
			!again.CompletedOn.Equal(*ended.CompletedOn) {
			t.Errorf("End of a completed attempt: %+v, %v", again, err)
		}
		for name, step := range map[string]func(context.Context, int64, int64) (*examhall.Attempt, error){
			"Heartbeat": db.Heartbeat, "Resume": db.Resume} {
			got, err := step(ctx, owner.ID, a.ID)
			code(name+" of a completed attempt", err, examhall.EINVALID)
			if got == nil || got.State != examhall.AttemptCompleted {
				t.Errorf("%s of a completed attempt returned %+v", name, got)
			}
		}
		_, _, err = db.SaveAnswer(ctx, owner.ID, a.ID, answers[0].ID, examhall.AnswerInput{Review: ptr(true)})
		code("SaveAnswer to a completed attempt", err, examhall.EINVALID)
		// The attempt is judged before the answer (read with it, in one
		// statement, since issue 16): completed first, then not found.
		_, _, err = db.SaveAnswer(ctx, owner.ID, a.ID, answersOfB[0].ID, examhall.AnswerInput{Review: ptr(true)})
		code("SaveAnswer of another attempt's answer to a completed attempt", err, examhall.EINVALID)
		_, _, err = db.GradeAnswer(ctx, 1, a.ID, answersOfB[5].ID, dec("1"))
		code("GradeAnswer of another attempt's answer", err, examhall.ENOTFOUND)

		// Time runs out (three hours of active time, kept by heartbeats every
		// 100 s): the next touch completes the attempt at the instant it ran out.
		c, err := db.StartAttempt(ctx, late.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		for range 107 {
			clock.Advance(100 * time.Second)
			for _, at := range []struct{ user, attempt int64 }{{other.ID, b.ID}, {late.ID, c.ID}} {
				if _, err := db.Heartbeat(ctx, at.user, at.attempt); err != nil {
					t.Fatal(err)
				}
			}
		}
		clock.Advance(200 * time.Second)
		// A save of an answer the attempt does not have still completes it.
		_, _, err = db.SaveAnswer(ctx, other.ID, b.ID, answers[0].ID, examhall.AnswerInput{Review: ptr(true)})
		if code("SaveAnswer of another attempt's answer after the time ran out", err, examhall.EINVALID); err == nil ||
			!strings.Contains(err.Error(), "time ran out") {
			t.Errorf("SaveAnswer after the time ran out: %v, want the attempt's end", err)
		}
		got, err := db.Heartbeat(ctx, other.ID, b.ID)
		code("Heartbeat after the time ran out", err, examhall.EINVALID)
		if got == nil || got.State != examhall.AttemptCompleted {
			t.Errorf("Heartbeat after the time ran out returned %+v", got)
		}
		got, err = db.End(ctx, late.ID, c.ID)
		if err != nil || got.State != examhall.AttemptCompleted || !got.CompletedOn.Equal(c.Date.Add(3*time.Hour)) {
			t.Errorf("End after the time ran out: %+v, %v", got, err)
		}
	})
}
