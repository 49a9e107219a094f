package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
)

const userColumns = `id, username, email, first_name, last_name, phone, role, is_active, is_blocked, date_joined`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*examhall.User, error) {
	var u examhall.User
	var joined int64
	dest := append([]any{&u.ID, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.Phone,
		&u.Role, &u.IsActive, &u.IsBlocked, &joined}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.DateJoined = fromMicros(joined)
	return &u, nil
}

var errUsernameTaken = &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.",
	Fields: map[string][]string{"username": {"A user with that username already exists."}}}

// CreateUser inserts u with passwordHash ("" = cannot log in), setting its ID and DateJoined.
func (db *DB) CreateUser(ctx context.Context, u *examhall.User, passwordHash string) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		return insertUser(ctx, tx, u, passwordHash)
	})
}

// SaveUserByUsername creates u or updates in place the user with its username
// (in any case), keeping that user's ID and DateJoined.
func (db *DB) SaveUserByUsername(ctx context.Context, u *examhall.User, passwordHash string) (bool, error) {
	created := false
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var id, joined int64
		err := tx.QueryRowContext(ctx, `SELECT id, date_joined FROM users WHERE username_key = $1`,
			examhall.UsernameKey(u.Username)).Scan(&id, &joined)
		if errors.Is(err, sql.ErrNoRows) {
			created = true
			return insertUser(ctx, tx, u, passwordHash)
		}
		if err != nil {
			return fmt.Errorf("find user %q: %w", u.Username, err)
		}
		u.ID, u.DateJoined = id, fromMicros(joined)
		return updateUser(ctx, tx, u, passwordHash)
	})
	return created, err
}

func insertUser(ctx context.Context, tx *Tx, u *examhall.User, passwordHash string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.DateJoined = tx.now.UTC().Truncate(time.Microsecond)
	err := tx.QueryRowContext(ctx, `INSERT INTO users
		(username, username_key, email, email_key, search_text, first_name, last_name, phone, role,
			password_hash, is_active, is_blocked, date_joined)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		u.Username, examhall.UsernameKey(u.Username), u.Email, strings.ToLower(u.Email), searchText(u),
		u.FirstName, u.LastName, u.Phone, u.Role, passwordHash, u.IsActive, u.IsBlocked, micros(u.DateJoined)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return errUsernameTaken
	}
	if err != nil {
		return fmt.Errorf("insert user %q: %w", u.Username, err)
	}
	return setUserBatches(ctx, tx, u.ID, u.Batches)
}

func updateUser(ctx context.Context, tx *Tx, u *examhall.User, passwordHash string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET username = $2, username_key = $3, email = $4,
		email_key = $5, search_text = $6, first_name = $7, last_name = $8, phone = $9, role = $10,
		password_hash = $11, is_active = $12, is_blocked = $13
		WHERE id = $1`,
		u.ID, u.Username, examhall.UsernameKey(u.Username), u.Email, strings.ToLower(u.Email), searchText(u),
		u.FirstName, u.LastName, u.Phone, u.Role, passwordHash, u.IsActive, u.IsBlocked)
	if isUniqueViolation(err) {
		return errUsernameTaken
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return setUserBatches(ctx, tx, u.ID, u.Batches)
}

// setUserBatches makes names the user's batches, creating batches that do not exist yet.
func setUserBatches(ctx context.Context, tx *Tx, userID int64, names []string) error {
	return setBatches(ctx, tx, "user_batches", "user_id", userID, names)
}

// setBatches makes names the batches of the record id in a link table
// (user_batches or exam_batches), creating batches that do not exist yet.
func setBatches(ctx context.Context, tx *Tx, table, column string, id int64, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+column+` = $1`, id); err != nil {
		return fmt.Errorf("clear %s of %d: %w", table, id, err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO batches (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return fmt.Errorf("create batch %q: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+column+`, batch_id)
			SELECT $1, id FROM batches WHERE name = $2 ON CONFLICT DO NOTHING`, id, name); err != nil {
			return fmt.Errorf("add %d to batch %q: %w", id, name, err)
		}
	}
	return nil
}

// UserByID returns the user with the id, or an ENOTFOUND error.
func (db *DB) UserByID(ctx context.Context, id int64) (*examhall.User, error) {
	var u *examhall.User
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return examhall.Errorf(examhall.ENOTFOUND, "Not found.")
		}
		if err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		return loadBatches(ctx, tx, []*examhall.User{u})
	})
	return u, err
}

// UserWithoutBatches returns the user with the id, Batches nil, or an
// ENOTFOUND error. One statement outside a transaction: it runs on every
// authenticated request.
func (db *DB) UserWithoutBatches(ctx context.Context, id int64) (*examhall.User, error) {
	var settingsVersion int64
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, `+settingsVersionSQL+`, password_hash
		FROM users WHERE id = $1`, id), &settingsVersion, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, examhall.Errorf(examhall.ENOTFOUND, "Not found.")
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	u.PasswordStamp = examhall.PasswordStamp(hash)
	return u, db.noteSettingsVersion(ctx, settingsVersion)
}

// UserCredentials returns the user with the username (in any case) and its
// password hash, or an ENOTFOUND error.
func (db *DB) UserCredentials(ctx context.Context, username string) (*examhall.User, string, error) {
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE username_key = $1`, examhall.UsernameKey(username)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", examhall.Errorf(examhall.ENOTFOUND, "Not found.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("user %q: %w", username, err)
	}
	u.PasswordStamp = examhall.PasswordStamp(hash)
	return u, hash, nil
}

// Users returns one page of the users that f selects, ordered by id, and their count.
func (db *DB) Users(ctx context.Context, f examhall.UserFilter) ([]*examhall.User, int, error) {
	var where []string
	var args []any
	if f.Query != "" {
		args = append(args, "%"+escapeLike(strings.ToLower(f.Query))+"%")
		where = append(where, fmt.Sprintf(`search_text LIKE $%d ESCAPE '\'`, len(args)))
	}
	if f.Email != "" {
		args = append(args, strings.ToLower(f.Email))
		where = append(where, fmt.Sprintf(`email_key = $%d`, len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var users []*examhall.User
	var count int
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`+cond, args...).Scan(&count); err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		pageArgs := append(args, f.Limit, f.Offset)
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM users%s ORDER BY id LIMIT $%d OFFSET $%d`,
			userColumns, cond, len(args)+1, len(args)+2), pageArgs...)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return fmt.Errorf("list users: %w", err)
			}
			users = append(users, u)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		return loadBatches(ctx, tx, users)
	})
	return users, count, err
}

