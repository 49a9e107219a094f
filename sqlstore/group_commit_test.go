package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// groupFixture is a SQLite database with a small write queue, students and
// their running attempts.
type groupFixture struct {
	db    *sqlstore.DB
	clock *examhalltest.Clock
	ctx   context.Context
}

func newGroupFixture(t *testing.T, queue int) *groupFixture {
	t.Helper()
	clock := examhalltest.NewClock(epoch)
	ctx := context.Background()
	db, err := sqlstore.OpenWith(ctx, sqltest.DSN(t, sqlstore.SQLite), clock, sqlstore.Options{WriteQueue: queue})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &groupFixture{db: db, clock: clock, ctx: ctx}
}

// exam creates an exam of two numerical questions (answer 1) with the
// duration given.
func (f *groupFixture) exam(t *testing.T, slug string, duration time.Duration) {
	t.Helper()
	q := func() examhall.ExamQuestion {
		return examhall.ExamQuestion{Marks: decimal.FromInt(1), Question: examhall.Question{Type: examhall.Numerical,
			QuestionHTML: "q", NumericalMin: "1", NumericalMax: "1"}}
	}
	e := &examhall.Exam{Slug: slug, Title: slug, MarkPerQuestion: decimal.FromInt(1), Published: true, Duration: &duration,
		Sections: []examhall.Section{{Name: "A", Questions: []examhall.ExamQuestion{q(), q()}}}}
	if err := f.db.CreateExam(f.ctx, e); err != nil {
		t.Fatal(err)
	}
}

// start makes a student and starts their attempt of the exam; it returns the
// student's id, the attempt's id and its answers' ids.
func (f *groupFixture) start(t *testing.T, name, slug string) (int64, int64, []int64) {
	t.Helper()
	u := &examhall.User{Username: name, Role: examhall.RoleStudent, IsActive: true}
	if err := f.db.CreateUser(f.ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	a, err := f.db.StartAttempt(f.ctx, u.ID, slug, "")
	if err != nil {
		t.Fatal(err)
	}
	answers, err := f.db.Answers(f.ctx, u.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, ua := range answers {
		ids = append(ids, ua.ID)
	}
	return u.ID, a.ID, ids
}

// waitQueued waits until n writes wait for the writer.
func (f *groupFixture) waitQueued(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); f.db.QueuedWrites() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", f.db.QueuedWrites(), n)
		}
	}
}

func value(s string) examhall.AnswerInput { return examhall.AnswerInput{NumericValue: &s} }

// TestGroupCommitIsolatesFailures: writes that wait together are committed
// in one transaction, each in its own savepoint: a save with an answer id of
// another attempt fails alone, a heartbeat of an attempt whose time ran out
// completes it and answers so, and the others commit, each answered with its
// own outcome.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	f := newGroupFixture(t, 16)
	f.exam(t, "short", time.Minute)
	f.exam(t, "long", time.Hour)
	lateUser, lateAttempt, _ := f.start(t, "late", "short")
	f.clock.Advance(2 * time.Minute) // the short exam's attempt has run out
	saver, saved, saveIDs := f.start(t, "saver", "long")
	wrong, wrongAttempt, _ := f.start(t, "wrong", "long")
	ender, ended, endIDs := f.start(t, "ender", "long")
	if _, _, err := f.db.SaveAnswer(f.ctx, ender, ended, endIDs[0], value("1")); err != nil {
		t.Fatal(err)
	}

	release, err := f.db.HoldWriter(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	batchesBefore, writesBefore := f.db.WriteStats()
	type outcome struct {
		name string
		err  error
	}
	results := make(chan outcome, 4)
	go func() {
		_, _, err := f.db.SaveAnswer(f.ctx, saver, saved, saveIDs[1], value("1"))
		results <- outcome{"save", err}
	}()
	go func() {
		_, _, err := f.db.SaveAnswer(f.ctx, wrong, wrongAttempt, saveIDs[0], value("1")) // the saver's answer
		results <- outcome{"save of another attempt's answer", err}
	}()
	go func() {
		_, err := f.db.Heartbeat(f.ctx, lateUser, lateAttempt)
		results <- outcome{"heartbeat after time ran out", err}
	}()
	go func() {
		_, err := f.db.End(f.ctx, ender, ended)
		results <- outcome{"end", err}
	}()
	f.waitQueued(t, 4)
	release()
	got := map[string]error{}
	for range 4 {
		o := <-results
		got[o.name] = o.err
	}
	if got["save"] != nil || got["end"] != nil {
		t.Errorf("save: %v, end: %v; want both to succeed", got["save"], got["end"])
	}
	if !errors.Is(got["save of another attempt's answer"], errNotFoundSentinel(t, f)) {
		t.Errorf("save of another attempt's answer: %v, want not found", got["save of another attempt's answer"])
	}
	if err := got["heartbeat after time ran out"]; examhall.ErrorCodeOf(err) != examhall.EINVALID {
		t.Errorf("heartbeat after time ran out: %v, want EINVALID", err)
	}
	batches, writes := f.db.WriteStats()
	if batches-batchesBefore != 2 || writes-writesBefore != 5 {
		t.Errorf("%d transactions for %d writes, want 2 for 5 (the hold, then the four together)", batches-batchesBefore, writes-writesBefore)
	}

	// What each write left behind.
	check := func(user, attempt int64, wantState examhall.AttemptState, wantValues ...string) {
		t.Helper()
		a, _, err := f.db.Attempt(f.ctx, user, attempt)
		if err != nil {
			t.Fatal(err)
		}
		answers, err := f.db.Answers(f.ctx, user, attempt)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, ua := range answers {
			v := ""
			if ua.NumericValue != nil {
				v = *ua.NumericValue
			}
			values = append(values, v)
		}
		if a.State != wantState || fmt.Sprint(values) != fmt.Sprint(wantValues) {
			t.Errorf("attempt %d: %v %q, want %v %q", attempt, a.State, values, wantState, wantValues)
		}
	}
	check(saver, saved, examhall.AttemptRunning, "", "1")
	check(wrong, wrongAttempt, examhall.AttemptRunning, "", "")
	check(lateUser, lateAttempt, examhall.AttemptCompleted, "", "")
	check(ender, ended, examhall.AttemptCompleted, "1", "")
}

