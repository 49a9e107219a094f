package httpapi_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/golang-jwt/jwt/v5"
)

const badCredentials = `{"non_field_errors":["Unable to log in with provided credentials."]}`

func loginBody(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

func TestLogin(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := a.addUser("admin", examhall.RoleAdmin)
		inactive := a.addUser("inactive", examhall.RoleStudent)
		inactive.IsActive = false
		if _, err := a.db.SaveUserByUsername(t.Context(), inactive, "x"); err != nil {
			t.Fatal(err)
		}
		const jsonType = "application/json"
		tests := []struct {
			name        string
			method      string
			path        string
			contentType string
			body        string
			status      int
			want        string // exact body; "" for a token
		}{
			{"json", "POST", "/api/v2.5/auth-token/", jsonType, loginBody("admin", "pw-admin"), 200, ""},
			{"username in other case", "POST", "/api/v2.5/auth-token/", jsonType, loginBody("ADMIN", "pw-admin"), 200, ""},
			{"v2.2 without slash", "POST", "/api/v2.2/auth-token", jsonType, loginBody("admin", "pw-admin"), 200, ""},
			{"v3 form", "POST", "/api/v3/auth-token/", "application/x-www-form-urlencoded", "username=admin&password=pw-admin", 200, ""},
			{"wrong password", "POST", "/api/v2.5/auth-token/", jsonType, loginBody("admin", "nope"), 400, badCredentials},
			{"unknown user", "POST", "/api/v2.5/auth-token/", jsonType, loginBody("nobody", "pw-admin"), 400, badCredentials},
			{"inactive user", "POST", "/api/v2.5/auth-token/", jsonType, loginBody("inactive", "pw-inactive"), 400, badCredentials},
			{"missing fields", "POST", "/api/v2.5/auth-token/", jsonType, `{}`, 400,
				`{"password":["This field is required."],"username":["This field is required."]}`},
			{"blank and null", "POST", "/api/v2.5/auth-token/", jsonType, `{"username":"  ","password":null}`, 400,
				`{"password":["This field may not be null."],"username":["This field may not be blank."]}`},
			{"not a string", "POST", "/api/v2.5/auth-token/", jsonType, `{"username":["admin"],"password":true}`, 400,
				`{"password":["Not a valid string."],"username":["Not a valid string."]}`},
			{"not an object", "POST", "/api/v2.5/auth-token/", jsonType, `["admin"]`, 400,
				`{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
			{"bad json", "POST", "/api/v2.5/auth-token/", jsonType, `{"username":`, 400,
				`{"detail":"JSON parse error - the body ends before the JSON value does."}`},
			{"unsupported type", "POST", "/api/v2.5/auth-token/", "text/plain", "admin", 415,
				`{"detail":"Unsupported media type \"text/plain\" in request."}`},
			{"body too large", "POST", "/api/v2.5/auth-token/", jsonType, `{"username":"` + strings.Repeat("a", 70000) + `"}`, 413,
				`{"detail":"Request body is larger than 65536 bytes."}`},
			{"GET", "GET", "/api/v2.5/auth-token/", "", "", 405, `{"detail":"Method \"GET\" not allowed."}`},
			{"unknown path", "GET", "/api/v9/nothing/", "", "", 404, `{"detail":"Not found."}`},
		}
		for _, tt := range tests {
			got := a.do(tt.method, tt.path, "", tt.contentType, tt.body)
			if got.status != tt.status {
				t.Errorf("%s: status %d %s, want %d", tt.name, got.status, got.body, tt.status)
				continue
			}
			if tt.want != "" && got.body != tt.want {
				t.Errorf("%s: body %s, want %s", tt.name, got.body, tt.want)
			}
			if tt.want == "" {
				checkToken(t, tt.name, got.body, admin, epoch.Add(tokenLifetime))
			}
		}
	})
}

// checkToken checks that body is {"token": …} with the claims of u.
func checkToken(t *testing.T, name, body string, u *examhall.User, exp time.Time) {
	t.Helper()
	var resp map[string]string
	if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp) != 1 || resp["token"] == "" {
		t.Errorf("%s: body %s is not {\"token\": …}", name, body)
		return
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(resp["token"], claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithTimeFunc(func() time.Time { return epoch }))
	if err != nil || tok.Method.Alg() != "HS256" {
		t.Errorf("%s: token does not verify: %v", name, err)
		return
	}
	// pwd is the user's password stamp (examhall.PasswordStamp): 16 hex digits.
	if pwd, _ := claims["pwd"].(string); !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(pwd) {
		t.Errorf("%s: pwd claim %v, want 16 hex digits", name, claims["pwd"])
	}
	delete(claims, "pwd")
	want := jwt.MapClaims{"username": u.Username, "user_id": float64(u.ID), "email": u.Email, "exp": float64(exp.Unix())}
	if fmt.Sprint(claims) != fmt.Sprint(want) {
		t.Errorf("%s: claims %v, want %v", name, claims, want)
	}
}

// A patient guesser of one username at one address: the wait doubles up to
// half the window and stays there; a window without failures forgets them.
func TestLoginThrottle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := a.addUser("admin", examhall.RoleAdmin)
		login := func(username, password string) response {
			return a.do("POST", "/api/v2.5/auth-token/", "", "application/json", loginBody(username, password))
		}
		for i := range 3 {
			if got := login("admin", "wrong"); got.status != 400 || got.body != badCredentials {
				t.Fatalf("failure %d: %d %s", i+1, got.status, got.body)
			}
		}
		// Waits after each further failure: 1, 2, 4 s; then, the address's
		// 6 failures putting it under pressure, as if only the first had been
		// free: 32, 64 … 256 s, and then half the window.
		for over, wait := range []int{1, 2, 4, 32, 64, 128, 256, 450, 450} {
			checkThrottled(t, fmt.Sprintf("%d failures over", over), login("Admin", "pw-admin"), wait)
			a.clock.Advance(time.Duration(wait)*time.Second - time.Millisecond)
			checkThrottled(t, fmt.Sprintf("%d failures over, 1 ms early", over), login("admin", "wrong"), 1)
			a.clock.Advance(time.Millisecond)
			if got := login("admin", "wrong"); got.status != 400 {
				t.Fatalf("%d failures over, after the wait: %d %s", over, got.status, got.body)
			}
		}
		checkThrottled(t, "at the cap", login("admin", "pw-admin"), 450)
		// The right password after the wait gets in and clears the pair.
		a.clock.Advance(450 * time.Second)
		got := login("admin", "pw-admin")
		if got.status != 200 {
			t.Fatalf("after the wait: %d %s", got.status, got.body)
		}
		checkToken(t, "after the wait", got.body, admin, a.clock.Now().Add(tokenLifetime))
		// The address is still under pressure: a failure makes the pair wait.
		if got := login("admin", "wrong"); got.status != 400 {
			t.Fatalf("a failure after logging in: %d %s", got.status, got.body)
		}
		checkThrottled(t, "after logging in, a failure and again", login("admin", "wrong"), 1)
		// A window after the latest failure all is forgotten.
		a.clock.Advance(15 * time.Minute)
		for i := range 3 {
			if got := login("admin", "wrong"); got.status != 400 {
				t.Fatalf("failure %d a window later: %d %s", i+1, got.status, got.body)
			}
		}
	})
}

func TestAdminUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.clock.Advance(36*time.Hour + 1234*time.Microsecond)
		a.addUser("asha", examhall.RoleStudent, "NEET 2027", "JEE 2027")
		a.addUser("bala", examhall.RoleStudent, "NEET 2027")
		a.addUser("chitra", examhall.RoleStaff)
		noName := &examhall.User{Username: "noname", Role: examhall.RoleStudent, IsActive: true}
		if err := a.db.CreateUser(t.Context(), noName, ""); err != nil {
			t.Fatal(err)
		}
		token := "JWT " + a.token("admin")
		tests := []struct {
			path   string
			status int
			golden string
			body   string
		}{
			{"/api/v2.5/admin/users/", 200, "users_all.json", ""},
			{"/api/v2.5/admin/users/?page_size=2&q=a&page=2", 200, "users_page2.json", ""},
			{"/api/v2.5/admin/users/?page_size=2&page=last", 200, "users_last.json", ""},
			{"/api/v2.5/admin/users/?email=ASHA@example.com", 200, "users_email.json", ""},
			{"/api/v2.5/admin/users/2", 200, "user_2.json", ""},
			{"/api/v2.5/admin/users/5/", 200, "user_5.json", ""},
			{"/api/v2.5/admin/users/?page=4&page_size=2", 404, "", `{"detail":"Invalid page."}`},
			{"/api/v2.5/admin/users/?page=0", 404, "", `{"detail":"Invalid page."}`},
			{"/api/v2.5/admin/users/?page=abc", 404, "", `{"detail":"Invalid page."}`},
			{"/api/v2.5/admin/users/99/", 404, "", `{"detail":"Not found."}`},
			{"/api/v2.5/admin/users/abc/", 404, "", `{"detail":"Not found."}`},
			{"/api/v2.5/admin/users/2/bogus/", 404, "", `{"detail":"Not found."}`},
			{"/healthz/anything", 404, "", `{"detail":"Not found."}`},
		}
		for _, tt := range tests {
			got := a.do("GET", tt.path, token, "", "")
			if got.status != tt.status {
				t.Errorf("GET %s: %d %s, want %d", tt.path, got.status, got.body, tt.status)
				continue
			}
			if tt.golden != "" {
				golden(t, tt.golden, got.body)
			} else if got.body != tt.body {
				t.Errorf("GET %s: %s, want %s", tt.path, got.body, tt.body)
			}
		}
		if got := a.do("DELETE", "/api/v2.5/admin/users/", token, "", ""); got.status != 405 || got.header.Get("Allow") != "GET, POST, HEAD, OPTIONS" {
			t.Errorf("DELETE users: %d Allow=%q", got.status, got.header.Get("Allow"))
		}
	})
}

func TestHealth(t *testing.T) {
	a := newTestAPI(t, sqlstore.SQLite)
	if got := a.do("GET", "/healthz", "", "", ""); got.status != 200 || got.body != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", got.status, got.body)
	}
	if got := a.do("GET", "/readyz/", "", "", ""); got.status != 200 || got.body != `{"status":"ready"}` {
		t.Errorf("readyz: %d %s", got.status, got.body)
	}
	a.db.Close()
	if got := a.do("GET", "/readyz", "", "", ""); got.status != 503 || got.body != `{"status":"database unavailable"}` {
		t.Errorf("readyz on a closed database: %d %s", got.status, got.body)
	}
}
