package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/examhall/examhall"
)

// exportColumns are the columns scanExport reads, in its order.
const exportColumns = `id, kind, format, query, link_base, COALESCE(created_by, 0), state, progress, rows_done, error,
	created, started, finished`

func scanExport(row interface{ Scan(...any) error }) (*examhall.Export, error) {
	var e examhall.Export
	var created int64
	var started, finished sql.NullInt64
	if err := row.Scan(&e.ID, &e.Kind, &e.Format, &e.Query, &e.LinkBase, &e.CreatedBy, &e.State, &e.Progress,
		&e.Rows, &e.Error, &created, &started, &finished); err != nil {
		return nil, err
	}
	e.Created, e.Started, e.Finished = fromMicros(created), timeOf(started), timeOf(finished)
	return &e, nil
}

// CreateExport stores a new queued export job (see examhall.ExportStore).
func (db *DB) CreateExport(ctx context.Context, e *examhall.Export) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var createdBy any
		if e.CreatedBy != 0 {
			createdBy = e.CreatedBy
		}
		stored, err := scanExport(tx.QueryRowContext(ctx, `INSERT INTO export_jobs (kind, format, query, link_base,
			created_by, created) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+exportColumns,
			e.Kind, e.Format, e.Query, e.LinkBase, createdBy, micros(tx.now)))
		if err != nil {
			return fmt.Errorf("create export: %w", err)
		}
		*e = *stored
		return nil
	})
}

// Export returns an export job (see examhall.ExportStore).
func (db *DB) Export(ctx context.Context, id int64) (*examhall.Export, error) {
	var e *examhall.Export
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		e, err = scanExport(tx.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM export_jobs WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		return err
	})
	return e, err
}

// Exports returns a page of the export jobs, newest first (see
// examhall.ExportStore).
func (db *DB) Exports(ctx context.Context, offset, limit int) ([]examhall.Export, int, error) {
	var list []examhall.Export
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM export_jobs`).Scan(&count); err != nil {
			return fmt.Errorf("count exports: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+exportColumns+` FROM export_jobs ORDER BY id DESC LIMIT $1 OFFSET $2`,
			limit, offset)
		if err != nil {
			return fmt.Errorf("list exports: %w", err)
		}
		return scanRows(rows, func() error {
			e, err := scanExport(rows)
			if err == nil {
				list = append(list, *e)
			}
			return err
		})
	})
	return list, count, err
}

// ClaimExport marks the oldest queued export job running (see
// examhall.ExportStore).
func (db *DB) ClaimExport(ctx context.Context) (*examhall.Export, error) {
	var e *examhall.Export
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var err error
		// The state in the WHERE keeps two claims racing on PostgreSQL from
		// both taking the job: the second updates nothing.
		e, err = scanExport(tx.QueryRowContext(ctx, `UPDATE export_jobs SET state = $1, started = $2
			WHERE id = (SELECT MIN(id) FROM export_jobs WHERE state = $3) AND state = $3 RETURNING `+exportColumns,
			int(examhall.ExportRunning), micros(tx.now), int(examhall.ExportQueued)))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		return err
	})
	return e, err
}

// ExportProgress records a running export job's progress (see
// examhall.ExportStore).
func (db *DB) ExportProgress(ctx context.Context, id int64, progress int, rows int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		return updatedOne(tx.ExecContext(ctx, `UPDATE export_jobs SET progress = $1, rows_done = $2 WHERE id = $3 AND state = $4`,
			min(max(progress, 0), 100), rows, id, int(examhall.ExportRunning)))
	})
}

// FinishExport ends a running export job (see examhall.ExportStore).
func (db *DB) FinishExport(ctx context.Context, id int64, state examhall.ExportState, rows int64, errText string) error {
	if !state.Finished() {
		return fmt.Errorf("finish export %d: state %s does not finish it", id, state)
	}
	var progress any // a failed job keeps the progress it made; a done one is complete
	if state == examhall.ExportDone {
		progress = 100
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		return updatedOne(tx.ExecContext(ctx, `UPDATE export_jobs SET state = $1, rows_done = $2, error = $3, finished = $4,
			progress = COALESCE($5, progress) WHERE id = $6 AND state = $7`,
			int(state), rows, errText, micros(tx.now), progress, id, int(examhall.ExportRunning)))
	})
}

// updatedOne is ENOTFOUND unless the statement changed a row.
func updatedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return errNotFound
	}
	return err
}

// FailUnfinishedExports fails every queued or running export job (see
// examhall.ExportStore).
func (db *DB) FailUnfinishedExports(ctx context.Context, errText string) (int, error) {
	var n int64
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE export_jobs SET state = $1, error = $2, finished = $3 WHERE state IN ($4, $5)`,
			int(examhall.ExportFailed), errText, micros(tx.now), int(examhall.ExportQueued), int(examhall.ExportRunning))
		if err != nil {
			return fmt.Errorf("fail unfinished exports: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// PruneExports deletes the export jobs finished before before (see
// examhall.ExportStore).
func (db *DB) PruneExports(ctx context.Context, before time.Time) ([]examhall.Export, error) {
	var list []examhall.Export
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		list = nil // a group commit may run fn again
		rows, err := tx.QueryContext(ctx, `DELETE FROM export_jobs WHERE state IN ($1, $2) AND finished < $3 RETURNING `+exportColumns,
			int(examhall.ExportDone), int(examhall.ExportFailed), micros(before))
		if err != nil {
			return fmt.Errorf("prune exports: %w", err)
		}
		return scanRows(rows, func() error {
			e, err := scanExport(rows)
			if err == nil {
				list = append(list, *e)
			}
			return err
		})
	})
	return list, err
}
