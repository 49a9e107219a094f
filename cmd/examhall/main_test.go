package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{
		"EXAMHALL_DB":                              "postgres://db.example/examhall",
		"EXAMHALL_ADDR":                            "127.0.0.1:9000",
		"EXAMHALL_LOGIN_WINDOW":                    "5m",
		"EXAMHALL_TIMEZONE":                        "Asia/Kolkata",
		"EXAMHALL_TRUSTED_PROXIES":                 "10.0.0.0/8, 192.168.1.7",
		"EXAMHALL_ALLOWED_HOSTS":                   "exams.example.com, .example.org",
		"EXAMHALL_LOGIN_FAILURES_PER_USER_ADDRESS": "7",
		"EXAMHALL_SQLITE_SYNCHRONOUS":              "full",
		"EXAMHALL_MAX_CONNECTIONS":                 "5000",
	}
	c, err := ParseConfig([]string{"serve", "--addr", ":7000"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != env["EXAMHALL_DB"] || c.Addr != ":7000" || c.LoginWindow != 5*time.Minute || c.Timezone != "Asia/Kolkata" ||
		c.TokenLifetime != 7*24*time.Hour || c.LoginFailuresPerUserAddress != 7 || c.LoginFailuresPerUser != 20 || c.LoginFailuresPerAddress != 100 ||
		c.MaxConnections != 5000 || fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 192.168.1.7/32]" ||
		fmt.Sprint(c.AllowedHosts) != "[exams.example.com .example.org]" || c.SQLiteSynchronous != "full" || c.WriteQueue != 1000 {
		t.Errorf("config = %+v", c)
	}
	bad := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, "no command given"},
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"serve", "--timezone", "Mars/Olympus"}, nil, `unknown time zone "Mars/Olympus"`},
		{[]string{"serve", "--base-url", "exams.example.com"}, nil, "--base-url"},
		{[]string{"serve"}, map[string]string{"EXAMHALL_LOGIN_WINDOW": "soon"}, "EXAMHALL_LOGIN_WINDOW"},
		{[]string{"createadmin", "--username", "root"}, nil, "--password is required"},
		{[]string{"migrate", "extra"}, nil, "unexpected arguments: extra"},
		{[]string{"demo", "--students", "0"}, nil, "--students must be at least 1"},
		{[]string{"demo", "--exams", "0"}, nil, "--exams must be at least 1"},
		{[]string{"demo", "--attempts", "-5"}, nil, "--attempts must not be negative"},
		{[]string{"demo"}, map[string]string{"EXAMHALL_MAX_QUESTIONS": "-1"}, "--max-questions must not be negative"},
		{[]string{"serve", "--max-connections", "-1"}, nil, "--max-connections must not be negative"},
		{[]string{"serve", "--trusted-proxies", "10.0.0.0/8,lb"}, nil, `"lb" is not an address or CIDR`},
		{[]string{"serve", "--login-failures-per-user", "0"}, nil, "--login-failures-per-user must be positive"},
		{[]string{"serve", "--sqlite-synchronous", "always"}, nil, `--sqlite-synchronous: want normal or full, got "always"`},
		{[]string{"serve"}, map[string]string{"EXAMHALL_WRITE_QUEUE": "0"}, "--write-queue must be at least 1"},
		{[]string{"serve", "--login-failures-per-user-address", "-1"}, nil, "--login-failures-per-user-address must be positive"},
		{[]string{"serve"}, map[string]string{"EXAMHALL_LOGIN_FAILURES_PER_ADDRESS": "0"}, "--login-failures-per-address must be positive"},
		{[]string{"serve"}, map[string]string{"EXAMHALL_TOKEN_LIFETIME": "-1h"}, "--token-lifetime must be positive"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--url", "http://192.0.2.10:8080"}, nil,
			"192.0.2.10 is not a loopback address; loadtest targets only this machine unless given --allow-remote"},
		{[]string{"loadtest", "--admin-username", "a"}, nil, "--admin-username and --admin-password are required"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p"}, map[string]string{"EXAMHALL_STUDENTS": "0"}, "--students must be at least 1"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--questions", "300"}, nil, "--questions must be between 1 and 250"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--timeout", "30s"}, nil, "--timeout (30s) must exceed --ramp + --hold (40s)"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--save-every", "soon"}, nil, `--save-every: "soon" is not a duration such as 30s or 5m`},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--max-retries", "-1"}, nil, "--max-retries must not be negative"},
		{[]string{"loadtest", "--admin-username", "a", "--admin-password", "p"}, map[string]string{"EXAMHALL_MAX_RETRIES": "-2"}, "--max-retries must not be negative"},
		{[]string{"loadtest", "--db", "examhall.db"}, nil, "flag provided but not defined: -db"},
	}
	for _, tt := range bad {
		_, err := ParseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q) error = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestParseLoadtestConfig(t *testing.T) {
	env := map[string]string{"EXAMHALL_ADMIN_PASSWORD": "secret", "EXAMHALL_SAVE_EVERY": "0s", "EXAMHALL_URL": "http://localhost:9000"}
	c, err := ParseConfig([]string{"loadtest", "--admin-username", "root", "--students", "10000", "--json", "out.json"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	lt := c.LoadTest
	if lt.AdminUsername != "root" || lt.AdminPassword != "secret" || lt.Students != 10000 || lt.SaveEvery != 0 ||
		lt.URL != "http://localhost:9000" || lt.Questions != 20 || lt.Ramp != 10*time.Second || lt.Hold != 30*time.Second ||
		lt.HeartbeatEvery != 30*time.Second || lt.Timeout != 10*time.Minute || lt.LoginConcurrency != 32 || lt.MaxRetries != 10 || c.JSONPath != "out.json" {
		t.Errorf("loadtest config = %+v", c)
	}
	c, err = ParseConfig([]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--url", "http://192.0.2.10:8080", "--allow-remote"},
		func(string) string { return "" }, io.Discard)
	if err != nil || !c.LoadTest.AllowRemote {
		t.Errorf("--allow-remote: %+v, %v", c.LoadTest, err)
	}
	c, err = ParseConfig([]string{"loadtest", "--admin-username", "a", "--admin-password", "p", "--max-retries", "0"},
		func(k string) string { return map[string]string{"EXAMHALL_MAX_RETRIES": "3"}[k] }, io.Discard)
	if err != nil || c.LoadTest.MaxRetries != 0 {
		t.Errorf("--max-retries 0 over EXAMHALL_MAX_RETRIES=3: %d, %v", c.LoadTest.MaxRetries, err)
	}
	c, err = ParseConfig([]string{"loadtest", "--admin-username", "a", "--admin-password", "p"},
		func(k string) string { return map[string]string{"EXAMHALL_MAX_RETRIES": "3"}[k] }, io.Discard)
	if err != nil || c.LoadTest.MaxRetries != 3 {
		t.Errorf("EXAMHALL_MAX_RETRIES=3: %d, %v", c.LoadTest.MaxRetries, err)
	}
}

// examhall loadtest against examhall serve: the report on stdout and as JSON,
// and no database of its own.
func TestLoadtestCommand(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "secret", "--bcrypt-cost", "4")
	server, _ := start(t, "--db", dsn)
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	dir := t.TempDir()
	t.Chdir(dir) // a database opened by mistake would appear here
	out := run(t, "loadtest", "--url", server.URL(), "--admin-username", "root", "--admin-password", "secret",
		"--students", "3", "--questions", "2", "--ramp", "200ms", "--save-every", "100ms", "--hold", "1s", "--json", jsonPath)
	for _, want := range []string{`3 students, 3 logged in`, `\n  endpoint +count +errors +req/s +p50 ms +p95 ms +p99 ms +max ms +retries\n`,
		`\n  start +3 +0 .* 0\n`, `\n  save +\d+ +0 `, `\n  end +3 +0 `} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the report lacks %s:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Students  int
		Endpoints []struct {
			Name  string
			Count int
		}
	}
	if err := json.Unmarshal(raw, &report); err != nil || report.Students != 3 || len(report.Endpoints) != 5 {
		t.Errorf("JSON report: %v\n%s", err, raw)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("loadtest left files behind: %v", entries)
	}
}

