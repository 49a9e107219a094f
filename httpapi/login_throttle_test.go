package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// The login throttle's rules (auth.LoginLimits), as the API shows them. The
// test API allows 3 failures of one username from one address, and counts 6
// failures from one address (or 8 of one username from all addresses) as
// pressure; the httptest peer 127.0.0.1 is a trusted proxy, so that
// X-Forwarded-For sets each request's client address.

// loginFrom logs in from the client address addr.
func (a *testAPI) loginFrom(addr, username, password string) response {
	a.t.Helper()
	return a.doWith("POST", "/api/v2.5/auth-token/", http.Header{"Content-Type": {"application/json"},
		"X-Forwarded-For": {addr}}, loginBody(username, password))
}

// addStudents creates students s000… with the passwords "pw-s000"….
func (a *testAPI) addStudents(n int) []string {
	a.t.Helper()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("s%03d", i)
		hash, err := a.auth.Passwords.Hash("pw-" + names[i])
		if err != nil {
			a.t.Fatal(err)
		}
		u := &examhall.User{Username: names[i], Role: examhall.RoleStudent, IsActive: true}
		if err := a.db.CreateUser(a.t.Context(), u, hash); err != nil {
			a.t.Fatal(err)
		}
		a.users[names[i]] = u
	}
	return names
}

// parallel runs n logins at once and returns how many answered each status.
func parallel(n int, login func(i int) response) map[int]int {
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses <- login(i).status })
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	return count
}

func throttledBody(secs int) string {
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf(`{"detail":"Request was throttled. Expected available in %d %s."}`, secs, unit)
}

// checkThrottled checks a 429 with DRF's body and Retry-After of secs.
func checkThrottled(t *testing.T, name string, got response, secs int) {
	t.Helper()
	if got.status != 429 || got.body != throttledBody(secs) || got.header.Get("Retry-After") != fmt.Sprint(secs) {
		t.Errorf("%s: %d %s Retry-After=%q, want 429 %s Retry-After=%d", name, got.status, got.body, got.header.Get("Retry-After"), throttledBody(secs), secs)
	}
}

// An exam hall behind one NAT: 300 students log in at once from one address,
// all get in, and so does the next one.
func TestLoginExamHallBehindOneAddress(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		names := a.addStudents(301)
		const hall = "203.0.113.7"
		got := parallel(300, func(i int) response { return a.loginFrom(hall, names[i], "pw-"+names[i]) })
		if got[200] != 300 {
			t.Fatalf("300 concurrent correct logins from one address: %v, want all 200", got)
		}
		last := a.loginFrom(hall, names[300], "pw-"+names[300])
		if last.status != 200 {
			t.Fatalf("the next correct login from the address: %d %s", last.status, last.body)
		}
		checkToken(t, "next login", last.body, a.users[names[300]], a.clock.Now().Add(tokenLifetime))
	})
}

// One student logging in on many tabs or devices at once is never refused.
func TestLoginOneUsernameConcurrently(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("asha", examhall.RoleStudent)
		if got := parallel(20, func(int) response { return a.loginFrom("203.0.113.7", "asha", "pw-asha") }); got[200] != 20 {
			t.Fatalf("20 concurrent correct logins of one username: %v, want all 200", got)
		}
	})
}

// An attacker guessing one student's password throttles only that username
// at the attacker's address: the student logs in from elsewhere, and other
// students from the attacker's address.
func TestLoginGuessingOneStudent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		asha := a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		const attacker, home = "198.51.100.9", "192.0.2.44"
		for i := range 3 {
			if got := a.loginFrom(attacker, "asha", fmt.Sprint("guess", i)); got.status != 400 || got.body != badCredentials {
				t.Fatalf("guess %d: %d %s", i+1, got.status, got.body)
			}
		}
		// The pair (asha, attacker) waits 1 s after its third failure, even
		// for the right password: an answer must not tell a guess was right.
		checkThrottled(t, "fourth guess at once", a.loginFrom(attacker, "asha", "guess3"), 1)
		checkThrottled(t, "the right password from the attacker's address", a.loginFrom(attacker, "ASHA", "pw-asha"), 1)
		// Elsewhere, and for other usernames at the attacker's address, nothing changed.
		got := a.loginFrom(home, "asha", "pw-asha")
		if got.status != 200 {
			t.Fatalf("asha from home: %d %s", got.status, got.body)
		}
		checkToken(t, "asha from home", got.body, asha, a.clock.Now().Add(tokenLifetime))
		if got := a.loginFrom(attacker, "bala", "pw-bala"); got.status != 200 {
			t.Fatalf("bala from the attacker's address: %d %s", got.status, got.body)
		}
		// The wait doubles with each further failure: 1 s, 2 s, 4 s, …
		for i, wait := range []time.Duration{time.Second, 2 * time.Second} {
			a.clock.Advance(wait)
			if got := a.loginFrom(attacker, "asha", fmt.Sprint("late", i)); got.status != 400 {
				t.Fatalf("guess after waiting %v: %d %s", wait, got.status, got.body)
			}
			checkThrottled(t, fmt.Sprintf("guess right after waiting %v", wait), a.loginFrom(attacker, "asha", "x"), int(2*wait/time.Second))
		}
		// Parallel guesses meanwhile do not hold asha up at home.
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { a.loginFrom(attacker, "asha", "parallel") })
		}
		if got := a.loginFrom(home, "asha", "pw-asha"); got.status != 200 {
			t.Errorf("asha from home during parallel guesses: %d %s", got.status, got.body)
		}
		wg.Wait()
	})
}

