package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// openSQLite opens, through the pure-Go modernc driver, the SQLite file at path with a pool of readers and one
// writer. WAL lets readers run beside the writer; synchronous=NORMAL is durable
// across process crashes in WAL mode and fsyncs at checkpoints; foreign keys are
// off in SQLite unless asked for; writes take the lock at BEGIN (immediate) so
// that a transaction never fails half-way when it upgrades from read to write.
func openSQLite(path, synchronous string) (*DB, error) {
	path = strings.TrimPrefix(path, "file:")
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	switch synchronous {
	case "", "normal":
		synchronous = "NORMAL"
	case "full":
		synchronous = "FULL"
	default:
		return nil, fmt.Errorf("sqlite: synchronous %q: want normal or full", synchronous)
	}
	params := url.Values{"_pragma": {
		"journal_mode(WAL)",
		"synchronous(" + synchronous + ")",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"cache_size(-65536)", // 64 MiB of page cache per connection
	}}
	writeParams := url.Values{"_txlock": {"immediate"}, "_pragma": append([]string(nil), params["_pragma"]...)}
	write, err := sql.Open("sqlite", "file:"+path+"?"+writeParams.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Readers cannot write: SQLite ignores database/sql's read-only transactions.
	params.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxLifetime(0)
	statements := new(atomic.Int64)
	return &DB{engine: SQLite, write: pool{write, statements, newStmtCache(write)}, read: pool{read, statements, newStmtCache(read)}, statements: statements}, nil
}

// sqliteUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY violation.
func sqliteUniqueViolation(err error) bool {
	code := sqliteErrorCode(err)
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// sqliteErrorCode is the extended result code of a SQLite error, or 0.
func sqliteErrorCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}