// errNotFoundSentinel is the error a lookup of a missing record wraps.
func errNotFoundSentinel(t *testing.T, f *groupFixture) error {
	t.Helper()
	_, _, err := f.db.Attempt(f.ctx, 1, 1<<40)
	if examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
		t.Fatalf("a missing attempt: %v", err)
	}
	return err
}

// TestWriteQueueFull: a write that finds the queue full is refused at once
// with EUNAVAILABLE and a Retry-After, and changes nothing; the queued ones
// are written when the writer is free. A write whose caller goes away while
// it waits is dropped.
func TestWriteQueueFull(t *testing.T) {
	f := newGroupFixture(t, 2)
	f.exam(t, "long", time.Hour)
	user, attempt, ids := f.start(t, "asha", "long")
	release, err := f.db.HoldWriter(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	done := make(chan error, 2)
	go func() {
		_, _, err := f.db.SaveAnswer(f.ctx, user, attempt, ids[0], value("1"))
		done <- err
	}()
	gone, leave := context.WithCancel(f.ctx)
	goneDone := make(chan error, 1)
	go func() {
		_, _, err := f.db.SaveAnswer(gone, user, attempt, ids[0], value("7"))
		goneDone <- err
	}()
	f.waitQueued(t, 2)

	start := time.Now()
	_, _, err = f.db.SaveAnswer(f.ctx, user, attempt, ids[1], value("1"))
	var e *examhall.Error
	if !errors.As(err, &e) || e.Code != examhall.EUNAVAILABLE || e.RetryAfter != time.Second {
		t.Fatalf("a write past the queue: %v, want EUNAVAILABLE with a Retry-After of 1s", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("the refusal took %v", waited)
	}
	leave()
	if err := <-goneDone; !errors.Is(err, context.Canceled) {
		t.Errorf("a write whose caller went away: %v, want context.Canceled", err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	answers, err := f.db.Answers(f.ctx, user, attempt)
	if err != nil {
		t.Fatal(err)
	}
	if v := answers[0].NumericValue; v == nil || *v != "1" {
		t.Errorf("first answer %v, want 1 (the write of 7 was dropped)", v)
	}
	if v := answers[1].NumericValue; v != nil {
		t.Errorf("second answer %q, want none (its write was refused)", *v)
	}
}

// TestWriteAfterClose: closing writes what is queued; a write after that is
// refused, not left waiting, and closing twice is harmless.
func TestWriteAfterClose(t *testing.T) {
	f := newGroupFixture(t, 4)
	f.exam(t, "long", time.Hour)
	user, attempt, ids := f.start(t, "asha", "long")
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.SaveAnswer(f.ctx, user, attempt, ids[0], value("1")); err == nil {
		t.Error("a save after Close succeeded")
	}
	f.db.Close() //nolint:errcheck // the second close: what matters is that it returns
}
