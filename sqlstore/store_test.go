package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func TestMigrate(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", applied, err)
		}
		current, latest, err := db.SchemaVersion(ctx)
		if err != nil || current != latest || current < 1 {
			t.Fatalf("SchemaVersion = %d, %d, %v", current, latest, err)
		}
	})
}

// The two engines' migrations are written twice; this pins that they define
// the same tables, columns and indexes.
func TestSchemaTwins(t *testing.T) {
	sqlite := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
	postgres := sqltest.MustOpen(t, sqlstore.Postgres, examhall.SystemClock{})
	a, err := sqlite.SchemaOutline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgres.SchemaOutline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 30 {
		t.Fatalf("sqlite outline has %d entries: %v", len(a), a)
	}
	if only := difference(a, b); len(only) > 0 {
		t.Errorf("only on SQLite: %v", only)
	}
	if only := difference(b, a); len(only) > 0 {
		t.Errorf("only on PostgreSQL: %v", only)
	}
}

// difference lists the entries of a that b lacks.
func difference(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var only []string
	for _, s := range a {
		if !in[s] {
			only = append(only, s)
		}
	}
	return only
}

func newUser(username string, role examhall.Role, batches ...string) *examhall.User {
	return &examhall.User{Username: username, Email: username + "@example.com", FirstName: "First " + username,
		Role: role, IsActive: true, Batches: batches}
}

// newStudent is a student of the NEET 2027 batch, one of the batches
// sampleExam is for: one who may take it.
func newStudent(username string) *examhall.User {
	return newUser(username, examhall.RoleStudent, "NEET 2027")
}

func TestUsers(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		clock.Set(epoch)
		ctx := context.Background()
		asha := newUser("Asha", examhall.RoleStudent, "NEET 2027", "JEE 2027")
		if err := db.CreateUser(ctx, asha, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if asha.ID == 0 || !asha.DateJoined.Equal(epoch) {
			t.Fatalf("created user = %+v", asha)
		}

		// Usernames are unique regardless of case.
		err := db.CreateUser(ctx, newUser("ASHA", examhall.RoleStudent), "")
		var e *examhall.Error
		if !asErr(err, &e) || e.Code != examhall.EINVALID ||
			!reflect.DeepEqual(e.Fields, map[string][]string{"username": {"A user with that username already exists."}}) {
			t.Fatalf("duplicate username: %v", err)
		}
		if err := db.CreateUser(ctx, &examhall.User{Username: "", Role: "root"}, ""); examhall.ErrorCodeOf(err) != examhall.EINVALID {
			t.Fatalf("invalid user: %v", err)
		}

		got, err := db.UserByID(ctx, asha.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *asha
		want.Batches = []string{"JEE 2027", "NEET 2027"}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("UserByID =\n%+v\nwant\n%+v", *got, want)
		}

		u, hash, err := db.UserCredentials(ctx, "aSHA")
		if err != nil || u.ID != asha.ID || hash != "hash-1" {
			t.Fatalf("UserCredentials = %+v, %q, %v", u, hash, err)
		}
		if _, _, err := db.UserCredentials(ctx, "nobody"); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("unknown username: %v", err)
		}

		// Saving by username updates in place, keeping id and date joined.
		clock.Advance(time.Hour)
		changed := newUser("asha", examhall.RoleAdmin, "NEET 2027")
		changed.IsBlocked = true
		created, err := db.SaveUserByUsername(ctx, changed, "hash-2")
		if err != nil || created || changed.ID != asha.ID || !changed.DateJoined.Equal(epoch) {
			t.Fatalf("SaveUserByUsername(existing) = %v, %v, %+v", created, err, changed)
		}
		u, hash, _ = db.UserCredentials(ctx, "asha")
		if u.Role != examhall.RoleAdmin || !u.IsBlocked || u.Username != "asha" || hash != "hash-2" {
			t.Fatalf("after update: %+v %q", u, hash)
		}
		got, _ = db.UserByID(ctx, asha.ID)
		if !reflect.DeepEqual(got.Batches, []string{"NEET 2027"}) {
			t.Fatalf("batches after update = %v", got.Batches)
		}
		ravi := newUser("ravi", examhall.RoleStaff)
		if created, err := db.SaveUserByUsername(ctx, ravi, ""); err != nil || !created || ravi.ID <= asha.ID {
			t.Fatalf("SaveUserByUsername(new) = %v, %v, %+v", created, err, ravi)
		}

		// Ids are never reused.
		if err := db.DeleteUser(ctx, ravi.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteUser(ctx, ravi.ID); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := db.UserByID(ctx, ravi.ID); examhall.ErrorCodeOf(err) != examhall.ENOTFOUND {
			t.Fatalf("deleted user: %v", err)
		}
		meera := newUser("meera", examhall.RoleStudent)
		if err := db.CreateUser(ctx, meera, ""); err != nil || meera.ID <= ravi.ID {
			t.Fatalf("id after delete = %d (deleted %d), %v", meera.ID, ravi.ID, err)
		}
	})
}

