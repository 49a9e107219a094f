// Package bundle reads the institute bundle of SPEC §9: one JSON document
// with an institute's users, subjects, exams and historical attempts. Parse
// refuses keys it does not know and checks each record on its own; the store
// imports a parsed bundle in one transaction.
package bundle

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/drf"
	"golang.org/x/crypto/bcrypt"
)

// Format is the only bundle format this version reads.
const Format = "examhall-bundle/1"

// Bundle is a parsed institute bundle.
type Bundle struct {
	Format    string     `json:"format"`
	Institute *Institute `json:"institute"`
	Users     []User     `json:"users"`
	Subjects  []Subject  `json:"subjects"`
	Exams     []Exam     `json:"exams"`
	Courses   []Course   `json:"courses"`
	Attempts  []Attempt  `json:"attempts"`
}

// Institute names the institute and its time zone.
type Institute struct {
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

// User is a user of the bundle; without a password or a password hash it
// cannot log in.
//
// PasswordHash is a bcrypt hash ($2a$, $2b$ or $2y$, any cost), stored as is:
// an institute moving from another system brings its users' hashes without
// knowing their passwords, and a large import skips hashing each password at
// the server's cost. A user gives one of Password and PasswordHash, not both.
type User struct {
	Username     string   `json:"username"`
	Email        string   `json:"email"`
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
	Phone        string   `json:"phone"`
	Role         string   `json:"role"`
	Password     string   `json:"password"`
	PasswordHash string   `json:"password_hash"`
	Batches      []string `json:"batches"`
}

// Subject is a subject; Parent is the key of another subject of the bundle.
type Subject struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Parent *string `json:"parent"`
}

// Attempt is a historical attempt; without Completed it is still running.
type Attempt struct {
	Exam               string          `json:"exam"`
	User               string          `json:"user"`
	Started            string          `json:"started"`
	Completed          *string         `json:"completed"`
	InstituteAttemptID *string         `json:"institute_attempt_id"`
	Answers            []AttemptAnswer `json:"answers"`
}

// AttemptAnswer is one answer of a historical attempt; Selected holds answer
// indexes (0-based) within the question's answers.
type AttemptAnswer struct {
	Question     string           `json:"question"`
	Selected     []int            `json:"selected"`
	Value        *string          `json:"value"`
	Text         *string          `json:"text"`
	Essay        *string          `json:"essay"`
	MarksAwarded *decimal.Decimal `json:"marks_awarded"`
	Duration     int              `json:"duration"`
	Review       bool             `json:"review"`
}

// Parse reads a bundle: exactly one JSON object, then only whitespace, read
// by drf.DecodeJSON (unknown and repeated keys refused, DRF's messages), and
// checks every record that can be checked on its own. Errors are EINVALID
// with every problem at once, each keyed by the record (index and natural
// key) and field, e.g. `exams[0] "mock-1".sections[0].questions[1] "q-002".marks`;
// a body that is not one JSON value is a non_field_errors entry.
func Parse(r io.Reader) (*Bundle, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var b Bundle
	if err := drf.DecodeJSON(body, &b); err != nil {
		return nil, b.decodeError(err)
	}
	return &b, b.check()
}

// decodeError keys the errors of drf.DecodeJSON by record (DecodeError).
func (b *Bundle) decodeError(err error) error {
	return DecodeError(err, b.key, "non_field_errors")
}

// key renders path as a field error key that names each record on it.
func (b *Bundle) key(path drf.Path) string {
	return path.Label(b, recordName)
}

// recordName is how a record is named after its index in error keys: by its
// natural key, an attempt by its exam and user, an answer by its question.
func recordName(elem any) string {
	switch e := elem.(type) {
	case User:
		return fmt.Sprintf(" %q", e.Username)
	case Subject:
		return fmt.Sprintf(" %q", e.Key)
	case Exam:
		return fmt.Sprintf(" %q", e.Slug)
	case Question:
		return fmt.Sprintf(" %q", e.Key)
	case Course:
		return fmt.Sprintf(" %q", e.Slug)
	case Content:
		return fmt.Sprintf(" %q", e.Title)
	case Attempt:
		return fmt.Sprintf(" %q/%q", e.Exam, e.User)
	case AttemptAnswer:
		return fmt.Sprintf(" %q", e.Question)
	}
	return ""
}

