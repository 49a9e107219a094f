package httpapi_test

import (
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

// TestAuthenticationBeforeMethod: as in DRF, a request is authenticated and
// its permission checked before its method is: 401 without credentials, 403
// for a role that may not use the path, and only then 405 (issue 10, fault
// 11). Public paths answer 405 at once.
func TestAuthenticationBeforeMethod(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		admin, student := "JWT "+a.token("admin"), "JWT "+a.token("asha")
		const (
			noCreds   = `{"detail":"Authentication credentials were not provided."}`
			forbidden = `{"detail":"You do not have permission to perform this action."}`
		)
		for _, tt := range []struct {
			method, path, token string
			status              int
			body, allow         string
		}{
			{"DELETE", "/api/v2.5/admin/users/", "", 401, noCreds, ""},
			{"PUT", "/api/v2.5/admin/attempts/1/", "", 401, noCreds, ""},
			{"POST", "/api/v2.2/attempts/", "", 401, noCreds, ""},
			{"DELETE", "/api/v2.5/admin/users/", "JWT garbage", 401, `{"detail":"Error decoding signature."}`, ""},
			{"DELETE", "/api/v2.5/admin/users/", student, 403, forbidden, ""},
			{"PATCH", "/api/v3/admin/chapter-content-attempts/", student, 403, forbidden, ""},
			{"DELETE", "/api/v2.5/admin/users/", admin, 405, `{"detail":"Method \"DELETE\" not allowed."}`, "GET, POST, HEAD, OPTIONS"},
			{"POST", "/api/v2.2/attempts/", student, 405, `{"detail":"Method \"POST\" not allowed."}`, "GET, HEAD, OPTIONS"},
			{"GET", "/api/v2.5/auth-token/", "", 405, `{"detail":"Method \"GET\" not allowed."}`, "POST, OPTIONS"},
			{"HEAD", "/api/v2.5/admin/users/", "", 401, "", ""},
		} {
			got := a.do(tt.method, tt.path, tt.token, "", "")
			if got.status != tt.status || got.body != tt.body || got.header.Get("Allow") != tt.allow {
				t.Errorf("%s %s: %d %s Allow=%q\nwant %d %s Allow=%q", tt.method, tt.path, got.status, got.body,
					got.header.Get("Allow"), tt.status, tt.body, tt.allow)
			}
		}
	})
}
