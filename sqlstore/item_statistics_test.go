package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// wantItemStatistics computes the exam's sufficient statistics for the
// population here, from the users' attempts and answers as the store
// serves them (issue 16 §1): first = earliest-started completed attempt
// (ties lower id), last = latest-started (ties higher id), best = highest
// score (ties earliest-started, lower id), all = every completed attempt; a
// member awaiting grading counts in Pending only.
func wantItemStatistics(t *testing.T, db *sqlstore.DB, examID int64, users []*examhall.User, p examhall.Population) *examhall.ItemStatisticsData {
	t.Helper()
	ctx := context.Background()
	d := &examhall.ItemStatisticsData{Population: p, Items: map[int64][]examhall.ItemCount{}, Options: map[int64]examhall.OptionCount{}}
	scores := map[decimal.Decimal]int64{}
	items := map[int64]map[[2]decimal.Decimal]int64{}
	for _, u := range users {
		list, err := db.UserAttempts(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var completed []*examhall.Attempt
		for _, a := range list {
			if a.ExamID == examID && a.State == examhall.AttemptCompleted {
				completed = append(completed, a)
			}
		}
		if len(completed) == 0 {
			continue
		}
		earlier := func(a, b *examhall.Attempt) bool {
			return a.Date.Before(b.Date) || (a.Date.Equal(b.Date) && a.ID < b.ID)
		}
		var members []*examhall.Attempt
		switch p {
		case examhall.PopulationAll:
			members = completed
		case examhall.PopulationFirst:
			members = []*examhall.Attempt{slices.MinFunc(completed, func(a, b *examhall.Attempt) int {
				if earlier(a, b) {
					return -1
				}
				return 1
			})}
		case examhall.PopulationLast:
			members = []*examhall.Attempt{slices.MaxFunc(completed, func(a, b *examhall.Attempt) int {
				if earlier(a, b) {
					return -1
				}
				return 1
			})}
		case examhall.PopulationBest:
			members = []*examhall.Attempt{slices.MinFunc(completed, func(a, b *examhall.Attempt) int {
				if a.Score > b.Score || (a.Score == b.Score && earlier(a, b)) {
					return -1
				}
				return 1
			})}
		}
		for _, a := range members {
			if a.Pending > 0 {
				d.Pending++
				continue
			}
			scores[a.Score]++
			answers, err := db.Answers(ctx, u.ID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, ua := range answers {
				if items[ua.ExamQuestionID] == nil {
					items[ua.ExamQuestionID] = map[[2]decimal.Decimal]int64{}
				}
				items[ua.ExamQuestionID][[2]decimal.Decimal{ua.Marks, a.Score - ua.Marks}]++
				for _, id := range ua.SelectedAnswerIDs {
					o := d.Options[id]
					o.Chosen++
					o.ScoreSum += a.Score
					d.Options[id] = o
				}
			}
		}
	}
	for s, n := range scores {
		d.Scores = append(d.Scores, examhall.ScoreCount{Score: s, Attempts: n})
	}
	slices.SortFunc(d.Scores, func(a, b examhall.ScoreCount) int { return int(a.Score - b.Score) })
	for q, m := range items {
		for k, n := range m {
			d.Items[q] = append(d.Items[q], examhall.ItemCount{Marks: k[0], Rest: k[1], Attempts: n})
		}
		slices.SortFunc(d.Items[q], func(a, b examhall.ItemCount) int {
			if a.Marks != b.Marks {
				return int(a.Marks - b.Marks)
			}
			return int(a.Rest - b.Rest)
		})
	}
	return d
}

// checkItemStatistics compares the stored statistics of every population
// with wantItemStatistics, exactly.
func checkItemStatistics(t *testing.T, db *sqlstore.DB, step string, examID int64, users []*examhall.User) {
	t.Helper()
	for _, p := range examhall.Populations {
		got, _, err := db.ItemStatistics(context.Background(), examID, p)
		if err != nil {
			t.Fatalf("%s: ItemStatistics(%s): %v", step, p, err)
		}
		if got.Exam == nil || got.Exam.ID != examID {
			t.Fatalf("%s: ItemStatistics(%s) exam %+v", step, p, got.Exam)
		}
		got.Exam = nil
		if want := wantItemStatistics(t, db, examID, users, p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: population %s:\n got %+v\nwant %+v", step, p, *got, *want)
		}
	}
}

// TestItemStatisticsIncremental drives completions (end, time up, the
// sweep), retakes, essay gradings, a regrade and a user's deletion, and
// after each step compares the statistics kept incrementally with those
// computed from the attempts (and, at the end, with a set-based rebuild);
// the version changes with each step and not with an answer save.
func TestItemStatisticsIncremental(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newAttemptFixture(t, db, clock)
		users := f.students
		examID := f.exam.ID
		version := func() int64 {
			t.Helper()
			v, err := db.ItemStatisticsVersion(ctx, examID)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		last := version()
		step := func(name string, changes bool) {
			t.Helper()
			checkItemStatistics(t, db, name, examID, users)
			v := version()
			if changes && v <= last {
				t.Errorf("%s: version %d, was %d: want it to grow", name, v, last)
			}
			if !changes && v != last {
				t.Errorf("%s: version %d, was %d: want it unchanged", name, v, last)
			}
			last = v
		}
		start := func(u *examhall.User) *examhall.Attempt {
			t.Helper()
			a, err := db.StartAttempt(ctx, u.ID, f.exam.Slug, "")
			if err != nil {
				t.Fatalf("start (%s): %v", u.Username, err)
			}
			return a
		}
		end := func(u *examhall.User, a *examhall.Attempt) {
			t.Helper()
			if _, err := db.End(ctx, u.ID, a.ID); err != nil {
				t.Fatalf("end (%s): %v", u.Username, err)
			}
		}
		// runOut keeps the attempt's clock running (heartbeats) to 100 s
		// short of its three hours, then is silent for 200 s.
		runOut := func(u *examhall.User, a *examhall.Attempt) {
			t.Helper()
			for range 107 {
				clock.Advance(100 * time.Second)
				if _, err := db.Heartbeat(ctx, u.ID, a.ID); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(200 * time.Second)
		}
		step("empty", false)

		s0, s1, s2 := users[0], users[1], users[2]
		a0 := start(s0)
		f.answerAll(t, s0.ID, a0, true)
		step("answers saved", false)
		end(s0, a0)
		step("end (essay pending)", true)

		clock.Advance(time.Minute)
		a1 := start(s1)
		f.answerAll(t, s1.ID, a1, false)
		runOut(s1, a1)
		if _, err := db.Heartbeat(ctx, s1.ID, a1.ID); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("heartbeat after the time ran out: %v", err)
		}
		step("time up", true)

		a2 := start(s2)
		f.answerAll(t, s2.ID, a2, true)
		runOut(s2, a2)
		if n, err := db.ExpireAttempts(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireAttempts = %d, %v", n, err)
		}
		step("sweep", true)

		// Retakes: s0 worse, then better again; s1 better.
		clock.Advance(time.Minute)
		a0b := start(s0)
		f.answerAll(t, s0.ID, a0b, false)
		end(s0, a0b)
		step("retake, worse", true)
		clock.Advance(time.Minute)
		a1b := start(s1)
		f.answerAll(t, s1.ID, a1b, true)
		end(s1, a1b)
		step("retake, better", true)

		// Gradings: pending → graded, one by one.
		essay := f.exam.Questions()[5]
		grade := func(u *examhall.User, a *examhall.Attempt, marks string) {
			t.Helper()
			answers, err := db.Answers(ctx, u.ID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, ua := range answers {
				if ua.ExamQuestionID == essay.ID {
					if _, _, err := db.GradeAnswer(ctx, 1, a.ID, ua.ID, dec(marks)); err != nil {
						t.Fatalf("grade: %v", err)
					}
				}
			}
		}
		grade(s0, a0, "7")
		step("graded s0 first", true)
		grade(s0, a0b, "2.5")
		step("graded s0 retake", true)
		grade(s1, a1, "0")
		grade(s2, a2, "10")
		step("graded s1, s2", true)
		grade(s1, a1b, "9")
		step("graded all", true)
		grade(s0, a0, "3")
		step("graded again", true)

		clock.Advance(time.Minute)
		a0c := start(s0)
		f.answerAll(t, s0.ID, a0c, true)
		end(s0, a0c)
		step("third attempt (pending)", true)
		// s2's retake ties with their first attempt: best is the earlier.
		clock.Advance(time.Minute)
		a2b := start(s2)
		f.answerAll(t, s2.ID, a2b, true)
		end(s2, a2b)
		grade(s2, a2b, "10")
		step("a tie for best", true)

		// A regrade: the key of q-1 changes (the wrong answer is right now), then its marks.
		q1 := f.exam.Questions()[0]
		key := []int64{q1.Question.Answers[1].ID}
		if _, n, err := db.ChangeExamQuestion(ctx, examID, q1.ID, examhall.ExamQuestionChange{CorrectAnswerIDs: &key}); err != nil || n != 7 {
			t.Fatalf("ChangeExamQuestion = %d, %v", n, err)
		}
		step("regrade: key", true)
		if _, _, err := db.ChangeExamQuestion(ctx, examID, q1.ID, examhall.ExamQuestionChange{Marks: ptr(dec("3"))}); err != nil {
			t.Fatal(err)
		}
		step("regrade: marks", true)

		// A running attempt is in no population; deleting its user
		// takes their completed ones out.
		clock.Advance(time.Minute)
		a1c := start(s1)
		f.answerAll(t, s1.ID, a1c, true)
		step("running retake", false)
		if err := db.DeleteUser(ctx, s1.ID); err != nil {
			t.Fatal(err)
		}
		users = []*examhall.User{s0, s2}
		step("user deleted", true)

		// A set-based rebuild finds what the increments kept.
		if err := db.RebuildItemStatistics(ctx, examID); err != nil {
			t.Fatal(err)
		}
		step("rebuilt", true)

		// Migration 00008 backfills the same from the attempts.
		if err := db.MigrateDownTo(ctx, 6); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		checkItemStatistics(t, db, "migrated", examID, users)

		if _, err := db.ItemStatisticsVersion(ctx, 9999); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("ItemStatisticsVersion(unknown) = %v, want ENOTFOUND", err)
		}
		if _, _, err := db.ItemStatistics(ctx, 9999, examhall.PopulationAll); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("ItemStatistics(unknown) = %v, want ENOTFOUND", err)
		}
	})
}

