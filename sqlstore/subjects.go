package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/examhall/examhall"
)

// CreateSubject inserts s under its parent (0 = a root) and sets its ID.
func (db *DB) CreateSubject(ctx context.Context, s *examhall.Subject) error {
	errs := examhall.FieldErrors{}
	if strings.TrimSpace(s.Name) == "" {
		errs.Add("name", "This field may not be blank.")
	}
	examhall.CheckLength(errs, "name", s.Name, examhall.MaxTitleLength)
	if err := errs.Err(); err != nil {
		return err
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		if s.ParentID != 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM subjects WHERE id = $1`, s.ParentID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return invalidPK("parent", s.ParentID)
			}
			if err != nil {
				return fmt.Errorf("find subject %d: %w", s.ParentID, err)
			}
		}
		var parent any
		if s.ParentID != 0 {
			parent = s.ParentID
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO subjects (key, name, parent_id) VALUES ($1, $2, $3) RETURNING id`,
			textArg(s.Key), s.Name, parent).Scan(&s.ID)
		if isUniqueViolation(err) {
			return fieldError("key", "subject with this key already exists.")
		}
		if err != nil {
			return fmt.Errorf("insert subject: %w", err)
		}
		return nil
	})
}

// Subjects returns the whole subject tree, by id.
func (db *DB) Subjects(ctx context.Context) ([]examhall.Subject, error) {
	return subjectsIn(ctx, db.read)
}

func subjectsIn(ctx context.Context, q queryer) ([]examhall.Subject, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(key, ''), name, COALESCE(parent_id, 0) FROM subjects ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	defer rows.Close()
	var subjects []examhall.Subject
	for rows.Next() {
		var s examhall.Subject
		if err := rows.Scan(&s.ID, &s.Key, &s.Name, &s.ParentID); err != nil {
			return nil, fmt.Errorf("subjects: %w", err)
		}
		subjects = append(subjects, s)
	}
	return subjects, rows.Err()
}

// invalidPK is DRF's answer to a reference to a record that does not exist.
func invalidPK(field string, id int64) error {
	return fieldError(field, fmt.Sprintf(`Invalid pk "%d" - object does not exist.`, id))
}

func fieldError(field, msg string) error {
	return &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.", Fields: map[string][]string{field: {msg}}}
}

// SubjectNames returns the names of the subjects with the ids, by id: one
// statement, none for no ids. Unknown ids are left out.
func (db *DB) SubjectNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	names := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, name FROM subjects WHERE id IN (`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("subject names: %w", err)
	}
	err = scanRows(rows, func() error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subject names: %w", err)
	}
	return names, nil
}

// UpdateSubject renames or moves a subject.
func (db *DB) UpdateSubject(ctx context.Context, s *examhall.Subject) error {
	if strings.TrimSpace(s.Name) == "" {
		return fieldError("name", "This field may not be blank.")
	}
	errs := examhall.FieldErrors{}
	if examhall.CheckLength(errs, "name", s.Name, examhall.MaxTitleLength); errs.Err() != nil {
		return errs.Err()
	}
	return db.inWriteTx(ctx, func(tx *Tx) error {
		subjects, err := subjectsInTx(ctx, tx)
		if err != nil {
			return err
		}
		byID := map[int64]examhall.Subject{}
		for _, sub := range subjects {
			byID[sub.ID] = sub
		}
		if _, ok := byID[s.ID]; !ok {
			return errNotFound
		}
		for id := s.ParentID; id != 0; id = byID[id].ParentID {
			if _, ok := byID[id]; !ok {
				return invalidPK("parent", s.ParentID)
			}
			if id == s.ID {
				return fieldError("parent", "A subject cannot sit below itself.")
			}
		}
		var parent any
		if s.ParentID != 0 {
			parent = s.ParentID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subjects SET name = $2, parent_id = $3 WHERE id = $1`, s.ID, s.Name, parent); err != nil {
			return fmt.Errorf("update subject %d: %w", s.ID, err)
		}
		s.Key = byID[s.ID].Key
		return nil
	})
}

// DeleteSubject deletes a subject without sub-subjects.
func (db *DB) DeleteSubject(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		var children int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subjects WHERE parent_id = $1`, id).Scan(&children); err != nil {
			return fmt.Errorf("subject %d: %w", id, err)
		}
		if children > 0 {
			return examhall.Errorf(examhall.EINVALID, "This subject has sub-subjects; move or delete them first.")
		}
		// The subject's questions lose it (ON DELETE SET NULL): their exams change.
		if _, err := tx.ExecContext(ctx, `UPDATE exams SET version = version + 1 WHERE id IN
			(SELECT eq.exam_id FROM exam_questions eq JOIN questions q ON q.id = eq.question_id WHERE q.subject_id = $1)`,
			id); err != nil {
			return fmt.Errorf("bump versions of the exams of subject %d: %w", id, err)
		}
		return deleteRow(ctx, tx, `DELETE FROM subjects WHERE id = $1`, id)
	})
}
