package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/examhall/examhall"
)

// examOpenSQL is examhall.BatchesAdmit for an exam as an SQL condition: true
// when the exam whose id is the expression examID (a column or a parameter)
// is for the user whose id is userID, that is, when the exam has no
// batches, the user is not a student, or they share a batch. It is a few
// primary-key probes (exam_batches, users, user_batches), so that the
// student exam paths decide it inside a statement they run anyway and need
// no extra round trip for the user's batches, which the authenticated
// caller does not carry. Membership is read afresh by every statement: a
// change to a user's batches applies at once, on every replica.
func examOpenSQL(examID, userID string) string {
	return `(NOT EXISTS (SELECT 1 FROM exam_batches WHERE exam_id = ` + examID + `)
		OR EXISTS (SELECT 1 FROM users WHERE id = ` + userID + ` AND role <> 'student')
		OR EXISTS (SELECT 1 FROM exam_batches eb JOIN user_batches ub ON ub.batch_id = eb.batch_id
			WHERE eb.exam_id = ` + examID + ` AND ub.user_id = ` + userID + `))`
}

// VisibleExam returns the published exam with the slug if the user may see
// it in the student API: when its batches admit them (examOpenSQL), or when
// they have an attempt of it (a student who left the exam's batches still
// reads the exam their attempts link to). Otherwise, as for an unknown or
// unpublished slug, it returns ENOTFOUND: to a student outside its batches
// an exam does not exist. The exam comes from the exam cache, shared with
// other requests: callers must not change it.
func (db *DB) VisibleExam(ctx context.Context, userID int64, slug string) (*examhall.Exam, error) {
	var exam *examhall.Exam
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var id, version int64
		err := tx.QueryRowContext(ctx, `SELECT id, version FROM exams WHERE slug = $1 AND published = TRUE
			AND (`+examOpenSQL("exams.id", "$2")+`
				OR EXISTS (SELECT 1 FROM attempts WHERE user_id = $2 AND exam_id = exams.id))`, slug, userID).Scan(&id, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("exam %q: %w", slug, err)
		}
		exam, err = db.examAt(ctx, tx, id, version)
		return err
	})
	return exam, err
}
