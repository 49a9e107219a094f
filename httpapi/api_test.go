package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/examhalltest"
	"github.com/examhall/examhall/exports"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var epoch = time.Date(2026, 1, 5, 4, 30, 0, 250000000, time.UTC)

const (
	secret        = "test-secret"
	tokenLifetime = time.Hour
	baseURL       = "https://exams.example.com"
)

// testAPI is the API on a fresh database, with a clock the test moves.
type testAPI struct {
	t      testing.TB
	dsn    string
	db     *sqlstore.DB
	clock  *examhalltest.Clock
	auth   *auth.Service
	server *httptest.Server
	users  map[string]*examhall.User
	// exports is the server's export service; it runs no job until the
	// test calls its RunOnce (or Run), so that tests see each state.
	exports *exports.Service
}

func newTestAPI(t testing.TB, engine sqlstore.Engine) *testAPI {
	t.Helper()
	return newTestAPIAt(t, sqltest.DSN(t, engine), examhalltest.NewClock(epoch))
}

// replica is a second API process on the same database, with the same clock
// and JWT secret, as a second replica behind a load balancer would be.
func (a *testAPI) replica() *testAPI {
	a.t.Helper()
	b := newTestAPIAt(a.t, a.dsn, a.clock)
	b.users = a.users
	return b
}

// newTestAPIWith is newTestAPI with the server changed by configure before
// it serves: another logger, a store wrapped.
func newTestAPIWith(t testing.TB, engine sqlstore.Engine, configure func(*httpapi.Server)) *testAPI {
	t.Helper()
	return newTestAPIAt(t, sqltest.DSN(t, engine), examhalltest.NewClock(epoch), configure)
}

func newTestAPIAt(t testing.TB, dsn string, clock *examhalltest.Clock, configure ...func(*httpapi.Server)) *testAPI {
	t.Helper()
	return newTestAPIOpts(t, dsn, clock, sqlstore.Options{}, configure...)
}

// newTestAPIOpts is the API on the database at dsn opened with opts.
func newTestAPIOpts(t testing.TB, dsn string, clock *examhalltest.Clock, opts sqlstore.Options, configure ...func(*httpapi.Server)) *testAPI {
	t.Helper()
	db, err := sqlstore.OpenWith(context.Background(), dsn, clock, opts)
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
	authService := &auth.Service{
		Users: db, Failures: db, Clock: clock,
		Tokens:    auth.NewTokens([]byte(secret), tokenLifetime, clock),
		Passwords: &auth.Passwords{Cost: bcrypt.MinCost},
		Limits:    auth.LoginLimits{PerUserAddress: 3, PerUser: 8, PerAddress: 6, Window: 15 * time.Minute},
	}
	base, _ := url.Parse(baseURL)
	api := &httpapi.Server{
		Auth: authService, Users: db, Exams: db, Attempts: db, Import: db, Reports: db, Changes: db, Courses: db, ContentReports: db, Webhooks: db, Dashboard: db, ItemStatistics: db, Timeline: db, DB: db, BaseURL: base,
		MaxBodyBytes: 1 << 16, MaxImportBytes: 1 << 20,
		Institute: db,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The httptest peer, so that the login throttle's tests can send
		// X-Forwarded-For from many addresses.
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")},
	}
	// Pages of two rows, so that the fixtures' few attempts take several.
	api.Exports = exports.New(db, db, db, exports.Options{Dir: t.TempDir(), PageSize: 2, Clock: clock})
	for _, c := range configure {
		c(api)
	}
	if api.Exports != nil {
		if err := api.Exports.Recover(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Every request a test makes is checked against the OpenAPI document.
	server := httptest.NewServer(validateTraffic(t, api.Handler()))
	t.Cleanup(server.Close)
	return &testAPI{t: t, dsn: dsn, db: db, clock: clock, auth: authService, server: server, users: map[string]*examhall.User{},
		exports: api.Exports}
}

// addUser creates a user with the password "pw-<username>".
func (a *testAPI) addUser(username string, role examhall.Role, batches ...string) *examhall.User {
	a.t.Helper()
	u := &examhall.User{Username: username, Email: username + "@example.com", FirstName: strings.ToUpper(username[:1]) + username[1:],
		LastName: "Rao", Phone: "90000000" + string(rune('0'+len(a.users))), Role: role, IsActive: true, Batches: batches}
	hash, err := a.auth.Passwords.Hash("pw-" + username)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.db.CreateUser(context.Background(), u, hash); err != nil {
		a.t.Fatal(err)
	}
	a.users[username] = u
	return u
}

func (a *testAPI) token(username string) string {
	a.t.Helper()
	tok, err := a.auth.Tokens.Issue(a.users[username])
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   string
}

func (a *testAPI) do(method, path, authorization, contentType, body string) response {
	a.t.Helper()
	header := http.Header{}
	if authorization != "" {
		header.Set("Authorization", authorization)
	}
	if contentType != "" {
		header.Set("Content-Type", contentType)
	}
	return a.doWith(method, path, header, body)
}

// doWith sends a request with the headers given.
func (a *testAPI) doWith(method, path string, header http.Header, body string) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.server.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// signed returns a token for claims signed with method and key.
func signed(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claimsFor(u *examhall.User, exp time.Time) auth.Claims {
	return auth.Claims{Username: u.Username, UserID: u.ID, Email: u.Email,
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)}}
}

// unsignedToken is an "alg: none" token.
func unsignedToken(u *examhall.User, exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(claimsFor(u, exp))
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(got), "", "  "); err != nil {
			t.Fatalf("golden %s: %v in %s", name, err, got)
		}
		if err := os.WriteFile(path, append(pretty.Bytes(), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update)", name, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	if got != compact.String() {
		t.Errorf("body differs from testdata/%s:\n got: %s\nwant: %s", name, got, compact.String())
	}
}