// check validates what needs no database: formats, references inside the
// bundle, and each exam by the domain's rules.
func (b *Bundle) check() error {
	errs := examhall.FieldErrors{}
	if b.Format != Format {
		errs.Add("format", fmt.Sprintf("Expected %q.", Format))
	}
	courses := map[string]bool{}
	for i, c := range b.Courses {
		at := fmt.Sprintf("courses[%d] %q.", i, c.Slug)
		if courses[c.Slug] {
			errs.Add(at+"slug", "This slug appears twice in the bundle.")
		}
		courses[c.Slug] = true
		parseErrs := examhall.FieldErrors{}
		course := c.Course(b.Location(), anyExam, parseErrs)
		b.addPrefixed(errs, drf.Path{"courses", i}, Check(course, parseErrs))
	}
	if b.Institute != nil && b.Institute.Timezone != "" {
		if _, err := time.LoadLocation(b.Institute.Timezone); err != nil {
			errs.Add("institute.timezone", fmt.Sprintf("Unknown time zone %q.", b.Institute.Timezone))
		}
	}
	users := map[string]bool{}
	for i, u := range b.Users {
		at := fmt.Sprintf("users[%d] %q.", i, u.Username)
		if users[examhall.UsernameKey(u.Username)] {
			errs.Add(at+"username", "This username appears twice in the bundle.")
		}
		users[examhall.UsernameKey(u.Username)] = true
		if err := b.UserAt(i).Validate(); err != nil {
			b.addPrefixed(errs, drf.Path{"users", i}, err)
		}
		switch {
		case u.PasswordHash == "":
		case u.Password != "":
			errs.Add(at+"password_hash", "Give either password or password_hash, not both.")
		case !isBcryptHash(u.PasswordHash):
			errs.Add(at+"password_hash", "Expected a bcrypt hash: $2a$, $2b$ or $2y$, a cost, and 53 characters of salt and hash.")
		}
	}
	subjects := map[string]bool{}
	for i, s := range b.Subjects {
		at := fmt.Sprintf("subjects[%d] %q.", i, s.Key)
		switch {
		case s.Key == "":
			errs.Add(at+"key", "This field may not be blank.")
		case subjects[s.Key]:
			errs.Add(at+"key", "This key appears twice in the bundle.")
		}
		if strings.TrimSpace(s.Name) == "" {
			errs.Add(at+"name", "This field may not be blank.")
		}
		examhall.CheckLength(errs, at+"key", s.Key, examhall.MaxKeyLength)
		examhall.CheckLength(errs, at+"name", s.Name, examhall.MaxTitleLength)
		subjects[s.Key] = true
	}
	parents := map[string]string{}
	for _, s := range b.Subjects {
		if s.Parent != nil {
			parents[s.Key] = *s.Parent
		}
	}
	for i, s := range b.Subjects {
		at := fmt.Sprintf("subjects[%d] %q.parent", i, s.Key)
		if s.Parent != nil && !subjects[*s.Parent] {
			errs.Add(at, fmt.Sprintf("No subject with the key %q in the bundle.", *s.Parent))
			continue
		}
		seen := map[string]bool{s.Key: true}
		for key, ok := parents[s.Key]; ok; key, ok = parents[key] {
			if seen[key] {
				errs.Add(at, "The subjects' parents form a cycle.")
				break
			}
			seen[key] = true
		}
	}
	loc := b.Location()
	exams := map[string]bool{}
	questions := map[string]bool{}
	for i, e := range b.Exams {
		at := fmt.Sprintf("exams[%d] %q.", i, e.Slug)
		if exams[e.Slug] {
			errs.Add(at+"slug", "This slug appears twice in the bundle.")
		}
		exams[e.Slug] = true
		parseErrs := examhall.FieldErrors{}
		exam := e.Exam(loc, b.checkSubject(subjects), parseErrs)
		b.addPrefixed(errs, drf.Path{"exams", i}, parseErrs.Err())
		if err := exam.Validate(); err != nil {
			b.addPrefixed(errs, drf.Path{"exams", i}, err)
		}
		for j, s := range e.Sections {
			for k, q := range s.Questions {
				qat := fmt.Sprintf("%ssections[%d].questions[%d] %q.", at, j, k, q.Key)
				switch {
				case q.Key == "":
					errs.Add(qat+"key", "This field may not be blank.")
				case questions[q.Key]:
					errs.Add(qat+"key", "This key appears twice in the bundle.")
				}
				questions[q.Key] = true
			}
		}
	}
	for i, a := range b.Attempts {
		at := fmt.Sprintf("attempts[%d] %q/%q.", i, a.Exam, a.User)
		if !exams[a.Exam] {
			errs.Add(at+"exam", fmt.Sprintf("No exam with the slug %q in the bundle.", a.Exam))
		}
		if !users[examhall.UsernameKey(a.User)] {
			errs.Add(at+"user", fmt.Sprintf("No user %q in the bundle.", a.User))
		}
		started, err := drf.ParseTime(a.Started, loc)
		if err != nil {
			errs.Add(at+"started", drf.DateTimeFormatMessage)
		}
		if a.Completed != nil {
			completed, err := drf.ParseTime(*a.Completed, loc)
			switch {
			case err != nil:
				errs.Add(at+"completed", drf.DateTimeFormatMessage)
			case completed.Before(started):
				errs.Add(at+"completed", "An attempt cannot complete before it started.")
			}
		}
	}
	return errs.Err()
}

