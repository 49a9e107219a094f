package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// CountDrift describes where the trigger-kept attempt counts differ from
// counting the attempts, of each state and of those awaiting essay grading
// (pending); "" when they agree.
func (db *DB) CountDrift(ctx context.Context) (string, error) {
	rows, err := db.read.QueryContext(ctx, `WITH kept AS (SELECT exam_id, state, SUM(attempts) AS attempts, SUM(pending) AS pending
			FROM attempt_counts GROUP BY exam_id, state),
		counted AS (SELECT exam_id, state, count(*) AS attempts, SUM(CASE WHEN pending_count > 0 THEN 1 ELSE 0 END) AS pending
			FROM attempts GROUP BY exam_id, state)
		SELECT k.exam_id, k.state, k.attempts, COALESCE(c.attempts, 0), k.pending, COALESCE(c.pending, 0)
		FROM kept k LEFT JOIN counted c ON c.exam_id = k.exam_id AND c.state = k.state
		WHERE k.attempts <> COALESCE(c.attempts, 0) OR k.pending <> COALESCE(c.pending, 0)
		UNION ALL
		SELECT c.exam_id, c.state, 0, c.attempts, 0, c.pending FROM counted c
		WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.exam_id = c.exam_id AND k.state = c.state)`)
	if err != nil {
		return "", err
	}
	drift := ""
	err = scanRows(rows, func() error {
		var exam, state, kept, counted, keptPending, countedPending int64
		if err := rows.Scan(&exam, &state, &kept, &counted, &keptPending, &countedPending); err != nil {
			return err
		}
		drift += fmt.Sprintf("exam %d state %d: kept %d (%d pending), counted %d (%d pending); ",
			exam, state, kept, keptPending, counted, countedPending)
		return nil
	})
	return drift, err
}

// ExecForTest runs a statement on the write pool, for tests that play a
// replica of an older build.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// QueryRowForTest runs a query that returns one row on the write pool, for
// tests that play a replica of an older build.
func (db *DB) QueryRowForTest(ctx context.Context, query string, args ...any) *sql.Row {
	return db.write.QueryRowContext(ctx, query, args...)
}

// MigrateDownTo reverts the migrations above version.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
