package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/examhall/examhall"

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

// copyAttempts is InsertAttempts on PostgreSQL: COPY, which takes rows as a
// stream, writes a bulk load several times faster than INSERTs do. COPY goes
// through pgx itself, on a connection of the pool, in one transaction.
func (db *DB) copyAttempts(ctx context.Context, batch []examhall.AttemptRecord) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		tx, err := driverConn.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		ids := make([]int64, 0, len(batch))
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('attempts', 'id')) FROM generate_series(1, $1)`, len(batch))
		if err != nil {
			return fmt.Errorf("reserve attempt ids: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reserve attempt ids: %w", err)
		}
		for _, t := range attemptTables(batch, ids) {
			db.statements.Add(1)
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
		return tx.Commit(ctx)
	})
}
