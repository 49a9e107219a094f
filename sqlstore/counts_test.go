package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/demo"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// TestAttemptListCounts checks the admin list's count against the rows it
// selects, for the ways it is taken: the kept counts by exam and state, and an
// exam's date ranges that hold all, most, a few or none of its attempts.
func TestAttemptListCounts(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	sqltest.Engines(t, examhalltest.NewClock(now), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, demo.Options{Students: 80, Exams: 3, Attempts: 400, Seed: 3, Now: now, MaxQuestions: 2}); err != nil {
			t.Fatal(err)
		}
		list := func(f examhall.AttemptFilter) ([]examhall.AttemptRow, int) {
			t.Helper()
			f.Limit, f.Order = 1000, []examhall.AttemptOrder{{Field: examhall.OrderByDate}}
			page, err := db.AttemptList(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return page.Rows, page.Count
		}
		completed := examhall.AttemptCompleted
		checked := 0
		for exam := int64(1); exam <= 3; exam++ {
			for _, state := range []*examhall.AttemptState{nil, &completed} {
				all, count := list(examhall.AttemptFilter{ExamID: &exam, State: state})
				if count != len(all) || len(all) == 0 {
					t.Fatalf("exam %d state %v: count %d, %d rows", exam, state, count, len(all))
				}
				var dates []time.Time
				for _, r := range all {
					dates = append(dates, r.Attempt.Date)
				}
				slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
				n := len(dates)
				at := func(i int) *time.Time { d := dates[min(max(i, 0), n-1)]; return &d }
				day := 24 * time.Hour
				before, after := dates[0].Add(-day), dates[n-1].Add(day)
				for _, r := range [][2]*time.Time{
					{&before, &after},                  // every attempt
					{at(n / 10), at(n - n/10)},         // most of them
					{at(n / 3), at(n/3 + 2)},           // a few
					{at(n / 2), nil}, {nil, at(n / 2)}, // one side open
					{&after, nil}, {nil, &before}, // none
					{at(0), at(n - 1)}, // all but the last
				} {
					f := examhall.AttemptFilter{ExamID: &exam, State: state, StartedFrom: r[0], StartedBefore: r[1]}
					rows, count := list(f)
					if count != len(rows) {
						t.Errorf("exam %d state %v range %v–%v: count %d, %d rows", exam, state, r[0], r[1], count, len(rows))
					}
					checked++
				}
			}
		}
		if checked != 48 {
			t.Errorf("checked %d ranges", checked)
		}
	})
}
