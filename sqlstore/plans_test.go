package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// Every filter and ordering of the admin attempts list (SPEC §8.1) reads
// attempts through an index on both engines, never by a table scan, with the
// planners' own choices on realistic statistics. The large shapes (the whole
// list by id or date, a big exam's attempts by a count or date) are read in
// index order, without a sort; where a filter leaves few rows, or most rows,
// the planners may rightly sort them or walk an ordering's index instead.
func TestAttemptListPlans(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	later := day.Add(30 * 24 * time.Hour)
	completed := examhall.AttemptCompleted
	one := int64(1)
	filters := map[string]examhall.AttemptFilter{
		"none":            {},
		"exams":           {ExamID: &one},
		"users":           {UserID: &one},
		"state":           {State: &completed},
		"dates":           {StartedFrom: &day, StartedBefore: &later},
		"users+exams":     {UserID: &one, ExamID: &one},
		"exams+state":     {ExamID: &one, State: &completed},
		"exams+dates":     {ExamID: &one, StartedFrom: &day, StartedBefore: &later},
		"exams+state+dts": {ExamID: &one, State: &completed, StartedFrom: &day, StartedBefore: &later},
	}
	orders := map[string]examhall.AttemptOrder{
		"date": {Field: examhall.OrderByDate}, "-date": {Field: examhall.OrderByDate, Desc: true},
		"id": {Field: examhall.OrderByID}, "-id": {Field: examhall.OrderByID, Desc: true},
		"correct": {Field: examhall.OrderByCorrect}, "-correct": {Field: examhall.OrderByCorrect, Desc: true},
		"-incorrect": {Field: examhall.OrderByIncorrect, Desc: true}, "unanswered": {Field: examhall.OrderByUnanswered},
	}
	inOrder := map[string]bool{"none/-id": true, "none/id": true, "none/-date": true, "exams/-correct": true,
		"exams/correct": true, "exams/-date": true}
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := sqltest.MustOpenDSN(t, engine, examhall.SystemClock{})
			loadAttempts(t, engine, dsn)
			for fname, f := range filters {
				for oname, o := range orders {
					f.Order = []examhall.AttemptOrder{o}
					plan, err := db.ExplainAttemptList(context.Background(), f)
					if err != nil {
						t.Fatal(err)
					}
					text := strings.Join(plan, "\n")
					// SQLite stores attempts in id order: with no filter, reading the table
					// in that order up to the page's end is the index read.
					rowidOrder := engine == sqlstore.SQLite && fname == "none" && (oname == "id" || oname == "-id")
					if !rowidOrder && fullScan(engine, text) {
						t.Errorf("%s/%s reads attempts by a table scan:\n%s", fname, oname, text)
					}
					if inOrder[fname+"/"+oname] && sorts(engine, text) {
						t.Errorf("%s/%s sorts instead of reading an index in order:\n%s", fname, oname, text)
					}
				}
			}
		})
	}
}

func fullScan(engine sqlstore.Engine, plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if engine == sqlstore.SQLite && (line == "SCAN attempts" || strings.HasPrefix(line, "SCAN attempts ") && !strings.Contains(line, "USING")) {
			return true
		}
		if engine == sqlstore.Postgres && strings.Contains(line, "Seq Scan on attempts") {
			return true
		}
	}
	return false
}

func sorts(engine sqlstore.Engine, plan string) bool {
	if engine == sqlstore.SQLite {
		return strings.Contains(plan, "USE TEMP B-TREE FOR ORDER BY") || strings.Contains(plan, "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY")
	}
	for _, line := range strings.Split(plan, "\n") {
		if t := strings.TrimLeft(line, " ->"); strings.HasPrefix(t, "Sort ") || strings.HasPrefix(t, "Incremental Sort") {
			return true
		}
	}
	return false
}

// loadAttempts fills a fresh database with 20,000 attempts of 50 exams (a
// quarter of them of exam 1, like a national mock) by 2,000 users over two
// years, written directly: only their shape matters to the planners, which
// then see real statistics (ANALYZE).
func loadAttempts(t *testing.T, engine sqlstore.Engine, dsn string) {
	t.Helper()
	driver, series := "sqlite", func(n int) string {
		return fmt.Sprintf("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) SELECT i FROM s", n)
	}
	if engine == sqlstore.Postgres {
		driver, series = "pgx", func(n int) string { return fmt.Sprintf("SELECT i FROM generate_series(1, %d) AS s(i)", n) }
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		`INSERT INTO users (username, username_key, role, date_joined) SELECT 'u' || i, 'u' || i, 'student', 0 FROM (` + series(2000) + `) s`,
		`INSERT INTO exams (slug, title, created, modified) SELECT 'e' || i, 'E', 0, 0 FROM (` + series(50) + `) s`,
		`INSERT INTO attempts (exam_id, user_id, state, date, correct_count, incorrect_count, unanswered_count)
			SELECT CASE WHEN i % 4 = 0 THEN 1 ELSE 2 + i % 49 END, 1 + i % 2000, CASE WHEN i % 10 = 0 AND i <= 2000 THEN 0 ELSE 1 END,
				1767225600000000 + i * 3153600000, i % 37, i % 23, i % 11 FROM (` + series(20000) + `) s`,
		`ANALYZE`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%v: %s", err, stmt)
		}
	}
}

