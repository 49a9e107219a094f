package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
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

		checkStormAttempts(t, url, report.ExamID)

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

// Which write a request is, for the shedding middlewares below.
func writeKind(r *http.Request) string {
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v2.2/exams/") && strings.HasSuffix(r.URL.Path, "/attempts/"):
		return loadtest.EndpointStart
	case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/questions/"):
		return loadtest.EndpointSave
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/heartbeat/"):
		return loadtest.EndpointHeartbeat
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/end/"):
		return loadtest.EndpointEnd
	}
	return ""
}

// unavailable answers as the server's admission control does when its write
// queue is full; retryAfter "" leaves the header out.
func unavailable(w http.ResponseWriter, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `{"detail": "The server is busy; try again shortly."}`) //nolint:errcheck // the client reads what it gets
}

// A server shedding load: the first 3 starts, 6 saves and 1 end are answered
// 503 with Retry-After. The students wait and send them again, and the run
// is clean: those requests succeed, count once, and show as retries, not
// errors; every attempt ends completed with its answers.
func TestRetryAfter(t *testing.T) {
	sqltest.Engines(t, examhall.SystemClock{}, func(t *testing.T, db *sqlstore.DB) {
		shed := map[string]int64{loadtest.EndpointStart: 3, loadtest.EndpointSave: 6, loadtest.EndpointEnd: 1}
		var mu sync.Mutex
		seen := map[string]int64{} // requests by kind, shed or not
		url := serve(t, db, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				kind := writeKind(r)
				mu.Lock()
				seen[kind]++
				refuse := seen[kind] <= shed[kind]
				mu.Unlock()
				if refuse {
					unavailable(w, "1")
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		cfg := config(url)
		var waits []time.Duration
		cfg.RetryWait = func(retryAfter time.Duration) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, retryAfter)
			return retryAfter / 50 // 20 ms: the test stays fast
		}
		report, err := loadtest.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		if err := report.Text(&text); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + text.String())
		if report.Errors() != 0 || report.TimedOut || report.Cancelled != 0 || report.Abandoned != 0 {
			t.Fatalf("the storm did not run clean:\n%s", text.String())
		}
		for name, want := range shed {
			e := report.Endpoint(name)
			if e.Retries != want || e.GaveUp != 0 || e.Failed != 0 || e.Unavailable.Count != want {
				t.Errorf("%s: %d retries, %d gave up, %d failed, %d 503s; want %d retries, no failure",
					name, e.Retries, e.GaveUp, e.Failed, e.Unavailable.Count, want)
			}
			// One request however often it was sent.
			if got := seen[name] - want; e.Count != got {
				t.Errorf("%s: %d requests counted, %d reached the server", name, e.Count, got)
			}
			// Its latency runs from its first attempt: the wait is in it.
			if e.Max < 20 {
				t.Errorf("%s: the slowest request took %.2f ms, less than the 20 ms wait", name, e.Max)
			}
		}
		if got := report.Endpoint(loadtest.EndpointStart).Count; got != 5 {
			t.Errorf("%d starts, want 5", got)
		}
		if got := report.Endpoint(loadtest.EndpointEnd).Count; got != 5 {
			t.Errorf("%d ends, want 5", got)
		}
		if report.Retries() != 10 || report.Unavailable.Count != 10 || report.Unavailable.P99 <= 0 ||
			report.Unavailable.P99 > report.Unavailable.Max {
			t.Errorf("%d retries, 503s overall %+v; want 10", report.Retries(), report.Unavailable)
		}
		if len(waits) != 10 || slices.ContainsFunc(waits, func(d time.Duration) bool { return d != time.Second }) {
			t.Errorf("waited for Retry-After %v, want 1 s ten times", waits)
		}
		for _, want := range []string{"503 answers (server overloaded)", "counts that request once, timed from its first"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("the report lacks %q", want)
			}
		}

		// Each student started once and ended completed, with answers.
		checkStormAttempts(t, url, report.ExamID)

		// The JSON report carries the retries and the 503s' own latencies.
		var out bytes.Buffer
		if err := report.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			Unavailable struct {
				Count int64
				P99   float64 `json:"p99_ms"`
			}
			Endpoints []struct {
				Name        string
				Retries     int64
				GaveUp      int64 `json:"gave_up"`
				Unavailable struct{ Count int64 }
			}
		}
		if err := json.Unmarshal(out.Bytes(), &parsed); err != nil || parsed.Unavailable.Count != 10 || parsed.Unavailable.P99 <= 0 {
			t.Fatalf("JSON report %s: %v", out.String(), err)
		}
		for _, e := range parsed.Endpoints {
			if e.Retries != shed[e.Name] || e.Unavailable.Count != shed[e.Name] || e.GaveUp != 0 {
				t.Errorf("JSON report, %s: %+v", e.Name, e)
			}
		}
	})
}

