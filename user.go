package examhall

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do: admins everything, staff author content and grade
// essays, students take exams and courses.
type Role string

// The roles of examhall.
const (
	RoleAdmin   Role = "admin"
	RoleStaff   Role = "staff"
	RoleStudent Role = "student"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleStaff || r == RoleStudent
}

// User is a person with a login: a student, a staff member or an admin.
type User struct {
	ID         int64
	Username   string
	Email      string
	FirstName  string
	LastName   string
	Phone      string
	Role       Role
	IsActive   bool
	IsBlocked  bool
	DateJoined time.Time
	Batches    []string // batch names, sorted; nil when not loaded (the caller of a request)
	// PasswordStamp is PasswordStamp of the user's password hash, loaded
	// with the user for authentication ("" elsewhere). Tokens carry it, so
	// that a new password revokes the tokens issued before it.
	PasswordStamp string
}

// PasswordStamp is a short digest of a password hash: it changes whenever
// the password does, and tells nothing of the hash (as Django's session
// auth hash, which logs a user's sessions out when the password changes).
func PasswordStamp(hash string) string {
	sum := sha256.Sum256([]byte("examhall password stamp\x00" + hash))
	return hex.EncodeToString(sum[:8])
}

// MinPasswordLength is the fewest characters a password a user chooses
// may have (NIST SP 800-63B's minimum for a memorized secret).
const MinPasswordLength = 8

// CheckNewPassword checks a password that the user chooses: at least
// MinPasswordLength characters, at most 72 bytes (bcrypt's limit), not the
// username. Errors are recorded against field.
func CheckNewPassword(errs FieldErrors, field, password, username string) {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		errs.Add(field, fmt.Sprintf("This password is too short. It must contain at least %d characters.", MinPasswordLength))
	case len(password) > 72:
		errs.Add(field, "Ensure this field has no more than 72 bytes.")
	case UsernameKey(password) == UsernameKey(username):
		errs.Add(field, "The password is too similar to the username.")
	}
}

// FullName is "first last" without surrounding blanks, or "" when both are empty.
func (u *User) FullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// CanLogIn reports whether the user may obtain and use tokens.
func (u *User) CanLogIn() bool {
	return u.IsActive && !u.IsBlocked
}

// BatchesAdmit reports whether a record for batches (an exam, a course) is
// for u: staff and admins always, students when the record has no batches
// (it is for everyone) or they are in one of them. u.Batches must be loaded
// for a student. sqlstore holds the same rule in SQL for exams, so that the
// hot exam paths decide it in the statements they already run.
func BatchesAdmit(batches []string, u *User) bool {
	if u.Role != RoleStudent || len(batches) == 0 {
		return true
	}
	for _, b := range batches {
		if slices.Contains(u.Batches, b) {
			return true
		}
	}
	return false
}

// UsernameKey is the form in which usernames are compared: they are unique
// regardless of case.
func UsernameKey(username string) string {
	return strings.ToLower(username)
}

// Validate checks the fields a user must have, all at once.
func (u *User) Validate() error {
	errs := FieldErrors{}
	switch {
	case strings.TrimSpace(u.Username) == "":
		errs.Add("username", "This field may not be blank.")
	case utf8.RuneCountInString(u.Username) > MaxUsernameLength:
		CheckLength(errs, "username", u.Username, MaxUsernameLength)
	case strings.ContainsAny(u.Username, " \t\r\n"):
		errs.Add("username", "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.")
	}
	if u.Email != "" && !strings.Contains(u.Email, "@") {
		errs.Add("email", "Enter a valid email address.")
	}
	CheckLength(errs, "email", u.Email, MaxEmailLength)
	CheckLength(errs, "first_name", u.FirstName, MaxNameLength)
	CheckLength(errs, "last_name", u.LastName, MaxNameLength)
	CheckLength(errs, "phone", u.Phone, MaxPhoneLength)
	for i, b := range u.Batches {
		CheckLength(errs, fmt.Sprintf("batches[%d]", i), b, MaxBatchLength)
	}
	if !u.Role.Valid() {
		errs.Add("role", InvalidChoice(string(u.Role), RoleChoices()))
	}
	return errs.Err()
}

