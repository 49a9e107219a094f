package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the schema of each engine, one numbered file per version;
// every version exists for both engines.
//
//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date: it applies each pending migration in
// its own transaction and records it in goose_db_version. On PostgreSQL an
// advisory lock lets replicas that start together migrate one at a time.
// It returns the versions it applied. Then it checks that the tables and
// indexes are those the migrations make (an error names what differs).
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db.engine, err)
	}
	applied := make([]int64, len(results))
	for i, r := range results {
		applied[i] = r.Source.Version
	}
	return applied, db.checkSchema(ctx)
}

// SchemaVersion returns the version the database is at (0 without
// examhall's schema) and the newest version this build knows. It writes
// nothing, so that import --dry-run may ask it: goose would create its
// version table in a database without one.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := db.migrator()
	if err != nil {
		return 0, 0, err
	}
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.engine == Postgres {
		query = `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	var tables int
	if err := db.read.QueryRowContext(ctx, query, goose.DefaultTablename).Scan(&tables); err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	if tables == 0 {
		sources := p.ListSources()
		return 0, sources[len(sources)-1].Version, nil
	}
	return p.GetVersions(ctx)
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.write.DB, dir, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}
