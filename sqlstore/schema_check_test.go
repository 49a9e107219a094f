package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestMigrateRefusesDriftedSchema: a database whose tables or indexes differ
// from what its migrations make (as one migrated before a migration was
// edited in place does) is refused by Migrate, naming the difference; a
// table examhall does not own is left alone (issue 10, fault 12). So is
// one whose index has the right name but is not unique, or not partial, or
// has other columns, where the migrations make it so.
func TestMigrateRefusesDriftedSchema(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db, dsn := sqltest.MustOpenDSN(t, engine, examhall.SystemClock{})
			driver := map[sqlstore.Engine]string{sqlstore.SQLite: "sqlite", sqlstore.Postgres: "pgx"}[engine]
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			exec := func(stmt string) {
				t.Helper()
				if _, err := raw.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			exec(`CREATE TABLE operator_notes (note TEXT)`)
			if _, err := db.Migrate(ctx); err != nil {
				t.Errorf("a table of the operator's own: %v", err)
			}
			exec(`DROP INDEX users_email_key`)
			exec(`ALTER TABLE users ADD COLUMN legacy_code TEXT`)
			_, err = db.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "missing: users#users_email_key; not expected: users.legacy_code") {
				t.Errorf("Migrate of a drifted schema: %v", err)
			}
			exec(`CREATE INDEX users_email_key ON users (email_key)`)
			exec(`ALTER TABLE users DROP COLUMN legacy_code`)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("the schema restored: %v", err)
			}

			// An index of the right name but the wrong kind: a plain index
			// where a unique one belongs lets duplicates in unnoticed.
			for _, c := range []struct {
				index, drifted, restored, want string
			}{
				{"attempts_one_running", `CREATE INDEX attempts_one_running ON attempts (user_id, exam_id)`,
					`CREATE UNIQUE INDEX attempts_one_running ON attempts (user_id, exam_id) WHERE state = 0`,
					"changed: attempts#attempts_one_running is (user_id, exam_id), its migrations make it unique partial (user_id, exam_id)"},
				{"attempts_one_running", `CREATE UNIQUE INDEX attempts_one_running ON attempts (user_id, exam_id)`,
					`CREATE UNIQUE INDEX attempts_one_running ON attempts (user_id, exam_id) WHERE state = 0`,
					"changed: attempts#attempts_one_running is unique (user_id, exam_id), its migrations make it unique partial (user_id, exam_id)"},
				{"user_videos_user", `CREATE INDEX user_videos_user ON user_videos (user_id, video_id)`,
					`CREATE UNIQUE INDEX user_videos_user ON user_videos (user_id, video_id)`,
					"changed: user_videos#user_videos_user is (user_id, video_id), its migrations make it unique (user_id, video_id)"},
				{"user_videos_user", `CREATE UNIQUE INDEX user_videos_user ON user_videos (video_id, user_id)`,
					`CREATE UNIQUE INDEX user_videos_user ON user_videos (user_id, video_id)`,
					"changed: user_videos#user_videos_user is unique (video_id, user_id), its migrations make it unique (user_id, video_id)"},
			} {
				exec(`DROP INDEX ` + c.index)
				exec(c.drifted)
				_, err = db.Migrate(ctx)
				if err == nil || !strings.Contains(err.Error(), "missing: ; not expected: ; "+c.want) {
					t.Errorf("Migrate after %s: %v", c.drifted, err)
				}
				exec(`DROP INDEX ` + c.index)
				exec(c.restored)
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatalf("the schema restored after %s: %v", c.drifted, err)
				}
			}
		})
	}
}
