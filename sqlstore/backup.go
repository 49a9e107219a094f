package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/examhall/examhall"
)

// PostgresBackupAdvice is what examhall says when asked to back up or
// restore the PostgreSQL database dsn ("" for one it does not name):
// PostgreSQL's own tools do it better (a consistent dump of a live
// database, and continuous archiving for point-in-time recovery), so
// examhall does not wrap them. The password is left out of the commands
// (pg_dump reads PGPASSWORD or ~/.pgpass).
func PostgresBackupAdvice(dsn string) string {
	target := `"$DATABASE_URL"`
	if u, err := url.Parse(dsn); err == nil && dsn != "" {
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		target = "'" + u.String() + "'"
	}
	return `on PostgreSQL, back up with PostgreSQL's own tools:
  pg_dump --format=custom --file=examhall.dump ` + target + `
restore into a new, empty database with:
  createdb examhall_restored
  pg_restore --no-owner --exit-on-error --dbname=examhall_restored examhall.dump
and for point-in-time recovery keep base backups (pg_basebackup -D DIR -Ft -z -P)
and the WAL (archive_mode = on, archive_command), and recover with
recovery_target_time; see https://www.postgresql.org/docs/current/continuous-archiving.html`
}

// sqliteHeader begins every SQLite database file (https://sqlite.org/fileformat.html §1.3).
var sqliteHeader = []byte("SQLite format 3\x00")

// Backup writes a consistent copy of the SQLite database to the file path,
// which must not exist: SQLite's VACUUM INTO copies the snapshot of one
// read transaction, so the copy holds exactly the commits made before it
// began. It runs on a connection of its own: in WAL mode a reader blocks no
// writer, so the group committer keeps committing meanwhile (the WAL only
// grows until the copy ends, as checkpoints cannot pass its snapshot). The
// copy is a single file in rollback-journal mode, compacted.
//
// Returns ECONFLICT if path exists (nothing is written), EINVALID on
// PostgreSQL (its message is PostgresBackupAdvice), or the error of the copy
// (a partly written file is removed).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.engine == Postgres {
		return examhall.Errorf(examhall.EINVALID, "%s", PostgresBackupAdvice(""))
	}
	// Claimed first, so that no one else's file is ever overwritten or
	// removed; VACUUM INTO writes into an empty file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return examhall.Errorf(examhall.ECONFLICT, "%s exists: a backup never overwrites a file; choose a new name", path)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := db.vacuumInto(ctx, path); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// vacuumInto copies the database into the empty file path.
func (db *DB) vacuumInto(ctx context.Context, path string) error {
	var source string
	if err := db.read.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&source); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The pool's readers are query_only, which refuses VACUUM INTO; the
	// writer is the group committer's. A connection of the backup's own.
	conn, err := sql.Open("sqlite", "file:"+source+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	// SQLite does not fsync what VACUUM INTO wrote (https://sqlite.org/lang_vacuum.html#vacuuminto).
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Restore copies the SQLite backup at from to the file to, which must not
// exist or be empty, then opens the copy and migrates it forward to this
// build's schema (a backup of an older examhall is upgraded; from is never
// changed). It returns the copy's schema version before and after.
//
// Returns ECONFLICT if to holds anything (nothing is written), EINVALID if
// from is not a SQLite file, not an examhall database, or one of a newer
// schema than this build knows, or if to is a PostgreSQL URL; on any error
// after the copy began, to is removed.
func Restore(ctx context.Context, from, to string, clock examhall.Clock) (before, after int64, err error) {
	if IsPostgresURL(to) {
		return 0, 0, examhall.Errorf(examhall.EINVALID, "%s", PostgresBackupAdvice(to))
	}
	to = strings.TrimPrefix(to, "file:")
	src, err := os.Open(from)
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(src, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return 0, 0, examhall.Errorf(examhall.EINVALID, "%s is not a SQLite database", from)
	}
	dst, err := claimEmpty(to)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(to + suffix)
			}
		}
	}()
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		dst.Close()
		return 0, 0, err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return 0, 0, fmt.Errorf("restore: copying %s: %w", from, err)
	}
	if err := errors.Join(dst.Sync(), dst.Close()); err != nil {
		return 0, 0, fmt.Errorf("restore: %w", err)
	}
	db, err := Open(ctx, to, clock)
	if err != nil {
		return 0, 0, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	before, latest, err := db.SchemaVersion(ctx)
	switch {
	case err != nil:
		return 0, 0, err
	case before == 0:
		return 0, 0, examhall.Errorf(examhall.EINVALID, "%s is a SQLite database but not an examhall one (it has no schema version)", from)
	case before > latest:
		return 0, 0, examhall.Errorf(examhall.EINVALID, "%s is at schema version %d, newer than this examhall's %d: restore it with a newer examhall", from, before, latest)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return 0, 0, err
	}
	return before, latest, nil
}

// claimEmpty opens path for writing if it does not exist (creating it) or
// is an empty file, and refuses anything else: a restore never overwrites.
func claimEmpty(path string) (*os.File, error) {
	for _, suffix := range []string{"-wal", "-journal"} {
		if info, err := os.Stat(path + suffix); err == nil && info.Size() > 0 {
			return nil, examhall.Errorf(examhall.ECONFLICT, "%s exists: a restore never overwrites a database; choose a new path", path+suffix)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if !errors.Is(err, fs.ErrExist) {
		return f, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || info.Size() > 0 {
		return nil, examhall.Errorf(examhall.ECONFLICT, "%s exists: a restore never overwrites a database; choose a new path", path)
	}
	return os.OpenFile(path, os.O_WRONLY, 0)
}
