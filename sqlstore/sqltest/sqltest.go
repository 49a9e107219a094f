// Package sqltest opens fresh, migrated examhall databases for tests, on
// SQLite and on PostgreSQL, so that every storage test runs on both engines.
//
// PostgreSQL tests use the server that EXAMHALL_TEST_POSTGRES names (scripts/test.sh
// starts a throwaway one); each database lives in a schema of its own, dropped
// at the end of the test. Without that variable they are skipped, unless
// EXAMHALL_REQUIRE_POSTGRES=1, when they fail.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop test schemas
)

// Engines runs fn as the subtests "sqlite" and "postgres", each with a fresh
// migrated database whose clock is clock.
func Engines(t *testing.T, clock examhall.Clock, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, MustOpen(t, engine, clock))
		})
	}
}

// MustOpen returns a fresh migrated database on engine, closed (and on
// PostgreSQL dropped) when tb ends.
func MustOpen(tb testing.TB, engine sqlstore.Engine, clock examhall.Clock) *sqlstore.DB {
	tb.Helper()
	db, _ := MustOpenDSN(tb, engine, clock)
	return db
}

// MustOpenDSN is MustOpen returning the database's address too (DSN), for
// a test that also reads it on a connection of its own.
func MustOpenDSN(tb testing.TB, engine sqlstore.Engine, clock examhall.Clock) (*sqlstore.DB, string) {
	tb.Helper()
	dsn := DSN(tb, engine)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, clock)
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", engine, err)
	}
	return db, dsn
}

// DSN returns the address of a fresh, empty database on engine: a file in a
// temporary directory, or a new schema on the test PostgreSQL server.
func DSN(tb testing.TB, engine sqlstore.Engine) string {
	tb.Helper()
	if engine == sqlstore.SQLite {
		return filepath.Join(tb.TempDir(), "examhall.db")
	}
	base := os.Getenv("EXAMHALL_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("EXAMHALL_REQUIRE_POSTGRES") == "1" {
			tb.Fatal("EXAMHALL_REQUIRE_POSTGRES=1 but EXAMHALL_TEST_POSTGRES is not set")
		}
		tb.Skip("EXAMHALL_TEST_POSTGRES is not set (scripts/test.sh provides one)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	schema := "test_" + randomHex(tb, 8)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			tb.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}
