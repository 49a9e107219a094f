package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/examhall/examhall/sqlstore"
)

// openForDryRun opens a database that import --dry-run may check a bundle
// against without writing to the configured one (issue 12: a dry run writes
// nothing):
//
//   - a SQLite file that does not exist is not created, nor an empty one
//     given SQLite's header: the bundle is checked against an empty
//     database in a temporary directory, which Close removes;
//   - an existing database is not migrated: it must be at this build's
//     schema, and the import runs in a transaction that is rolled back;
//     one at another version is refused (run examhall migrate first).
//
// Copying an older database to migrate the copy was not chosen: a copy of a
// SQLite file that a server is writing to may be torn, and PostgreSQL has
// no cheap copy.
func (m *Main) openForDryRun(ctx context.Context) error {
	dsn := m.Config.DB
	if !sqlstore.IsPostgresURL(dsn) {
		path := strings.TrimPrefix(dsn, "file:")
		info, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return m.openScratch(ctx, path, "does not exist", "is not created")
		case err == nil && info.Size() == 0: // SQLite would write its header
			return m.openScratch(ctx, path, "is empty", "is not changed")
		}
	}
	db, err := sqlstore.Open(ctx, dsn, m.Clock)
	if err != nil {
		return err
	}
	m.db = db
	current, latest, err := db.SchemaVersion(ctx)
	switch {
	case err != nil:
		return err
	case current > latest:
		return fmt.Errorf("import --dry-run: the database is at schema version %d, newer than this examhall's %d: use a newer examhall", current, latest)
	case current < latest:
		return fmt.Errorf("import --dry-run: the database is at schema version %d, this examhall's is %d; "+
			"a dry run does not migrate: run examhall migrate first", current, latest)
	}
	return nil
}

// openScratch opens an empty, migrated database in a temporary directory,
// in place of path, which holds no database: it is, and stays, as state says.
func (m *Main) openScratch(ctx context.Context, path, state, stays string) error {
	dir, err := os.MkdirTemp("", "examhall-dry-run-")
	if err != nil {
		return err
	}
	m.tempDir = dir
	db, err := sqlstore.Open(ctx, filepath.Join(dir, "examhall.db"), m.Clock)
	if err != nil {
		return err
	}
	m.db = db
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "examhall: %[1]s %[2]s; checking the bundle against an empty database (%[1]s %[3]s)\n", path, state, stays)
	return nil
}
