package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// backup copies the SQLite database --db to --to (sqlstore.DB.Backup). It
// neither creates nor migrates --db: a server of another version may be
// running on it.
func (m *Main) backup(ctx context.Context) error {
	path := strings.TrimPrefix(m.Config.DB, "file:")
	if info, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || (err == nil && info.Size() == 0) {
		return &UsageError{Err: fmt.Errorf("backup: no database at %s", path)}
	} else if err != nil {
		return err
	}
	db, err := sqlstore.OpenWith(ctx, m.Config.DB, m.Clock, sqlstore.Options{})
	if err != nil {
		return err
	}
	m.db = db
	version, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if version == 0 {
		return &UsageError{Err: fmt.Errorf("backup: %s is not an examhall database (it has no schema version)", path)}
	}
	start := time.Now()
	if err := db.Backup(ctx, m.Config.BackupTo); err != nil {
		return refusal(err)
	}
	took := time.Since(start)
	info, err := os.Stat(m.Config.BackupTo)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "examhall: backed up %s (schema version %d) to %s: %d bytes in %s\n",
		path, version, m.Config.BackupTo, info.Size(), took.Round(time.Millisecond))
	return nil
}

// restore makes the new SQLite database --db from the backup --from
// (sqlstore.Restore).
func (m *Main) restore(ctx context.Context) error {
	from, to, err := sqlstore.Restore(ctx, m.Config.RestoreFrom, m.Config.DB, m.Clock)
	if err != nil {
		return refusal(err)
	}
	migrated := ""
	if from != to {
		migrated = fmt.Sprintf(", migrated from schema version %d", from)
	}
	fmt.Fprintf(m.Stdout, "examhall: restored %s to %s (schema version %d%s)\n", m.Config.RestoreFrom, m.Config.DB, to, migrated)
	return nil
}

// refusal makes a backup or restore refused for its input (a file that
// exists, one that is not a backup) a UsageError (exit status 2), with the
// store's message alone.
func refusal(err error) error {
	var e *examhall.Error
	if errors.As(err, &e) && (e.Code == examhall.EINVALID || e.Code == examhall.ECONFLICT) {
		return &UsageError{Err: errors.New(e.Message)}
	}
	return err
}
