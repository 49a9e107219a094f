package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
)

const app = "https://app.example.com"

// corsHeaders is every Access-Control-* header of h, one "Name: value" each.
func corsHeaders(h http.Header) string {
	var lines []string
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
		"Access-Control-Max-Age", "Access-Control-Expose-Headers", "Access-Control-Allow-Credentials"} {
		if v := h.Values(name); len(v) > 0 {
			lines = append(lines, name+": "+strings.Join(v, ","))
		}
	}
	return strings.Join(lines, "\n")
}

func preflight(origin, method string) http.Header {
	return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method},
		"Access-Control-Request-Headers": {"authorization,content-type"}}
}

// TestOptionsWithoutCORS: without --cors-origins no CORS header is sent,
// whatever the Origin, and OPTIONS answers as DRF's APIView does: after the
// guard (401 without credentials), 200 with Allow and SimpleMetadata's body.
func TestOptionsWithoutCORS(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		a.addUser("admin", examhall.RoleAdmin)
		admin := "JWT " + a.token("admin")
		const parses = `"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]`
		for _, tt := range []struct {
			path   string
			header http.Header
			status int
			allow  string
			body   string
		}{
			{"/api/v2.5/admin/users/", http.Header{"Authorization": {admin}, "Origin": {app}}, 200, "GET, POST, HEAD, OPTIONS",
				`{"name":"Users List","description":"","renders":["application/json"],` + parses + `}`},
			{"/api/v2.5/admin/users/7", http.Header{"Authorization": {admin}}, 200, "GET, PATCH, DELETE, HEAD, OPTIONS",
				`{"name":"Users Instance","description":"","renders":["application/json"],` + parses + `}`},
			{"/api/v2.2/attempts/3/heartbeat/", http.Header{"Authorization": {admin}}, 200, "PUT, OPTIONS",
				`{"name":"Heartbeat","description":"","renders":["application/json"],` + parses + `}`},
			{"/api/v2.5/auth-token/", http.Header{}, 200, "POST, OPTIONS",
				`{"name":"Auth Token List","description":"","renders":["application/json"],` + parses + `}`},
			// A preflight without the flag is an OPTIONS without credentials.
			{"/api/v2.5/admin/users/", preflight(app, "POST"), 401, "", `{"detail":"Authentication credentials were not provided."}`},
			{"/api/v2.5/nope/", http.Header{"Authorization": {admin}}, 404, "", `{"detail":"Not found."}`},
		} {
			got := a.doWith("OPTIONS", tt.path, tt.header, "")
			if got.status != tt.status || got.body != tt.body || got.header.Get("Allow") != tt.allow {
				t.Errorf("OPTIONS %s: %d Allow=%q %s\nwant %d Allow=%q %s", tt.path, got.status, got.header.Get("Allow"), got.body,
					tt.status, tt.allow, tt.body)
			}
			if h := corsHeaders(got.header); h != "" || got.header.Get("Vary") != "" {
				t.Errorf("OPTIONS %s: CORS headers without --cors-origins: %s Vary=%q", tt.path, h, got.header.Get("Vary"))
			}
		}
		if got := a.doWith("GET", "/api/v2.5/admin/users/", http.Header{"Authorization": {admin}, "Origin": {app}}, ""); got.status != 200 || corsHeaders(got.header) != "" {
			t.Errorf("GET with Origin: %d %q", got.status, corsHeaders(got.header))
		}
	})
}

