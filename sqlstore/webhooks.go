package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/drf"
	"github.com/examhall/examhall/scoring"
)

// SetWebhooks gives the store the webhook configuration of the flags (nil:
// none): the defaults under the settings stored through the admin API (see
// WebhookConfig). Call it before serving.
func (db *DB) SetWebhooks(src examhall.WebhookConfigSource) { db.webhooks = src }

// WebhookConfig is the webhook configuration in force (see
// examhall.WebhookSettingsStore): each setting stored through the admin API
// wins over its flag, a setting not stored is the flag's. The store asks it
// in every transaction that may cause an event.
func (db *DB) WebhookConfig() examhall.WebhookConfig {
	var flags examhall.WebhookConfig
	if db.webhooks != nil {
		flags = db.webhooks.WebhookConfig()
	}
	db.settings.mu.Lock()
	stored := db.settings.webhooks
	db.settings.mu.Unlock()
	return flags.WithSettings(stored)
}

// SetWebhookSettings changes the stored webhook settings (see
// examhall.WebhookSettingsStore) in one transaction that bumps the settings
// version, so that every replica uses them from its next request on; this
// one reloads them at once.
func (db *DB) SetWebhookSettings(ctx context.Context, changes map[string]*string) error {
	errs := examhall.FieldErrors{}
	for key, value := range changes {
		switch {
		case !slices.Contains(examhall.WebhookSettingKeys, key):
			errs.Add(key, "Unknown setting.")
		case value == nil:
		case key == examhall.SettingExamWebhookURL || key == examhall.SettingContentWebhookURL:
			if msg := examhall.CheckWebhookURL(*value); msg != "" {
				errs.Add(key, msg)
			}
		case key == examhall.SettingWebhookEvents:
			if _, err := examhall.ParseWebhookEvents(*value); err != nil {
				errs.Add(key, err.Error())
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		for key, value := range changes {
			var err error
			if value == nil {
				err = deleteSetting(ctx, tx, key)
			} else {
				err = putSetting(ctx, tx, key, *value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return db.LoadSettings(ctx)
}

func (db *DB) wireFormat() examhall.WireFormat {
	loc := db.Institute().Location
	return examhall.WireFormat{
		Time:     func(t time.Time) string { return drf.FormatTime(t, loc) },
		Duration: drf.FormatDuration,
	}
}

// jsonText is the SQL that renders a text column as a JSON string.
func (db *DB) jsonText(column string) string {
	if db.engine == Postgres {
		return `CAST(to_json(CAST(` + column + ` AS TEXT)) AS TEXT)`
	}
	return `json_quote(` + column + `)`
}

// enqueueExam writes the exam event ev of a, as it stands, into the outbox
// in tx when a URL is configured for it; r is the scoring of a completed
// attempt (nil for a start). It is one statement: the user's username and
// email are read by the INSERT itself and spliced into the payload, so that
// the attempt flow gains one statement, not two.
func enqueueExam(ctx context.Context, tx *Tx, ev examhall.WebhookEvent, a *examhall.Attempt, exam *examhall.Exam, r *scoring.Result) error {
	cfg := tx.db.WebhookConfig()
	url := cfg.URLFor(ev)
	if url == "" {
		return nil
	}
	// Random marks, so that no value of the payload (an exam title, an
	// institute attempt id) can be taken for them.
	var nonce [12]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	userMark, emailMark := "u"+hex.EncodeToString(nonce[:]), "e"+hex.EncodeToString(nonce[:])
	in := examhall.ExamPayloadInput{Attempt: a, Exam: exam, Username: userMark, Email: emailMark}
	if r != nil {
		in.SubjectStats, in.DifficultyLevelStats = r.Stats()
	}
	b, err := json.Marshal(examhall.NewExamPayload(in, cfg, tx.db.wireFormat()))
	if err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	head, rest, ok1 := bytes.Cut(b, []byte(`"`+userMark+`"`))
	mid, tail, ok2 := bytes.Cut(rest, []byte(`"`+emailMark+`"`))
	if !ok1 || !ok2 {
		return fmt.Errorf("webhook payload: marks not found")
	}
	now := micros(tx.now)
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_outbox (kind, event, subject, attempt_id, url, payload,
		created, queued, next_attempt_at)
		SELECT 'exam', $1, $2, $3, $4, CAST($5 AS TEXT) || `+tx.db.jsonText("u.username")+` || CAST($6 AS TEXT) || `+
		tx.db.jsonText("u.email")+` || CAST($7 AS TEXT), $8, $8, $8 FROM users u WHERE u.id = $9`,
		string(ev), "attempt:"+strconv.FormatInt(a.ID, 10), a.ID, url, string(head), string(mid), string(tail), now, a.UserID)
	if err != nil {
		return fmt.Errorf("webhook outbox: %w", err)
	}
	return nil
}

// enqueueContent writes the content event of ca, in the state it has just
// entered, into the outbox in tx when a content URL is configured.
func enqueueContent(ctx context.Context, tx *Tx, ca *examhall.ContentAttempt) error {
	cfg := tx.db.WebhookConfig()
	url := cfg.URLFor(examhall.EventContentStateChanged)
	if url == "" {
		return nil
	}
	var contentTitle, courseTitle string
	if err := tx.QueryRowContext(ctx, `SELECT cc.title, co.title FROM chapter_contents cc, courses co
		WHERE cc.id = $1 AND co.id = $2`, ca.ChapterContentID, ca.CourseID).Scan(&contentTitle, &courseTitle); err != nil {
		return fmt.Errorf("webhook payload of content attempt %d: %w", ca.ID, err)
	}
	b, err := json.Marshal(examhall.NewContentPayload(ca, contentTitle, courseTitle, cfg, tx.db.wireFormat()))
	if err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	now := micros(tx.now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_outbox (kind, event, subject, content_attempt_id, url, payload,
		created, queued, next_attempt_at) VALUES ('chapter_content', $1, $2, $3, $4, $5, $6, $6, $6)`,
		string(examhall.EventContentStateChanged), "content:"+strconv.FormatInt(ca.ID, 10), ca.ID, url, string(b), now); err != nil {
		return fmt.Errorf("webhook outbox: %w", err)
	}
	return nil
}

const outboxColumns = `id, event, COALESCE(attempt_id, 0), COALESCE(content_attempt_id, 0), url, payload, state,
	tries, last_status, last_error, created, queued, next_attempt_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (*examhall.WebhookDelivery, error) {
	var d examhall.WebhookDelivery
	var payload string
	var status, delivered sql.NullInt64
	var created, queued, next int64
	if err := row.Scan(&d.ID, &d.Event, &d.AttemptID, &d.ContentAttemptID, &d.URL, &payload, &d.State, &d.Tries,
		&status, &d.LastError, &created, &queued, &next, &delivered); err != nil {
		return nil, err
	}
	d.Payload = json.RawMessage(payload)
	if status.Valid {
		s := int(status.Int64)
		d.LastStatus = &s
	}
	d.Created, d.Queued, d.NextTry, d.DeliveredAt = fromMicros(created), fromMicros(queued), fromMicros(next), timeOf(delivered)
	return &d, nil
}

func scanDeliveries(rows *sql.Rows) ([]examhall.WebhookDelivery, error) {
	list := []examhall.WebhookDelivery{}
	err := scanRows(rows, func() error {
		d, err := scanDelivery(rows)
		if err == nil {
			list = append(list, *d)
		}
		return err
	})
	return list, err
}

// ClaimWebhookDeliveries leases due deliveries to owner (see
// examhall.WebhookOutbox). On PostgreSQL the rows are picked with FOR UPDATE
// SKIP LOCKED, so that replicas claiming at once take different rows
// without waiting; the lease is checked again on the row itself.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, owner string, limit int, lease time.Duration) ([]examhall.WebhookDelivery, error) {
	skipLocked := ""
	if db.engine == Postgres {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	var list []examhall.WebhookDelivery
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		rows, err := tx.QueryContext(ctx, `UPDATE webhook_outbox SET lease_owner = $1, locked_until = $2
			WHERE id IN (SELECT o.id FROM webhook_outbox o
				WHERE o.state = 0 AND o.next_attempt_at <= $3 AND COALESCE(o.locked_until, 0) <= $3
				AND NOT EXISTS (SELECT 1 FROM webhook_outbox e WHERE e.subject = o.subject AND e.state = 0 AND e.id < o.id)
				ORDER BY o.id LIMIT $4`+skipLocked+`)
			AND state = 0 AND COALESCE(locked_until, 0) <= $3
			RETURNING `+outboxColumns, owner, now+lease.Microseconds(), now, limit)
		if err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		list, err = scanDeliveries(rows)
		return err
	})
	return list, err
}

// FinishWebhookDelivery records one try's outcome (see examhall.WebhookOutbox)
// and logs the try in webhook_deliveries.
func (db *DB) FinishWebhookDelivery(ctx context.Context, id int64, owner string, o examhall.WebhookOutcome) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		state, next, delivered := examhall.DeliveryPending, micros(o.NextTry), any(nil)
		switch {
		case o.Delivered:
			state, next, delivered = examhall.DeliveryDelivered, now, now
		case o.NextTry.IsZero():
			state, next = examhall.DeliveryFailed, now
		}
		var status any
		if o.Status != 0 {
			status = o.Status
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_outbox SET state = $2, tries = tries + 1, last_status = $3,
			last_error = $4, next_attempt_at = $5, delivered_at = $6, lease_owner = '', locked_until = NULL
			WHERE id = $1`, id, int(state), status, o.Error, next, delivered); err != nil {
			return fmt.Errorf("finish webhook delivery %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (outbox_id, attempted_at, status, error, duration_us)
			VALUES ($1, $2, $3, $4, $5)`, id, now, status, o.Error, o.Duration.Microseconds()); err != nil {
			return fmt.Errorf("log webhook try %d: %w", id, err)
		}
		return nil
	})
}

// WebhookDeliveries returns a page of the delivery log (see
// examhall.WebhookOutbox), read at one snapshot.
func (db *DB) WebhookDeliveries(ctx context.Context, f examhall.WebhookDeliveryFilter) ([]examhall.WebhookDelivery, int, error) {
	state := -1
	if f.State != nil {
		state = int(*f.State)
	}
	where := ` WHERE ($1 < 0 OR state = $1) AND ($2 = '' OR event = $2) AND ($3 = 0 OR attempt_id = $3)`
	var list []examhall.WebhookDelivery
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhook_outbox`+where, state, string(f.Event), f.AttemptID).Scan(&count); err != nil {
			return fmt.Errorf("webhook deliveries: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM webhook_outbox`+where+` ORDER BY id DESC LIMIT $4 OFFSET $5`,
			state, string(f.Event), f.AttemptID, f.Limit, f.Offset)
		if err != nil {
			return fmt.Errorf("webhook deliveries: %w", err)
		}
		list, err = scanDeliveries(rows)
		return err
	})
	return list, count, err
}

// RedeliverWebhook queues a delivery again (see examhall.WebhookOutbox).
func (db *DB) RedeliverWebhook(ctx context.Context, id int64) (*examhall.WebhookDelivery, error) {
	var d *examhall.WebhookDelivery
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		now := micros(tx.now)
		d, err = scanDelivery(tx.QueryRowContext(ctx, `UPDATE webhook_outbox SET state = 0, next_attempt_at = $2,
			queued = $2, delivered_at = NULL, lease_owner = '', locked_until = NULL WHERE id = $1 RETURNING `+outboxColumns, id, now))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		return err
	})
	return d, err
}

// PruneWebhookDeliveries deletes deliveries delivered before before, with
// the log of their tries.
func (db *DB) PruneWebhookDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE outbox_id IN
			(SELECT id FROM webhook_outbox WHERE state = 1 AND delivered_at < $1)`, micros(before)); err != nil {
			return fmt.Errorf("prune webhook tries: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_outbox WHERE state = 1 AND delivered_at < $1`, micros(before))
		if err != nil {
			return fmt.Errorf("prune webhook deliveries: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