// run runs one examhall command to its end and returns what it printed.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, io.Discard
	if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("examhall %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

// start starts examhall serve on a free loopback port.
func start(t *testing.T, args ...string) (*Main, string) {
	t.Helper()
	var out bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, io.Discard
	if err := m.ParseFlags(append([]string{"serve", "--addr", "127.0.0.1:0", "--bcrypt-cost", "4"}, args...), func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, out.String()
}

func login(t *testing.T, baseURL, username, password string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(baseURL+"/api/v2.5/auth-token/", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&v) //nolint:errcheck // checked by the callers through the token
	return resp.StatusCode, v.Token
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "JWT "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCommands drives the real program on each engine: migrate, createadmin,
// two serve replicas on one database, and shutdown.
func TestCommands(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			if out := run(t, "migrate", "--db", dsn); out != "examhall: "+string(engine)+" database at schema version 11\n" {
				t.Errorf("migrate printed %q", out)
			}
			if out := run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "first", "--bcrypt-cost", "4"); out != "examhall: admin \"root\" created\n" {
				t.Errorf("createadmin printed %q", out)
			}
			if out := run(t, "createadmin", "--db", dsn, "--username", "ROOT", "--password", "second", "--bcrypt-cost", "4"); out != "examhall: admin \"ROOT\" updated\n" {
				t.Errorf("second createadmin printed %q", out)
			}

			one, out := start(t, "--db", dsn, "--timezone", "Asia/Kolkata")
			if !regexp.MustCompile(`^examhall listening on http://127\.0\.0\.1:\d+\nexamhall: only this machine can connect; .*\n$`).MatchString(out) {
				t.Errorf("serve printed %q", out)
			}
			if status, _ := login(t, one.URL(), "root", "first"); status != 400 {
				t.Errorf("old password: status %d", status)
			}
			status, token := login(t, one.URL(), "root", "second")
			if status != 200 || token == "" {
				t.Fatalf("login: status %d", status)
			}
			// A second replica on the same database shares the generated secret and the time zone.
			two, _ := start(t, "--db", dsn)
			status, body := get(t, two.URL()+"/api/v2.5/admin/users/1/", token)
			if status != 200 || !strings.Contains(body, `"username":"root"`) || !strings.Contains(body, `+05:30"`) {
				t.Errorf("token of replica one at replica two: %d %s", status, body)
			}
			if err := two.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := http.Get(two.URL() + "/healthz"); err == nil {
				t.Error("replica two still answers after Close")
			}
			if status, _ := get(t, one.URL()+"/readyz", ""); status != 200 {
				t.Errorf("replica one after replica two closed: %d", status)
			}
		})
	}
}

