package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/examhall/examhall"
)

// sequenceBatch bounds the changes one sequencer transaction numbers: a
// request that finds more answers has_more and numbers the rest when polled
// again.
const sequenceBatch = 10000

// AttemptChanges returns up to limit changes after since (see
// examhall.AttemptChangeStore); since < 0 starts from the start of what is
// kept. It first numbers the changes committed since the last request
// (sequenceChanges). Returns EGONE if since is before a pruned tombstone or
// beyond every value ever assigned.
func (db *DB) AttemptChanges(ctx context.Context, since int64, limit int) (*examhall.AttemptChangePage, error) {
	unnumbered, err := db.sequenceChanges(ctx, sequenceBatch)
	if err != nil {
		return nil, err
	}
	page := &examhall.AttemptChangePage{}
	err = db.inReadTx(ctx, func(tx *Tx) error {
		page.Changes = page.Changes[:0] // a read retried starts again
		var last, pruned int64
		if err := tx.QueryRowContext(ctx, `SELECT last_seq, pruned_through FROM attempt_change_marks`).Scan(&last, &pruned); err != nil {
			return fmt.Errorf("change feed marks: %w", err)
		}
		switch {
		case since < 0: // a client with nothing needs no tombstones
			since = 0
		case since < pruned:
			return examhall.Errorf(examhall.EGONE, "Changes after this cursor are no longer kept: walk the attempts list again and follow the changes from its cursor.")
		case since > last:
			return examhall.Errorf(examhall.EGONE, "This cursor is ahead of every change recorded (the database was restored from a backup?): walk the attempts list again and follow the changes from its cursor.")
		}
		rows, err := tx.QueryContext(ctx, `SELECT attempt_id, seq, deleted FROM attempt_changes
			WHERE seq > $1 ORDER BY seq LIMIT $2`, since, limit+1)
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		var live []any
		err = scanRows(rows, func() error {
			var c examhall.AttemptChange
			if err := rows.Scan(&c.ID, &c.Seq, &c.Deleted); err != nil {
				return err
			}
			page.Changes = append(page.Changes, c)
			if !c.Deleted && len(page.Changes) <= limit {
				live = append(live, c.ID)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read changes: %w", err)
		}
		page.Next, page.HasMore = last, unnumbered
		if len(page.Changes) > limit {
			page.Changes = page.Changes[:limit]
			page.Next, page.HasMore = page.Changes[limit-1].Seq, true
		}
		if len(live) == 0 {
			return nil
		}
		attempts, err := tx.QueryContext(ctx, `SELECT `+attemptRowColumns+` FROM attempts
			JOIN users ON users.id = attempts.user_id JOIN exams ON exams.id = attempts.exam_id
			WHERE attempts.id IN (`+placeholders(1, len(live))+`)`, live...)
		if err != nil {
			return fmt.Errorf("read changed attempts: %w", err)
		}
		byID := make(map[int64]*examhall.AttemptRow, len(live))
		err = scanRows(attempts, func() error {
			r, err := scanAttemptRow(attempts)
			if err != nil {
				return err
			}
			byID[r.ID] = r
			return nil
		})
		if err != nil {
			return fmt.Errorf("read changed attempts: %w", err)
		}
		for i := range page.Changes {
			c := &page.Changes[i]
			if c.Deleted {
				continue
			}
			// The change and its attempt are written in one transaction and
			// read in one snapshot: a live change without its attempt is a
			// broken invariant, not a race.
			if c.Row = byID[c.ID]; c.Row == nil {
				return fmt.Errorf("change %d of attempt %d: the attempt is missing", c.Seq, c.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// sequenceChanges numbers up to limit committed, not yet numbered changes
// (the triggers leave seq NULL; see docs/decisions.md, "Change feed") and
// reports whether it left some for the next call. Sequencers are
// serialized (SQLite's one writer; on PostgreSQL the lock on the marks row)
// and each commits before its numbers can be read, so the numbers visible to
// any snapshot are every number up to the largest: a reader never passes one
// that commits later. On PostgreSQL, SKIP LOCKED passes over changes a
// writer holds (its trigger locks the row even when it is marked already),
// so a sequencer never waits for a writer: the change is numbered by a later
// call, with its latest state.
func (db *DB) sequenceChanges(ctx context.Context, limit int) (more bool, err error) {
	lock, skipLocked := "", ""
	if db.engine == Postgres {
		lock, skipLocked = " FOR UPDATE", " FOR UPDATE SKIP LOCKED"
	}
	err = db.inWriteTx(ctx, func(tx *Tx) error {
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attempt_changes WHERE seq IS NULL)`).Scan(&pending); err != nil || !pending {
			return err
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT last_seq FROM attempt_change_marks`+lock).Scan(&last); err != nil {
			return fmt.Errorf("lock change feed marks: %w", err)
		}
		res, err := tx.ExecContext(ctx, `WITH batch AS (
				SELECT attempt_id FROM attempt_changes WHERE seq IS NULL LIMIT $2`+skipLocked+`
			), numbered AS (
				SELECT attempt_id, CAST($1 AS BIGINT) + row_number() OVER (ORDER BY attempt_id) AS seq FROM batch
			)
			UPDATE attempt_changes SET seq = numbered.seq FROM numbered WHERE attempt_changes.attempt_id = numbered.attempt_id`,
			last, limit)
		if err != nil {
			return fmt.Errorf("number changes: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		more = n == int64(limit)
		if _, err := tx.ExecContext(ctx, `UPDATE attempt_change_marks SET last_seq = $1`, last+n); err != nil {
			return fmt.Errorf("number changes: %w", err)
		}
		return nil
	})
	return more, err
}

// PruneAttemptChanges numbers the changes waiting for it (as a read of the
// feed does; a tombstone is pruned once numbered), stamps the tombstones it
// sees for the first time with now and deletes those stamped before before,
// raising the marks' pruned_through to the largest seq deleted, so that a
// cursor before it is EGONE. Tombstones are stamped here, not by the
// trigger, so that retention runs on the server's clock (examhall.Clock) on
// both engines; it counts from the first sweep after the deletion. Returns
// how many it deleted.
func (db *DB) PruneAttemptChanges(ctx context.Context, now, before time.Time) (int64, error) {
	if _, err := db.sequenceChanges(ctx, sequenceBatch); err != nil {
		return 0, err
	}
	var n int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		n = 0
		if _, err := tx.ExecContext(ctx, `UPDATE attempt_changes SET tombstoned_at = $1 WHERE deleted AND tombstoned_at IS NULL`,
			micros(now)); err != nil {
			return fmt.Errorf("stamp tombstones: %w", err)
		}
		// The marks row first: on PostgreSQL its lock waits for a
		// sequencer, so that the tombstones it numbered are seen below.
		if _, err := tx.ExecContext(ctx, `UPDATE attempt_change_marks SET pruned_through = pruned_through`); err != nil {
			return fmt.Errorf("prune tombstones: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM attempt_changes
			WHERE deleted AND tombstoned_at < $1 AND seq IS NOT NULL RETURNING seq`, micros(before))
		if err != nil {
			return fmt.Errorf("prune tombstones: %w", err)
		}
		var through int64
		err = scanRows(rows, func() error {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return err
			}
			n, through = n+1, max(through, seq)
			return nil
		})
		if err != nil {
			return fmt.Errorf("prune tombstones: %w", err)
		}
		if n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attempt_change_marks SET pruned_through = $1 WHERE pruned_through < $1`,
			through); err != nil {
			return fmt.Errorf("prune tombstones: %w", err)
		}
		return nil
	})
	return n, err
}
