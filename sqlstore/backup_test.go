package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// stormAttempt is an attempt the storm ended, and when its end was acknowledged.
type stormAttempt struct {
	userID, id int64
	ended      time.Time
}

// A backup taken while students start, answer and end attempts restores to
// a database where every attempt ended before the backup began reads back
// equal (attempt and answers), and none started after it ended is there.
// On PostgreSQL, Backup and Restore refuse and say to use pg_dump.
func TestBackupDuringWrites(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if db.Engine() == sqlstore.Postgres {
			to := filepath.Join(t.TempDir(), "backup.db")
			err := db.Backup(ctx, to)
			if examhall.ErrorCodeOf(err) != examhall.EINVALID || !strings.Contains(err.Error(), "pg_dump --format=custom") {
				t.Errorf("Backup on PostgreSQL: %v, want EINVALID advising pg_dump", err)
			}
			if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Backup on PostgreSQL wrote %s: %v", to, err)
			}
			return
		}
		f := newAttemptFixture(t, db, clock)
		var (
			mu       sync.Mutex
			ended    []stormAttempt
			stop     atomic.Bool
			storm    sync.WaitGroup
			students atomic.Int64
			failure  atomic.Value
		)
		for range 6 {
			storm.Add(1)
			go func() {
				defer storm.Done()
				for !stop.Load() {
					if err := stormOne(ctx, f, &students, &mu, &ended); err != nil {
						failure.Store(err)
						return
					}
				}
			}()
		}
		for { // some attempts end before the backup
			mu.Lock()
			n := len(ended)
			mu.Unlock()
			if n >= 20 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		before := append([]stormAttempt(nil), ended...)
		mu.Unlock()
		dir := t.TempDir()
		backup := filepath.Join(dir, "backup.db")
		started := time.Now()
		if err := db.Backup(ctx, backup); err != nil {
			t.Fatal(err)
		}
		finished := time.Now()
		// The storm goes on until some attempts have started and ended after the backup.
		for {
			mu.Lock()
			last := ended[len(ended)-1]
			mu.Unlock()
			if last.ended.After(finished.Add(20 * time.Millisecond)) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		stop.Store(true)
		storm.Wait()
		if err, _ := failure.Load().(error); err != nil {
			t.Fatal(err)
		}
		t.Logf("backup took %v; %d attempts ended before it, %d in all", finished.Sub(started), len(before), len(ended))

		restored := filepath.Join(dir, "restored.db")
		from, to, err := sqlstore.Restore(ctx, backup, restored, clock)
		if err != nil || from != to || to == 0 {
			t.Fatalf("Restore: schema %d -> %d, %v", from, to, err)
		}
		rdb, err := sqlstore.Open(ctx, restored, clock)
		if err != nil {
			t.Fatal(err)
		}
		defer rdb.Close()
		for _, a := range before {
			want, _, err := db.Attempt(ctx, a.userID, a.id)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := rdb.Attempt(ctx, a.userID, a.id)
			if err != nil {
				t.Fatalf("attempt %d, ended before the backup, restored: %v", a.id, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("attempt %d restored as\n%+v\nwant\n%+v", a.id, got, want)
			}
			wantAnswers, err := db.Answers(ctx, a.userID, a.id)
			if err != nil {
				t.Fatal(err)
			}
			gotAnswers, err := rdb.Answers(ctx, a.userID, a.id)
			if err != nil || !reflect.DeepEqual(gotAnswers, wantAnswers) || len(gotAnswers) == 0 {
				t.Errorf("attempt %d: answers restored as %+v (%v), want %+v", a.id, gotAnswers, err, wantAnswers)
			}
		}
		last := ended[len(ended)-1]
		if _, _, err := rdb.Attempt(ctx, last.userID, last.id); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Errorf("attempt %d, started after the backup ended, restored: %v, want ENOTFOUND", last.id, err)
		}
	})
}

// stormOne creates a student who starts the fixture's exam, answers every
// question and ends, and records the attempt once its end is acknowledged.
func stormOne(ctx context.Context, f *attemptFixture, students *atomic.Int64, mu *sync.Mutex, ended *[]stormAttempt) error {
	u := newStudent(fmt.Sprintf("storm%04d", students.Add(1)))
	if err := f.db.CreateUser(ctx, u, ""); err != nil {
		return err
	}
	a, err := f.db.StartAttempt(ctx, u.ID, "mock-1", "")
	if err != nil {
		return err
	}
	answers, err := f.db.Answers(ctx, u.ID, a.ID)
	if err != nil {
		return err
	}
	for i, q := range f.exam.Questions() {
		in := examhall.AnswerInput{}
		switch q.Question.Type {
		case examhall.MCQSingle, examhall.TrueFalse, examhall.MCQMultiple:
			in.SelectedAnswerIDs = &[]int64{q.Question.Answers[int(a.ID)%len(q.Question.Answers)].ID}
		case examhall.Numerical:
			in.NumericValue = ptr(fmt.Sprint(a.ID % 17))
		default:
			in.ShortText, in.EssayText = ptr(fmt.Sprint("text ", a.ID)), ptr(fmt.Sprint("essay ", a.ID))
			if q.Question.Type == examhall.ShortAnswer {
				in.EssayText = nil
			} else {
				in.ShortText = nil
			}
		}
		if _, _, err := f.db.SaveAnswer(ctx, u.ID, a.ID, answers[i].ID, in); err != nil {
			return fmt.Errorf("attempt %d, answer %d: %w", a.ID, i, err)
		}
	}
	if _, err := f.db.End(ctx, u.ID, a.ID); err != nil {
		return err
	}
	mu.Lock()
	*ended = append(*ended, stormAttempt{userID: u.ID, id: a.ID, ended: time.Now()})
	mu.Unlock()
	return nil
}