// Retries are bounded: a save answered 503 every time gives up after
// --max-retries; an end asked to come back after the request timeout gives
// up at once; a 503 without Retry-After is an error as it always was. All
// three are errors under 503, the shed saves' attempts counted as retries.
func TestRetryBounds(t *testing.T) {
	db := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
	var mu sync.Mutex
	seen := map[string]int64{}
	url := serve(t, db, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			kind := writeKind(r)
			mu.Lock()
			seen[kind]++
			mu.Unlock()
			switch kind {
			case loadtest.EndpointSave:
				unavailable(w, "1")
			case loadtest.EndpointEnd:
				unavailable(w, "3600")
			case loadtest.EndpointHeartbeat:
				unavailable(w, "")
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	cfg := config(url)
	cfg.Students, cfg.Ramp, cfg.Hold, cfg.Readers = 2, 0, time.Second, 0
	cfg.HeartbeatEvery, cfg.SaveEvery = 200*time.Millisecond, 200*time.Millisecond
	cfg.MaxRetries = 2
	cfg.RetryWait = func(retryAfter time.Duration) time.Duration { return retryAfter / 50 }
	report, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := report.Text(&text); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + text.String())
	if report.TimedOut || report.Cancelled != 0 || report.Abandoned != 2 {
		t.Errorf("timed out %v, cancelled %d, abandoned %d; want the 2 students stopped by their failed ends",
			report.TimedOut, report.Cancelled, report.Abandoned)
	}

	save := report.Endpoint(loadtest.EndpointSave)
	if save.Count == 0 || save.Failed != save.Count || save.Errors[503] != save.Count || save.GaveUp != save.Count ||
		save.Retries != 2*save.Count || save.Unavailable.Count != 3*save.Count || seen[loadtest.EndpointSave] != 3*save.Count {
		t.Errorf("save: %+v; the server saw %d; want every save sent 3 times and failed", save, seen[loadtest.EndpointSave])
	}
	if !strings.Contains(save.ErrorSamples[503], "still unavailable after 2 retries (--max-retries)") {
		t.Errorf("save error: %q", save.ErrorSamples[503])
	}

	end := report.Endpoint(loadtest.EndpointEnd)
	if end.Count != 2 || end.Failed != 2 || end.GaveUp != 2 || end.Retries != 0 || seen[loadtest.EndpointEnd] != 2 {
		t.Errorf("end: %+v; the server saw %d; want 2 sent once each and failed", end, seen[loadtest.EndpointEnd])
	}
	if !strings.Contains(end.ErrorSamples[503], "would pass the 1m0s request timeout") {
		t.Errorf("end error: %q", end.ErrorSamples[503])
	}

	beat := report.Endpoint(loadtest.EndpointHeartbeat)
	if beat.Count == 0 || beat.Failed != beat.Count || beat.Errors[503] != beat.Count || beat.Retries != 0 || beat.GaveUp != 0 ||
		beat.Unavailable.Count != beat.Count {
		t.Errorf("heartbeat: %+v; want every one failed at once", beat)
	}
	if report.Retries() != save.Retries || report.Unavailable.Count != save.Unavailable.Count+end.Count+beat.Count {
		t.Errorf("%d retries, %d 503s in all", report.Retries(), report.Unavailable.Count)
	}
}

// A student waiting out a Retry-After stops when the run does: the request
// is cut short, not an error, and the run ends on time.
func TestRetryStopsWithRun(t *testing.T) {
	db := sqltest.MustOpen(t, sqlstore.SQLite, examhall.SystemClock{})
	url := serve(t, db, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if writeKind(r) == loadtest.EndpointEnd {
				unavailable(w, "20")
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	cfg := config(url)
	cfg.Students, cfg.Ramp, cfg.Hold, cfg.Readers = 2, 0, 200*time.Millisecond, 0
	cfg.Timeout = 2 * time.Second
	began := time.Now()
	report, err := loadtest.Run(context.Background(), cfg) // the real jitter: 20 to 40 s
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("the run took %s with a 2 s timeout", took)
	}
	end := report.Endpoint(loadtest.EndpointEnd)
	if !report.TimedOut || report.Cancelled != 2 || report.Errors() != 0 || end.Retries != 2 || end.Count != 0 {
		t.Errorf("timed out %v, cancelled %d, errors %d, end %+v", report.TimedOut, report.Cancelled, report.Errors(), end)
	}
}

// checkStormAttempts checks that each of the 5 students of a storm has one
// attempt of the exam, completed with its answers saved (3 questions).
func checkStormAttempts(t *testing.T, url string, examID int64) {
	t.Helper()
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
	adminGet(t, url, "/api/v2.5/admin/attempts/?exams="+strconv.FormatInt(examID, 10), &attempts)
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
}
