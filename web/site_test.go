package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/bundleimport"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/examhall/examhall/web"
	"golang.org/x/crypto/bcrypt"
)

// shiftClock is the wall clock moved by an offset the test sets: pages run
// in real time (their timers are the browser's), and a test can still jump
// the server past an exam's end.
type shiftClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Jump moves the server's time forward by d.
func (c *shiftClock) Jump(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// site is examhall as serve runs it (API and pages behind one handler) on a
// fresh database, listening on 127.0.0.1.
type site struct {
	t     testing.TB
	URL   string
	db    *sqlstore.DB
	auth  *auth.Service
	clock *shiftClock
	users map[string]*examhall.User
	// shedSaves, while true, answers every answer save 503 with
	// Retry-After: 1, as a server shedding load does: nothing is saved.
	shedSaves *atomic.Bool
}

// fixture is a test file or page the site also serves, on its own origin
// (the pages' Content-Security-Policy allows media from there): a course
// video, a class's join page.
type fixture struct {
	pattern string // net/http's
	handler http.Handler
}

func newSite(t testing.TB, engine sqlstore.Engine, fixtures ...fixture) *site {
	t.Helper()
	clock := &shiftClock{}
	db, err := sqlstore.OpenWith(context.Background(), sqltest.DSN(t, engine), clock, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(context.Background(), examhall.SettingInstituteTimezone, "Asia/Kolkata"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(context.Background(), examhall.SettingInstituteName, "Riverside Academy"); err != nil {
		t.Fatal(err)
	}
	authService := &auth.Service{
		Users: db, Failures: db, Clock: clock,
		Tokens:    auth.NewTokens([]byte("web-test-secret-0123456789abcdef"), time.Hour, clock),
		Passwords: &auth.Passwords{Cost: bcrypt.MinCost},
		Limits:    auth.LoginLimits{PerUserAddress: 5, PerUser: 10, PerAddress: 50, Window: 15 * time.Minute},
	}
	api := &httpapi.Server{
		Auth: authService, Users: db, Exams: db, Attempts: db, Import: db, Reports: db, Courses: db, ContentReports: db,
		Webhooks: db, Dashboard: db, Timeline: db, DB: db, Institute: db, Writes: db, MaxBodyBytes: 1 << 20, MaxImportBytes: 8 << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	// Export jobs run in the background, as serve runs them.
	api.Exports = exports.New(db, db, db, exports.Options{Dir: t.TempDir(), Clock: clock})
	runCtx, stopExports := context.WithCancel(context.Background())
	exportsDone := make(chan struct{})
	go func() { defer close(exportsDone); api.Exports.Run(runCtx) }()
	t.Cleanup(func() { stopExports(); <-exportsDone })
	api.Pages = (&web.Pages{Viewer: api.SessionUser, Institute: db, Logger: api.Logger}).Handler()
	shedSaves := &atomic.Bool{}
	apiHandler := api.Handler()
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if shedSaves.Load() && r.Method == http.MethodPut && saveAnswerPath.MatchString(r.URL.Path) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"detail":"The server is busy; nothing was done. Please try again in a moment."}`))
			return
		}
		apiHandler.ServeHTTP(w, r)
	})
	if len(fixtures) > 0 {
		mux := http.NewServeMux()
		mux.Handle("/", handler)
		for _, f := range fixtures {
			mux.Handle(f.pattern, f.handler)
		}
		handler = mux
	}
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return &site{t: t, URL: server.URL, db: db, auth: authService, clock: clock, users: map[string]*examhall.User{}, shedSaves: shedSaves}
}

// saveAnswerPath is the student's answer save, PUT attempts/<id>/questions/<item>/.
var saveAnswerPath = regexp.MustCompile(`^/api/v2\.2/attempts/[0-9]+/questions/[0-9]+/?$`)

// addUser creates a user whose password is "pw-<username>".
func (s *site) addUser(username string, role examhall.Role, batches ...string) *examhall.User {
	s.t.Helper()
	u := &examhall.User{Username: username, Email: username + "@example.com", FirstName: strings.ToUpper(username[:1]) + username[1:],
		LastName: "Rao", Role: role, IsActive: true, Batches: batches}
	hash, err := s.auth.Passwords.Hash("pw-" + username)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.db.CreateUser(context.Background(), u, hash); err != nil {
		s.t.Fatal(err)
	}
	s.users[username] = u
	return u
}

// importBundle imports an institute bundle (SPEC §9) given as JSON.
func (s *site) importBundle(bundleJSON string) {
	s.t.Helper()
	b, err := bundle.Parse(strings.NewReader(bundleJSON))
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := bundleimport.Import(context.Background(), s.db, b, s.auth.Passwords, false); err != nil {
		s.t.Fatal(err)
	}
}

// client is an HTTP client logged in as username through the session API,
// as a browser would be (it keeps the cookie).
func (s *site) client(username string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if username == "" {
		return c
	}
	resp, err := c.Post(s.URL+"/api/v2.5/session/", "application/json",
		strings.NewReader(`{"username": "`+username+`", "password": "pw-`+username+`"}`))
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		s.t.Fatalf("login as %s: %d", username, resp.StatusCode)
	}
	return c
}

// get fetches path with c and returns the status, headers and body.
func (s *site) get(c *http.Client, path string) (int, http.Header, string) {
	s.t.Helper()
	resp, err := c.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}
