package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/examhall/examhall"
)

// settingsVersionKey names the settings row that counts changes to the
// settings every request depends on (the institute's name and time zone,
// the webhook settings).
// Every such change bumps it in its own transaction; the statement that
// authenticates each request reads it too (UserWithoutBatches), so a change
// made on any replica takes effect on this one at its next authenticated
// request, without a statement of its own.
const settingsVersionKey = "settings_version"

// versionedSettings lists the settings that bump settingsVersionKey.
var versionedSettings = map[string]bool{
	examhall.SettingInstituteName:     true,
	examhall.SettingInstituteTimezone: true,
	examhall.SettingExamWebhookURL:    true,
	examhall.SettingContentWebhookURL: true,
	examhall.SettingWebhookPublicKey:  true,
	examhall.SettingWebhookPrivateKey: true,
	examhall.SettingWebhookEvents:     true,
}

// settingsVersionSQL reads the settings version inside another statement (0
// before the first change).
const settingsVersionSQL = `COALESCE((SELECT CAST(value AS BIGINT) FROM settings WHERE key = '` + settingsVersionKey + `'), 0)`

// settingsCache holds the settings as of the highest version this process has
// seen.
type settingsCache struct {
	mu        sync.Mutex
	version   int64
	institute examhall.Institute
	webhooks  map[string]string // the stored webhook settings, by key
}

// Institute returns the institute as of the latest settings version this
// process has seen: at the latest, the version the current request's
// authentication read.
func (db *DB) Institute() examhall.Institute {
	db.settings.mu.Lock()
	defer db.settings.mu.Unlock()
	return db.settings.institute
}

// noteSettingsVersion reloads the settings when version is newer than the
// kept one.
func (db *DB) noteSettingsVersion(ctx context.Context, version int64) error {
	db.settings.mu.Lock()
	current := db.settings.version
	db.settings.mu.Unlock()
	if version <= current {
		return nil
	}
	return db.LoadSettings(ctx)
}

// LoadSettings reads the institute's settings afresh (Open does it once).
// Returns EINVALID if the stored time zone is unknown.
func (db *DB) LoadSettings(ctx context.Context) error {
	values := map[string]string{}
	var version int64
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN ($1, $2, $3, $4, $5, $6, $7, $8)`,
			settingsVersionKey, examhall.SettingInstituteName, examhall.SettingInstituteTimezone,
			examhall.SettingExamWebhookURL, examhall.SettingContentWebhookURL, examhall.SettingWebhookPublicKey,
			examhall.SettingWebhookPrivateKey, examhall.SettingWebhookEvents)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			values[k] = v
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT `+settingsVersionSQL).Scan(&version)
	})
	if err != nil {
		return fmt.Errorf("load settings: %w", err)
	}
	institute, err := examhall.NewInstitute(values[examhall.SettingInstituteName], values[examhall.SettingInstituteTimezone])
	if err != nil {
		return err
	}
	webhooks := map[string]string{}
	for _, key := range examhall.WebhookSettingKeys {
		if v, ok := values[key]; ok {
			webhooks[key] = v
		}
	}
	db.settings.mu.Lock()
	defer db.settings.mu.Unlock()
	// Two loads may race; the later version wins whichever finishes last.
	if version >= db.settings.version {
		db.settings.version, db.settings.institute, db.settings.webhooks = version, institute, webhooks
	}
	return nil
}

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

// SetSetting stores value under key, replacing any value it had; a change to
// the institute takes effect in this process at once and on other replicas
// at their next authenticated request. Returns EINVALID for an unknown time
// zone.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if key == examhall.SettingInstituteTimezone {
		if _, err := examhall.NewInstitute("", value); err != nil {
			return err
		}
	}
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		return putSetting(ctx, tx, key, value)
	})
	if err != nil {
		return err
	}
	if versionedSettings[key] {
		return db.LoadSettings(ctx)
	}
	return nil
}

// putSetting stores value under key in tx, bumping the settings version when
// a versioned setting changes.
func putSetting(ctx context.Context, tx *Tx, key, value string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value <> excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 || !versionedSettings[key] {
		return err
	}
	return bumpSettingsVersion(ctx, tx)
}

// deleteSetting deletes the value of key in tx, bumping the settings version
// when a versioned setting had one.
func deleteSetting(ctx context.Context, tx *Tx, key string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = $1`, key)
	if err != nil {
		return fmt.Errorf("delete setting %s: %w", key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 || !versionedSettings[key] {
		return err
	}
	return bumpSettingsVersion(ctx, tx)
}

// bumpSettingsVersion tells every replica that the versioned settings
// changed.
func bumpSettingsVersion(ctx context.Context, tx *Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)`, settingsVersionKey); err != nil {
		return fmt.Errorf("bump settings version: %w", err)
	}
	return nil
}

// RefreshSettings reloads the settings when another replica changed them
// since this one last looked; work that no authenticated request precedes
// (the sweep) calls it first.
func (db *DB) RefreshSettings(ctx context.Context) error {
	var version int64
	if err := db.read.QueryRowContext(ctx, `SELECT `+settingsVersionSQL).Scan(&version); err != nil {
		return fmt.Errorf("settings version: %w", err)
	}
	return db.noteSettingsVersion(ctx, version)
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
