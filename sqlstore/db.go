// Package sqlstore keeps examhall's records in SQLite (embedded, the default) or
// PostgreSQL. Both engines run the same SQL, written with $N placeholders, which
// both understand; where the engines differ, the difference lives in sqlite.go or
// postgres.go. Instants are stored as Unix microseconds and decimals as
// hundredths (see the first migration), so both engines compare them the same way.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/examhall/examhall"
)

// Engine names a database engine.
type Engine string

// The engines examhall runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open examhall database.
type DB struct {
	engine Engine
	// write takes every transaction that writes. On SQLite it holds one
	// connection, so writers queue in Go instead of failing with SQLITE_BUSY; on
	// PostgreSQL it is the same pool as read.
	write      pool
	read       pool
	clock      examhall.Clock
	statements *atomic.Int64
	exams      *examCache
	settings   settingsCache
	webhooks   examhall.WebhookConfigSource // nil: no webhooks
	// writer runs SQLite's writes in group commits; admission bounds
	// PostgreSQL's waiting writes. Either refuses a write when full.
	writer    *groupCommitter
	admission admission
	// refused counts the writes refused because the queue (SQLite) or the
	// admission (PostgreSQL) was full, for /metrics.
	refused atomic.Int64
}

// Options configure Open beyond the database's address.
type Options struct {
	// SQLiteSynchronous is SQLite's synchronous setting: "normal" (the
	// default: a commit survives a crash of the process) or "full" (it
	// survives a power loss: fsync before the commit returns).
	SQLiteSynchronous string
	// WriteQueue bounds the writes waiting to be written (0: the
	// DefaultWriteQueue); one more is refused with EUNAVAILABLE.
	WriteQueue int
	// ObserveBatch, when set, is called by SQLite's writer after each
	// group commit with the number of writes it held (1 to 256); it runs
	// on the writer's goroutine and must return at once. /metrics keeps
	// the batch sizes' histogram with it. Never called on PostgreSQL.
	ObserveBatch func(writes int)
}

// Open opens the database that dsn names: a postgres:// or postgresql:// URL
// selects PostgreSQL, anything else is the path of a SQLite file (created when
// missing). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, clock examhall.Clock) (*DB, error) {
	return OpenWith(ctx, dsn, clock, Options{})
}

// OpenWith is Open with options. Returns an error for an unknown
// SQLiteSynchronous.
func OpenWith(ctx context.Context, dsn string, clock examhall.Clock, opts Options) (*DB, error) {
	var db *DB
	var err error
	queue := opts.WriteQueue
	if queue <= 0 {
		queue = DefaultWriteQueue
	}
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn)
		if err == nil {
			db.admission = make(admission, queue)
		}
	} else {
		db, err = openSQLite(dsn, opts.SQLiteSynchronous)
	}
	if err != nil {
		return nil, err
	}
	db.clock, db.exams = clock, newExamCache()
	// Below every stored version (0 before the first change), so that the
	// first authenticated request loads the settings.
	db.settings.version, db.settings.institute = -1, examhall.Institute{Location: time.UTC}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.engine == SQLite {
		db.writer = newGroupCommitter(db, queue)
		db.writer.observe = opts.ObserveBatch
	}
	return db, nil
}

// IsPostgresURL reports whether dsn selects PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Engine tells which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.engine, err)
	}
	return nil
}

// Close closes the database; queued writes finish first, as database/sql waits
// for connections in use.
func (db *DB) Close() error {
	if db.writer != nil {
		db.writer.close() // the writes already queued are written first; later ones are refused
	}
	var errs []error
	db.write.stmts.close()
	db.read.stmts.close()
	if db.write.DB != db.read.DB {
		errs = append(errs, db.write.Close())
	}
	errs = append(errs, db.read.Close())
	return errors.Join(errs...)
}

// Tx is a transaction with the one instant that stands for "now" in all of it.
type Tx struct {
	*sql.Tx
	db    *DB
	stmts *stmtCache
	now   time.Time
	// detached, when set, is the context every statement runs under,
	// whatever context its caller passes (see groupCommitter.runBatch).
	detached context.Context
}

// inWriteTx runs fn in a write transaction: begin, fn, commit; any error rolls back.
//
// On SQLite the group committer runs it, in a transaction it may share with
// other writes (each in its own savepoint), and answers once that
// transaction has committed; on PostgreSQL it runs in its own transaction
// on the pool. Either way a write finds room in a bounded queue or is
// EUNAVAILABLE at once, and nothing is acknowledged before its commit.
func (db *DB) inWriteTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.writer != nil {
		return db.writer.do(ctx, fn)
	}
	if db.admission != nil {
		if err := db.admission.enter(); err != nil {
			db.refused.Add(1)
			return err
		}
		defer db.admission.leave()
	}
	return db.inTx(ctx, db.write, nil, fn)
}

// inReadTx runs fn in a read-only transaction, for reads that must see one
// snapshot: on PostgreSQL at REPEATABLE READ, since under READ COMMITTED each
// statement would see the commits made since the one before (SQLite's read
// transactions see one snapshot anyway).
func (db *DB) inReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.inTx(ctx, db.read, opts, fn)
}

func (db *DB) inTx(ctx context.Context, p pool, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	p.stmts.prepareWanted(ctx)
	sqlTx, err := p.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(&Tx{Tx: sqlTx, db: db, stmts: p.stmts, now: db.clock.Now()}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// micros is t as stored: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is a stored instant as a time in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// placeholders returns "$from, $from+1, …" for n values, for IN lists.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
