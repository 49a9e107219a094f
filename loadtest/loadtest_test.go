package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/examhall/examhall"
	"github.com/examhall/examhall/auth"
	"github.com/examhall/examhall/httpapi"
	"github.com/examhall/examhall/loadtest"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
	"golang.org/x/crypto/bcrypt"
)

const adminPassword = "admin-secret"

// serve runs a real examhall API on db, on a loopback port, with the admin
// "admin". wrap, when not nil, wraps its handler.
func serve(t *testing.T, db *sqlstore.DB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	clock := examhall.SystemClock{}
	authService := &auth.Service{
		Users: db, Failures: db, Clock: clock,
		Tokens:    auth.NewTokens([]byte("test-secret"), time.Hour, clock),
		Passwords: &auth.Passwords{Cost: bcrypt.MinCost},
		Limits:    auth.LoginLimits{PerUserAddress: 5, PerUser: 20, PerAddress: 100, Window: 15 * time.Minute},
	}
	if _, err := authService.EnsureAdmin(context.Background(), "admin", adminPassword, "admin@example.com"); err != nil {
		t.Fatal(err)
	}
	api := &httpapi.Server{
		Auth: authService, Users: db, Exams: db, Attempts: db, Import: db, Reports: db, Courses: db, ContentReports: db, DB: db,
		MaxBodyBytes: 1 << 20, MaxImportBytes: 1 << 24,
		Institute: db,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	handler := api.Handler()
	if wrap != nil {
		handler = wrap(handler)
	}
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return server.URL
}

func config(url string) loadtest.Config {
	c := loadtest.DefaultConfig()
	c.URL, c.AdminUsername, c.AdminPassword = url, "admin", adminPassword
	c.Students, c.Questions = 5, 3
	// A hold long enough that every student saves and heartbeats even under
	// the race detector, which slows bcrypt and SQLite some thirtyfold.
	c.Ramp, c.SaveEvery, c.HeartbeatEvery, c.Hold = 500*time.Millisecond, 100*time.Millisecond, 500*time.Millisecond, 3*time.Second
	c.Readers, c.Seed, c.Timeout = 1, 7, 30*time.Second
	return c
}

// adminGet decodes an admin API answer.
func adminGet(t *testing.T, url, path string, out any) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": adminPassword})
	resp, err := http.Post(url+"/api/v2.5/auth-token/", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var token struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&token)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, url+path, nil)
	req.Header.Set("Authorization", "JWT "+token.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// A small storm against a real server: every student starts, saves, ends;
// the server's reporting API then shows their completed attempts.
func TestStorm(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		url := serve(t, db, nil)
		cfg := config(url)
		report, err := loadtest.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		if err := report.Text(&text); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + text.String())
		if report.Errors() != 0 || report.TimedOut || report.Cancelled != 0 || report.Abandoned != 0 || report.LoggedIn != 5 {
			t.Fatalf("the storm did not run clean:\n%s", text.String())
		}
		for name, want := range map[string]int64{loadtest.EndpointLogin: 5, loadtest.EndpointStart: 5,
			loadtest.EndpointQuestions: 5, loadtest.EndpointEnd: 5} {
			if got := report.Endpoint(name).Count; got != want {
				t.Errorf("%s: %d requests, want %d", name, got, want)
			}
		}
		// Every student saves and heartbeats (the attempts below show the
		// answers); how often depends on the machine.
		if got := report.Endpoint(loadtest.EndpointSave).Count; got < 5 {
			t.Errorf("%d saves, want at least 5", got)
		}
		if got := report.Endpoint(loadtest.EndpointHeartbeat).Count; got < 5 {
			t.Errorf("%d heartbeats, want at least 5", got)
		}
		if report.SteadySaves == 0 || report.SteadySavesPerSecond <= 0 {
			t.Errorf("steady phase: %d saves, %.1f/s", report.SteadySaves, report.SteadySavesPerSecond)
		}
		if save := report.Endpoint(loadtest.EndpointSave); save.P50 <= 0 || save.P50 > save.P99 || save.P99 > save.Max || save.PerSecond <= 0 {
			t.Errorf("save latencies: %+v", save)
		}
		for _, name := range []string{loadtest.EndpointAdminList, loadtest.EndpointAdminExamList} {
			if report.Endpoint(name).Count == 0 {
				t.Errorf("the reader never requested %s", name)
			}
		}

		var attempts struct {
			Count   int
			Results []struct {
				State      string
				UserID     int64 `json:"user_id"`
				Unanswered int   `json:"unanswered_count"`
				Correct    int   `json:"correct_answers_count"`
				Incorrect  int   `json:"incorrect_answers_count"`
			}
		}
		adminGet(t, url, "/api/v2.5/admin/attempts/?exams="+strconv.FormatInt(report.ExamID, 10), &attempts)
		users := map[int64]bool{}
		for _, a := range attempts.Results {
			users[a.UserID] = true
			if a.State != "Completed" || a.Unanswered > 2 || a.Correct+a.Incorrect+a.Unanswered != 3 {
				t.Errorf("attempt %+v: want Completed with answers saved", a)
			}
		}
		if attempts.Count != 5 || len(users) != 5 {
			t.Errorf("the exam has %d attempts of %d students, want 5 of 5", attempts.Count, len(users))
		}

		// The report is JSON that scripts can read.
		var out bytes.Buffer
		if err := report.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			Exam      string
			Endpoints []struct {
				Name   string
				Count  int64
				Errors map[string]int64
				P99    float64 `json:"p99_ms"`
			}
		}
		if err := json.Unmarshal(out.Bytes(), &parsed); err != nil || parsed.Exam != report.Exam ||
			len(parsed.Endpoints) != len(report.Endpoints) || parsed.Endpoints[0].Name != "login" || parsed.Endpoints[0].P99 <= 0 {
			t.Errorf("JSON report %s: %v", out.String(), err)
		}
	})
}

