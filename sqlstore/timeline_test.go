package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestAttemptEventChains: every way an event is written (a start, saves of
// one and of two events, a pause found by a save, client signals, an end, a
// grading, a regrade of the exam) keeps each attempt's chain whole — the
// timeline read by walking it holds every event stored for the attempt,
// and attempts.last_event is the newest; migration 00010's Down and Up keep
// the timelines as they were; deleting a user deletes their attempts'
// events (there is no cascade) and no other's.
func TestAttemptEventChains(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		f := newAttemptFixture(t, db, clock)
		var attempts []*examhall.Attempt
		for _, u := range f.students {
			a, err := db.StartAttempt(ctx, u.ID, "mock-1", "")
			if err != nil {
				t.Fatal(err)
			}
			attempts = append(attempts, a)
		}
		answers := make([][]*examhall.UserAnswer, len(attempts))
		for i, a := range attempts {
			var err error
			if answers[i], err = db.Answers(ctx, a.UserID, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Interleaved, so that the attempts' events alternate in the table.
		for q := range answers[0] {
			for i, a := range attempts {
				clock.Advance(time.Second)
				in := examhall.AnswerInput{Review: ptr(true), Duration: ptr(5 * time.Second)} // two events
				switch q {
				case 0:
					in.SelectedAnswerIDs = &[]int64{f.exam.Questions()[0].Question.Answers[0].ID}
				case 3:
					in.NumericValue = ptr("9.80")
				case 5:
					in.EssayText = ptr("Because.")
				}
				if _, _, err := db.SaveAnswer(ctx, a.UserID, a.ID, answers[i][q].ID, in); err != nil {
					t.Fatal(err)
				}
				if _, _, err := db.SaveAnswer(ctx, a.UserID, a.ID, answers[i][q].ID, examhall.AnswerInput{Review: ptr(false)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, typ := range []examhall.AttemptEventType{examhall.TimelineFocusLost, examhall.TimelineFocusGained} {
			if _, err := db.RecordClientEvent(ctx, attempts[0].UserID, attempts[0].ID, typ); err != nil {
				t.Fatal(err)
			}
		}
		// Idle past the limit: paused, heartbeat_gap, resumed and
		// answer_saved in one write.
		clock.Advance(examhall.DefaultIdleTimeout + time.Minute)
		if _, _, err := db.SaveAnswer(ctx, attempts[1].UserID, attempts[1].ID, answers[1][2].ID,
			examhall.AnswerInput{Duration: ptr(time.Second)}); err != nil {
			t.Fatal(err)
		}
		for _, a := range attempts[:2] {
			if _, err := db.End(ctx, a.UserID, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.GradeAnswer(ctx, 1, attempts[0].ID, answers[0][5].ID, dec("6")); err != nil {
			t.Fatal(err)
		}
		q0 := f.exam.Questions()[0]
		if _, n, err := db.ChangeExamQuestion(ctx, f.exam.ID, q0.ID, examhall.ExamQuestionChange{Marks: ptr(dec("8"))}); err != nil || n != 2 {
			t.Fatalf("ChangeExamQuestion: %d regraded, %v", n, err)
		}

		timelines := func() map[int64]string {
			t.Helper()
			all := map[int64]string{}
			for _, a := range attempts {
				events, total, err := db.AttemptEvents(ctx, a.ID, 0, 10_000)
				if err != nil {
					t.Fatal(err)
				}
				var stored, last int64
				if err := db.QueryRowForTest(ctx, `SELECT COUNT(*), MAX(id) FROM attempt_events WHERE attempt_id = $1`, a.ID).Scan(&stored, &last); err != nil {
					t.Fatal(err)
				}
				var lastEvent int64
				if err := db.QueryRowForTest(ctx, `SELECT last_event FROM attempts WHERE id = $1`, a.ID).Scan(&lastEvent); err != nil {
					t.Fatal(err)
				}
				ids := make([]int64, len(events))
				for i, e := range events {
					ids[i] = e.ID
				}
				if total != len(events) || int64(total) != stored || lastEvent != last || slices.Max(ids) != last {
					t.Fatalf("attempt %d: the chain holds %d events (total %d, newest %d), the table %d (newest %d), last_event %d",
						a.ID, len(events), total, slices.Max(ids), stored, last, lastEvent)
				}
				all[a.ID] = fmt.Sprintf("%+v", events)
			}
			return all
		}
		before := timelines()
		// Every kind of write is in the chains checked: a timeline whose
		// kinds are counted.
		kinds := map[examhall.AttemptEventType]int{}
		events, _, err := db.AttemptEvents(ctx, attempts[0].ID, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			kinds[e.Type]++
		}
		questions := len(answers[0])
		want := map[examhall.AttemptEventType]int{examhall.TimelineStarted: 1, examhall.TimelineAnswerSaved: questions,
			examhall.TimelineReviewMarked: questions, examhall.TimelineReviewCleared: questions,
			examhall.TimelineFocusLost: 1, examhall.TimelineFocusGained: 1, examhall.TimelinePaused: 1, examhall.TimelineCompleted: 1,
			examhall.TimelineGraded: 1, examhall.TimelineRegraded: 1}
		if fmt.Sprint(kinds) != fmt.Sprint(want) {
			t.Errorf("attempt 0's events by type: %v, want %v", kinds, want)
		}
		if b := before[attempts[1].ID]; !containsAll(b, "paused", "heartbeat_gap", "resumed") {
			t.Errorf("attempt 1's timeline has no pause and resume: %s", b)
		}

		if err := db.MigrateDownTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if after := timelines(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("migration 00010 Down and Up changed the timelines:\n got %v\nwant %v", after, before)
		}

		if err := db.DeleteUser(ctx, attempts[0].UserID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AttemptEvents(ctx, attempts[0].ID, 0, 10); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("events of a deleted user's attempt: %v, want ENOTFOUND", err)
		}
		var left, all int64
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM attempt_events WHERE attempt_id = $1`, attempts[0].ID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM attempt_events`).Scan(&all); err != nil {
			t.Fatal(err)
		}
		attempts = attempts[1:]
		after := timelines()
		var kept int64
		for _, a := range attempts {
			if after[a.ID] != before[a.ID] {
				t.Errorf("attempt %d's timeline changed when another user was deleted", a.ID)
			}
			var n int64
			if err := db.QueryRowForTest(ctx, `SELECT COUNT(*) FROM attempt_events WHERE attempt_id = $1`, a.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			kept += n
		}
		if left != 0 || all != kept {
			t.Errorf("after deleting a user: %d of their attempt's events left, %d events in all, want 0 and %d", left, all, kept)
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
