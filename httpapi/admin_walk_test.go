package httpapi_test

import (
	"context"
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
