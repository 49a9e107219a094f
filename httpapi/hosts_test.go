package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

// TestAllowedHosts: without a base URL the Host header becomes the host of
// every absolute link, so a Host that is not allowed is refused with 400
// before anything else; allowed ones (exact, .domain, loopback) are served
// and appear in the links (issue 10, fault 10).
func TestAllowedHosts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("bala", examhall.RoleStudent)
		token := "JWT " + a.token("admin")
		api := &httpapi.Server{
			Auth: a.auth, Users: a.db, Exams: a.db, Attempts: a.db, Import: a.db, Reports: a.db, Courses: a.db,
			ContentReports: a.db, DB: a.db, Institute: a.db, MaxBodyBytes: 1 << 16, MaxImportBytes: 1 << 20,
			AllowedHosts: []string{"exams.example.com", ".example.org"},
			Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		server := httptest.NewServer(api.Handler())
		defer server.Close()
		get := func(method, path, host, auth, body string) (int, string) {
			t.Helper()
			req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		const users = "/api/v2.5/admin/users/?page_size=1"
		for _, tt := range []struct {
			method, path, host, auth, body string
			status                         int
			want                           string // the body, or a part of it
		}{
			{"GET", users, "evil.invalid", token, "", 400, `{"detail":"Invalid Host header \"evil.invalid\"."}`},
			{"GET", users, "evil.invalid:8080", token, "", 400, `{"detail":"Invalid Host header \"evil.invalid:8080\"."}`},
			{"GET", users, "exams.example.com.evil.invalid", token, "", 400, `{"detail":"Invalid Host header \"exams.example.com.evil.invalid\"."}`},
			{"GET", users, "evil.invalid", "", "", 400, `{"detail":"Invalid Host header \"evil.invalid\"."}`},
			{"POST", "/api/v2.5/auth-token/", "evil.invalid", "", `{"username":"asha","password":"pw-asha"}`, 400,
				`{"detail":"Invalid Host header \"evil.invalid\"."}`},
			{"GET", users, "exams.example.com", token, "", 200, `"next":"http://exams.example.com/api/v2.5/admin/users/?page=2&page_size=1"`},
			{"GET", users, "EXAMS.example.com:8443", token, "", 200, `"next":"http://EXAMS.example.com:8443/api/v2.5/admin/users/?page=2&page_size=1"`},
			{"GET", users, "example.org", token, "", 200, `"next":"http://example.org/`},
			{"GET", users, "a.b.example.org", token, "", 200, `"next":"http://a.b.example.org/`},
			{"GET", users, "localhost:8080", token, "", 200, `"next":"http://localhost:8080/`},
			{"GET", users, "[::1]:8080", token, "", 200, `"next":"http://[::1]:8080/`},
			{"GET", users, "[localhost]", token, "", 400, `{"detail":"Invalid Host header \"[localhost]\"."}`},
			{"GET", users, "[localhost]:8080", token, "", 400, `{"detail":"Invalid Host header \"[localhost]:8080\"."}`},
			{"GET", "/healthz", "evil.invalid", "", "", 200, `{"status":"ok"}`},
		} {
			status, body := get(tt.method, tt.path, tt.host, tt.auth, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) || (status == 400 && body != tt.want) {
				t.Errorf("%s %s Host %s: %d %.300s\nwant %d %s", tt.method, tt.path, tt.host, status, body, tt.status, tt.want)
			}
		}
	})
}