func TestUserList(t *testing.T) {
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 25 {
			u := newUser(fmt.Sprintf("student%02d", i), examhall.RoleStudent, fmt.Sprintf("Batch %d", i%3))
			u.Phone = fmt.Sprintf("90000000%02d", i)
			if i == 7 {
				u.FirstName, u.LastName, u.Email = "Zoë", "100%_Sure", "Zoe@Example.com"
			}
			if err := db.CreateUser(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		tests := []struct {
			filter  examhall.UserFilter
			wantIDs []int64
			count   int
		}{
			{examhall.UserFilter{Limit: 10}, ids[:10], 25},
			{examhall.UserFilter{Limit: 10, Offset: 20}, ids[20:], 25},
			{examhall.UserFilter{Query: "STUDENT1", Limit: 100}, ids[10:20], 10},
			{examhall.UserFilter{Query: "9000000024", Limit: 100}, ids[24:25], 1},
			{examhall.UserFilter{Query: "%_s", Limit: 100}, ids[7:8], 1}, // wildcards match literally
			{examhall.UserFilter{Query: "zoe@", Limit: 100}, ids[7:8], 1},
			{examhall.UserFilter{Query: "ZOË", Limit: 100}, ids[7:8], 1},        // non-ASCII case folding, on both engines
			{examhall.UserFilter{Query: "student03 first", Limit: 100}, nil, 0}, // no match across two fields
			{examhall.UserFilter{Email: "zoe@example.COM", Limit: 100}, ids[7:8], 1},
			{examhall.UserFilter{Email: "zoe@", Limit: 100}, nil, 0},
		}
		for _, tt := range tests {
			users, count, err := db.Users(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, u := range users {
				got = append(got, u.ID)
			}
			if count != tt.count || !reflect.DeepEqual(got, tt.wantIDs) {
				t.Errorf("Users(%+v) = %v (count %d), want %v (count %d)", tt.filter, got, count, tt.wantIDs, tt.count)
			}
		}
		users, _, _ := db.Users(ctx, examhall.UserFilter{Limit: 3})
		for i, u := range users {
			if want := []string{fmt.Sprintf("Batch %d", i%3)}; !reflect.DeepEqual(u.Batches, want) {
				t.Errorf("user %d batches = %v, want %v", i, u.Batches, want)
			}
		}
	})
}

func TestSettings(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, ok, err := db.Setting(ctx, "k"); ok || err != nil {
			t.Fatalf("unset setting: ok=%v err=%v", ok, err)
		}
		if err := db.SetSetting(ctx, "k", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetSetting(ctx, "k", "v2"); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := db.Setting(ctx, "k"); v != "v2" || !ok || err != nil {
			t.Fatalf("Setting = %q, %v, %v", v, ok, err)
		}

		// Replicas that start together agree on one generated value.
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := db.SettingOrInit(ctx, "secret", func() (string, error) { return fmt.Sprint("value-", i), nil })
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			}()
		}
		wg.Wait()
		sort.Strings(got)
		if got[0] != got[7] || got[0] == "" {
			t.Fatalf("SettingOrInit values disagree: %v", got)
		}
		if v, _ := db.SettingOrInit(ctx, "secret", func() (string, error) { return "other", nil }); v != got[0] {
			t.Fatalf("SettingOrInit later = %q, want %q", v, got[0])
		}
	})
}

func TestLoginFailures(t *testing.T) {
	clock := examhalltest.NewClock(epoch)
	sqltest.Engines(t, clock, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		window := 15 * time.Minute
		keys := []string{"pair:192.0.2.1 asha", "user:asha", "addr:192.0.2.1"}
		read := func(now time.Time, keys ...string) map[string]examhall.LoginFailures {
			t.Helper()
			got, err := db.LoginFailures(ctx, keys, now, window)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := read(epoch, keys...); len(got) != 0 {
			t.Fatalf("before any failure: %v", got)
		}
		now := epoch
		for want := 1; want <= 3; want++ {
			if err := db.RecordLoginFailure(ctx, keys, now, window); err != nil {
				t.Fatal(err)
			}
			got := read(now, keys...)
			for _, k := range keys {
				if got[k] != (examhall.LoginFailures{Count: want, Last: now}) {
					t.Fatalf("failure %d: %s = %+v", want, k, got[k])
				}
			}
			now = now.Add(10 * time.Minute) // each within a window of the one before
		}
		if err := db.RecordLoginFailure(ctx, []string{"user:other"}, now, window); err != nil {
			t.Fatal(err)
		}
		if got := read(now, "user:other", "user:asha"); got["user:other"].Count != 1 || got["user:asha"].Count != 3 {
			t.Fatalf("another key: %v", got)
		}
		// A window after the latest failure (epoch+20m), the failures are forgotten.
		last := epoch.Add(20 * time.Minute)
		if got := read(last.Add(window-time.Microsecond), "user:asha"); got["user:asha"].Count != 3 {
			t.Fatalf("just inside the window: %v", got)
		}
		if got := read(last.Add(window), "user:asha"); len(got) != 0 {
			t.Fatalf("a window after the latest failure: %v", got)
		}
		if err := db.RecordLoginFailure(ctx, []string{"user:asha"}, last.Add(window), window); err != nil {
			t.Fatal(err)
		}
		if got := read(last.Add(window), "user:asha"); got["user:asha"] != (examhall.LoginFailures{Count: 1, Last: last.Add(window)}) {
			t.Fatalf("a failure after forgetting: %v", got)
		}
		// A replica whose clock is behind does not move the latest failure back.
		if err := db.RecordLoginFailure(ctx, []string{"user:asha"}, last.Add(window-time.Second), window); err != nil {
			t.Fatal(err)
		}
		if got := read(last.Add(window), "user:asha"); got["user:asha"] != (examhall.LoginFailures{Count: 2, Last: last.Add(window)}) {
			t.Fatalf("a failure from a clock behind: %v", got)
		}
		if err := db.ClearLoginFailures(ctx, "pair:192.0.2.1 asha"); err != nil {
			t.Fatal(err)
		}
		if got := read(now, keys...); len(got) != 2 || got["addr:192.0.2.1"].Count != 3 {
			t.Fatalf("after clearing the pair: %v", got)
		}
	})
}

func asErr(err error, target **examhall.Error) bool {
	e, ok := err.(*examhall.Error)
	if ok {
		*target = e
	}
	return ok
}
