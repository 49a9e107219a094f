package sqlstore_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// The store's side of an import (the use case is tested in bundleimport):
// a dry run or a failing import leaves nothing behind, a committed one is
// seen at once (the institute's settings included), and the attempt and
// score counts kept by the store agree with the attempts after every step.
func TestImportTransaction(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		write := func(tx examhall.ImportTx) error {
			if err := tx.SetSetting(ctx, examhall.SettingInstituteName, "Imported Institute"); err != nil {
				return err
			}
			return tx.CreateUser(ctx, &examhall.User{Username: "imported", Role: examhall.RoleStudent, IsActive: true}, "")
		}
		stored := func() (bool, string) {
			_, _, err := db.UserCredentials(ctx, "imported")
			if err != nil && examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil, db.Institute().Name
		}
		if err := db.Import(ctx, true, write); err != nil {
			t.Fatalf("dry run: %v", err)
		}
		if user, name := stored(); user || name == "Imported Institute" {
			t.Fatalf("after a dry run: user stored %v, institute %q", user, name)
		}
		failure := errors.New("refused")
		if err := db.Import(ctx, false, func(tx examhall.ImportTx) error {
			if err := write(tx); err != nil {
				return err
			}
			return failure
		}); !errors.Is(err, failure) {
			t.Fatalf("failing import: %v, want %v", err, failure)
		}
		if user, name := stored(); user || name == "Imported Institute" {
			t.Fatalf("after a failing import: user stored %v, institute %q", user, name)
		}
		if err := db.Import(ctx, false, write); err != nil {
			t.Fatalf("import: %v", err)
		}
		if user, name := stored(); !user || name != "Imported Institute" {
			t.Fatalf("after an import: user stored %v, institute %q", user, name)
		}

		raw, err := os.ReadFile("testdata/bundle.json")
		if err != nil {
			t.Fatal(err)
		}
		changedKey := strings.Replace(strings.Replace(string(raw),
			`"<p>Newton</p>", "is_correct": true`, `"<p>Newton</p>", "is_correct": false`, 1),
			`"<p>Joule</p>", "is_correct": false`, `"<p>Joule</p>", "is_correct": true`, 1)
		grown := strings.Replace(changedKey, `{"key": "q-004"`, `{"key": "q-005", "type": "essay", "question_html": "<p>More</p>"},
          {"key": "q-004"`, 1)
		passwords := &auth.Passwords{Cost: bcrypt.MinCost}
		for _, step := range []struct {
			name, bundle string
			refused      bool
		}{{"first import", string(raw), false}, {"a new answer key", changedKey, false}, {"a question added under attempts", grown, true}} {
			_, err := bundleimport.Import(ctx, db, parseBundle(t, step.bundle), passwords, false)
			if (err != nil) != step.refused {
				t.Fatalf("%s: %v", step.name, err)
			}
			if drift, err := db.CountDrift(ctx); drift != "" || err != nil {
				t.Errorf("%s: attempt counts: %s %v", step.name, drift, err)
			}
		}
	})
}
