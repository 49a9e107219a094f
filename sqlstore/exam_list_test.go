package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

func TestPublishedExams(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		day := 24 * time.Hour
		at := func(d time.Duration) *time.Time { v := epoch.Add(d); return &v }
		exams := map[string]*examhall.Exam{}
		// In order of creation (ids ascending).
		for _, x := range []struct {
			slug       string
			start, end *time.Time
			published  bool
		}{
			{"open", at(-day), nil, true},
			{"open-ending", nil, at(time.Hour), true},
			{"ended", at(-2 * day), at(0), true}, // ends exactly now: over
			{"starts-now", at(0), nil, true},     // starts exactly now: open
			{"upcoming-soon", at(day), at(2 * day), true},
			{"upcoming-later", at(2 * day), nil, true},
			{"no-dates", nil, nil, true},
			{"draft", nil, nil, false},
			{"draft-upcoming", at(day), nil, false},
		} {
			e := sampleExam(0, 0)
			e.Slug, e.Title, e.StartDate, e.EndDate, e.Published = x.slug, x.slug, x.start, x.end, x.published
			e.Sections[0].Questions[0].Question.Key = "" // keys are unique across the bank
			if x.slug == "no-dates" {
				e.Sections = e.Sections[1:] // another shape: one section
			}
			if err := db.CreateExam(ctx, e); err != nil {
				t.Fatalf("%s: %v", x.slug, err)
			}
			exams[x.slug] = e
		}

		var students []*examhall.User
		for _, name := range []string{"asha", "bala", "chitra"} {
			u := newStudent(name)
			if err := db.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
			students = append(students, u)
		}
		asha, bala, chitra := students[0], students[1], students[2]
		complete := func(u *examhall.User, slug string) {
			t.Helper()
			a, err := db.StartAttempt(ctx, u.ID, slug, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.End(ctx, u.ID, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		complete(asha, "open")
		complete(asha, "open-ending")
		if _, err := db.StartAttempt(ctx, asha.ID, "starts-now", ""); err != nil { // running: not history
			t.Fatal(err)
		}
		complete(bala, "no-dates")
		// An exam that has ended since asha completed it stays in her history.
		clock.Advance(2 * time.Hour)
		defer clock.Set(epoch)
		now := clock.Now()

		slugs := func(list []*examhall.Exam) []string {
			out := []string{}
			for _, e := range list {
				out = append(out, e.Slug)
			}
			return out
		}
		for _, tt := range []struct {
			name   string
			window examhall.ExamWindow
			user   *examhall.User
			want   []string
		}{
			{"all", examhall.ExamsAll, asha,
				[]string{"upcoming-later", "upcoming-soon", "starts-now", "open", "ended", "no-dates", "open-ending"}},
			{"available", examhall.ExamsAvailable, asha, []string{"starts-now", "open", "no-dates"}},
			{"upcoming", examhall.ExamsUpcoming, asha, []string{"upcoming-later", "upcoming-soon"}},
			{"history asha", examhall.ExamsHistory, asha, []string{"open", "open-ending"}},
			{"history bala", examhall.ExamsHistory, bala, []string{"no-dates"}},
			{"history chitra", examhall.ExamsHistory, chitra, []string{}},
		} {
			got, err := db.PublishedExams(ctx, now, tt.window, tt.user.ID)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !reflect.DeepEqual(slugs(got), tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, slugs(got), tt.want)
			}
			// Each exam comes with its whole content, as ExamByID loads it.
			for _, e := range got {
				want, err := db.ExamByID(ctx, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(e, want) {
					t.Fatalf("%s: exam %s differs from ExamByID:\n got %+v\nwant %+v", tt.name, e.Slug, e, want)
				}
			}
		}

		// The window is judged at the instant given, not the database clock.
		got, err := db.PublishedExams(ctx, epoch.Add(-3*day), examhall.ExamsAvailable, asha.ID)
		if want := []string{"no-dates", "open-ending"}; err != nil || !reflect.DeepEqual(slugs(got), want) {
			t.Errorf("available three days earlier = %v, %v; want %v", slugs(got), err, want)
		}
		if _, err := db.PublishedExams(ctx, now, examhall.ExamWindow(99), asha.ID); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Errorf("unknown window: %v", err)
		}
	})
}
