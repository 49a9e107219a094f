// Package loadtest simulates an exam morning against a running examhall
// server: N students log in, start the same exam within a ramp window, save
// answers at a set rate, heartbeat, and end at one common moment, while
// optional admin readers page through the reporting API. It reports
// throughput, latency percentiles and errors per endpoint, and apart from
// the errors the 503 answers with Retry-After that it waited out and
// retried, as a real client would.
//
// It speaks only the public HTTP API (SPEC §3, §6, §8, §9), never the
// database, so it measures what students and integrations see and works
// against any replica set. Because it creates users and an exam, it refuses
// any target that is not this machine unless told AllowRemote.
//
// Setup, in one import request (POST /api/v2.5/admin/import/): students
// lt<run>-00001… and a published exam loadtest-<run> with single-choice
// questions of four options, open from an hour ago for a day (and longer than
// the run), one attempt per student. The run id is random, so runs never
// collide. Every student of a run shares one random password whose bcrypt
// hash is made once at bcrypt.MinCost and imported as password_hash: the
// server neither hashes N passwords at its own cost on import nor spends its
// cost on each of N logins. These are throwaway accounts; the cheap hash is
// deliberate and does not weaken real users (use Cleanup to remove them).
package loadtest

import (
	"bytes"
	"context"
	cryptorand "crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
	"golang.org/x/crypto/bcrypt"
)

// Config is one run. Error messages name the flags of `examhall loadtest`,
// which map one to one onto these fields.
type Config struct {
	URL           string // the server's base URL
	AdminUsername string
	AdminPassword string

	Students  int
	Questions int // at most MaxQuestions: one page of an attempt's questions

	// Each student starts at a random offset within Ramp. SaveEvery is the
	// time between one student's answer saves; 0 saves back to back (a
	// closed loop, to find the highest sustained rate). Hold is the time
	// from the end of the ramp to the moment every student ends.
	Ramp           time.Duration
	SaveEvery      time.Duration
	HeartbeatEvery time.Duration
	Hold           time.Duration

	Readers int // admin goroutines reading the reporting API during the storm

	// Timeout bounds the whole run, setup and cleanup included; when it
	// fires everything stops and the report says so.
	Timeout     time.Duration
	AllowRemote bool
	Seed        uint64 // 0 picks one; the report shows the seed used

	LoginConcurrency int  // parallel logins (and deletions) outside the storm
	Cleanup          bool // delete the run's students and exam afterwards

	// MaxRetries bounds how often one request answered 503 with
	// Retry-After is sent again after the wait asked; past it, or past the
	// 60 s request timeout, that 503 is the request's error. 0 makes every
	// 503 an error.
	MaxRetries int
	// RetryWait turns a Retry-After into the wait before the retry; nil is
	// jitter, uniform in [retryAfter, 2×retryAfter). Tests shorten it.
	RetryWait func(retryAfter time.Duration) time.Duration

	Progress io.Writer // phase and progress lines; nil for none
}

// MaxQuestions is the largest page of attempt questions the server gives
// (SPEC §6), so that one request learns every item.
const MaxQuestions = 250

// requestTimeout bounds one request, from its first attempt to its final
// answer, retries and their waits included; the server's own write timeout
// is 60 s.
const requestTimeout = 60 * time.Second

// DefaultConfig is the configuration of `examhall loadtest` without flags.
func DefaultConfig() Config {
	return Config{URL: "http://127.0.0.1:8080", Students: 100, Questions: 20, Ramp: 10 * time.Second,
		SaveEvery: 5 * time.Second, HeartbeatEvery: 30 * time.Second, Hold: 30 * time.Second,
		Timeout: 10 * time.Minute, LoginConcurrency: 32, MaxRetries: 10}
}