// isBcryptHash tells whether h is a well-formed bcrypt hash that login can
// check. bcrypt.Cost parses the version and cost (4 to 31) but accepts any
// minor letter and does not look at the rest, so the prefix, the length and
// the alphabet of salt and hash are checked here.
func isBcryptHash(h string) bool {
	if len(h) != 60 || !(strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$")) {
		return false
	}
	if _, err := bcrypt.Cost([]byte(h)); err != nil || h[6] != '$' {
		return false
	}
	for _, c := range h[7:] {
		if !strings.ContainsRune(bcryptAlphabet, c) {
			return false
		}
	}
	return true
}

// bcryptAlphabet is the base-64 alphabet of bcrypt's salt and hash.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// addPrefixed adds the field errors of a record's domain validation, keyed
// below the record at prefix and naming the records on the way (a question
// by its key, a content by its title). A field that already has an error
// (a value that did not parse, which the domain then sees as its zero) keeps
// only that one.
func (b *Bundle) addPrefixed(errs examhall.FieldErrors, prefix drf.Path, err error) {
	var e *examhall.Error
	if errors.As(err, &e) {
		for field, msgs := range e.Fields {
			key := b.key(append(append(drf.Path{}, prefix...), drf.ParsePath(field)...))
			if len(errs[key]) > 0 {
				continue
			}
			for _, m := range msgs {
				errs.Add(key, m)
			}
		}
	}
}

// RecordError is err, a validation error of the record at prefix (a course
// of the bundle from the store, say), with its fields keyed as Parse keys
// them: below the record, naming the records on the way. Any other error is
// returned as it is.
func (b *Bundle) RecordError(prefix drf.Path, err error) error {
	var e *examhall.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	errs := examhall.FieldErrors{}
	b.addPrefixed(errs, prefix, err)
	return &examhall.Error{Code: e.Code, Message: e.Message, Fields: errs}
}

// Location is the bundle institute's time zone (UTC when it names none);
// datetimes without an offset are read in it.
func (b *Bundle) Location() *time.Location {
	if b.Institute == nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(b.Institute.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// UserAt is user i as a domain user: active, a student unless it says otherwise.
func (b *Bundle) UserAt(i int) *examhall.User {
	u := b.Users[i]
	role := examhall.Role(u.Role)
	if role == "" {
		role = examhall.RoleStudent
	}
	batches := u.Batches
	if batches == nil {
		batches = []string{}
	}
	return &examhall.User{Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Phone: u.Phone, Role: role, IsActive: true, Batches: batches}
}

// ExamAt is exam i as a domain exam, its questions' subjects looked up in
// subjectIDs by key (a subject given by id keeps it).
func (b *Bundle) ExamAt(i int, subjectIDs map[string]int64) *examhall.Exam {
	return b.Exams[i].Exam(b.Location(), func(r Ref) (int64, string) {
		if r.Key == "" {
			return r.ID, ""
		}
		return subjectIDs[r.Key], ""
	}, examhall.FieldErrors{})
}

// checkSubject resolves subjects while the bundle is checked: a key must be
// one of the bundle's subjects; an id names a subject of the database, which
// the import checks.
func (b *Bundle) checkSubject(keys map[string]bool) Resolve {
	return func(r Ref) (int64, string) {
		if r.Key == "" {
			return r.ID, ""
		}
		if !keys[r.Key] {
			return 0, fmt.Sprintf("No subject with the key %q in the bundle.", r.Key)
		}
		return int64(len(r.Key)), "" // any id: the import looks it up
	}
}
