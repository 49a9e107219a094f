package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// RecordLoginFailure counts one failed login of key at now, in a window that
// restarts when the current one began before now-window.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	var failures, start int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN login_failures.window_start <= $3 THEN 1 ELSE login_failures.failures + 1 END,
				window_start = CASE WHEN login_failures.window_start <= $3 THEN $2 ELSE login_failures.window_start END
			RETURNING failures, window_start`,
			key, micros(now), micros(now.Add(-window))).Scan(&failures, &start)
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("record login failure: %w", err)
	}
	return int(failures), fromMicros(start), nil
}

// ForgiveLoginFailure takes one failure of key back.
func (db *DB) ForgiveLoginFailure(ctx context.Context, key string) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE login_failures SET failures = failures - 1
			WHERE key = $1 AND failures > 0`, key); err != nil {
			return fmt.Errorf("forgive login failure: %w", err)
		}
		return nil
	})
}

// ClearLoginFailures forgets the failures of key.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
		return nil
	})
}