func TestServeDemo(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	m, out := start(t, "--db", dsn, "--demo")
	match := regexp.MustCompile(`examhall: admin login: username admin, password (\S+)\n`).FindStringSubmatch(out)
	if match == nil {
		t.Fatalf("serve --demo printed %q", out)
	}
	status, token := login(t, m.URL(), "admin", match[1])
	if status != 200 {
		t.Fatalf("demo admin login: %d", status)
	}
	if status, _ := get(t, m.URL()+"/api/v2.5/admin/users/", token); status != 200 {
		t.Errorf("demo admin on admin path: %d", status)
	}
	// The demo institute is there, and its students can log in.
	status, body := get(t, m.URL()+"/api/v2.5/admin/attempts/?page_size=1", token)
	if status != 200 || !strings.HasPrefix(body, `{"count":2000,`) {
		t.Errorf("demo attempts: %d %.80s", status, body)
	}
	student := regexp.MustCompile(`students log in as (student000001) … student000200 with password (\S+)\n`).FindStringSubmatch(out)
	if student == nil {
		t.Fatalf("serve --demo printed %q", out)
	}
	if status, _ := login(t, m.URL(), student[1], student[2]); status != 200 {
		t.Errorf("demo student login: %d", status)
	}
	m.Close()
	_, out = start(t, "--db", dsn, "--demo")
	if !strings.Contains(out, "already has users; the admin login is unchanged") ||
		!strings.Contains(out, "already has exams or students; no demo data loaded") {
		t.Errorf("second serve --demo printed %q", out)
	}
}

// examhall demo loads an institute of the size asked for into an empty
// database, and refuses one that has exams or students.
func TestDemoCommand(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	out := run(t, "demo", "--db", dsn, "--students", "30", "--exams", "4", "--attempts", "150", "--max-questions", "3")
	if !regexp.MustCompile(`demo institute loaded in \S+: 30 students, 15 subjects, 4 exams \(\d+ questions\), 2 courses, 150 attempts`).MatchString(out) {
		t.Fatalf("demo printed %q", out)
	}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	if err := m.ParseFlags([]string{"demo", "--db", dsn}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "already has exams or students") {
		t.Fatalf("a second demo: %v", err)
	}
}

// A secret given in the configuration is used as is and not stored.
func TestConfiguredSecret(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	m, _ := start(t, "--db", dsn, "--jwt-secret", "configured")
	if _, ok, err := m.db.Setting(context.Background(), examhall.SettingJWTSecret); ok || err != nil {
		t.Errorf("configured secret was stored: ok=%v err=%v", ok, err)
	}
}