// UserFilter selects users for a list.
type UserFilter struct {
	Query  string // part of username, name, email or phone, case-insensitive; % and _ are literal
	Email  string // exact email, case-insensitive
	Offset int
	Limit  int
}

// Bounds of the users list's filters, in characters: a search term longer
// than any name, username, email or phone cannot match, and an unbounded one
// costs the database (SQLite refuses LIKE patterns over 50,000 bytes).
const (
	MaxSearchLength = 100
	MaxEmailLength  = 254 // RFC 5321's limit on a forward path
)

// Validate returns EINVALID, naming the parameter (q or email), if a filter is
// longer than its bound.
func (f UserFilter) Validate() error {
	errs := FieldErrors{}
	if utf8.RuneCountInString(f.Query) > MaxSearchLength {
		errs.Add("q", fmt.Sprintf("Ensure this field has no more than %d characters.", MaxSearchLength))
	}
	if utf8.RuneCountInString(f.Email) > MaxEmailLength {
		errs.Add("email", fmt.Sprintf("Ensure this field has no more than %d characters.", MaxEmailLength))
	}
	return errs.Err()
}

// UserStore keeps users. Not-found lookups return an ENOTFOUND *Error.
type UserStore interface {
	// CreateUser inserts u with the given password hash ("" = cannot log in) and
	// sets its ID and DateJoined. A username taken in any case is an EINVALID error.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// SaveUserByUsername creates u, or updates the user with its username (any case)
	// in place, keeping its ID and DateJoined; it sets u.ID and reports whether
	// the user was created.
	SaveUserByUsername(ctx context.Context, u *User, passwordHash string) (created bool, err error)
	// UpdateUser applies change to the user with the id, locked, and saves it;
	// passwordHash nil keeps the password.
	UpdateUser(ctx context.Context, id int64, change func(*User) error, passwordHash *string) (*User, error)
	// UserByID returns the user with the id, with their batches.
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserWithoutBatches returns the user with the id with Batches nil, in one
	// light statement: what authenticating a request needs.
	UserWithoutBatches(ctx context.Context, id int64) (*User, error)
	// UserCredentials returns the user with the username (any case) and its password hash.
	UserCredentials(ctx context.Context, username string) (*User, string, error)
	// Users returns one page of the users the filter selects, by id, and how many it selects in all.
	Users(ctx context.Context, f UserFilter) ([]*User, int, error)
	// DeleteUser deletes the user with their attempts and progress, taking
	// their attempts out of the exams' rank populations.
	DeleteUser(ctx context.Context, id int64) error

	// Batches returns one page of the batches, by name, and how many there are.
	Batches(ctx context.Context, offset, limit int) ([]Batch, int, error)
	// CreateBatch validates b and inserts it, setting its ID. A name in use
	// is EINVALID (field name).
	CreateBatch(ctx context.Context, b *Batch) error
	// RenameBatch renames the batch with the id: its users, exams and
	// courses keep it under the new name. ENOTFOUND for an unknown id;
	// EINVALID (field name) for a bad name or one in use.
	RenameBatch(ctx context.Context, id int64, name string) (*Batch, error)
}

// Batch is a named group of students (a class, a year); exams and courses
// for batches are open to their students only (BatchesAdmit).
type Batch struct {
	ID    int64
	Name  string
	Users int // students and others in it, counted on read
}

// Validate checks a batch's name: not blank, at most MaxBatchLength characters.
func (b *Batch) Validate() error {
	errs := FieldErrors{}
	if strings.TrimSpace(b.Name) == "" {
		errs.Add("name", "This field may not be blank.")
	}
	CheckLength(errs, "name", b.Name, MaxBatchLength)
	return errs.Err()
}