// A student who mistypes and then gets in starts afresh.
func TestLoginSuccessClearsItsPair(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("asha", examhall.RoleStudent)
		const hall = "203.0.113.7"
		for i := range 2 {
			if got := a.loginFrom(hall, "asha", "typo"); got.status != 400 {
				t.Fatalf("typo %d: %d %s", i+1, got.status, got.body)
			}
		}
		if got := a.loginFrom(hall, "asha", "pw-asha"); got.status != 200 {
			t.Fatalf("login after two typos: %d %s", got.status, got.body)
		}
		for i := range 3 {
			if got := a.loginFrom(hall, "asha", "typo"); got.status != 400 {
				t.Fatalf("typo %d after logging in: %d %s", i+1, got.status, got.body)
			}
		}
		checkThrottled(t, "a fourth typo", a.loginFrom(hall, "asha", "typo"), 1)
	})
}

// Many failures from one address across usernames (password spraying, or a
// hall of students mistyping) put the address under pressure: a username that
// failed there waits from its first failure on. A username that has not failed
// there is never refused, so the rest of the hall still logs in.
func TestLoginFailuresFromOneAddress(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := a.addUser("admin", examhall.RoleAdmin)
		const hall = "203.0.113.7"
		for i := range 10 {
			if got := a.loginFrom(hall, fmt.Sprint("guess", i), "wrong"); got.status != 400 || got.body != badCredentials {
				t.Fatalf("failure %d from the address: %d %s", i+1, got.status, got.body)
			}
		}
		checkThrottled(t, "a second guess for a guessed username", a.loginFrom(hall, "guess0", "again"), 1)
		got := a.loginFrom(hall, "admin", "pw-admin")
		if got.status != 200 {
			t.Fatalf("admin from the address under pressure: %d %s", got.status, got.body)
		}
		checkToken(t, "admin under pressure", got.body, admin, a.clock.Now().Add(tokenLifetime))
		// A failure forgotten a window later: the address is no longer under pressure.
		a.clock.Advance(15 * time.Minute)
		for i := range 3 {
			if got := a.loginFrom(hall, "guess0", "again"); got.status != 400 {
				t.Fatalf("failure %d a window later: %d %s", i+1, got.status, got.body)
			}
		}
	})
}

// Many failures of one username from many addresses (a botnet) put the
// username under pressure: an address that failed for it waits from its first
// failure on; the student's own address, where they did not fail, does not.
func TestLoginFailuresOfOneUsername(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("asha", examhall.RoleStudent)
		for i := range 8 {
			if got := a.loginFrom(fmt.Sprintf("198.51.100.%d", i), "asha", "wrong"); got.status != 400 {
				t.Fatalf("failure %d: %d %s", i+1, got.status, got.body)
			}
		}
		checkThrottled(t, "a bot's second guess", a.loginFrom("198.51.100.0", "asha", "again"), 1)
		if got := a.loginFrom("198.51.100.200", "asha", "wrong"); got.status != 400 {
			t.Fatalf("a new bot's first guess: %d %s", got.status, got.body)
		}
		if got := a.loginFrom("192.0.2.44", "asha", "pw-asha"); got.status != 200 {
			t.Fatalf("asha from home: %d %s", got.status, got.body)
		}
	})
}

// Parallel guesses of one username from one address cannot slip under the
// limit while their passwords are checked: the pair's attempts are checked one
// at a time on each replica.
func TestLoginThrottleParallel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		got := parallel(30, func(int) response { return a.loginFrom("198.51.100.9", "admin", "wrong") })
		if got[400] != 3 || got[429] != 27 {
			t.Errorf("30 parallel guesses with a limit of 3: %v, want 3 × 400 and 27 × 429", got)
		}
	})
}