// Validate checks the values of c, not the target (see CheckTarget).
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--url: want http(s)://host[:port][/path], got %q", c.URL)
	}
	switch {
	case c.AdminUsername == "" || c.AdminPassword == "":
		return errors.New("--admin-username and --admin-password are required: the run creates its students and exam through the admin API")
	case c.Students < 1:
		return errors.New("--students must be at least 1")
	case c.Questions < 1 || c.Questions > MaxQuestions:
		return fmt.Errorf("--questions must be between 1 and %d", MaxQuestions)
	case c.Ramp < 0 || c.SaveEvery < 0 || c.Hold < 0:
		return errors.New("--ramp, --save-every and --hold must not be negative")
	case c.HeartbeatEvery <= 0:
		return errors.New("--heartbeat-every must be positive")
	case c.Readers < 0:
		return errors.New("--readers must not be negative")
	case c.LoginConcurrency < 1:
		return errors.New("--concurrency-login must be at least 1")
	case c.MaxRetries < 0:
		return errors.New("--max-retries must not be negative")
	case c.Timeout <= c.Ramp+c.Hold:
		return fmt.Errorf("--timeout (%s) must exceed --ramp + --hold (%s), or the students never end", c.Timeout, c.Ramp+c.Hold)
	}
	return nil
}

// CheckTarget refuses a URL whose host resolves to anything but loopback
// addresses, unless allowRemote: a load test creates users and an exam and
// hammers the server, which must not happen to someone else's by a typo.
func CheckTarget(ctx context.Context, rawURL string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	host := u.Hostname()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("--url: cannot resolve %q: %w", host, err)
	}
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return fmt.Errorf("--url %s: %s is not a loopback address; loadtest targets only this machine unless given --allow-remote",
				rawURL, a.Unmap())
		}
	}
	return nil
}

// Run sets up, runs the storm, cleans up when asked and reports. An error
// means no storm could run (bad configuration, refused target, failed
// setup); a storm cut short by the timeout or by ctx is a report with
// TimedOut or Interrupted.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := CheckTarget(ctx, cfg.URL, cfg.AllowRemote); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	defer r.client.CloseIdleConnections()
	if err := r.setup(ctx); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (stopped by --timeout %s)", err, cfg.Timeout)
		}
		return nil, fmt.Errorf("setup: %w", err)
	}
	r.storm(ctx)
	if cfg.Cleanup {
		r.report.Cleanup = r.cleanup(ctx)
	}
	r.report.Cancelled = r.cancelled.Load()
	r.report.Endpoints, r.report.Unavailable = r.rec.stats()
	return &r.report, nil
}

// run is the state of one Run.
type run struct {
	cfg      Config
	base     string // cfg.URL without a trailing slash
	client   *http.Client
	rec      *recorder
	password string // every student's
	admin    string // the admin's token
	students []*student
	report   Report

	cancelled   atomic.Int64 // requests cut short by the timeout
	abandoned   atomic.Int64 // students who could not go on
	steadySaves atomic.Int64
}

type student struct {
	username string
	token    string
	rng      *rand.Rand
}

func newRun(cfg Config) (*run, error) {
	id := make([]byte, 5)
	if _, err := cryptorand.Read(id); err != nil {
		return nil, err
	}
	secret := make([]byte, 18)
	if _, err := cryptorand.Read(secret); err != nil {
		return nil, err
	}
	runID := strings.ToLower(base32.StdEncoding.EncodeToString(id)) // 8 characters a-z2-7
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	// One connection per student and reader, as their browsers and
	// integrations would have; HTTP/1.1 only for the same reason (a
	// custom transport does not attempt HTTP/2). No proxy: CheckTarget
	// vouched for the address the requests go to.
	conns := cfg.Students + cfg.Readers + 1
	client := &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		},
	}
	r := &run{cfg: cfg, base: strings.TrimSuffix(cfg.URL, "/"), client: client, rec: newRecorder(),
		password: base64.RawURLEncoding.EncodeToString(secret)}
	r.report = Report{RunID: runID, URL: cfg.URL, Seed: seed, Exam: "loadtest-" + runID, Students: cfg.Students,
		Questions: cfg.Questions, Readers: cfg.Readers, Ramp: cfg.Ramp, SaveEvery: cfg.SaveEvery,
		HeartbeatEvery: cfg.HeartbeatEvery, Hold: cfg.Hold}
	for i := range cfg.Students {
		r.students = append(r.students, &student{username: fmt.Sprintf("lt%s-%05d", runID, i+1),
			rng: rand.New(rand.NewPCG(seed, uint64(i)))})
	}
	return r, nil
}

