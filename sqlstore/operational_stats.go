package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/examhall/examhall"
)

// This file holds the cheap readings that /metrics takes at each scrape
// (package metrics): every query reads a few rows through an index, so a
// scrape every few seconds costs the database nothing it would notice.

// WritesRefused is how many writes were refused (EUNAVAILABLE) because the
// write queue (SQLite) or the admission of waiting writes (PostgreSQL) was
// full, since the database was opened.
func (db *DB) WritesRefused() int64 { return db.refused.Load() }

// PoolStats returns database/sql's statistics of each connection pool by
// name: "read" and "write" on SQLite (the write pool holds the one writer
// connection), "main" on PostgreSQL, whose reads and writes share one pool.
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.write.DB == db.read.DB {
		return map[string]sql.DBStats{"main": db.read.Stats()}
	}
	return map[string]sql.DBStats{"read": db.read.Stats(), "write": db.write.Stats()}
}

// RunningAttempts is how many exam attempts are running now, summed from
// attempt_counts (a few rows per exam, kept by triggers) rather than
// counted over the attempts themselves.
func (db *DB) RunningAttempts(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM attempt_counts WHERE state = $1`,
		int(examhall.AttemptRunning)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("running attempts: %w", err)
	}
	return n, nil
}

// WebhookBacklog is how many webhook deliveries are pending and due now
// (next try at or before now, leased or not): the work the delivery
// workers have not caught up with. Read through webhook_outbox_pending.
func (db *DB) WebhookBacklog(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_outbox WHERE state = 0 AND next_attempt_at <= $1`,
		micros(db.clock.Now())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("webhook backlog: %w", err)
	}
	return n, nil
}

// UnfinishedExports is how many export jobs are queued and how many are
// running now (read through export_jobs_unfinished).
func (db *DB) UnfinishedExports(ctx context.Context) (queued, running int64, err error) {
	rows, err := db.read.QueryContext(ctx, `SELECT state, COUNT(*) FROM export_jobs WHERE state IN ($1, $2) GROUP BY state`,
		int(examhall.ExportQueued), int(examhall.ExportRunning))
	if err != nil {
		return 0, 0, fmt.Errorf("unfinished exports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state int
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return 0, 0, fmt.Errorf("unfinished exports: %w", err)
		}
		if examhall.ExportState(state) == examhall.ExportQueued {
			queued = n
		} else {
			running = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("unfinished exports: %w", err)
	}
	return queued, running, nil
}