// --cleanup removes the run's students and exam; a second run does not
// collide with the first. Saves back to back exercise the closed loop.
func TestCleanup(t *testing.T) {
	db := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
	url := serve(t, db, nil)
	cfg := config(url)
	cfg.Students, cfg.Ramp, cfg.SaveEvery, cfg.Hold, cfg.Readers = 2, 0, 0, 200*time.Millisecond, 0
	kept, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cleanup, cfg.Hold = true, time.Second
	report, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if report.RunID == kept.RunID || report.Errors() != 0 {
		t.Fatalf("second run %s after %s: %d errors", report.RunID, kept.RunID, report.Errors())
	}
	if c := report.Cleanup; c == nil || c.StudentsDeleted != 2 || !c.ExamDeleted || c.Error != "" {
		t.Fatalf("cleanup: %+v", c)
	}
	if saves := report.Endpoint(loadtest.EndpointSave).Count; saves < 2 {
		t.Errorf("back-to-back saves: only %d in 1 s", saves)
	}
	var users struct{ Count int }
	adminGet(t, url, "/api/v2.5/admin/users/?q=lt"+report.RunID, &users)
	if users.Count != 0 {
		t.Errorf("%d students of the cleaned-up run remain", users.Count)
	}
	if status := adminGet(t, url, "/api/v2.2/exams/"+report.Exam+"/", nil); status != http.StatusNotFound {
		t.Errorf("the cleaned-up exam answers %d", status)
	}
	adminGet(t, url, "/api/v2.5/admin/users/?q=lt"+kept.RunID, &users)
	if users.Count != 2 {
		t.Errorf("the first run (no cleanup) has %d students left, want 2", users.Count)
	}
}

// The timeout stops a storm whose end hangs: the report says so, and the
// requests it cut short are not counted as server errors.
func TestTimeout(t *testing.T) {
	db := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
	release := make(chan struct{})
	url := serve(t, db, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/end/") {
				<-release
			}
			next.ServeHTTP(w, r)
		})
	})
	t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
	cfg := config(url)
	cfg.Students, cfg.Ramp, cfg.Hold, cfg.Readers = 2, 0, 200*time.Millisecond, 0
	cfg.Timeout = 2 * time.Second
	began := time.Now()
	report, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("the run took %s with a 2 s timeout", took)
	}
	if !report.TimedOut || report.Cancelled != 2 || report.Errors() != 0 || report.Abandoned != 2 {
		t.Errorf("timed out %v, cancelled %d, errors %d, abandoned %d", report.TimedOut, report.Cancelled, report.Errors(), report.Abandoned)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	for _, target := range []string{"http://127.0.0.1:8080", "http://[::1]:8080/", "http://localhost:8080"} {
		if err := loadtest.CheckTarget(ctx, target, false); err != nil {
			t.Errorf("%s: %v", target, err)
		}
	}
	err := loadtest.CheckTarget(ctx, "http://192.0.2.10:8080", false)
	if err == nil || !strings.Contains(err.Error(), "192.0.2.10 is not a loopback address") || !strings.Contains(err.Error(), "--allow-remote") {
		t.Errorf("remote target: %v", err)
	}
	if err := loadtest.CheckTarget(ctx, "http://192.0.2.10:8080", true); err != nil {
		t.Errorf("remote target with --allow-remote: %v", err)
	}
	// Run refuses before it sends anything.
	cfg := config("http://192.0.2.10:8080")
	if _, err := loadtest.Run(ctx, cfg); err == nil || !strings.Contains(err.Error(), "--allow-remote") {
		t.Errorf("Run against a remote target: %v", err)
	}

	bad := []struct {
		change func(*loadtest.Config)
		want   string
	}{
		{func(c *loadtest.Config) { c.URL = "127.0.0.1:8080" }, "--url: want http(s)://host"},
		{func(c *loadtest.Config) { c.AdminPassword = "" }, "--admin-username and --admin-password are required"},
		{func(c *loadtest.Config) { c.Students = 0 }, "--students must be at least 1"},
		{func(c *loadtest.Config) { c.Questions = 251 }, "--questions must be between 1 and 250"},
		{func(c *loadtest.Config) { c.SaveEvery = -time.Second }, "must not be negative"},
		{func(c *loadtest.Config) { c.HeartbeatEvery = 0 }, "--heartbeat-every must be positive"},
		{func(c *loadtest.Config) { c.Readers = -1 }, "--readers must not be negative"},
		{func(c *loadtest.Config) { c.LoginConcurrency = 0 }, "--concurrency-login must be at least 1"},
		{func(c *loadtest.Config) { c.Ramp, c.Hold, c.Timeout = time.Second, time.Second, 2*time.Second }, "--timeout (2s) must exceed --ramp + --hold (2s)"},
	}
	for _, tt := range bad {
		cfg := config("http://127.0.0.1:8080")
		tt.change(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want %q", err, tt.want)
		}
	}
}
