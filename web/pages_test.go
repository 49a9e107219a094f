package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
)

func forEachEngine(t *testing.T, fn func(t *testing.T, engine sqlstore.Engine)) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}

// TestPageAccess is who may open which page: a visitor without a session is
// sent to log in (and back after), a student gets 403 on staff pages, staff
// reach the dashboard, and "/" sends each where they start.
func TestPageAccess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		s := newSite(t, engine)
		s.addUser("asha", examhall.RoleStudent)
		s.addUser("sam", examhall.RoleStaff)
		s.addUser("root", examhall.RoleAdmin)
		cases := []struct {
			user, path string
			status     int
			location   string
		}{
			{"", "/", 303, "/login/"},
			{"", "/exams/", 303, "/login/?next=%2Fexams%2F"},
			{"", "/admin/?exams=3&ordering=-date", 303, "/login/?next=%2Fadmin%2F%3Fexams%3D3%26ordering%3D-date"},
			{"", "/login/", 200, ""},
			{"asha", "/", 303, "/exams/"},
			{"asha", "/exams/", 200, ""},
			{"asha", "/admin/", 403, ""},
			{"sam", "/", 303, "/admin/"},
			{"sam", "/admin/", 200, ""},
			{"root", "/admin/", 200, ""},
			{"asha", "/no/such/page/", 404, ""},
			// A page's id or slug goes into the API paths its script calls:
			// anything but an id or a slug is no page.
			{"root", "/admin/attempts/..%2F..%2Fexports%2F3%2Fdownload%3F/", 404, ""},
			{"asha", "/courses/abc/", 404, ""},
			{"asha", "/attempts/0/", 404, ""},
			{"asha", "/exams/a%2Fb/", 404, ""},
			{"asha", "/exams/physics-mock_1/", 200, ""},
		}
		for _, c := range cases {
			status, header, body := s.get(s.client(c.user), c.path)
			if status != c.status || header.Get("Location") != c.location {
				t.Errorf("%s GET %s: %d %q, want %d %q", c.user, c.path, status, header.Get("Location"), c.status, c.location)
			}
			if status == 200 || status == 403 || status == 404 {
				if ct := header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("%s GET %s: Content-Type %q", c.user, c.path, ct)
				}
				if !strings.Contains(body, "<title>") || !strings.Contains(body, "Riverside Academy") {
					t.Errorf("%s GET %s: not a page of the institute: %s", c.user, c.path, body)
				}
			}
			if status == 403 && !strings.Contains(body, "Your account may not open this page.") {
				t.Errorf("%s GET %s: 403 page says %s", c.user, c.path, body)
			}
		}
		// The API keeps answering JSON under /api/, also for paths it lacks.
		if status, header, body := s.get(s.client("asha"), "/api/v2.5/nothing/"); status != 404 || body != `{"detail":"Not found."}` || !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
			t.Errorf("unknown API path: %d %s %s", status, header.Get("Content-Type"), body)
		}
	})
}

// TestPageHeaders is the security every page carries: a Content-Security-
// Policy that runs no inline script, no caching of pages, no framing; and
// the escaping of what users typed into the page itself.
func TestPageHeaders(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	s.users["asha"] = &examhall.User{Username: "asha"}
	u := &examhall.User{Username: "asha", Email: "asha@example.com", FirstName: `<script>alert(1)</script>`, Role: examhall.RoleStudent, IsActive: true}
	hash, _ := s.auth.Passwords.Hash("pw-asha")
	if err := s.db.CreateUser(t.Context(), u, hash); err != nil {
		t.Fatal(err)
	}
	status, header, body := s.get(s.client("asha"), "/exams/")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	csp := header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(strings.SplitN(strings.SplitN(csp, "script-src", 2)[1], ";", 2)[0], "unsafe-inline") {
		t.Errorf("CSP allows inline scripts: %q", csp)
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
		if got := header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the user's name is not escaped in the page: %s", body)
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("the page holds an inline script: %s", body)
	}
}

// TestStaticAssets is how the embedded files are served: gzip when the
// browser takes it, an ETag that answers 304, and 404 for what is not there.
func TestStaticAssets(t *testing.T) {
	s := newSite(t, sqlstore.SQLite)
	want, err := os.ReadFile("static/js/api.js")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL+"/static/js/api.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req) // the transport does not unzip what it did not ask for itself
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("not gzip: %v (Content-Encoding %q)", err, resp.Header.Get("Content-Encoding"))
	}
	got, _ := io.ReadAll(zr)
	resp.Body.Close()
	if string(got) != string(want) || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("api.js: %d bytes, %v", len(got), resp.Header)
	}
	etag := resp.Header.Get("ETag")
	req, _ = http.NewRequest("GET", s.URL+"/static/js/api.js", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if etag == "" || resp.StatusCode != 304 {
		t.Errorf("revalidation with ETag %q: %d", etag, resp.StatusCode)
	}
	if status, _, _ := s.get(s.client(""), "/static/js/nothing.js"); status != 404 {
		t.Errorf("missing asset: %d", status)
	}
}
