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
// table examhall does not own is left alone (issue 10, fault 12).
func TestMigrateRefusesDriftedSchema(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, engine)
			db, err := sqlstore.Open(ctx, dsn, examhall.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
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
		})
	}
}
