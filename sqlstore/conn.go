package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// Every statement goes through these methods, which count it, so that tests
// can check that a request's number of queries does not grow with its page
// size. pool wraps the *sql.DB handles and Tx the transactions; both shadow
// the methods of database/sql.

type pool struct {
	*sql.DB
	statements *atomic.Int64
	stmts      *stmtCache // nil: the driver caches
}

func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.statements.Add(1)
	if s := p.stmts.get(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.statements.Add(1)
	if s := p.stmts.get(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.statements.Add(1)
	if s := p.stmts.get(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.context(ctx)
	tx.db.statements.Add(1)
	if s := tx.stmts.inTx(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.context(ctx)
	tx.db.statements.Add(1)
	if s := tx.stmts.inTx(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.context(ctx)
	tx.db.statements.Add(1)
	if s := tx.stmts.inTx(query); s != nil {
		return tx.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// context is the context a statement of tx runs under: ctx, or in a group
// commit the write's detached context (see groupCommitter.runBatch).
func (tx *Tx) context(ctx context.Context) context.Context {
	if tx.detached != nil {
		return tx.detached
	}
	return ctx
}

// Statements is the number of SQL statements run since the database opened.
func (db *DB) Statements() int64 { return db.statements.Load() }

func deleteRow(ctx context.Context, tx *Tx, stmt string, id int64) error {
	res, err := tx.ExecContext(ctx, stmt, id)
	if err != nil {
		return fmt.Errorf("delete %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete %d: %w", id, err)
	} else if n == 0 {
		return errNotFound
	}
	return nil
}

// nextPosition is the position after the last child row (table child, whose
// column fk names its parent) of the parent row id in table parent: 0 for
// the first. Returns ENOTFOUND if the parent does not exist. The names are
// the callers' constants, never input.
func nextPosition(ctx context.Context, tx *Tx, parent, child, fk string, id int64) (int, error) {
	var next int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(c.position), -1) + 1 FROM `+parent+` p
		LEFT JOIN `+child+` c ON c.`+fk+` = p.id WHERE p.id = $1 GROUP BY p.id`, id).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("%s of %s %d: %w", child, parent, id, err)
	}
	return next, nil
}
