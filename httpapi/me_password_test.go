package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/examhall/examhall/sqlstore"
)

// Issue 12: a user changes their own password with the old one; the tokens
// issued before are revoked, on every device; an admin's new password
// revokes them too.
func TestChangeOwnPassword(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		var asha struct{ ID int64 }
		a.must(201, "POST", "/api/v2.5/admin/users/", a.admin, map[string]any{"username": "asha", "password": "first-pw1"}, &asha)
		login := func(password string, want int) string {
			t.Helper()
			var tok struct{ Token string }
			a.must(want, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": "asha", "password": password}, &tok)
			return tok.Token
		}
		phone, laptop := login("first-pw1", 200), login("first-pw1", 200)
		change := func(token string, body map[string]any, status int, want string) string {
			t.Helper()
			auth := ""
			if token != "" {
				auth = "JWT " + token
			}
			resp := a.do("PUT", "/api/v2.5/me/password/", auth, "application/json", jsonText(t, body))
			if resp.status != status || (want != "" && resp.body != want) {
				t.Errorf("PUT /api/v2.5/me/password/ %v: %d %s\nwant %d %s", body, resp.status, resp.body, status, want)
			}
			return resp.body
		}
		change(phone, map[string]any{"old_password": "wrong-pw", "new_password": "second-pw2"}, 400,
			`{"old_password":["Your old password was entered incorrectly. Please enter it again."]}`)
		change(phone, map[string]any{"old_password": "first-pw1", "new_password": "short"}, 400,
			`{"new_password":["This password is too short. It must contain at least 8 characters."]}`)
		change(phone, map[string]any{"old_password": "first-pw1", "new_password": "ASHA"}, 400,
			`{"new_password":["This password is too short. It must contain at least 8 characters."]}`)
		a.must(201, "POST", "/api/v2.5/admin/users/", a.admin, map[string]any{"username": "longname", "password": "first-pw1"}, nil)
		var long struct{ Token string }
		a.must(200, "POST", "/api/v2.5/auth-token/", "", map[string]string{"username": "longname", "password": "first-pw1"}, &long)
		change(long.Token, map[string]any{"old_password": "first-pw1", "new_password": "LongName"}, 400,
			`{"new_password":["The password is too similar to the username."]}`)
		change(phone, map[string]any{"old_password": "first-pw1", "new_password": "first-pw1"}, 400,
			`{"new_password":["The new password is the same as the old one."]}`)
		change(phone, map[string]any{"old_password": "first-pw1"}, 400, `{"new_password":["This field is required."]}`)
		change("", map[string]any{"old_password": "first-pw1", "new_password": "second-pw2"}, 401,
			`{"detail":"Authentication credentials were not provided."}`)
		// Nothing changed: the old password still logs in, both tokens work.
		login("first-pw1", 200)
		a.must(200, "GET", "/api/v2.2/attempts/", laptop, nil, nil)

		body := change(phone, map[string]any{"old_password": "first-pw1", "new_password": "second-pw2"}, 200, "")
		var fresh struct{ Token string }
		if err := json.Unmarshal([]byte(body), &fresh); err != nil || fresh.Token == "" {
			t.Fatalf("answer: %s", body)
		}
		revoked := `{"detail":"This token was revoked: the password has changed. Log in again."}`
		for _, tok := range []string{phone, laptop} {
			if resp := a.do("GET", "/api/v2.2/attempts/", "JWT "+tok, "", ""); resp.status != 401 || resp.body != revoked {
				t.Errorf("an old token: %d %s", resp.status, resp.body)
			}
		}
		a.must(200, "GET", "/api/v2.2/attempts/", fresh.Token, nil, nil)
		login("first-pw1", 400)
		second := login("second-pw2", 200)

		// An admin's new password revokes the user's tokens too.
		a.must(200, "PATCH", fmt.Sprintf("/api/v2.5/admin/users/%d/", asha.ID), a.admin, map[string]any{"password": "third-pw3"}, nil)
		for _, tok := range []string{fresh.Token, second} {
			if resp := a.do("GET", "/api/v2.2/attempts/", "JWT "+tok, "", ""); resp.status != 401 || resp.body != revoked {
				t.Errorf("a token after the admin's change: %d %s", resp.status, resp.body)
			}
		}
		login("third-pw3", 200)
	})
}

// Issue 12: a user created without a password is created (an import or a
// password given later is legitimate), with a warning that they cannot log in.
func TestCreateUserWithoutPasswordWarns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newAuthorTest(t, engine)
		body := a.expect(t, 201, "POST", "/api/v2.5/admin/users/", map[string]any{"username": "nopw"}, "")
		var out struct {
			Username string
			Warnings []string
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		want := `No password was given: this user cannot log in until one is set (PATCH /api/v2.5/admin/users/<id>/ with "password").`
		if out.Username != "nopw" || len(out.Warnings) != 1 || out.Warnings[0] != want {
			t.Errorf("created without a password: %s", body)
		}
		body = a.expect(t, 201, "POST", "/api/v2.5/admin/users/", map[string]any{"username": "withpw", "password": "pw-withpw1"}, "")
		out.Warnings = nil
		if err := json.Unmarshal([]byte(body), &out); err != nil || out.Warnings != nil {
			t.Errorf("created with a password: %s", body)
		}
	})
}
