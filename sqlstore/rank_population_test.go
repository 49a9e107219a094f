package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// rankBundleExam is a one-minute exam closing a day after epoch: a one-mark
// choice question (the first answer right) and a one-mark essay.
const rankBundleExam = `{"slug": "rank-1", "title": "Rank test", "start_date": "2026-01-01T00:00:00Z",
	"end_date": "2026-03-02T00:00:00Z", "duration": "0:01:00", "allow_retake": true, "published": true,
	"sections": [{"name": "A", "questions": [
		{"key": "rq-1", "type": "mcq_single", "marks": "1.00",
		 "answers": [{"text_html": "right", "is_correct": true}, {"text_html": "wrong", "is_correct": false}]},
		{"key": "rq-2", "type": "essay", "marks": "1.00"}]}]}`

// rankAttempt is one attempt of a bundle of rank-1: started and completed on
// 2026-02-10 at the given times ("" = running), q-1 answered right or
// wrong, the essay written (and graded with essayMarks when not "").
type rankAttempt struct {
	user, started, completed string
	right, essay             bool
	essayMarks               string
}

func (a rankAttempt) json() string {
	completed := "null"
	if a.completed != "" {
		completed = `"2026-02-10T` + a.completed + `:00Z"`
	}
	selected := map[bool]string{true: "[0]", false: "[1]"}[a.right]
	answers := `{"question": "rq-1", "selected": ` + selected + `}`
	if a.essay {
		answers += `, {"question": "rq-2", "essay": "Because."`
		if a.essayMarks != "" {
			answers += `, "marks_awarded": "` + a.essayMarks + `"`
		}
		answers += `}`
	}
	return fmt.Sprintf(`{"exam": "rank-1", "user": %q, "started": "2026-02-10T%s:00Z", "completed": %s, "answers": [%s]}`,
		a.user, a.started, completed, answers)
}

// rankBundle is a bundle of rank-1, its users and the attempts.
func rankBundle(users []string, attempts ...rankAttempt) string {
	var us, as []string
	for _, u := range users {
		us = append(us, fmt.Sprintf(`{"username": %q}`, u))
	}
	for _, a := range attempts {
		as = append(as, a.json())
	}
	return `{"format": "examhall-bundle/1", "users": [` + strings.Join(us, ", ") + `], "exams": [` + rankBundleExam +
		`], "attempts": [` + strings.Join(as, ",\n") + `]}`
}

// checkRankPopulation asserts SPEC §5 on the users' attempts of their one
// exam, computed here from the raw attempts (state, start, id, score) alone:
// the population is each user's earliest-started completed attempt (ties by
// id); every completed attempt's rank is 1 + the population attempts with a
// strictly higher score, its percentile 100 × those with a score ≤ its own /
// the population, rounded half away from zero to hundredths.
func checkRankPopulation(t *testing.T, db *sqlstore.DB, step string, usernames ...string) {
	t.Helper()
	ctx := context.Background()
	var all []*examhall.Attempt
	first := map[int64]*examhall.Attempt{} // by user id
	for _, name := range usernames {
		u, _, err := db.UserCredentials(ctx, name)
		if err != nil {
			t.Fatalf("%s: user %s: %v", step, name, err)
		}
		list, err := db.UserAttempts(ctx, u.ID)
		if err != nil {
			t.Fatalf("%s: attempts of %s: %v", step, name, err)
		}
		for _, a := range list {
			all = append(all, a)
			if a.State != examhall.AttemptCompleted {
				continue
			}
			if f := first[a.UserID]; f == nil || a.Date.Before(f.Date) || (a.Date.Equal(f.Date) && a.ID < f.ID) {
				first[a.UserID] = a
			}
		}
	}
	var population []decimal.Decimal
	for _, a := range first {
		population = append(population, a.Score)
	}
	for _, a := range all {
		if want := first[a.UserID] == a; a.InRankPopulation != want {
			t.Errorf("%s: attempt %d (user %d, started %s, state %d) in the population = %v, want %v",
				step, a.ID, a.UserID, a.Date.Format(time.TimeOnly), a.State, a.InRankPopulation, want)
		}
		if a.State != examhall.AttemptCompleted {
			continue
		}
		higher, notHigher := 0, 0
		for _, s := range population {
			if s > a.Score {
				higher++
			} else {
				notHigher++
			}
		}
		n := len(population)
		wantPercentile := decimal.Decimal((int64(notHigher)*20000 + int64(n)) / int64(2*n))
		rank, size, percentile, ok, err := db.Rank(ctx, a)
		if err != nil || !ok || rank != higher+1 || size != n || percentile != wantPercentile {
			t.Errorf("%s: attempt %d (user %d, score %s): rank %d of %d, percentile %s (%v, %v); want %d of %d, %s",
				step, a.ID, a.UserID, a.Score, rank, size, percentile, ok, err, higher+1, n, wantPercentile)
		}
	}
	if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
		t.Errorf("%s: attempt counts: %s %v", step, drift, err)
	}
}

