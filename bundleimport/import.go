// Package bundleimport loads an institute bundle (package bundle) into
// examhall: the import use case, over the store's examhall.ImportStore.
// Records are matched by their natural keys (username, subject key, exam
// and course slug, question key; an attempt by exam, user and start),
// created when new, updated in place when changed and left alone when
// equal, so that importing a bundle twice changes nothing the second time.
package bundleimport

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/bundle"
)

// PasswordHasher hashes the passwords of imported users and tells whether a
// stored hash already matches, so that a re-import keeps it.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(hash, password string) bool
}

// Summary counts, per kind of record ("users", "subjects", "exams",
// "courses", "attempts"), what an import created, updated and found
// unchanged.
type Summary struct {
	Created   map[string]int `json:"created"`
	Updated   map[string]int `json:"updated"`
	Unchanged map[string]int `json:"unchanged"`
}

func (s *Summary) count(kind string, created, changed bool) {
	switch {
	case created:
		s.Created[kind]++
	case changed:
		s.Updated[kind]++
	default:
		s.Unchanged[kind]++
	}
}

// Import loads a parsed bundle in one transaction of store and returns what
// it did. Its attempts are history: they are written directly, not through
// the live state-change points (StartAttempt, complete, GradeAnswer), so that
// importing the past notifies no one. What a bundle means never depends on
// the order of its records (issue 10): subjects may precede their parents, a
// question key may move between exams of the bundle, and attempts are
// checked as a set. Any error imports nothing: EINVALID, naming the record
// and field (e.g. `exams[0] "algebra".sections`), for a change the import
// refuses (moving the questions of an exam with attempts, reopening a
// completed attempt, changing a course with progress, two records of one
// attempt, two running attempts of one user and exam); the store's errors
// otherwise. With dryRun everything is checked, and the summary counted,
// then rolled back.
func Import(ctx context.Context, store examhall.ImportStore, b *bundle.Bundle, passwords PasswordHasher, dryRun bool) (Summary, error) {
	var summary Summary
	err := store.Import(ctx, dryRun, func(tx examhall.ImportTx) error {
		// The store may run fn again (a retried transaction): start afresh.
		summary = Summary{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}
		imp := &importer{tx: tx, b: b, passwords: passwords, summary: &summary}
		for _, step := range []func(context.Context) error{imp.institute, imp.users, imp.subjects, imp.exams, imp.courses, imp.attempts} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return summary, err
}

// importer is one run of Import.
type importer struct {
	tx          examhall.ImportTx
	b           *bundle.Bundle
	passwords   PasswordHasher
	summary     *Summary
	userIDs     map[string]int64 // by username key
	subjectIDs  map[string]int64 // by subject key
	examsBySlug map[string]*examhall.Exam
}

func (imp *importer) institute(ctx context.Context) error {
	if imp.b.Institute == nil {
		return nil
	}
	for _, setting := range []struct{ key, value string }{
		{examhall.SettingInstituteName, imp.b.Institute.Name},
		{examhall.SettingInstituteTimezone, imp.b.Institute.Timezone},
	} {
		if err := imp.tx.SetSetting(ctx, setting.key, setting.value); err != nil {
			return fmt.Errorf("institute: %w", err)
		}
	}
	return nil
}

func (imp *importer) users(ctx context.Context) error {
	imp.userIDs = map[string]int64{}
	for i, in := range imp.b.Users {
		at := fmt.Sprintf("users[%d] %q.", i, in.Username)
		u := imp.b.UserAt(i)
		existing, hash, err := imp.tx.UserByUsername(ctx, u.Username)
		switch {
		case examhall.ErrorCodeOf(err) == examhall.ENOTFOUND:
			if hash, err = imp.hash("", in); err != nil {
				return err
			}
			if err := imp.tx.CreateUser(ctx, u, hash); err != nil {
				return examhall.PrefixFields(at, err)
			}
			imp.summary.count("users", true, false)
		case err != nil:
			return err
		default:
			newHash, err := imp.hash(hash, in)
			if err != nil {
				return err
			}
			u.ID, u.DateJoined, u.IsActive, u.IsBlocked = existing.ID, existing.DateJoined, existing.IsActive, existing.IsBlocked
			slices.Sort(u.Batches)
			changed := !reflect.DeepEqual(u, existing) || newHash != hash
			if changed {
				if err := imp.tx.UpdateUser(ctx, u, newHash); err != nil {
					return examhall.PrefixFields(at, err)
				}
			}
			imp.summary.count("users", false, changed)
		}
		imp.userIDs[examhall.UsernameKey(u.Username)] = u.ID
	}
	return nil
}

// hash is the user's password_hash as given (checked by bundle.Parse), else
// the stored hash when the password is absent or still matches, else the hash
// of the new password.
func (imp *importer) hash(stored string, in bundle.User) (string, error) {
	switch {
	case in.PasswordHash != "":
		return in.PasswordHash, nil
	case in.Password == "" || (stored != "" && imp.passwords.Verify(stored, in.Password)):
		return stored, nil
	}
	return imp.passwords.Hash(in.Password)
}

func (imp *importer) subjects(ctx context.Context) error {
	imp.subjectIDs = map[string]int64{}
	existing, err := imp.tx.KeyedSubjects(ctx)
	if err != nil {
		return err
	}
	// Create the new ones first, without parents, so that every key has an id.
	for _, in := range imp.b.Subjects {
		if s, ok := existing[in.Key]; ok {
			imp.subjectIDs[in.Key] = s.ID
			continue
		}
		s := examhall.Subject{Key: in.Key, Name: in.Name}
		if err := imp.tx.SaveSubject(ctx, &s); err != nil {
			return err
		}
		imp.subjectIDs[in.Key] = s.ID
	}
	for _, in := range imp.b.Subjects {
		want := examhall.Subject{ID: imp.subjectIDs[in.Key], Key: in.Key, Name: in.Name}
		if in.Parent != nil {
			want.ParentID = imp.subjectIDs[*in.Parent]
		}
		have, known := existing[in.Key]
		changed := known && have != want
		if !known || changed {
			if err := imp.tx.SaveSubject(ctx, &want); err != nil {
				return err
			}
		}
		imp.summary.count("subjects", !known, changed)
	}
	return nil
}

// fieldError is an EINVALID error of one field.
func fieldError(field, msg string) error {
	return &examhall.Error{Code: examhall.EINVALID, Message: "Invalid input.", Fields: map[string][]string{field: {msg}}}
}