func forEachEngine(t *testing.T, fn func(t *testing.T, engine sqlstore.Engine)) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}

// TestAuthRejections is every way a request can fail to authenticate, with the
// exact status and body the original API answers.
func TestAuthRejections(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine sqlstore.Engine) {
		a := newTestAPI(t, engine)
		admin := a.addUser("admin", examhall.RoleAdmin)
		a.addUser("asha", examhall.RoleStudent)
		a.addUser("sunil", examhall.RoleStaff)
		gone := a.addUser("gone", examhall.RoleAdmin)
		inactive := a.addUser("inactive", examhall.RoleAdmin)
		blocked := a.addUser("blocked", examhall.RoleAdmin)
		goneToken, inactiveToken, blockedToken := a.token("gone"), a.token("inactive"), a.token("blocked")
		ctx := context.Background()
		if err := a.db.DeleteUser(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		inactive.IsActive = false
		blocked.IsBlocked = true
		for _, u := range []*examhall.User{inactive, blocked} {
			if _, err := a.db.SaveUserByUsername(ctx, u, ""); err != nil {
				t.Fatal(err)
			}
		}
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		valid := a.token("admin")
		later := epoch.Add(tokenLifetime)
		expiredToken := signed(t, jwt.SigningMethodHS256, []byte(secret), claimsFor(admin, epoch.Add(-time.Second)))

		const (
			noCreds   = `{"detail":"Authentication credentials were not provided."}`
			decodeErr = `{"detail":"Error decoding signature."}`
			incorrect = `{"detail":"Incorrect authentication credentials."}`
			disabled  = `{"detail":"User account is disabled."}`
		)
		tests := []struct {
			name          string
			authorization string
			status        int
			body          string
		}{
			{"no header", "", 401, noCreds},
			{"other scheme", "Basic YWRtaW46cHc=", 401, noCreds},
			{"JWT without token", "JWT", 401, `{"detail":"Invalid Authorization header. No credentials provided."}`},
			{"JWT with spaces", "JWT a b", 401, `{"detail":"Invalid Authorization header. Credentials string should not contain spaces."}`},
			{"JWT garbage", "JWT garbage", 401, decodeErr},
			{"wrong secret", "JWT " + signed(t, jwt.SigningMethodHS256, []byte("other"), claimsFor(admin, later)), 401, decodeErr},
			{"tampered payload", "JWT " + tamper(valid), 401, decodeErr},
			{"alg none", "JWT " + unsignedToken(admin, later), 401, incorrect},
			{"alg HS512", "JWT " + signed(t, jwt.SigningMethodHS512, []byte(secret), claimsFor(admin, later)), 401, incorrect},
			{"alg RS256", "JWT " + signed(t, jwt.SigningMethodRS256, rsaKey, claimsFor(admin, later)), 401, incorrect},
			{"no exp", "JWT " + signed(t, jwt.SigningMethodHS256, []byte(secret), auth.Claims{Username: "admin", UserID: admin.ID}), 401, incorrect},
			{"expired", "JWT " + expiredToken, 401, `{"detail":"Signature has expired."}`},
			{"deleted user", "JWT " + goneToken, 401, `{"detail":"Invalid signature."}`},
			{"inactive user", "JWT " + inactiveToken, 401, disabled},
			{"blocked user", "JWT " + blockedToken, 401, disabled},
			{"student on admin path", "JWT " + a.token("asha"), 403, `{"detail":"You do not have permission to perform this action."}`},
			{"staff on admin path", "JWT " + a.token("sunil"), 403, `{"detail":"You do not have permission to perform this action."}`},
			{"admin JWT", "JWT " + valid, 200, ""},
			{"admin Bearer", "Bearer " + valid, 200, ""},
			{"admin lower-case scheme", "jwt " + valid, 200, ""},
		}
		for _, tt := range tests {
			got := a.do("GET", "/api/v2.5/admin/users/1/", tt.authorization, "", "")
			if got.status != tt.status || (tt.body != "" && got.body != tt.body) {
				t.Errorf("%s: %d %s, want %d %s", tt.name, got.status, got.body, tt.status, tt.body)
			}
			if got.status == 401 && got.header.Get("WWW-Authenticate") != `JWT realm="api"` {
				t.Errorf("%s: WWW-Authenticate = %q", tt.name, got.header.Get("WWW-Authenticate"))
			}
		}
	})
}

// tamper changes the payload of a token and keeps its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = bytes.Replace(payload, []byte(`"user_id":1`), []byte(`"user_id":2`), 1)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}
