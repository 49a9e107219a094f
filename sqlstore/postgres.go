package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

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
	conns := stdlib.OpenDB(*cfg)
	conns.SetMaxOpenConns(32)
	conns.SetMaxIdleConns(32)
	p := pool{conns, new(atomic.Int64), nil}
	return &DB{engine: Postgres, write: p, read: p, statements: p.statements}, nil
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

// Exam locks order the writers of one exam on PostgreSQL: what rescores all
// of an exam's attempts (a new key, marks, pass mark, questions) holds the
// exam exclusively, so no attempt completes or starts against the old exam
// meanwhile; the attempt flow holds it shared, so attempts do not wait for
// each other. Locks are always taken exam first, then attempt, so that the
// two kinds cannot deadlock.
type examLock string

const (
	examShared    examLock = " FOR KEY SHARE"
	examExclusive examLock = " FOR UPDATE"
)

// lockExam takes the exam's lock (a no-op on SQLite); ENOTFOUND when there is no such exam.
func lockExam(ctx context.Context, tx *Tx, examID int64, mode examLock) error {
	_, err := lockExamVersion(ctx, tx, examID, mode)
	return err
}

// lockExamVersion is lockExam that also reads the exam's version under the
// lock, for examAt.
func lockExamVersion(ctx context.Context, tx *Tx, examID int64, mode examLock) (int64, error) {
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM exams WHERE id = $1`+tx.db.examLockClause(mode), examID).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("lock exam %d: %w", examID, err)
	}
	return version, nil
}

// examLockClause is the clause that takes an exam lock on the rows a SELECT
// reads of the exams table (which may be joined to others), "" on SQLite.
func (db *DB) examLockClause(mode examLock) string {
	if db.engine == Postgres {
		return string(mode) + " OF exams"
	}
	return ""
}
