package sqlstore

import (
	"context"
	"fmt"
	"sort"
)

// SchemaOutline lists the database's tables with their columns
// ("table.column") and indexes ("table#index"), sorted, leaving out the
// migration tool's own table; tests compare the outlines of the two engines.
func (db *DB) SchemaOutline(ctx context.Context) ([]string, error) {
	query := `SELECT t.name || '.' || c.name FROM sqlite_schema t, pragma_table_info(t.name) c
			WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'goose_db_version'
		UNION ALL
		SELECT tbl_name || '#' || name FROM sqlite_schema
			WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`
	if db.engine == Postgres {
		query = `SELECT table_name || '.' || column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
			UNION ALL
			SELECT tablename || '#' || indexname FROM pg_indexes
				WHERE schemaname = current_schema()
				AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("schema outline: %w", err)
	}
	defer rows.Close()
	var outline []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("schema outline: %w", err)
		}
		outline = append(outline, s)
	}
	sort.Strings(outline)
	return outline, rows.Err()
}