func (r *run) progressf(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, "loadtest: "+format+"\n", args...)
	}
}

// requestError is a request that failed: a transport error (Status 0) or
// an answer other than 2xx.
type requestError struct {
	Status int
	Msg    string
}

func (e *requestError) Error() string {
	if e.Status == 0 {
		return e.Msg
	}
	return fmt.Sprintf("status %d: %s", e.Status, e.Msg)
}

// do sends one request (body as JSON when not nil) and reads the whole
// answer, timing it under endpoint; endpoint "" times nothing (the admin's
// setup and cleanup calls). It returns the body of a 2xx answer and an error
// for anything else. A request cut short by ctx is counted as cancelled,
// not as an error of the server.
//
// A 503 with Retry-After (the server's admission control: overloaded,
// nothing done, so even a start or an import is safe to send again) is
// waited out, jittered (see jitter), and the same request sent again, as a
// real client would. It stays one request: its latency runs from its first
// attempt to its final answer, waits included; each 503 is counted as a
// retry and timed on its own. After MaxRetries retries, or when the wait
// would outlast requestTimeout, the last 503 is the request's error. A 503
// without Retry-After is an error at once.
func (r *run) do(ctx context.Context, endpoint, method, path, token string, body any) ([]byte, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	// One deadline for the whole request: being asked to come back later
	// does not make a client wait longer for its answer.
	reqCtx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	first := time.Now()
	for retries := 0; ; retries++ {
		a, err := r.send(reqCtx, method, path, token, payload, body != nil)
		var failure *requestError
		switch {
		case err != nil && ctx.Err() != nil:
			r.cancelled.Add(1)
			return nil, err
		case err != nil && reqCtx.Err() != nil:
			failure = &requestError{Msg: fmt.Sprintf("no final answer within %s (%d retries): %v", requestTimeout, retries, err)}
		case err != nil:
			failure = &requestError{Msg: err.Error()}
		case a.status == http.StatusServiceUnavailable:
			if endpoint != "" {
				r.rec.unavailable(endpoint, a.took)
			}
			wait, ok := retryAfter(a.header, a.done)
			if !ok {
				failure = &requestError{Status: a.status, Msg: excerpt(a.body)}
				break
			}
			wait = r.retryWait(wait)
			switch {
			case retries >= r.cfg.MaxRetries:
				failure = &requestError{Status: a.status, Msg: fmt.Sprintf("still unavailable after %d retries (--max-retries): %s",
					retries, excerpt(a.body))}
			case a.done.Add(wait).After(first.Add(requestTimeout)):
				failure = &requestError{Status: a.status, Msg: fmt.Sprintf("a retry in %s would pass the %s request timeout (%d retries): %s",
					wait.Round(time.Millisecond), requestTimeout, retries, excerpt(a.body))}
			default:
				if endpoint != "" {
					r.rec.retry(endpoint)
				}
				if !sleepUntil(ctx, a.done.Add(wait)) {
					r.cancelled.Add(1)
					return nil, ctx.Err()
				}
				continue
			}
			if endpoint != "" {
				r.rec.gaveUp(endpoint)
			}
		case a.status < 200 || a.status > 299:
			failure = &requestError{Status: a.status, Msg: excerpt(a.body)}
		}
		if endpoint != "" {
			sample := ""
			if failure != nil {
				sample = failure.Msg
			}
			r.rec.record(endpoint, first, a.done.Sub(first), a.status, sample)
		}
		if failure != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, failure)
		}
		return a.body, nil
	}
}

// response is the answer to one attempt of a request, read whole.
type response struct {
	status int // 0 for a transport error
	header http.Header
	body   []byte
	took   time.Duration // from sending the request to reading the whole answer
	done   time.Time     // when the answer was read, or the attempt failed
}

