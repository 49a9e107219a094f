package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// saveColumns are the columns of attempts an answer save sets: the clock's
// (saveAttemptChanges) and the timeline's chain end (last_event).
var saveColumns = regexp.MustCompile(`\b(last_started_time|last_answer_updated_time|time_taken_us|last_activity_at|interval_open|last_event)\b`)

// TestAnswerSaveFootprint: an answer save writes the attempt's row, the
// answer's row and its event, and no index (issue 16's budget for a save,
// migration 00011). No index of attempts, partial indexes' conditions
// included, holds a column a save sets: on PostgreSQL the update can then be
// HOT, with no new index entries; on SQLite no index page changes, so a save
// commits three pages (WAL frames), one each for the attempt, the answer and
// the event. attempts_running, which held last_activity_at, made it four.
func TestAnswerSaveFootprint(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, dsn := sqltest.MustOpenDSN(t, engine, examhall.SystemClock{})
			raw, err := sql.Open(map[sqlstore.Engine]string{sqlstore.SQLite: "sqlite", sqlstore.Postgres: "pgx"}[engine], dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			indexes := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attempts' AND sql IS NOT NULL`
			if engine == sqlstore.Postgres {
				indexes = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'attempts' AND schemaname = current_schema()`
			}
			rows, err := raw.QueryContext(ctx, indexes)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var name, def string
				if err := rows.Scan(&name, &def); err != nil {
					t.Fatal(err)
				}
				n++
				if m := saveColumns.FindString(def); m != "" {
					t.Errorf("index %s holds %s, which every answer save sets: %s", name, m, def)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n < 20 {
				t.Fatalf("%d indexes of attempts listed; the schema has more than 20", n)
			}
			if engine != sqlstore.SQLite {
				return
			}

			studentID, attemptID, answerID, choices := answeringStudent(t, db)
			var pageSize int64
			if err := raw.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
				t.Fatal(err)
			}
			var frames []int64
			for i := range 60 {
				// An empty WAL before each save (the store's connections
				// are idle between saves), so that its size after is the
				// save's commit: a header, then a frame per page.
				var busy, logged, checkpointed int64
				if err := raw.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &checkpointed); err != nil || busy != 0 {
					t.Fatalf("checkpoint: busy %d, %v", busy, err)
				}
				picked := []int64{choices[i%len(choices)].ID}
				if _, _, err := db.SaveAnswer(ctx, studentID, attemptID, answerID, examhall.AnswerInput{SelectedAnswerIDs: &picked}); err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(dsn + "-wal")
				if err != nil {
					t.Fatal(err)
				}
				frames = append(frames, (st.Size()-32)/(24+pageSize)) // the WAL's header, frames of a 24-byte header and a page
			}
			// A save whose event fills the event table's page writes the
			// split's pages too: the median is the save.
			slices.Sort(frames)
			if frames[0] < 3 || frames[len(frames)/2] != 3 {
				t.Errorf("WAL frames each save commits (sorted): %v; want 3 for most saves, none fewer", frames)
			}
		})
	}
}