// Completions, gradings and a user's deletion running at once on one exam
// neither deadlock nor make the statistics drift.
func TestItemStatisticsRaces(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		f := newAttemptFixture(t, db, clock)
		users, attempts := startAll(t, f, 12)
		essay := f.exam.Questions()[5]
		essays := make([]int64, len(attempts))
		for i := range 7 { // the first 7 end now (essays pending)
			if _, err := db.End(ctx, users[i].ID, attempts[i].ID); err != nil {
				t.Fatal(err)
			}
			answers, err := db.Answers(ctx, users[i].ID, attempts[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, ua := range answers {
				if ua.ExamQuestionID == essay.ID {
					essays[i] = ua.ID
				}
			}
		}
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				switch {
				case i == 6:
					err = db.DeleteUser(ctx, users[i].ID)
				case i < 6:
					_, _, err = db.GradeAnswer(ctx, 1, attempts[i].ID, essays[i], dec(fmt.Sprint(i)))
				default:
					_, err = db.End(ctx, users[i].ID, attempts[i].ID)
				}
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		checkItemStatistics(t, db, "after the race", f.exam.ID, append(slices.Clone(users[:6]), users[7:]...))
	})
}

// The bulk path (the demo's InsertAttempts, then CountScores) builds the
// statistics of what it loaded.
func TestItemStatisticsBulkLoad(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newAttemptFixture(t, db, clock)
		var records []examhall.AttemptRecord
		for i, u := range []*examhall.User{f.students[0], f.students[0], f.students[1], f.students[2], f.students[2]} {
			date := epoch.Add(time.Duration(i) * time.Hour)
			rec := examhall.AttemptRecord{Attempt: examhall.Attempt{ExamID: f.exam.ID, UserID: u.ID, State: examhall.AttemptCompleted,
				Date: date, LastActivity: date, CompletedOn: &date, Result: "NA", Pending: i % 3 / 2}}
			for j, q := range f.exam.Questions() {
				ua := examhall.UserAnswer{ExamQuestionID: q.ID, Modified: date}
				if len(q.Question.Answers) > 0 {
					right := (i+j)%2 == 0
					ua.SelectedAnswerIDs = []int64{q.Question.Answers[map[bool]int{true: 0, false: 1}[right]].ID}
					ua.Marks = map[bool]decimal.Decimal{true: q.Marks, false: -q.NegativeMarks}[right]
				}
				rec.Attempt.Score += ua.Marks
				rec.Answers = append(rec.Answers, ua)
			}
			records = append(records, rec)
		}
		if err := db.InsertAttempts(ctx, records); err != nil {
			t.Fatal(err)
		}
		if err := db.CountScores(ctx, []int64{f.exam.ID}); err != nil {
			t.Fatal(err)
		}
		checkItemStatistics(t, db, "bulk load", f.exam.ID, f.students)
		got, _, err := db.ItemStatistics(ctx, f.exam.ID, examhall.PopulationAll)
		if err != nil || got.Pending != 1 || len(got.Scores) == 0 {
			t.Errorf("all: %+v, %v; want 4 attempts and 1 pending", got, err)
		}
	})
}
