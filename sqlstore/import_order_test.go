package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

// attemptsSnapshot renders the users' attempts without ids: start, state,
// end, score, place in the rank population, rank and percentile.
func attemptsSnapshot(t *testing.T, db *sqlstore.DB, usernames ...string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, name := range usernames {
		u, _, err := db.UserCredentials(ctx, name)
		if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
			continue // a refused import stored no one
		}
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.UserAttempts(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			rank, size, percentile, _, err := db.Rank(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			var completed string
			if a.CompletedOn != nil {
				completed = a.CompletedOn.Format(time.RFC3339)
			}
			fmt.Fprintf(&b, "%s %s state %d completed %q score %s ranked %v rank %d of %d percentile %s\n", name,
				a.Date.Format(time.RFC3339), a.State, completed, a.Score, a.InRankPopulation, rank, size, percentile)
		}
	}
	return b.String()
}

// A bundle means the same whatever the order of its attempts (issue 10,
// fault 14): both orders import the same attempts with the same ranks, or
// both are refused, naming both records.
func TestImportAttemptOrder(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	users := []string{"u", "v"}
	tests := []struct {
		name    string
		before  []rankAttempt // imported first, in both cases
		records []rankAttempt // imported as listed, then reversed
		refused map[string][]string
	}{
		{name: "a running attempt listed before the user's earlier completed one",
			records: []rankAttempt{{user: "u", started: "10:00", right: true},
				{user: "u", started: "09:00", completed: "09:30"},
				{user: "v", started: "09:15", completed: "09:45", right: true}}},
		{name: "a running attempt listed before a completed one started after it",
			records: []rankAttempt{{user: "u", started: "10:00", right: true},
				{user: "u", started: "12:00", completed: "12:30"},
				{user: "v", started: "09:15", completed: "09:45", right: true}}},
		{name: "a new running attempt listed before the completion of the stored running one",
			before: []rankAttempt{{user: "u", started: "10:00", right: true}, {user: "v", started: "09:00", completed: "09:30"}},
			records: []rankAttempt{{user: "u", started: "11:00"},
				{user: "u", started: "10:00", completed: "10:30", right: true}}},
		{name: "an earlier completed attempt beside a stored running one",
			before: []rankAttempt{{user: "u", started: "10:00", right: true}},
			records: []rankAttempt{{user: "u", started: "08:00", completed: "08:30"},
				{user: "v", started: "09:00", completed: "09:30", right: true}}},
		{name: "a new running attempt beside a stored running one",
			before: []rankAttempt{{user: "u", started: "10:00", right: true}},
			records: []rankAttempt{{user: "v", started: "09:00", completed: "09:30"}, {user: "u", started: "11:00"},
				{user: "v", started: "12:00", completed: "12:30"}},
			refused: map[string][]string{`attempts[1] "rank-1"/"u".completed`: {
				"The user has another running attempt of this exam, started 2026-02-10T10:00:00Z; only one may run."}}},
		{name: "two running attempts of one user and exam",
			records: []rankAttempt{{user: "u", started: "10:00"}, {user: "v", started: "10:00"}, {user: "u", started: "11:00"}},
			refused: map[string][]string{`attempts[2] "rank-1"/"u".completed`: {
				"attempts[0] is a running attempt of the same user and exam; only one may run."}}},
		{name: "the same attempt twice",
			records: []rankAttempt{{user: "u", started: "09:00", completed: "09:30", right: true},
				{user: "v", started: "10:00"}, {user: "u", started: "09:00", completed: "09:40"}},
			refused: map[string][]string{`attempts[2] "rank-1"/"u".started`: {
				"attempts[0] is an attempt of the same user and exam with the same start; an attempt appears once in a bundle."}}},
	}
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		for _, tt := range tests {
			type outcome struct {
				summary          bundleimport.Summary
				err              error
				before, snapshot string
			}
			var outcomes []outcome
			for _, reversed := range []bool{false, true} {
				records := append([]rankAttempt{}, tt.records...)
				if reversed {
					slices.Reverse(records)
				}
				db := sqltest.MustOpen(t, db.Engine(), clock)
				if tt.before != nil {
					if _, err := bundleimport.Import(ctx, db, parseBundle(t, rankBundle(users, tt.before...)), passwords, false); err != nil {
						t.Fatalf("%s: the first import: %v", tt.name, err)
					}
				}
				before := attemptsSnapshot(t, db, users...)
				summary, err := bundleimport.Import(ctx, db, parseBundle(t, rankBundle(users, records...)), passwords, false)
				outcomes = append(outcomes, outcome{summary, err, before, attemptsSnapshot(t, db, users...)})
				if err == nil {
					checkRankPopulation(t, db, tt.name, users...)
				}
			}
			got, other := outcomes[0], outcomes[1]
			if tt.refused == nil {
				if got.err != nil || other.err != nil || !reflect.DeepEqual(got.summary, other.summary) || got.snapshot != other.snapshot {
					t.Errorf("%s: as listed: %+v, %v\n%s\nreversed: %+v, %v\n%s", tt.name, got.summary, got.err, got.snapshot,
						other.summary, other.err, other.snapshot)
				}
				continue
			}
			for i, o := range outcomes {
				var e *examhall.Error
				if !asErr(o.err, &e) || e.Code != examhall.EINVALID || !reflect.DeepEqual(e.Fields, tt.refused) {
					t.Errorf("%s (order %d): %v, want %v", tt.name, i, o.err, tt.refused)
				}
				if o.snapshot != o.before {
					t.Errorf("%s (order %d): a refused import changed attempts:\n%s\nwas\n%s", tt.name, i, o.snapshot, o.before)
				}
			}
		}
	})
}

func parseBundle(t *testing.T, text string) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return b
}