// send makes one attempt of a request.
func (r *run) send(ctx context.Context, method, path, token string, payload []byte, isJSON bool) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, bytes.NewReader(payload))
	if err != nil {
		return response{done: time.Now()}, err
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "JWT "+token)
	}
	sent := time.Now()
	resp, err := r.client.Do(req)
	var a response
	if err == nil {
		a.status, a.header = resp.StatusCode, resp.Header
		a.body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	a.done = time.Now()
	a.took = a.done.Sub(sent)
	return a, err
}

// excerpt is an answer's body as an error message, cut short.
func excerpt(body []byte) string {
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// doJSON is do that decodes a 2xx answer into out.
func (r *run) doJSON(ctx context.Context, endpoint, method, path, token string, body, out any) error {
	answer, err := r.do(ctx, endpoint, method, path, token, body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("%s %s: unreadable answer: %w", method, path, err)
	}
	return nil
}

// setup logs the admin in, imports the students and the exam, finds the
// exam's id and logs every student in.
func (r *run) setup(ctx context.Context) error {
	var token struct{ Token string }
	credentials := map[string]string{"username": r.cfg.AdminUsername, "password": r.cfg.AdminPassword}
	if err := r.doJSON(ctx, "", http.MethodPost, "/api/v2.2/auth-token/", "", credentials, &token); err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	r.admin = token.Token

	hash, err := bcrypt.GenerateFromPassword([]byte(r.password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	r.progressf("importing %d students and exam %s", len(r.students), r.report.Exam)
	began := time.Now()
	if _, err := r.do(ctx, "", http.MethodPost, "/api/v2.5/admin/import/", r.admin, r.bundle(string(hash), began)); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	r.report.ImportTime = time.Since(began)

	var exam struct{ ID int64 }
	if err := r.doJSON(ctx, "", http.MethodGet, "/api/v2.2/exams/"+r.report.Exam+"/", r.admin, nil, &exam); err != nil {
		return fmt.Errorf("the imported exam: %w", err)
	}
	r.report.ExamID = exam.ID

	r.progressf("logging in %d students, %d at a time", len(r.students), r.cfg.LoginConcurrency)
	began = time.Now()
	slots := make(chan struct{}, r.cfg.LoginConcurrency)
	var wg sync.WaitGroup
	var loggedIn atomic.Int64
	for _, s := range r.students {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-slots }()
			var token struct{ Token string }
			credentials := map[string]string{"username": s.username, "password": r.password}
			if r.doJSON(ctx, EndpointLogin, http.MethodPost, "/api/v2.2/auth-token/", "", credentials, &token) == nil {
				s.token = token.Token
				loggedIn.Add(1)
			}
		})
	}
	wg.Wait()
	r.report.LoginTime = time.Since(began)
	r.report.LoggedIn = int(loggedIn.Load())
	if r.report.LoggedIn == 0 {
		return errors.New("no student could log in")
	}
	return ctx.Err()
}

// bundle is the import that creates the run's students and exam.
func (r *run) bundle(hash string, now time.Time) *bundle.Bundle {
	b := &bundle.Bundle{Format: bundle.Format}
	for i, s := range r.students {
		b.Users = append(b.Users, bundle.User{Username: s.username, FirstName: "Load", LastName: fmt.Sprintf("Test %05d", i+1),
			Role: "student", PasswordHash: hash})
	}
	// Open long enough that no start, save or end meets a closed exam or an
	// expired attempt, whatever the run's length or the clocks' skew.
	start := now.Add(-time.Hour).UTC().Format(time.RFC3339)
	end := now.Add(24*time.Hour + r.cfg.Timeout).UTC().Format(time.RFC3339)
	duration := drf.FormatDuration(r.cfg.Timeout + time.Hour)
	section := bundle.Section{Name: "Load test"}
	for q := range r.cfg.Questions {
		question := bundle.Question{Key: fmt.Sprintf("%s-q%03d", r.report.Exam, q+1), Type: "mcq_single",
			QuestionHTML: fmt.Sprintf("<p>Load test question %d</p>", q+1)}
		for a := range 4 {
			question.Answers = append(question.Answers, bundle.Answer{TextHTML: fmt.Sprintf("<p>Option %c</p>", 'A'+a), IsCorrect: a == 0})
		}
		section.Questions = append(section.Questions, question)
	}
	b.Exams = []bundle.Exam{{Slug: r.report.Exam, Title: "Load test " + r.report.RunID, StartDate: &start, EndDate: &end,
		Duration: &duration, Published: true, Sections: []bundle.Section{section}}}
	return b
}

