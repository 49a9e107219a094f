package bundleimport_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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
					if _, err := bundleimport.Import(ctx, db, parseBundle(t, tt.before), passwords, false); err != nil {
						t.Fatalf("%s: the first import: %v", tt.name, err)
					}
				}
				before := examsSnapshot(t, db, slugs...)
				_, err := bundleimport.Import(ctx, db, parseBundle(t, orderBundle(subjects, exams)), passwords, false)
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