// Backup never overwrites a file; Restore never overwrites a database, and
// takes only an examhall SQLite database of a schema it knows, migrating an
// older one forward. A refusal changes nothing.
func TestBackupRestoreRefusals(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	ctx := context.Background()
	db := sqltest.MustOpen(t, sqlstore.SQLite, clock)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
			t.Errorf("%s now holds %q, %v", existing, b, err)
		}
	}
	if err := db.Backup(ctx, existing); examhall.ErrorCodeOf(err) != examhall.ECONFLICT {
		t.Errorf("Backup to an existing file: %v, want ECONFLICT", err)
	}
	unchanged(t)
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sqlstore.Restore(ctx, backup, existing, clock); examhall.ErrorCodeOf(err) != examhall.ECONFLICT {
		t.Errorf("Restore over an existing file: %v, want ECONFLICT", err)
	}
	unchanged(t)

	// A SQLite database of another application, or of a newer examhall,
	// and a file that is not SQLite at all.
	other := filepath.Join(dir, "other.db")
	mustExec(t, other, `CREATE TABLE t (x)`)
	newer := copyFile(t, backup, filepath.Join(dir, "newer.db"))
	mustExec(t, newer, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`)
	for name, from := range map[string]string{"not sqlite": existing, "other application": other, "newer schema": newer} {
		to := filepath.Join(dir, "restored-"+strings.ReplaceAll(name, " ", "-")+".db")
		if _, _, err := sqlstore.Restore(ctx, from, to, clock); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Errorf("%s: Restore: %v, want EINVALID", name, err)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(to + suffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %s left behind: %v", name, to+suffix, err)
			}
		}
	}
	if _, _, err := sqlstore.Restore(ctx, backup, "postgres://localhost/x", clock); examhall.ErrorCodeOf(err) != examhall.EINVALID ||
		!strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("Restore into PostgreSQL: %v, want EINVALID advising pg_restore", err)
	}

	// An older schema (without the last migration) is migrated forward;
	// the backup itself is not changed.
	older := copyFile(t, backup, filepath.Join(dir, "older.db"))
	mustExec(t, older, `CREATE INDEX attempts_running ON attempts (state, last_activity_at) WHERE state = 0`,
		`DELETE FROM goose_db_version WHERE version_id = 11`, `DROP TABLE attempt_events`, `ALTER TABLE attempts DROP COLUMN last_event`,
		`DELETE FROM goose_db_version WHERE version_id IN (9, 10)`,
		`DROP TABLE stat_options`, `DROP TABLE stat_items`, `DROP TABLE stat_scores`, `DROP TABLE stat_pending`,
		`DROP TABLE stat_members`, `DROP TABLE stat_versions`, `DELETE FROM goose_db_version WHERE version_id = 8`,
		`DROP TRIGGER attempts_change_inserted`, `DROP TRIGGER attempts_change_updated`,
		`DROP TRIGGER attempts_change_deleted`, `DROP TRIGGER users_change_attempts`, `DROP TRIGGER exams_change_attempts`,
		`DROP TABLE attempt_changes`, `DROP TABLE attempt_change_marks`, `DELETE FROM goose_db_version WHERE version_id = 7`,
		`DROP TABLE export_jobs`, `DELETE FROM goose_db_version WHERE version_id = 6`)
	olderBytes, err := os.ReadFile(older)
	if err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(dir, "restored-older.db")
	if err := os.WriteFile(restored, nil, 0o600); err != nil { // an empty file is an empty path
		t.Fatal(err)
	}
	if from, to, err := sqlstore.Restore(ctx, older, restored, clock); err != nil || from != 5 || to != 11 {
		t.Errorf("Restore of schema 5: %d -> %d, %v; want 5 -> 11", from, to, err)
	}
	if b, _ := os.ReadFile(older); !bytes.Equal(b, olderBytes) {
		t.Error("Restore changed the backup it read")
	}
	rdb, err := sqlstore.Open(ctx, restored, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if current, latest, err := rdb.SchemaVersion(ctx); err != nil || current != latest {
		t.Errorf("restored database at schema %d of %d: %v", current, latest, err)
	}
}

// mustExec runs statements on the SQLite file path (created when missing).
func mustExec(t *testing.T, path string, statements ...string) {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range statements {
		if _, err := conn.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}