// storm runs every student that logged in, and the readers, until every
// student has ended or ctx ends.
func (r *run) storm(ctx context.Context) {
	began := time.Now()
	rampEnd := began.Add(r.cfg.Ramp)
	endAt := rampEnd.Add(r.cfg.Hold)
	r.progressf("storm: %d students start within %s and end together at +%s", r.report.LoggedIn, r.cfg.Ramp, r.cfg.Ramp+r.cfg.Hold)
	var students sync.WaitGroup
	for _, s := range r.students {
		if s.token == "" {
			continue
		}
		var offset time.Duration
		if r.cfg.Ramp > 0 {
			offset = time.Duration(s.rng.Int64N(int64(r.cfg.Ramp)))
		}
		students.Go(func() {
			if !r.student(ctx, s, began.Add(offset), rampEnd, endAt) {
				r.abandoned.Add(1)
			}
		})
	}
	stop := make(chan struct{})
	var others sync.WaitGroup
	for i := range r.cfg.Readers {
		rng := rand.New(rand.NewPCG(r.report.Seed, uint64(r.cfg.Students+i)))
		others.Go(func() { r.reader(ctx, stop, rng) })
	}
	if r.cfg.Progress != nil {
		others.Go(func() { r.showProgress(stop, began) })
	}
	students.Wait()
	close(stop)
	others.Wait()
	r.report.StormTime = time.Since(began)
	r.report.TimedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	r.report.Interrupted = errors.Is(ctx.Err(), context.Canceled)
	r.report.SteadySaves = r.steadySaves.Load()
	if r.cfg.Hold > 0 {
		r.report.SteadySavesPerSecond = float64(r.report.SteadySaves) / r.cfg.Hold.Seconds()
	}
	r.report.Abandoned = r.abandoned.Load()
}

// showProgress prints a line every few seconds until stop.
func (r *run) showProgress(stop <-chan struct{}, began time.Time) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			t := r.rec.tally()
			r.progressf("+%s: %d started, %d saves, %d ended, %d errors, %d retries", time.Since(began).Round(time.Second),
				t.requests[EndpointStart], t.requests[EndpointSave], t.requests[EndpointEnd], t.errors, t.retries)
		}
	}
}

// student takes the exam: start at startAt, learn the items, save a random
// option of a random item every SaveEvery and heartbeat every
// HeartbeatEvery until endAt, then end. Saves keep their schedule; one
// answered late is followed at once by the next, not by a burst of the
// missed ones. It reports whether the student got to the end.
func (r *run) student(ctx context.Context, s *student, startAt, rampEnd, endAt time.Time) bool {
	if !sleepUntil(ctx, startAt) {
		return false
	}
	var attempt struct{ ID int64 }
	if err := r.doJSON(ctx, EndpointStart, http.MethodPost, "/api/v2.2/exams/"+r.report.Exam+"/attempts/", s.token, nil, &attempt); err != nil || attempt.ID == 0 {
		return false
	}
	base := fmt.Sprintf("/api/v2.2/attempts/%d/", attempt.ID)
	var page struct {
		Results []struct {
			ID       int64
			Question struct {
				Answers []struct{ ID int64 }
			}
		}
	}
	if err := r.doJSON(ctx, EndpointQuestions, http.MethodGet, fmt.Sprintf("%squestions/?page_size=%d", base, MaxQuestions), s.token, nil, &page); err != nil ||
		len(page.Results) == 0 {
		return false
	}
	nextSave := time.Now().Add(r.cfg.SaveEvery)
	nextBeat := time.Now().Add(r.cfg.HeartbeatEvery)
	for {
		next := nextSave
		if nextBeat.Before(next) || nextBeat.Equal(next) {
			next = nextBeat
		}
		if !next.Before(endAt) {
			break
		}
		if !sleepUntil(ctx, next) {
			return false
		}
		if next.Equal(nextBeat) {
			r.do(ctx, EndpointHeartbeat, http.MethodPut, base+"heartbeat/", s.token, nil) //nolint:errcheck // counted by do
			nextBeat = nextBeat.Add(r.cfg.HeartbeatEvery)
			continue
		}
		item := page.Results[s.rng.IntN(len(page.Results))]
		if len(item.Question.Answers) == 0 {
			return false
		}
		option := item.Question.Answers[s.rng.IntN(len(item.Question.Answers))]
		_, err := r.do(ctx, EndpointSave, http.MethodPut, fmt.Sprintf("%squestions/%d/", base, item.ID), s.token,
			map[string][]int64{"selected_answers": {option.ID}})
		now := time.Now()
		if err == nil && !now.Before(rampEnd) && now.Before(endAt) {
			r.steadySaves.Add(1)
		}
		if nextSave = nextSave.Add(r.cfg.SaveEvery); nextSave.Before(now) {
			nextSave = now
		}
	}
	if !sleepUntil(ctx, endAt) {
		return false
	}
	_, err := r.do(ctx, EndpointEnd, http.MethodPut, base+"end/", s.token, nil)
	return err == nil
}

