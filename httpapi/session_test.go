package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

// sessionCookie is the session cookie a Set-Cookie header sets ("" if none).
func sessionCookie(t *testing.T, header http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: header}).Cookies() {
		if c.Name == httpapi.SessionCookie {
			return c
		}
	}
	return nil
}

// TestSessionCookie is the web pages' login: the cookie is HttpOnly and
// SameSite=Strict, authenticates every API route as the token does, is
// refused for a write from another origin (and so is a login), and a
// log-out clears it.
func TestSessionCookie(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("asha", examhall.RoleStudent)
		json := http.Header{"Content-Type": {"application/json"}}

		wrong := a.doWith("POST", "/api/v2.5/session/", json, `{"username": "asha", "password": "nope"}`)
		if wrong.status != 400 || wrong.body != `{"non_field_errors":["Unable to log in with provided credentials."]}` || sessionCookie(t, wrong.header) != nil {
			t.Fatalf("wrong password: %d %s %v", wrong.status, wrong.body, wrong.header)
		}
		foreign := a.doWith("POST", "/api/v2.5/session/", http.Header{"Content-Type": {"application/json"}, "Sec-Fetch-Site": {"cross-site"}},
			`{"username": "asha", "password": "pw-asha"}`)
		if foreign.status != 403 || foreign.body != `{"detail":"CSRF Failed: cross-origin request refused."}` || sessionCookie(t, foreign.header) != nil {
			t.Fatalf("cross-site login: %d %s", foreign.status, foreign.body)
		}

		login := a.doWith("POST", "/api/v2.5/session/", json, `{"username": "asha", "password": "pw-asha"}`)
		c := sessionCookie(t, login.header)
		if login.status != 200 || c == nil {
			t.Fatalf("login: %d %s", login.status, login.body)
		}
		if want := `{"id":` + strconv.FormatInt(a.users["asha"].ID, 10) + `,"username":"asha","email":"asha@example.com","name":"Asha Rao","role":"student"}`; login.body != want {
			t.Errorf("login body %s, want %s", login.body, want)
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge != 0 || !c.Expires.IsZero() || c.Secure {
			t.Errorf("cookie %+v", c)
		}
		cookie := http.Header{"Cookie": {c.Name + "=" + c.Value}}
		if me := a.doWith("GET", "/api/v2.5/me/", cookie, ""); me.status != 200 || me.body != login.body {
			t.Errorf("me: %d %s", me.status, me.body)
		}
		if admin := a.doWith("GET", "/api/v2.5/admin/attempts/", cookie, ""); admin.status != 403 {
			t.Errorf("student's cookie on an admin route: %d %s", admin.status, admin.body)
		}

		// A write with the cookie from another origin is refused before anything is done.
		for _, h := range []http.Header{{"Sec-Fetch-Site": {"cross-site"}}, {"Origin": {"https://evil.example"}}} {
			h.Set("Cookie", c.Name+"="+c.Value)
			h.Set("Content-Type", "application/json")
			r := a.doWith("PUT", "/api/v2.5/me/password/", h, `{"old_password": "pw-asha", "new_password": "a much longer one 42"}`)
			if r.status != 403 || r.body != `{"detail":"CSRF Failed: cross-origin request refused."}` {
				t.Errorf("cross-origin write %v: %d %s", h, r.status, r.body)
			}
		}
		if again := a.doWith("POST", "/api/v2.5/session/", json, `{"username": "asha", "password": "pw-asha"}`); again.status != 200 {
			t.Fatalf("the password changed after a refused cross-origin write: %d %s", again.status, again.body)
		}

		// The same write from our own pages works, and the browser keeps its session.
		same := http.Header{"Cookie": {c.Name + "=" + c.Value}, "Content-Type": {"application/json"}, "Sec-Fetch-Site": {"same-origin"}}
		changed := a.doWith("PUT", "/api/v2.5/me/password/", same, `{"old_password": "pw-asha", "new_password": "a much longer one 42"}`)
		fresh := sessionCookie(t, changed.header)
		if changed.status != 200 || fresh == nil || fresh.Value == c.Value || !strings.Contains(changed.body, fresh.Value) {
			t.Fatalf("password change with the cookie: %d %s", changed.status, changed.body)
		}
		if old := a.doWith("GET", "/api/v2.5/me/", cookie, ""); old.status != 401 {
			t.Errorf("the old cookie still works after a password change: %d", old.status)
		}
		if me := a.doWith("GET", "/api/v2.5/me/", http.Header{"Cookie": {fresh.Name + "=" + fresh.Value}}, ""); me.status != 200 {
			t.Errorf("the new cookie: %d %s", me.status, me.body)
		}

		// An Authorization header wins over the cookie.
		both := http.Header{"Cookie": {fresh.Name + "=" + fresh.Value}, "Authorization": {"JWT nonsense"}}
		if r := a.doWith("GET", "/api/v2.5/me/", both, ""); r.status != 401 || r.body != `{"detail":"Error decoding signature."}` {
			t.Errorf("header and cookie: %d %s", r.status, r.body)
		}

		out := a.doWith("DELETE", "/api/v2.5/session/", http.Header{"Cookie": {fresh.Name + "=" + fresh.Value}}, "")
		if gone := sessionCookie(t, out.header); out.status != 204 || gone == nil || gone.Value != "" || gone.MaxAge >= 0 {
			t.Errorf("logout: %d %v", out.status, out.header)
		}
	})
}
