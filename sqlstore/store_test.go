package sqlstore_test

import (
	"context"
	"database/sql"
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

// SchemaVersion of a database without examhall's tables is 0 (what
// import --dry-run reports before refusing), and reading it creates nothing.
func TestSchemaVersionOfEmptyDatabase(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dsn := sqltest.DSN(t, engine)
			db, err := sqlstore.Open(ctx, dsn, examhall.SystemClock{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			current, latest, err := db.SchemaVersion(ctx)
			if err != nil || current != 0 || latest < 1 {
				t.Fatalf("SchemaVersion = %d, %d, %v; want 0 and the latest", current, latest, err)
			}
			if tables := tableNames(t, engine, dsn); len(tables) != 0 {
				t.Fatalf("reading the version made tables: %v", tables)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if now, after, err := db.SchemaVersion(ctx); err != nil || now != latest || after != latest {
				t.Fatalf("after Migrate: SchemaVersion = %d, %d, %v; want %d, %[4]d", now, after, err, latest)
			}
		})
	}
}

// tableNames are the tables of the database at dsn, read on a connection of its own.
func tableNames(t *testing.T, engine sqlstore.Engine, dsn string) []string {
	t.Helper()
	driver, query := "sqlite", `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if engine == sqlstore.Postgres {
		driver, query = "pgx", `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
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

// HasAdmin tells whether someone can log in as an admin: an active,
// unblocked admin with a password (serve says how to create one otherwise).
func TestHasAdmin(t *testing.T) {
	sqltest.Engines(t, examhalltest.NewClock(epoch), func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		check := func(step string, want bool) {
			t.Helper()
			if got, err := db.HasAdmin(ctx); got != want || err != nil {
				t.Errorf("%s: HasAdmin = %v, %v; want %v", step, got, err, want)
			}
		}
		check("no users", false)
		if err := db.CreateUser(ctx, newUser("asha", examhall.RoleStudent), "hash"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateUser(ctx, newUser("ravi", examhall.RoleStaff), "hash"); err != nil {
			t.Fatal(err)
		}
		check("a student and a staff member", false)
		admin := newUser("root", examhall.RoleAdmin)
		if err := db.CreateUser(ctx, admin, ""); err != nil {
			t.Fatal(err)
		}
		check("an admin without a password", false)
		admin.IsBlocked = true
		if _, err := db.SaveUserByUsername(ctx, admin, "hash"); err != nil {
			t.Fatal(err)
		}
		check("a blocked admin", false)
		admin.IsBlocked, admin.IsActive = false, false
		if _, err := db.SaveUserByUsername(ctx, admin, "hash"); err != nil {
			t.Fatal(err)
		}
		check("an inactive admin", false)
		admin.IsActive = true
		if _, err := db.SaveUserByUsername(ctx, admin, "hash"); err != nil {
			t.Fatal(err)
		}
		check("an active admin with a password", true)
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

// TestLoginFailuresBesideOldReplicas: migration 00003 adds last_failure
// beside window_start instead of renaming it, so that during a rolling
// upgrade the replicas of the build before it (which read and write
// window_start alone, with the statement below) and this build's share the
// failure counts, each seeing the other's failures.
func TestLoginFailuresBesideOldReplicas(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		window := 15 * time.Minute
		at := func(m int) time.Time { return epoch.Add(time.Duration(m) * time.Minute) }
		// The old build's RecordLoginFailure: a fixed window from window_start.
		oldRecord := func(now time.Time) (int, time.Time) {
			t.Helper()
			var failures, start int64
			err := db.QueryRowForTest(ctx, `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, $2)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN login_failures.window_start <= $3 THEN 1 ELSE login_failures.failures + 1 END,
					window_start = CASE WHEN login_failures.window_start <= $3 THEN $2 ELSE login_failures.window_start END
				RETURNING failures, window_start`,
				"user:asha", now.UnixMicro(), now.Add(-window).UnixMicro()).Scan(&failures, &start)
			if err != nil {
				t.Fatal(err)
			}
			return int(failures), time.UnixMicro(start).UTC()
		}
		record := func(now time.Time) {
			t.Helper()
			if err := db.RecordLoginFailure(ctx, []string{"user:asha"}, now, window); err != nil {
				t.Fatal(err)
			}
		}
		read := func(now time.Time) examhall.LoginFailures {
			t.Helper()
			got, err := db.LoginFailures(ctx, []string{"user:asha"}, now, window)
			if err != nil {
				t.Fatal(err)
			}
			return got["user:asha"]
		}

		// A row the old build inserted (last_failure is 0) is seen, and kept by the sweep.
		if n, f := oldRecord(at(0)); n != 1 || !f.Equal(at(0)) {
			t.Fatalf("old replica's first failure: %d, %v", n, f)
		}
		if got := read(at(1)); got != (examhall.LoginFailures{Count: 1, Last: at(0)}) {
			t.Fatalf("the old replica's failure, read by this build: %+v", got)
		}
		if n, err := db.PruneLoginFailures(ctx, at(-1)); n != 0 || err != nil {
			t.Fatalf("pruned %d, %v", n, err)
		}
		// This build counts on in the old one's window and keeps its start.
		record(at(5))
		if got := read(at(5)); got != (examhall.LoginFailures{Count: 2, Last: at(5)}) {
			t.Fatalf("after this build's failure: %+v", got)
		}
		if n, f := oldRecord(at(6)); n != 3 || !f.Equal(at(0)) {
			t.Fatalf("the old replica after this build's failure: %d, window from %v", n, f)
		}
		// The old build does not move last_failure: its failure at 6 counts
		// but the latest one seen stays at 5 until it restarts its window.
		if got := read(at(6)); got != (examhall.LoginFailures{Count: 3, Last: at(5)}) {
			t.Fatalf("after the old replica's second failure: %+v", got)
		}
		record(at(19)) // a window after the run's start, within one of its latest failure
		if got := read(at(19)); got != (examhall.LoginFailures{Count: 4, Last: at(19)}) {
			t.Fatalf("a failure within a window of the latest: %+v", got)
		}
		// The old build's window (from 0) is over: it restarts it, and this
		// build sees the restart's failure as the latest.
		if n, f := oldRecord(at(20)); n != 1 || !f.Equal(at(20)) {
			t.Fatalf("the old replica a window after its window's start: %d, %v", n, f)
		}
		if got := read(at(20)); got != (examhall.LoginFailures{Count: 1, Last: at(20)}) {
			t.Fatalf("after the old replica restarted its window: %+v", got)
		}
		// A run this build restarts starts the old build's window too.
		record(at(40))
		if got := read(at(40)); got != (examhall.LoginFailures{Count: 1, Last: at(40)}) {
			t.Fatalf("a failure a window after the latest: %+v", got)
		}
		if n, f := oldRecord(at(41)); n != 2 || !f.Equal(at(40)) {
			t.Fatalf("the old replica after this build restarted the run: %d, %v", n, f)
		}
		// The sweep prunes what failed last at or before a window ago.
		if n, err := db.PruneLoginFailures(ctx, at(40).Add(-time.Microsecond)); n != 0 || err != nil {
			t.Fatalf("pruned %d, %v before the latest failure", n, err)
		}
		if n, err := db.PruneLoginFailures(ctx, at(40)); n != 1 || err != nil {
			t.Fatalf("pruned %d, %v at the latest failure", n, err)
		}
	})
}

// TestLoginFailuresMigration: migration 00003 gives the rows already there
// their window's start as their latest failure, and its Down leaves what the
// build before it reads.
func TestLoginFailuresMigration(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		window := 15 * time.Minute
		if err := db.RecordLoginFailure(ctx, []string{"user:asha"}, epoch, window); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDownTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		var failures, start int64
		if err := db.QueryRowForTest(ctx, `SELECT failures, window_start FROM login_failures WHERE key = $1`, "user:asha").Scan(&failures, &start); err != nil {
			t.Fatal(err)
		}
		if failures != 1 || start != epoch.UnixMicro() {
			t.Fatalf("after Down: %d failures, window from %d", failures, start)
		}
		if err := db.ExecForTest(ctx, `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 4, $2)`,
			"user:ravi", epoch.Add(time.Minute).UnixMicro()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := db.LoginFailures(ctx, []string{"user:asha", "user:ravi"}, epoch.Add(time.Minute), window)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]examhall.LoginFailures{"user:asha": {Count: 1, Last: epoch}, "user:ravi": {Count: 4, Last: epoch.Add(time.Minute)}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after Up: %v, want %v", got, want)
		}
		// Backfilled, not only read through window_start.
		var last int64
		if err := db.QueryRowForTest(ctx, `SELECT last_failure FROM login_failures WHERE key = $1`, "user:ravi").Scan(&last); err != nil {
			t.Fatal(err)
		}
		if last != epoch.Add(time.Minute).UnixMicro() {
			t.Fatalf("ravi's last_failure after Up: %d", last)
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