// reader reads the reporting API back to back until stop: the newest
// attempts, the run's exam's attempts, and one of those in detail.
func (r *run) reader(ctx context.Context, stop <-chan struct{}, rng *rand.Rand) {
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		_, listErr := r.do(ctx, EndpointAdminList, http.MethodGet, "/api/v2.5/admin/attempts/?ordering=-id&page_size=200", r.admin, nil)
		var page struct{ Results []struct{ ID int64 } }
		examErr := r.doJSON(ctx, EndpointAdminExamList, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/attempts/?exams=%d", r.report.ExamID), r.admin, nil, &page)
		if examErr == nil && len(page.Results) > 0 {
			id := page.Results[rng.IntN(len(page.Results))].ID
			r.do(ctx, EndpointAdminAttempt, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/attempts/%d/", id), r.admin, nil) //nolint:errcheck // counted by do
		}
		if listErr != nil && examErr != nil {
			// A server that refuses everything is not hammered in a hot loop.
			sleepUntil(ctx, time.Now().Add(100*time.Millisecond))
		}
	}
}

// cleanup deletes the run's students (and with them their attempts), then
// the exam. The exam's questions stay in the question bank, which has no
// delete.
func (r *run) cleanup(ctx context.Context) *CleanupResult {
	res := &CleanupResult{}
	r.progressf("cleanup: deleting %d students and exam %s", len(r.students), r.report.Exam)
	prefix := "lt" + r.report.RunID + "-"
	var ids []int64
	for page := 1; ; page++ {
		var list struct {
			Next    *string
			Results []struct {
				ID       int64
				Username string
			}
		}
		if err := r.doJSON(ctx, "", http.MethodGet, fmt.Sprintf("/api/v2.5/admin/users/?q=%s&page_size=1000&page=%d", prefix, page),
			r.admin, nil, &list); err != nil {
			res.Error = err.Error()
			return res
		}
		for _, u := range list.Results {
			if strings.HasPrefix(u.Username, prefix) {
				ids = append(ids, u.ID)
			}
		}
		if list.Next == nil {
			break
		}
	}
	slots := make(chan struct{}, r.cfg.LoginConcurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, id := range ids {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			_, err := r.do(ctx, "", http.MethodDelete, fmt.Sprintf("/api/v2.5/admin/users/%d/", id), r.admin, nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Error = err.Error()
			} else {
				res.StudentsDeleted++
			}
		})
	}
	wg.Wait()
	if res.Error != "" {
		return res
	}
	if _, err := r.do(ctx, "", http.MethodDelete, fmt.Sprintf("/api/v2.5/admin/exams/%d/", r.report.ExamID), r.admin, nil); err != nil {
		res.Error = err.Error()
		return res
	}
	res.ExamDeleted = true
	return res
}

// sleepUntil waits for t and reports whether ctx is still alive.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