// TestCORS: with --cors-origins an allowed origin's preflight is answered
// 204 with the route's methods before any guard, its requests carry
// Access-Control-Allow-Origin and the exposed headers, credentials are
// never allowed, and a refused origin gets no CORS header at all.
func TestCORS(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) { s.CORSOrigins = []string{"https://other.example.org", app} })
		a.addUser("admin", examhall.RoleAdmin)
		admin := "JWT " + a.token("admin")
		const preflightOK = "Access-Control-Allow-Origin: " + app + "\n" +
			"Access-Control-Allow-Methods: GET, PATCH, DELETE, HEAD, OPTIONS\n" +
			"Access-Control-Allow-Headers: Accept, Accept-Language, Authorization, Content-Type, X-Request-Id\n" +
			"Access-Control-Max-Age: 3600"
		for _, tt := range []struct {
			name, method, path string
			header             http.Header
			status             int
			cors, body         string
		}{
			{"preflight, no trailing slash", "OPTIONS", "/api/v2.5/admin/users/7", preflight(app, "PATCH"), 204, preflightOK, ""},
			{"preflight of a method the route lacks", "OPTIONS", "/api/v2.5/admin/users/7/", preflight(app, "PUT"), 204, preflightOK, ""},
			{"preflight, refused origin", "OPTIONS", "/api/v2.5/admin/users/7/", preflight("https://evil.example.com", "PATCH"), 401, "",
				`{"detail":"Authentication credentials were not provided."}`},
			{"preflight, origin differing in port", "OPTIONS", "/api/v2.5/admin/users/7/", preflight(app+":8443", "PATCH"), 401, "",
				`{"detail":"Authentication credentials were not provided."}`},
			{"preflight, origin null", "OPTIONS", "/api/v2.5/admin/users/7/", preflight("null", "PATCH"), 401, "",
				`{"detail":"Authentication credentials were not provided."}`},
			{"preflight, no such route", "OPTIONS", "/api/v2.5/nope/", preflight(app, "GET"), 404, "", `{"detail":"Not found."}`},
			{"actual request", "GET", "/api/v2.5/admin/users/", http.Header{"Origin": {app}, "Authorization": {admin}}, 200,
				"Access-Control-Allow-Origin: " + app + "\nAccess-Control-Expose-Headers: Retry-After, X-Request-Id, Location", ""},
			{"actual request refused by the API", "GET", "/api/v2.5/admin/users/", http.Header{"Origin": {app}}, 401,
				"Access-Control-Allow-Origin: " + app + "\nAccess-Control-Expose-Headers: Retry-After, X-Request-Id, Location",
				`{"detail":"Authentication credentials were not provided."}`},
			{"actual request, refused origin", "GET", "/api/v2.5/admin/users/", http.Header{"Origin": {"https://evil.example.com"}, "Authorization": {admin}}, 200, "", ""},
			{"OPTIONS without preflight headers", "OPTIONS", "/api/v2.5/auth-token/", http.Header{"Origin": {app}}, 200,
				"Access-Control-Allow-Origin: " + app + "\nAccess-Control-Expose-Headers: Retry-After, X-Request-Id, Location",
				`{"name":"Auth Token List","description":"","renders":["application/json"],"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`},
		} {
			got := a.doWith(tt.method, tt.path, tt.header, "")
			if got.status != tt.status || corsHeaders(got.header) != tt.cors || (tt.body != "" && got.body != tt.body) {
				t.Errorf("%s: %d\n%s\n%s\nwant %d\n%s\n%s", tt.name, got.status, corsHeaders(got.header), got.body, tt.status, tt.cors, tt.body)
			}
			if got.header.Get("Vary") != "Origin" {
				t.Errorf("%s: Vary=%q, want Origin", tt.name, got.header.Get("Vary"))
			}
		}
		// The web pages are not for other origins: no CORS header there.
		if got := a.doWith("OPTIONS", "/healthz/", preflight(app, "GET"), ""); corsHeaders(got.header) != "" {
			t.Errorf("OPTIONS /healthz/: %d %q", got.status, corsHeaders(got.header))
		}
	})
}

// TestCORSAnyOrigin: "*" allows every origin, and then never credentials.
func TestCORSAnyOrigin(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPIWith(t, engine, func(s *httpapi.Server) { s.CORSOrigins = []string{"*"} })
		got := a.doWith("OPTIONS", "/api/v2.5/auth-token/", preflight("https://anywhere.example.net", "POST"), "")
		want := "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Methods: POST, OPTIONS\n" +
			"Access-Control-Allow-Headers: Accept, Accept-Language, Authorization, Content-Type, X-Request-Id\nAccess-Control-Max-Age: 3600"
		if got.status != 204 || got.body != "" || corsHeaders(got.header) != want {
			t.Errorf("preflight: %d %q\n%s\nwant 204\n%s", got.status, got.body, corsHeaders(got.header), want)
		}
		got = a.doWith("POST", "/api/v2.5/auth-token/", http.Header{"Origin": {"https://anywhere.example.net"}, "Content-Type": {"application/json"}},
			`{"username":"nobody","password":"x"}`)
		if got.status != 400 || corsHeaders(got.header) != "Access-Control-Allow-Origin: *\nAccess-Control-Expose-Headers: Retry-After, X-Request-Id, Location" {
			t.Errorf("POST: %d %s\n%s", got.status, got.body, corsHeaders(got.header))
		}
	})
}
