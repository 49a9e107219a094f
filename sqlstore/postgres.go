package sqlstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens a pool on the PostgreSQL server that url names, through
// pgx. Readers and writers share the pool: PostgreSQL handles concurrent writers.
func openPostgres(url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	return &DB{engine: Postgres, write: pool, read: pool}, nil
}

// PostgreSQL error codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const pgUniqueViolation = "23505"

func pgErrorCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// forUpdate locks the rows a SELECT reads until the transaction ends. SQLite
// needs no lock clause: its write transactions run one at a time.
func (db *DB) forUpdate() string {
	if db.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
