package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/examhall/examhall"
)

// latestFailure is a login_failures row's latest failure. Replicas of the
// build before migration 00003 set window_start alone (when they insert a
// row or restart its window, at the failure's time), so it is the later of
// last_failure and window_start; this build writes both (see the migration).
const latestFailure = `CASE WHEN login_failures.last_failure > login_failures.window_start
	THEN login_failures.last_failure ELSE login_failures.window_start END`

// LoginFailures returns the failures of each of keys remembered at now, in one
// statement on the read pool and no transaction: the login throttle reads it
// on every login.
func (db *DB) LoginFailures(ctx context.Context, keys []string, now time.Time, window time.Duration) (map[string]examhall.LoginFailures, error) {
	args := []any{micros(now.Add(-window))}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT key, failures, `+latestFailure+` FROM login_failures
		WHERE (last_failure > $1 OR window_start > $1) AND key IN (`+placeholders(2, len(keys))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("login failures: %w", err)
	}
	defer rows.Close()
	got := map[string]examhall.LoginFailures{}
	for rows.Next() {
		var key string
		var count, last int64
		if err := rows.Scan(&key, &count, &last); err != nil {
			return nil, fmt.Errorf("login failures: %w", err)
		}
		got[key] = examhall.LoginFailures{Count: int(count), Last: fromMicros(last)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("login failures: %w", err)
	}
	return got, nil
}

// RecordLoginFailure counts one failed login at now for each of keys, in one
// statement. A key whose latest failure was at or before now-window starts
// again at one, and its window_start (the start of its run of failures, what
// replicas of the build before migration 00003 read) moves to now; the latest
// failure never moves back, should replicas' clocks disagree a little.
func (db *DB) RecordLoginFailure(ctx context.Context, keys []string, now time.Time, window time.Duration) error {
	// One order for every writer, so that two PostgreSQL transactions taking
	// the same rows' locks cannot deadlock.
	keys = slices.Sorted(slices.Values(keys))
	keys = slices.Compact(keys)
	args := []any{micros(now), micros(now.Add(-window))}
	values := make([]byte, 0, 16*len(keys))
	for i, k := range keys {
		args = append(args, k)
		if i > 0 {
			values = append(values, ", "...)
		}
		values = fmt.Appendf(values, "($%d, 1, $1, $1)", i+3)
	}
	// The row's latest failure (latestFailure) was at or before now-window.
	const forgotten = `login_failures.last_failure <= $2 AND login_failures.window_start <= $2`
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, failures, window_start, last_failure) VALUES `+string(values)+`
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN `+forgotten+` THEN 1 ELSE login_failures.failures + 1 END,
				window_start = CASE WHEN `+forgotten+` THEN $1 ELSE login_failures.window_start END,
				last_failure = CASE WHEN login_failures.last_failure > $1 THEN login_failures.last_failure ELSE $1 END`,
			args...); err != nil {
			return fmt.Errorf("record login failure: %w", err)
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