// The grading queue reads the attempts awaiting grading through its partial
// indexes, by exam or of every exam, never by a scan of attempts or of user
// answers, on both engines; on SQLite also without statistics (a database
// that was never analyzed, like the demo's).
func TestGradingQueuePlans(t *testing.T) {
	one := int64(1)
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := sqltest.MustOpenDSN(t, engine, examhall.SystemClock{})
			loadAttempts(t, engine, dsn)
			// One completed attempt in a hundred awaits grading, each with one
			// essay among its 20 answers.
			for _, stmt := range []string{
				`UPDATE attempts SET pending_count = 1, completed_on = date + 3600000000 WHERE state = 1 AND id % 100 = 0`,
				`INSERT INTO user_answers (attempt_id, exam_question_id, id, result, modified)
					SELECT a.id, q.i, a.id * 65536 + q.i, CASE WHEN q.i = 20 AND a.pending_count > 0 THEN 4 ELSE 1 END, 0
					FROM attempts a CROSS JOIN (SELECT id AS i FROM attempts WHERE id <= 20) q`,
			} {
				if err := db.ExecForTest(context.Background(), stmt); err != nil {
					t.Fatalf("%v: %s", err, stmt)
				}
			}
			for _, analyzed := range []bool{false, true} {
				if analyzed {
					if err := db.ExecForTest(context.Background(), `ANALYZE`); err != nil {
						t.Fatal(err)
					}
				} else if engine == sqlstore.Postgres {
					continue // autovacuum may analyze at any time: only the analyzed plan is certain
				}
				for name, f := range map[string]examhall.GradingQueueFilter{"every exam": {Limit: 50}, "one exam": {ExamID: &one, Limit: 50}} {
					count, page, err := db.ExplainGradingQueue(context.Background(), f)
					if err != nil {
						t.Fatal(err)
					}
					for kind, plan := range map[string]string{"count": strings.Join(count, "\n"), "page": strings.Join(page, "\n")} {
						if fullScan(engine, plan) || scansAnswers(engine, plan) || !usesGradingIndex(plan) {
							t.Errorf("%s, analyzed %v: the %s query does not read the backlog through its index:\n%s", name, analyzed, kind, plan)
						}
					}
				}
			}
		})
	}
}

func scansAnswers(engine sqlstore.Engine, plan string) bool {
	if engine == sqlstore.SQLite {
		for _, line := range strings.Split(plan, "\n") {
			if t := strings.TrimLeft(line, "|-` "); strings.HasPrefix(t, "SCAN ua") {
				return true
			}
		}
		return false
	}
	return strings.Contains(plan, "Seq Scan on user_answers")
}

func usesGradingIndex(plan string) bool {
	return strings.Contains(plan, "attempts_grading") || strings.Contains(plan, "attempts_exam_grading")
}

// The sweep reads only the running attempts, through an index, on both
// engines: by an index condition on state, or through attempts_one_running,
// whose rows are the running attempts; never a scan of attempts, nor every
// attempt of the timed exams (migration 00011 dropped the index that held
// last_activity_at, which every answer save moves).
func TestSweepPlans(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db, dsn := sqltest.MustOpenDSN(t, engine, examhall.SystemClock{})
			loadAttempts(t, engine, dsn)
			for _, stmt := range []string{`UPDATE exams SET duration_us = 3600000000`, `ANALYZE`} {
				if err := db.ExecForTest(context.Background(), stmt); err != nil {
					t.Fatal(err)
				}
			}
			plan, err := db.ExplainExpireAttempts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			if !readsRunningOnly(engine, plan) {
				t.Errorf("the sweep does not read the running attempts through an index:\n%s", text)
			}
		})
	}
}

// readsRunningOnly tells whether plan reads attempts (alias a) by an index
// condition on state or through attempts_one_running.
func readsRunningOnly(engine sqlstore.Engine, plan []string) bool {
	text := strings.Join(plan, "\n")
	if engine == sqlstore.Postgres {
		if strings.Contains(text, "Seq Scan on attempts") {
			return false
		}
		if strings.Contains(text, "attempts_one_running on attempts") {
			return true
		}
		for _, line := range plan {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "Index Cond:") && strings.Contains(t, "state = 0") {
				return true
			}
		}
		return false
	}
	for _, line := range plan {
		if t := strings.TrimLeft(line, "|-` "); strings.HasPrefix(t, "SCAN a") || strings.HasPrefix(t, "SEARCH a ") {
			return strings.Contains(t, "attempts_one_running") || strings.Contains(t, "state=?")
		}
	}
	return false
}
