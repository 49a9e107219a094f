package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/attemptlist"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// changesAfter returns the feed after since as "id" or "-id" (a tombstone)
// in order, checking that the sequence values rise and rows match deletions.
func changesAfter(t *testing.T, db *sqlstore.DB, since int64) (changes []string, next int64) {
	t.Helper()
	page, err := db.AttemptChanges(context.Background(), since, 1000)
	if err != nil {
		t.Fatal(err)
	}
	last := since
	for _, c := range page.Changes {
		if c.Seq <= last || (c.Row == nil) != c.Deleted || (c.Row != nil && c.Row.ID != c.ID) {
			t.Fatalf("change %+v after seq %d", c, last)
		}
		last = c.Seq
		if c.Deleted {
			changes = append(changes, fmt.Sprintf("-%d", c.ID))
		} else {
			changes = append(changes, fmt.Sprint(c.ID))
		}
	}
	if page.HasMore || page.Next < last {
		t.Fatalf("page: next %d, has_more %v after seq %d", page.Next, page.HasMore, last)
	}
	return changes, page.Next
}

// Every change to what an attempt's §8.1 row shows is in the feed, once per
// attempt and in order; a heartbeat (the clock of a running attempt) and a
// change of nothing shown are not.
func TestAttemptChangesRecorded(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		asha, ravi := f.students[0], f.students[1]
		expect := func(since int64, want ...string) int64 {
			t.Helper()
			got, next := changesAfter(t, db, since)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("changes after %d = %v, want %v", since, got, want)
			}
			return next
		}
		start := expect(-1)
		a, err := db.StartAttempt(ctx, asha.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.StartAttempt(ctx, ravi.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		cursor := expect(start, fmt.Sprint(a.ID), fmt.Sprint(b.ID))

		clock.Advance(30 * time.Second)
		if _, err := db.Heartbeat(ctx, asha.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor) // the clock moved: not a change

		answers, err := db.Answers(ctx, asha.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if _, _, err := db.SaveAnswer(ctx, asha.ID, a.ID, answers[0].ID, examhall.AnswerInput{Review: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor, fmt.Sprint(a.ID)) // last_answer_updated_time
		// Asha's second save and Ravi's end: each attempt once, in the
		// order of its latest change.
		clock.Advance(time.Second)
		if _, _, err := db.SaveAnswer(ctx, asha.ID, a.ID, answers[0].ID, examhall.AnswerInput{Review: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.End(ctx, ravi.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if _, _, err := db.SaveAnswer(ctx, asha.ID, a.ID, answers[1].ID, examhall.AnswerInput{Review: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		// (On PostgreSQL the changes committed since the last read are
		// numbered at the next one, in no particular order.)
		if got, next := changesAfter(t, db, cursor); len(got) != 2 || got[0] == got[1] {
			t.Fatalf("changes after %d = %v, want %d and %d once each", cursor, got, a.ID, b.ID)
		} else {
			cursor = next
		}

		// A user's name is shown; their password is not.
		if _, err := db.UpdateUser(ctx, ravi.ID, func(u *examhall.User) error { u.LastName = "Kumar"; return nil }, nil); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor, fmt.Sprint(b.ID))
		hash := "x"
		if _, err := db.UpdateUser(ctx, ravi.ID, func(u *examhall.User) error { return nil }, &hash); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor)

		// An exam's duration is in remaining_time; its title is not.
		if _, _, err := db.UpdateExam(ctx, f.exam.ID, func(e *examhall.Exam) error { e.Title = "Renamed"; return nil }); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor)
		if _, _, err := db.UpdateExam(ctx, f.exam.ID, func(e *examhall.Exam) error { e.Duration = ptr(4 * time.Hour); return nil }); err != nil {
			t.Fatal(err)
		}
		cursor = expect(cursor, fmt.Sprint(a.ID), fmt.Sprint(b.ID))

		// Deleting a user deletes their attempts (a cascade): tombstones.
		if err := db.DeleteUser(ctx, ravi.ID); err != nil {
			t.Fatal(err)
		}
		expect(cursor, fmt.Sprint(-b.ID))
		// From the start: every attempt once, at its latest change.
		expect(-1, fmt.Sprint(a.ID), fmt.Sprint(-b.ID))
	})
}

// A cursor before a pruned tombstone, or beyond every value assigned, is
// EGONE; tombstones are kept for the retention after the sweep first sees
// them, and a fresh start (no cursor) still works.
func TestAttemptChangesGone(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		asha, ravi := f.students[0], f.students[1]
		a, err := db.StartAttempt(ctx, asha.ID, "mock-1", "")
		if err != nil {
			t.Fatal(err)
		}
		_, before := changesAfter(t, db, -1)
		if _, err := db.StartAttempt(ctx, ravi.ID, "mock-1", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteUser(ctx, ravi.ID); err != nil {
			t.Fatal(err)
		}
		_, horizon := changesAfter(t, db, -1)
		gone := func(since int64) {
			t.Helper()
			if _, err := db.AttemptChanges(ctx, since, 10); examhall.ErrorCodeOf(err) != examhall.EGONE {
				t.Fatalf("changes after %d: %v, want EGONE", since, err)
			}
		}
		gone(horizon + 1) // ahead: a database restored from a backup
		retention := time.Hour
		prune := func(want int64) {
			t.Helper()
			now := clock.Now()
			if n, err := db.PruneAttemptChanges(ctx, now, now.Add(-retention)); n != want || err != nil {
				t.Fatalf("prune at %v: %d, %v; want %d", now, n, err, want)
			}
		}
		prune(0) // first seen now
		clock.Advance(retention)
		prune(0) // not older than the retention yet
		if got, _ := changesAfter(t, db, before); len(got) != 1 {
			t.Fatalf("before pruning: %v", got)
		}
		clock.Advance(time.Microsecond)
		prune(1)
		gone(before) // it would miss the deletion, though nothing newer is kept
		gone(0)      // the start of time too
		gone(horizon + 1)
		if got, next := changesAfter(t, db, horizon); len(got) != 0 || next != horizon {
			t.Fatalf("from the horizon: %v, next %d", got, next)
		}
		if got, _ := changesAfter(t, db, -1); fmt.Sprint(got) != fmt.Sprint([]string{fmt.Sprint(a.ID)}) {
			t.Fatalf("from the start: %v", got)
		}
	})
}

// TestAttemptChangesConcurrent: students keep saving and starting attempts
// from many goroutines (on PostgreSQL, transactions commit in any order)
// while a follower walks the list once and then follows the feed: at the end
// the follower holds exactly what a fresh walk shows.
func TestAttemptChangesConcurrent(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		exam := sampleExam(0, 0)
		if err := db.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		const writers = 12
		var students []*examhall.User
		for i := range 2 * writers {
			u := newStudent(fmt.Sprintf("s%d", i))
			if err := db.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
			students = append(students, u)
		}
		var early []*examhall.Attempt // some attempts before the walk
		for _, u := range students[:writers/2] {
			a, err := db.StartAttempt(ctx, u.ID, exam.Slug, "")
			if err != nil {
				t.Fatal(err)
			}
			early = append(early, a)
		}
		// The follower keeps the rows as read and renders them with the
		// fresh walk's at one instant: a running attempt's clock moves
		// without a change.
		walk := func() (map[int64]*examhall.AttemptRow, int64) {
			page, err := db.AttemptList(ctx, examhall.AttemptFilter{Limit: 100000})
			if err != nil {
				t.Fatal(err)
			}
			rows := map[int64]*examhall.AttemptRow{}
			for i := range page.Rows {
				rows[page.Rows[i].ID] = &page.Rows[i]
			}
			return rows, page.ChangeSeq
		}
		render := func(rows map[int64]*examhall.AttemptRow) map[int64]attemptlist.Row {
			out := map[int64]attemptlist.Row{}
			for id, r := range rows {
				out[id] = attemptlist.NewRow(r, clock.Now(), time.UTC, "e/", "u/")
			}
			return out
		}
		follower, cursor := walk()
		var saves atomic.Int64
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := students[w]
				var a *examhall.Attempt
				var err error
				if w < len(early) {
					a = early[w]
				} else if a, err = db.StartAttempt(ctx, u.ID, exam.Slug, ""); err != nil {
					t.Error(err)
					return
				}
				answers, err := db.Answers(ctx, u.ID, a.ID)
				if err != nil {
					t.Error(err)
					return
				}
				for i := range 40 {
					clock.Advance(time.Millisecond) // each save a new last_answer_updated_time
					if _, _, err := db.SaveAnswer(ctx, u.ID, a.ID, answers[i%len(answers)].ID,
						examhall.AnswerInput{Review: ptr(i%2 == 0)}); err != nil {
						t.Error(err)
						return
					}
					saves.Add(1)
				}
				if w%3 == 0 {
					if _, err := db.End(ctx, u.ID, a.ID); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		polls := 0
		follow := func() {
			for {
				page, err := db.AttemptChanges(ctx, cursor, 7) // small pages: many cursors mid-stream
				if err != nil {
					t.Fatal(err)
				}
				polls++
				for _, c := range page.Changes {
					if c.Deleted {
						delete(follower, c.ID)
					} else {
						follower[c.ID] = c.Row
					}
				}
				cursor = page.Next
				if !page.HasMore {
					return
				}
			}
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			follow()
		}
		follow()
		walked, _ := walk()
		fresh, followed := render(walked), render(follower)
		if !reflect.DeepEqual(followed, fresh) {
			for id, row := range fresh {
				if !reflect.DeepEqual(followed[id], row) {
					t.Errorf("attempt %d: follower has %s, a fresh walk %s", id, rowText(followed[id]), rowText(row))
				}
			}
			t.Fatalf("follower holds %d attempts, a fresh walk %d", len(followed), len(fresh))
		}
		t.Logf("%d saves, %d polls, %d attempts", saves.Load(), polls, len(fresh))
	})
}

// rowText is a row's cells, readable in a failure.
func rowText(r attemptlist.Row) string { return fmt.Sprint(r.Cells(nil)) }

// TestAttemptChangesWriterInFlight (PostgreSQL, where writers commit
// concurrently): a save whose transaction is still open while the feed is
// read is not numbered then, even when its attempt was marked changed
// already; once it commits, the next read delivers its state. Numbering it
// early would hand it out at a seq the follower passes before the state
// it stands for is visible: a missed change.
func TestAttemptChangesWriterInFlight(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	dsn := sqltest.DSN(t, sqlstore.Postgres)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := newAttemptFixture(t, db, clock)
	a, err := db.StartAttempt(ctx, f.students[0].ID, "mock-1", "")
	if err != nil {
		t.Fatal(err)
	}
	_, cursor := changesAfter(t, db, -1)
	for _, marked := range []bool{false, true} {
		if marked { // a committed change not yet numbered, then the open one
			if err := db.ExecForTest(ctx, `UPDATE attempts SET speed = speed + 1 WHERE id = $1`, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		writer, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := writer.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET speed = 777 WHERE id = $1`, a.ID); err != nil {
			t.Fatal(err)
		}
		got, next := changesAfter(t, db, cursor) // while the writer's transaction is open
		if marked && len(got) != 0 {
			t.Errorf("marked before: %v numbered while a writer holds it", got)
		}
		cursor = next
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		writer.Close()
		page, err := db.AttemptChanges(ctx, cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Changes) != 1 || page.Changes[0].Row == nil || page.Changes[0].Row.Speed != 777 {
			t.Fatalf("marked before %v: after the commit the feed has %+v; want the attempt with speed 777", marked, page.Changes)
		}
		cursor = page.Next
		if err := db.ExecForTest(ctx, `UPDATE attempts SET speed = 0 WHERE id = $1`, a.ID); err != nil {
			t.Fatal(err)
		}
		_, cursor = changesAfter(t, db, cursor)
	}
}

// Migration 00007 numbers the attempts that exist (in id order), so that a
// feed read from the start lists them all, and its Down undoes it.
func TestAttemptChangesMigration(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		f := newAttemptFixture(t, db, clock)
		ctx := context.Background()
		var ids []string
		for _, u := range f.students {
			a, err := db.StartAttempt(ctx, u.ID, "mock-1", "")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(a.ID))
		}
		// Back to a schema before the feed (the later migrations' Down run
		// too): the attempts are then those of a build before the feed, and
		// 00007's Up numbers them.
		if err := db.MigrateDownTo(ctx, 6); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := db.AttemptChanges(ctx, -1, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, c := range page.Changes {
			if c.Seq != int64(i+1) || c.Row == nil {
				t.Fatalf("change %d: %+v", i, c)
			}
			got = append(got, fmt.Sprint(c.ID))
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) || page.Next != int64(len(ids)) || page.HasMore {
			t.Fatalf("after the migration: %v, next %d, has_more %v; want %v", got, page.Next, page.HasMore, ids)
		}
	})
}