func TestImportCommand(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	bundlePath := "../../sqlstore/testdata/bundle.json"
	out := run(t, "import", "--db", dsn, "--bcrypt-cost", "4", "--dry-run", bundlePath)
	if !strings.Contains(out, "checked (dry run, nothing imported)") || !strings.Contains(out, "attempts  2 created, 0 updated, 0 unchanged") {
		t.Errorf("dry run printed %q", out)
	}
	want := "examhall: " + bundlePath + " imported\n" +
		"  users     2 created, 0 updated, 0 unchanged\n" +
		"  subjects  2 created, 0 updated, 0 unchanged\n" +
		"  exams     1 created, 0 updated, 0 unchanged\n" +
		"  courses   0 created, 0 updated, 0 unchanged\n" +
		"  attempts  2 created, 0 updated, 0 unchanged\n"
	if out := run(t, "import", "--db", dsn, "--bcrypt-cost", "4", bundlePath); out != want {
		t.Errorf("import printed %q", out)
	}
	if out := run(t, "import", "--db", dsn, "--bcrypt-cost", "4", bundlePath); !strings.Contains(out, "attempts  0 created, 0 updated, 2 unchanged") {
		t.Errorf("second import printed %q", out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format": "examhall-bundle/1", "users": [{"username": "x", "role": "king"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	if err := m.ParseFlags([]string{"import", "--db", dsn, bad}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || err.Error() != "the bundle was not imported:\n  users[0] \"x\".role: \"king\" is not a valid choice. Valid choices: admin, staff, student." {
		t.Errorf("bad bundle: %v", err)
	}
}

// serve answers only the hosts it is told of (--allowed-hosts, default the
// --base-url host) and loopback names: an unauthenticated admin request gets
// 401 for those, 400 for any other Host header.
func TestServeAllowedHosts(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		allowed []string
		refused []string
	}{
		{[]string{"--base-url", "https://exams.example.com/x"}, []string{"exams.example.com", "localhost:8080"},
			[]string{"evil.invalid", "lan.example"}},
		{[]string{"--base-url", "https://exams.example.com", "--allowed-hosts", "lan.example, .example.org"},
			[]string{"lan.example", "a.example.org", "127.0.0.1"}, []string{"exams.example.com", "evil.invalid"}},
		{nil, []string{"localhost", "[::1]:80"}, []string{"exams.example.com", "192.0.2.1"}},
	} {
		m, _ := start(t, append([]string{"--db", sqltest.DSN(t, sqlstore.SQLite)}, tt.args...)...)
		for _, host := range append(tt.allowed, tt.refused...) {
			req, _ := http.NewRequest("GET", m.URL()+"/api/v2.5/admin/users/", nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := 401
			if slices.Contains(tt.refused, host) {
				want = 400
			}
			if resp.StatusCode != want {
				t.Errorf("%v: Host %s: %d, want %d", tt.args, host, resp.StatusCode, want)
			}
		}
	}
}

// The pprof listener has the API listener's timeouts, and serves profiles up
// to its write timeout (issue 10, fault 11: it had none).
func TestPprofListener(t *testing.T) {
	m, _ := start(t, "--db", sqltest.DSN(t, sqlstore.SQLite), "--pprof-addr", "127.0.0.1:0")
	s := m.pprofServer
	if s.ReadHeaderTimeout != 10*time.Second || s.ReadTimeout != 10*time.Second || s.IdleTimeout != 120*time.Second ||
		s.WriteTimeout != pprofMaxSeconds*time.Second {
		t.Errorf("pprof timeouts: header %v, read %v, write %v, idle %v", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout)
	}
}

// TestImportCommandStrictJSON: `examhall import [--dry-run]` refuses a file
// that is not exactly one bundle, or repeats a key, and imports nothing.
func TestImportCommandStrictJSON(t *testing.T) {
	dsn := sqltest.DSN(t, sqlstore.SQLite)
	raw, err := os.ReadFile("../../sqlstore/testdata/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       string
	}{
		{"two bundles", string(raw) + string(raw),
			"non_field_errors: JSON parse error - extra data after the JSON value at byte " + strconv.Itoa(len(raw)) + "."},
		{"trailing garbage", string(raw) + "x", "non_field_errors: JSON parse error - extra data after the JSON value at byte " + strconv.Itoa(len(raw)) + "."},
		{"duplicated key", strings.Replace(string(raw), `"role": "student", "password"`, `"role": "student", "role": "staff", "password"`, 1),
			`users[0] "asha".role: This key appears more than once in its object.`},
		{"bad decimal", strings.Replace(string(raw), `"marks": "10.00"`, `"marks": "ten"`, 1),
			`exams[0] "mock-1".sections[0].questions[3] "q-004".marks: A valid number is required.`},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "bundle.json")
		if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"import", "--db", dsn, "--dry-run", path}, {"import", "--db", dsn, path}} {
			m := NewMain()
			m.Stdout, m.Stderr = io.Discard, io.Discard
			if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
			err := m.Run(context.Background())
			m.Close()
			if want := "the bundle was not imported:\n  " + tt.want; err == nil || err.Error() != want {
				t.Errorf("%s: %s: %v\nwant %s", tt.name, strings.Join(args, " "), err, want)
			}
		}
	}
	if out := run(t, "import", "--db", dsn, "--bcrypt-cost", "4", "--dry-run", "../../sqlstore/testdata/bundle.json"); !strings.Contains(out, "users     2 created") {
		t.Errorf("a refused file imported something: %s", out)
	}
}