// HasAdmin reports whether someone can log in as an admin: an active,
// unblocked admin with a password (serve says how to create one otherwise).
func (db *DB) HasAdmin(ctx context.Context) (bool, error) {
	var found bool
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users
			WHERE role = $1 AND is_active AND NOT is_blocked AND password_hash <> '')`, examhall.RoleAdmin).Scan(&found)
	})
	if err != nil {
		return false, fmt.Errorf("find an admin: %w", err)
	}
	return found, nil
}

// loadBatches fills in the batches of users with one query.
func loadBatches(ctx context.Context, tx *Tx, users []*examhall.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*examhall.User, len(users))
	ids := make([]any, len(users))
	for i, u := range users {
		byID[u.ID] = u
		ids[i] = u.ID
		u.Batches = []string{}
	}
	rows, err := tx.QueryContext(ctx, `SELECT ub.user_id, b.name FROM user_batches ub
		JOIN batches b ON b.id = ub.batch_id
		WHERE ub.user_id IN (`+placeholders(1, len(ids))+`)`, ids...)
	if err != nil {
		return fmt.Errorf("batches of users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("batches of users: %w", err)
		}
		byID[id].Batches = append(byID[id].Batches, name)
	}
	// Sorted here: the engines' text collations differ.
	for _, u := range users {
		sort.Strings(u.Batches)
	}
	return rows.Err()
}

// searchText is what ?q= searches in: the user's names, email and phone,
// lower-cased in Go so that both engines match the same users.
func searchText(u *examhall.User) string {
	return strings.ToLower(strings.Join([]string{u.Username, u.FirstName, u.LastName, u.Email, u.Phone}, "\n"))
}

// DeleteUser deletes the user and everything that is theirs (attempts, progress).
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	return db.inWriteTx(ctx, func(tx *Tx) error {
		// The user's attempts locked, so that none completes meanwhile; then
		// the statistics before the score counts (see complete).
		if _, err := tx.ExecContext(ctx, `SELECT id FROM attempts WHERE user_id = $1`+tx.db.forUpdate(), id); err != nil {
			return fmt.Errorf("lock attempts: %w", err)
		}
		if err := unstatUser(ctx, tx, id); err != nil {
			return err
		}
		if err := uncountRankedAttempts(ctx, tx, "user_id = $1", id); err != nil {
			return err
		}
		if err := deleteUserEvents(ctx, tx, id); err != nil { // not a cascade: see deleteUserEvents
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		} else if n == 0 {
			return examhall.Errorf(examhall.ENOTFOUND, "Not found.")
		}
		return nil
	})
}

// escapeLike escapes the LIKE wildcards in s, with backslash as the escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateUser applies change to the locked user and saves it; passwordHash
// nil keeps the password.
func (db *DB) UpdateUser(ctx context.Context, id int64, change func(*examhall.User) error, passwordHash *string) (*examhall.User, error) {
	var u *examhall.User
	err := db.inWriteTx(ctx, func(tx *Tx) error {
		var hash string
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = $1`+db.forUpdate(), id), &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		if err := loadBatches(ctx, tx, []*examhall.User{u}); err != nil {
			return err
		}
		if err := change(u); err != nil {
			return err
		}
		if passwordHash != nil {
			hash = *passwordHash
		}
		return updateUser(ctx, tx, u, hash)
	})
	return u, err
}

// uncountRankedAttempts takes the ranked attempts that match where out of
// their exams' score counts, before they are deleted. It locks them first, so
// that none completes or is regraded between the count and the delete.
func uncountRankedAttempts(ctx context.Context, tx *Tx, where string, arg any) error {
	if _, err := tx.ExecContext(ctx, `SELECT id FROM attempts WHERE `+where+tx.db.forUpdate(), arg); err != nil {
		return fmt.Errorf("lock attempts: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT exam_id, score_h FROM attempts WHERE in_rank_population AND `+where, arg)
	if err != nil {
		return fmt.Errorf("ranked attempts: %w", err)
	}
	type ranked struct{ exam, score int64 }
	var list []ranked
	err = scanRows(rows, func() error {
		var r ranked
		err := rows.Scan(&r.exam, &r.score)
		list = append(list, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("ranked attempts: %w", err)
	}
	for _, r := range list {
		if err := countScore(ctx, tx, r.exam, decimal.Decimal(r.score), -1); err != nil {
			return err
		}
	}
	return nil
}
