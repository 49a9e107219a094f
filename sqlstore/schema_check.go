package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// reference is the outline of the schema this build's migrations make from
// nothing, computed once per process on a scratch SQLite file (the two
// engines' outlines are the same: TestSchemaTwins).
var reference struct {
	once    sync.Once
	outline []string
	err     error
}

func referenceOutline(ctx context.Context) ([]string, error) {
	reference.once.Do(func() {
		dir, err := os.MkdirTemp("", "examhall-schema-")
		if err != nil {
			reference.err = err
			return
		}
		defer os.RemoveAll(dir)
		scratch, err := openSQLite(filepath.Join(dir, "reference.db"))
		if err != nil {
			reference.err = err
			return
		}
		defer scratch.Close()
		p, err := scratch.migrator()
		if err == nil {
			_, err = p.Up(ctx)
		}
		if err == nil {
			reference.outline, err = scratch.SchemaOutline(ctx)
		}
		reference.err = err
	})
	return reference.outline, reference.err
}

// checkSchema refuses a database whose tables and indexes are not those its
// migrations make: one migrated by an edit of a migration that was later
// changed in place keeps the old schema, and would fail in ways far from
// the cause. Tables examhall does not own are ignored.
func (db *DB) checkSchema(ctx context.Context) error {
	want, err := referenceOutline(ctx)
	if err != nil {
		return fmt.Errorf("reference schema: %w", err)
	}
	have, err := db.SchemaOutline(ctx)
	if err != nil {
		return err
	}
	owned, expected, present := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, item := range want {
		owned[strings.FieldsFunc(item, func(r rune) bool { return r == '.' || r == '#' })[0]] = true
		expected[item] = true
	}
	var missing, unexpected []string
	for _, item := range have {
		present[item] = true
		if !expected[item] && owned[strings.FieldsFunc(item, func(r rune) bool { return r == '.' || r == '#' })[0]] {
			unexpected = append(unexpected, item)
		}
	}
	for _, item := range want {
		if !present[item] {
			missing = append(missing, item)
		}
	}
	if len(missing) > 0 || len(unexpected) > 0 {
		return fmt.Errorf("the %s database's schema is not the one its migrations make (missing: %s; not expected: %s): "+
			"it was made by a development build whose migrations were edited after it ran; create a new database with this build",
			db.engine, strings.Join(missing, ", "), strings.Join(unexpected, ", "))
	}
	return nil
}
