package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/decimal"
	"github.com/examhall/examhall/sqlstore"
)

// A client walking every page with ?ordering=-id&page_size=200, following
// next, sees each attempt that existed when it began exactly once, while
// another goroutine keeps creating attempts.
func TestAdminAttemptWalk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		ctx := context.Background()
		exam := &examhall.Exam{Slug: "walk", Title: "Walk", MarkPerQuestion: decimal.FromInt(1), AllowRetake: true,
			Published: true, Sections: []examhall.Section{{Name: "All", Questions: []examhall.ExamQuestion{
				{Marks: decimal.FromInt(1), Question: examhall.Question{Type: examhall.Essay, QuestionHTML: "e"}}}}}}
		if err := a.db.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		var users atomic.Int64
		newAttempt := func() error {
			u := &examhall.User{Username: fmt.Sprintf("walker%d", users.Add(1)), Role: examhall.RoleStudent, IsActive: true}
			if err := a.db.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			_, err := a.db.StartAttempt(ctx, u.ID, "walk", "")
			return err
		}
		for range 450 {
			if err := newAttempt(); err != nil {
				t.Fatal(err)
			}
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var once sync.Once
		halt := func() { once.Do(func() { close(stop); wg.Wait() }) }
		defer halt()
		var created atomic.Int64
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := newAttempt(); err != nil {
					t.Error(err)
					return
				}
				created.Add(1)
				time.Sleep(time.Millisecond)
			}
		}()

		seen := map[int64]int{}
		next := "/api/v2.5/admin/attempts/?ordering=-id&page_size=200"
		token := "JWT " + a.token("admin")
		pages := 0
		var snapshot int64
		for next != "" {
			if pages > 0 { // let attempts pile up between pages, as they would under load
				for start := created.Load(); created.Load() < start+5; {
					time.Sleep(time.Millisecond)
				}
			}
			got := a.do("GET", strings.TrimPrefix(next, "https://exams.example.com"), token, "", "")
			if got.status != 200 {
				t.Fatalf("page %d: %d %s", pages+1, got.status, got.body)
			}
			var env struct {
				Next    *string
				Results []struct{ ID int64 }
			}
			if err := json.Unmarshal([]byte(got.body), &env); err != nil {
				t.Fatal(err)
			}
			for _, r := range env.Results {
				seen[r.ID]++
			}
			next = ""
			if env.Next != nil {
				next = *env.Next
				if pages == 0 {
					u, err := url.Parse(next)
					if err != nil {
						t.Fatal(err)
					}
					snapshot, _ = strconv.ParseInt(u.Query().Get("snapshot"), 10, 64)
				}
			}
			pages++
		}
		halt()
		// The walk began at the first page: every attempt up to its snapshot, once; none after.
		if snapshot < 450 {
			t.Fatalf("snapshot %d: the walk began before the 450 attempts existed?", snapshot)
		}
		if during := int64(450) + created.Load() - snapshot; during < 10 {
			t.Fatalf("only %d attempts were created during the walk", during)
		}
		for id := int64(1); id <= snapshot; id++ {
			if seen[id] != 1 {
				t.Errorf("attempt %d seen %d times", id, seen[id])
			}
		}
		for id, n := range seen {
			if id > snapshot {
				t.Errorf("attempt %d, created during the walk, was listed (%d times)", id, n)
			}
		}
		if pages != 3 {
			t.Errorf("walked %d pages, want 3", pages)
		}
	})
}

// On PostgreSQL ids can commit out of order: an attempt whose id was taken
// before a walk began may commit during it, below the pages already read.
// The walk still sees every attempt that existed when it began exactly once.
// (SQLite runs one writer at a time, so ids always commit in order there.)
func TestAdminAttemptWalkLateCommit(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		a := newTestAPI(t, sqlstore.Postgres)
		a.addUser("admin", examhall.RoleAdmin)
		ctx := context.Background()
		exam := &examhall.Exam{Slug: "late", Title: "Late", MarkPerQuestion: decimal.FromInt(1), AllowRetake: true,
			Published: true, Sections: []examhall.Section{{Name: "All"}}}
		if err := a.db.CreateExam(ctx, exam); err != nil {
			t.Fatal(err)
		}
		start := func(name string) int64 {
			u := &examhall.User{Username: name, Role: examhall.RoleStudent, IsActive: true}
			if err := a.db.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
			at, err := a.db.StartAttempt(ctx, u.ID, "late", "")
			if err != nil {
				t.Fatal(err)
			}
			return at.ID
		}
		existing := map[int64]bool{}
		for i := range 20 {
			existing[start(fmt.Sprint("early", i))] = true
		}
		// A writer takes the next id and holds its transaction open.
		late := &examhall.User{Username: "late", Role: examhall.RoleStudent, IsActive: true}
		if err := a.db.CreateUser(ctx, late, ""); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("pgx", a.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		tx, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		var lateID int64
		if err := tx.QueryRow(`INSERT INTO attempts (exam_id, user_id, state, date, result)
			VALUES ($1, $2, 1, 0, 'NA') RETURNING id`, exam.ID, late.ID).Scan(&lateID); err != nil {
			t.Fatal(err)
		}
		existing[start("after")] = true // commits first, with a higher id
		token := "JWT " + a.token("admin")
		seen := map[int64]int{}
		next := "/api/v2.5/admin/attempts/?ordering=-id&page_size=5"
		for pages := 0; next != ""; pages++ {
			if pages == 1 {
				if err := tx.Commit(); err != nil { // the late attempt appears below page 1
					t.Fatal(err)
				}
			}
			got := a.do("GET", strings.TrimPrefix(next, "https://exams.example.com"), token, "", "")
			var env struct {
				Next    *string
				Results []struct{ ID int64 }
			}
			if err := json.Unmarshal([]byte(got.body), &env); err != nil {
				t.Fatalf("%v: %s", err, got.body)
			}
			for _, r := range env.Results {
				seen[r.ID]++
			}
			next = ""
			if env.Next != nil {
				next = *env.Next
			}
		}
		for id := range existing {
			if seen[id] != 1 {
				t.Errorf("attempt %d seen %d times", id, seen[id])
			}
		}
		if seen[lateID] > 1 {
			t.Errorf("the late attempt %d was seen %d times", lateID, seen[lateID])
		}
	})
}