// The rank population is each user's earliest-started completed attempt
// (SPEC §5), after every path that changes attempts: an imported history
// where a running attempt started before a completed one, then the running
// one completing by the student's end, by its time running out (on a touch
// and in the sweep), by the exam's end date (on a touch and in the sweep),
// then essay grading, a live retake, an exam regrade, a re-import and a
// deleted user.
func TestRankPopulationByStart(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	// Five students have a running attempt (10:00, right: 1 mark) started
	// before a completed one (12:00, wrong: 0), each to complete another way.
	overlapping := []string{"by-end", "by-touch", "by-sweep", "by-close", "by-close-sweep"}
	others := []string{"p1", "p2", "p3", "p4"}
	users := append(append([]string{}, overlapping...), others...)
	var attempts []rankAttempt
	for _, u := range overlapping {
		attempts = append(attempts, rankAttempt{user: u, started: "12:00", completed: "12:30"},
			rankAttempt{user: u, started: "10:00", right: true})
	}
	attempts = append(attempts,
		rankAttempt{user: "p1", started: "09:00", completed: "09:30", right: true},
		rankAttempt{user: "p2", started: "09:00", completed: "09:30"},
		rankAttempt{user: "p2", started: "11:00", completed: "11:30", right: true},
		rankAttempt{user: "p3", started: "09:00", completed: "09:30", right: true, essay: true}, // essay pending
		rankAttempt{user: "p4", started: "09:00", completed: "09:30", essay: true, essayMarks: "0.00"},
		rankAttempt{user: "p4", started: "11:00", completed: "11:30", right: true, essay: true}, // a retake, essay pending
	)
	text := rankBundle(users, attempts...)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		check := func(step string, usernames ...string) {
			t.Helper()
			if len(usernames) == 0 {
				usernames = users
			}
			checkRankPopulation(t, db, step, usernames...)
		}
		running := func(username string) (int64, *examhall.Attempt) {
			t.Helper()
			u, _, err := db.UserCredentials(ctx, username)
			if err != nil {
				t.Fatal(err)
			}
			list, err := db.UserAttempts(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				if a.State == examhall.AttemptRunning {
					return u.ID, a
				}
			}
			t.Fatalf("%s has no running attempt", username)
			return 0, nil
		}
		ended := func(step string, a *examhall.Attempt, err error) {
			t.Helper()
			if examhall.ErrorCodeOf(err) != examhall.EINVALID || a == nil || a.State != examhall.AttemptCompleted {
				t.Fatalf("%s: %+v, %v", step, a, err)
			}
		}
		if _, err := bundleimport.Import(ctx, db, parseBundle(t, text), passwords, false); err != nil {
			t.Fatal(err)
		}
		check("import")

		uid, a := running("by-end")
		if a, err := db.End(ctx, uid, a.ID); err != nil || a.State != examhall.AttemptCompleted {
			t.Fatalf("end: %+v, %v", a, err)
		}
		check("the student's end")

		uid, a = running("by-touch")
		if _, err := db.Resume(ctx, uid, a.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(90 * time.Second)
		a, err := db.Heartbeat(ctx, uid, a.ID)
		ended("time out on a touch", a, err)
		check("time out on a touch")

		uid, a = running("by-sweep")
		if _, err := db.Resume(ctx, uid, a.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(90 * time.Second)
		if n, err := db.ExpireAttempts(ctx); n != 1 || err != nil {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		check("time out in the sweep")

		// A live retake, ended with nothing answered.
		retake, err := db.StartAttempt(ctx, mustUserID(t, db, "p1"), "rank-1", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.End(ctx, retake.UserID, retake.ID); err != nil {
			t.Fatal(err)
		}
		check("a live retake")

		clock.Set(time.Date(2026, 3, 2, 0, 0, 1, 0, time.UTC)) // the exam has closed
		uid, a = running("by-close")
		a, err = db.Heartbeat(ctx, uid, a.ID)
		ended("the exam's close on a touch", a, err)
		check("the exam's close on a touch")
		if n, err := db.ExpireAttempts(ctx); n != 1 || err != nil {
			t.Fatalf("sweep after the close: %d, %v", n, err)
		}
		check("the exam's close in the sweep")

		// Grading moves a ranked attempt (p3: 1 → 2) and a retake (p4's second: 1 → 2).
		for _, username := range []string{"p3", "p4"} {
			u, _, _ := db.UserCredentials(ctx, username)
			list, _ := db.UserAttempts(ctx, u.ID)
			answers, err := db.Answers(ctx, examhall.AnyUser, list[0].ID) // the latest
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.GradeAnswer(ctx, 1, list[0].ID, answers[1].ID, dec("1")); err != nil {
				t.Fatalf("grade %s: %v", username, err)
			}
			check("grading " + username)
		}

		// The exam's key turns around: every score changes.
		exam, err := db.ExamBySlug(ctx, "rank-1")
		if err != nil {
			t.Fatal(err)
		}
		q := exam.Questions()[0]
		key := []int64{q.Question.Answers[1].ID}
		if _, n, err := db.ChangeExamQuestion(ctx, exam.ID, q.ID, examhall.ExamQuestionChange{CorrectAnswerIDs: &key}); err != nil || n == 0 {
			t.Fatalf("regrade: %d, %v", n, err)
		}
		check("a regrade")

		// A re-import brings an even earlier completed attempt of by-touch (and
		// regrades to the bundle's key).
		earlier := rankBundle(users, rankAttempt{user: "by-touch", started: "08:00", completed: "08:10", right: true})
		if _, err := bundleimport.Import(ctx, db, parseBundle(t, earlier), passwords, false); err != nil {
			t.Fatal(err)
		}
		check("a re-import")

		if err := db.DeleteUser(ctx, mustUserID(t, db, "p1")); err != nil {
			t.Fatal(err)
		}
		check("deleting a user", append(append([]string{}, overlapping...), "p2", "p3", "p4")...)
	})
}

func mustUserID(t *testing.T, db *sqlstore.DB, username string) int64 {
	t.Helper()
	u, _, err := db.UserCredentials(context.Background(), username)
	if err != nil {
		t.Fatal(errors.Join(fmt.Errorf("user %s", username), err))
	}
	return u.ID
}
