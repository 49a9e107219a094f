package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value of key, or ok=false when it is not set.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var value string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any value it had.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		if err != nil {
			return fmt.Errorf("set setting %s: %w", key, err)
		}
		return nil
	})
}

// SettingOrInit returns the value of key, storing initial() first when it is
// unset. Of replicas that race, the first insert wins and all read its value.
func (db *DB) SettingOrInit(ctx context.Context, key string, initial func() (string, error)) (string, error) {
	if value, ok, err := db.Setting(ctx, key); err != nil || ok {
		return value, err
	}
	fresh, err := initial()
	if err != nil {
		return "", err
	}
	var value string
	err = db.inWriteTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO NOTHING`, key, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	})
	if err != nil {
		return "", fmt.Errorf("init setting %s: %w", key, err)
	}
	return value, nil
}
