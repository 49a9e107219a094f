package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// reference is the outline of the schema this build's migrations make from
// nothing, computed once per process on an in-memory SQLite database (the two
// engines' outlines are the same: TestSchemaTwins), so that it needs no
// writable filesystem.
var reference struct {
	once    sync.Once
	outline []string
	err     error
}

func referenceOutline(ctx context.Context) ([]string, error) {
	reference.once.Do(func() {
		reference.outline, reference.err = buildReferenceOutline(ctx)
	})
	return reference.outline, reference.err
}

// buildReferenceOutline migrates an empty in-memory database and outlines it.
func buildReferenceOutline(ctx context.Context) ([]string, error) {
	scratch, err := openMemorySQLite()
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	p, err := scratch.migrator()
	if err != nil {
		return nil, err
	}
	if _, err := p.Up(ctx); err != nil {
		return nil, fmt.Errorf("migrate in-memory sqlite: %w", err)
	}
	return scratch.SchemaOutline(ctx)
}

// openMemorySQLite opens an empty in-memory SQLite database. Each connection
// to ":memory:" is a database of its own, so reads and writes share one
// connection, kept open for the life of the *DB.
func openMemorySQLite() (*DB, error) {
	conn, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("open in-memory sqlite: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	p := pool{conn, new(atomic.Int64), nil}
	return &DB{engine: SQLite, write: p, read: p, statements: p.statements}, nil
}

// checkSchema refuses a database whose tables and indexes are not those its
// migrations make: one migrated by an edit of a migration that was later
// changed in place keeps the old schema, and would fail in ways far from
// the cause. An index of the right name but another kind (not unique, not
// partial, other columns) is refused too: a plain index where a unique one
// belongs lets duplicates in. Tables examhall does not own are ignored.
func (db *DB) checkSchema(ctx context.Context) error {
	want, err := referenceOutline(ctx)
	if err != nil {
		return fmt.Errorf("reference schema: %w", err)
	}
	have, err := db.SchemaOutline(ctx)
	if err != nil {
		return err
	}
	if diff := outlineDiff(want, have); diff != "" {
		return fmt.Errorf("the %s database's schema is not the one its migrations make (%s): "+
			"it was made by a development build whose migrations were edited after it ran; create a new database with this build",
			db.engine, diff)
	}
	return nil
}

// outlineDiff describes how the outline have differs from want, "" when it
// does not, leaving out the tables want does not have. Entries are matched
// by name ("table.column", "table#index"); an index of want's name that
// differs in kind or columns is "changed".
func outlineDiff(want, have []string) string {
	owned, expected := map[string]bool{}, map[string]string{}
	for _, item := range want {
		owned[outlineTable(item)] = true
		expected[outlineName(item)] = item
	}
	present := map[string]bool{}
	var missing, unexpected, changed []string
	for _, item := range have {
		name := outlineName(item)
		present[name] = true
		switch w, ok := expected[name]; {
		case !ok && owned[outlineTable(item)]:
			unexpected = append(unexpected, item)
		case ok && w != item:
			changed = append(changed, fmt.Sprintf("%s is%s, its migrations make it%s", name, item[len(name):], w[len(name):]))
		}
	}
	for _, item := range want {
		if !present[outlineName(item)] {
			missing = append(missing, outlineName(item))
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 && len(changed) == 0 {
		return ""
	}
	diff := fmt.Sprintf("missing: %s; not expected: %s", strings.Join(missing, ", "), strings.Join(unexpected, ", "))
	if len(changed) > 0 {
		diff += "; changed: " + strings.Join(changed, "; ")
	}
	return diff
}

// outlineName is the name of an outline entry: "table.column" or "table#index".
func outlineName(item string) string {
	name, _, _ := strings.Cut(item, " ")
	return name
}

// outlineTable is the table of an outline entry.
func outlineTable(item string) string {
	return strings.FieldsFunc(item, func(r rune) bool { return r == '.' || r == '#' })[0]
}
