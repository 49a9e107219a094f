package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
)

var errBatchNameTaken = fieldError("name", "batch with this name already exists.")

// Batches returns one page of the batches by name, with their user counts,
// and how many batches there are.
func (db *DB) Batches(ctx context.Context, offset, limit int) ([]examhall.Batch, int, error) {
	var batches []examhall.Batch
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM batches`).Scan(&count); err != nil {
			return fmt.Errorf("count batches: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT b.id, b.name, (SELECT count(*) FROM user_batches ub WHERE ub.batch_id = b.id)
			FROM batches b ORDER BY b.name, b.id LIMIT $1 OFFSET $2`, limit, offset)
		if err != nil {
			return fmt.Errorf("batches: %w", err)
		}
		return scanRows(rows, func() error {
			var b examhall.Batch
			err := rows.Scan(&b.ID, &b.Name, &b.Users)
			batches = append(batches, b)
			return err
		})
	})
	return batches, count, err
}

// CreateBatch inserts a batch.
func (db *DB) CreateBatch(ctx context.Context, b *examhall.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO batches (name) VALUES ($1) RETURNING id`, b.Name).Scan(&b.ID)
		if isUniqueViolation(err) {
			return errBatchNameTaken
		}
		if err != nil {
			return fmt.Errorf("insert batch: %w", err)
		}
		b.Users = 0
		return nil
	})
}

// RenameBatch renames a batch; the exams in it change (their batches show
// the new name), so their versions move for the exam cache.
func (db *DB) RenameBatch(ctx context.Context, id int64, name string) (*examhall.Batch, error) {
	b := &examhall.Batch{ID: id, Name: name}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET name = $2 WHERE id = $1`, id, name)
		if isUniqueViolation(err) {
			return errBatchNameTaken
		}
		if err != nil {
			return fmt.Errorf("rename batch %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("rename batch %d: %w", id, err)
		} else if n == 0 {
			return errNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET version = version + 1
			WHERE id IN (SELECT exam_id FROM exam_batches WHERE batch_id = $1)`, id); err != nil {
			return fmt.Errorf("bump versions of the exams of batch %d: %w", id, err)
		}
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM user_batches WHERE batch_id = $1`, id).Scan(&b.Users)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}
