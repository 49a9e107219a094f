package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// SchemaOutline lists the database's tables with their columns
// ("table.column") and indexes, sorted, leaving out the migration tool's own
// table; tests compare the outlines of the two engines. An index is
// "table#index", then " unique" and " partial" (it has a WHERE) when it is
// so, then its key columns in order: "attempts#attempts_one_running unique
// partial (user_id, exam_id)". Indexes that back a PRIMARY KEY or UNIQUE
// constraint are left out: the engines name them differently, and the
// constraint is part of the table.
func (db *DB) SchemaOutline(ctx context.Context) ([]string, error) {
	outline, err := db.columnOutline(ctx)
	if err != nil {
		return nil, err
	}
	indexes, err := db.indexOutline(ctx)
	if err != nil {
		return nil, err
	}
	outline = append(outline, indexes...)
	sort.Strings(outline)
	return outline, nil
}

func (db *DB) columnOutline(ctx context.Context) ([]string, error) {
	query := `SELECT t.name || '.' || c.name FROM sqlite_schema t, pragma_table_info(t.name) c
		WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'goose_db_version'`
	if db.engine == Postgres {
		query = `SELECT table_name || '.' || column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("schema outline: %w", err)
	}
	var columns []string
	err = scanRows(rows, func() error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		columns = append(columns, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema outline: %w", err)
	}
	return columns, nil
}

// indexOutline reads one row per key column of each index, in order. A key
// that is an expression, not a column, is "(expression)" on both engines:
// their texts of one expression differ.
func (db *DB) indexOutline(ctx context.Context) ([]string, error) {
	// origin 'c': made by CREATE INDEX, not by a PRIMARY KEY or UNIQUE
	// constraint. pragma_index_info names no column for an expression (cid
	// -2) or the rowid (cid -1), which no examhall index holds.
	query := `SELECT t.name, i.name, i."unique", i.partial,
			COALESCE(c.name, CASE c.cid WHEN -1 THEN '(rowid)' ELSE '(expression)' END)
		FROM sqlite_schema t, pragma_index_list(t.name) i, pragma_index_info(i.name) c
		WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'goose_db_version' AND i.origin = 'c'
		ORDER BY t.name, i.name, c.seqno`
	if db.engine == Postgres {
		// indkey lists the key columns (attnum 0 for an expression), then
		// any INCLUDE columns, which are not keys.
		query = `SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, COALESCE(a.attname, '(expression)')
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class t ON t.oid = x.indrelid
			CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k (attnum, position)
			LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
			WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND t.relname <> 'goose_db_version'
				AND k.position <= x.indnkeyatts
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))
			ORDER BY t.relname, i.relname, k.position`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("schema outline: %w", err)
	}
	var indexes []string
	var name string
	var columns []string
	var unique, partial bool
	flush := func() {
		if name == "" {
			return
		}
		entry := name
		if unique {
			entry += " unique"
		}
		if partial {
			entry += " partial"
		}
		indexes = append(indexes, entry+" ("+strings.Join(columns, ", ")+")")
	}
	err = scanRows(rows, func() error {
		var table, index, column string
		var u, p bool
		if err := rows.Scan(&table, &index, &u, &p, &column); err != nil {
			return err
		}
		if table+"#"+index != name {
			flush()
			name, columns, unique, partial = table+"#"+index, nil, u, p
		}
		columns = append(columns, column)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema outline: %w", err)
	}
	flush()
	return indexes, nil
}
