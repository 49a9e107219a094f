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
				summary          sqlstore.ImportSummary
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
					if _, err := db.ImportBundle(ctx, parseBundle(t, rankBundle(users, tt.before...)), passwords, false); err != nil {
						t.Fatalf("%s: the first import: %v", tt.name, err)
					}
				}
				before := attemptsSnapshot(t, db, users...)
				summary, err := db.ImportBundle(ctx, parseBundle(t, rankBundle(users, records...)), passwords, false)
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

// orderExam is an exam of the order tests with one choice question per key.
func orderExam(slug string, keys ...string) string {
	var qs []string
	for _, k := range keys {
		qs = append(qs, fmt.Sprintf(`{"key": %q, "type": "mcq_single", "subject": "child",
			"answers": [{"text_html": "yes", "is_correct": true}, {"text_html": "no", "is_correct": false}]}`, k))
	}
	return fmt.Sprintf(`{"slug": %q, "title": %q, "sections": [{"name": "A", "questions": [%s]}]}`,
		slug, slug, strings.Join(qs, ", "))
}

// orderBundle is a bundle of the subjects and exams, listed as given.
func orderBundle(subjects, exams []string) string {
	return `{"format": "examhall-bundle/1", "subjects": [` + strings.Join(subjects, ", ") + `], "exams": [` +
		strings.Join(exams, ", ") + `]}`
}

// examsSnapshot renders the subjects (with their parents' keys) and the
// question keys of the exams, without ids.
func examsSnapshot(t *testing.T, db *sqlstore.DB, slugs ...string) string {
	t.Helper()
	ctx := context.Background()
	subjects, err := db.Subjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{}
	for _, s := range subjects {
		keys[s.ID] = s.Key
	}
	var lines []string // by key: ids follow the order of creation
	for _, s := range subjects {
		lines = append(lines, fmt.Sprintf("subject %s %q below %q\n", s.Key, s.Name, keys[s.ParentID]))
	}
	slices.Sort(lines)
	var b strings.Builder
	b.WriteString(strings.Join(lines, ""))
	for _, slug := range slugs {
		exam, err := db.ExamBySlug(ctx, slug)
		if examhall.ErrorCodeOf(err) == examhall.ENOTFOUND {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "exam %s:", slug)
		for _, q := range exam.Questions() {
			fmt.Fprintf(&b, " %s (%s)", q.Question.Key, keys[q.Question.SubjectID])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Subjects and exams mean the same whatever their order in a bundle (issue
// 10, fault 14): a subject listed before its parent, and a question key that
// moves from one stored exam of the bundle to another, or two that swap.
func TestImportExamOrder(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	passwords := &auth.Passwords{Cost: bcrypt.MinCost}
	subjects := []string{`{"key": "child", "name": "Child", "parent": "parent"}`, `{"key": "parent", "name": "Parent", "parent": null}`}
	stored := orderBundle(subjects, []string{orderExam("ex-a", "k-1"), orderExam("ex-b", "k-2")})
	slugs := []string{"ex-a", "ex-b", "ex-c"}
	tests := []struct {
		name    string
		before  string // imported first, in both cases
		exams   []string
		refused map[string][]string
	}{
		{name: "a subject listed before its parent", exams: []string{orderExam("ex-a", "k-1")}},
		{name: "a question key moving to a new exam", before: stored,
			exams: []string{orderExam("ex-a", "k-3"), orderExam("ex-c", "k-1")}},
		{name: "two exams swapping question keys", before: stored,
			exams: []string{orderExam("ex-a", "k-2"), orderExam("ex-b", "k-1")}},
		{name: "a question key of an exam left out of the bundle", before: stored,
			exams:   []string{orderExam("ex-a", "k-1"), orderExam("ex-c", "k-2")},
			refused: map[string][]string{`exams[1] "ex-c".sections[0].questions[0] "k-2".key`: {`The exam "ex-b" uses this question key already.`}}},
	}
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		for _, tt := range tests {
			type outcome struct {
				err              error
				before, snapshot string
			}
			var outcomes []outcome
			for _, reversed := range []bool{false, true} {
				subjects, exams := slices.Clone(subjects), slices.Clone(tt.exams)
				if reversed {
					slices.Reverse(subjects)
					slices.Reverse(exams)
				}
				db := sqltest.MustOpen(t, db.Engine(), clock)
				if tt.before != "" {
					if _, err := db.ImportBundle(ctx, parseBundle(t, tt.before), passwords, false); err != nil {
						t.Fatalf("%s: the first import: %v", tt.name, err)
					}
				}
				before := examsSnapshot(t, db, slugs...)
				_, err := db.ImportBundle(ctx, parseBundle(t, orderBundle(subjects, exams)), passwords, false)
				outcomes = append(outcomes, outcome{err, before, examsSnapshot(t, db, slugs...)})
			}
			got, other := outcomes[0], outcomes[1]
			if tt.refused == nil {
				if got.err != nil || other.err != nil || got.snapshot != other.snapshot {
					t.Errorf("%s: as listed: %v\n%s\nreversed: %v\n%s", tt.name, got.err, got.snapshot, other.err, other.snapshot)
				}
				continue
			}
			for i, o := range outcomes {
				var e *examhall.Error
				field := tt.refused
				if i == 1 { // the record's index turns with the order
					field = map[string][]string{}
					for k, v := range tt.refused {
						field[strings.Replace(k, "exams[1]", "exams[0]", 1)] = v
					}
				}
				if !asErr(o.err, &e) || e.Code != examhall.EINVALID || !reflect.DeepEqual(e.Fields, field) {
					t.Errorf("%s (order %d): %v, want %v", tt.name, i, o.err, field)
				}
				if o.snapshot != o.before {
					t.Errorf("%s (order %d): a refused import changed exams:\n%s\nwas\n%s", tt.name, i, o.snapshot, o.before)
				}
			}
		}
	})
}
