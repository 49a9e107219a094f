package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/examhall/examhall/bundle"
	"github.com/examhall/examhall/drf"
	"github.com/examhall/examhall/sqlstore"
	"github.com/examhall/examhall/sqlstore/sqltest"
)

// The crash storm's sizes: small enough for the normal suite (a few seconds
// per engine), large enough that saves, starts and ends are in flight when
// the server dies. EXAMHALL_CRASH_STUDENTS, EXAMHALL_CRASH_SAVE_EVERY,
// EXAMHALL_CRASH_START_SPREAD and EXAMHALL_CRASH_KILL_AFTER make it the
// exam-morning storm of BENCHMARKS.md (10,000 students, a save every 5 s);
// see scripts/crash-storm.sh.
var (
	crashStudents    = envInt("EXAMHALL_CRASH_STUDENTS", 30)
	crashSaveEvery   = envDuration("EXAMHALL_CRASH_SAVE_EVERY", 0)                       // 0: back to back
	crashStartSpread = envDuration("EXAMHALL_CRASH_START_SPREAD", 1500*time.Millisecond) // students start within this
	crashKillAfter   = envDuration("EXAMHALL_CRASH_KILL_AFTER", time.Second)             // the kill comes within [crashKillAfter, 2×crashKillAfter) …
)

const (
	crashQuestions = 3
	crashOptions   = 12               // answers per question: save numbers up to 2^12-1
	crashMinSaves  = 100              // … once this many saves …
	crashMinEnds   = 3                // … and ends were acknowledged (a slow -race build needs longer) …
	crashMaxStorm  = 10 * time.Second // … or at this past crashKillAfter, whichever comes first
)

// envInt and envDuration read a size of the crash storm from the
// environment; a value that does not parse stops the test binary.
func envInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		panic(fmt.Sprintf("%s=%q: want a positive whole number", name, v))
	}
	return n
}

func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		panic(fmt.Sprintf("%s=%q: want a duration such as 5s", name, v))
	}
	return d
}

// TestCrashKeepsAcknowledgedWrites is issue 11's crash test at a small
// size: students start one exam, save answers back to back, and a third of
// them end and start again, while the `serve` process is killed with
// SIGKILL at a random moment; a second process on the same database must
// then show, through the admin API, every acknowledged start, every
// acknowledged end, and for every question the last acknowledged save or a
// later one that was in flight.
//
// Each save of a question carries a number, one more than the last sent for
// that question, written as the subset of its answers whose bits it has (a
// multiple-choice question, so the admin API shows it as selected_answers).
// A stored number below the last acknowledged one is a lost save; above the
// last one sent, a save from nowhere.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	for _, engine := range []sqlstore.Engine{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqltest.DSN(t, engine)
			run(t, "createadmin", "--db", dsn, "--username", "root", "--password", "secret", "--bcrypt-cost", "4")
			logs := t.TempDir()
			first := startChild(t, dsn, filepath.Join(logs, "serve-1.log"))
			c := newCrashClient(first.url)
			students := c.setup(t, c.login(t, "root", "secret"))

			began := time.Now()
			var wg sync.WaitGroup
			for _, s := range students {
				wg.Go(func() { c.takeExam(t, s, rand.N(crashStartSpread)) })
			}
			time.Sleep(crashKillAfter + rand.N(crashKillAfter))
			for (c.ackedSaves.Load() < crashMinSaves || c.ackedEnds.Load() < crashMinEnds) && time.Since(began) < crashKillAfter+crashMaxStorm {
				time.Sleep(10 * time.Millisecond)
			}
			killedAt := time.Since(began)
			first.kill(t)
			c.dead.Store(true)
			wg.Wait()
			t.Logf("killed serve %s into the storm of %d students, after %d starts, %d saves and %d ends were acknowledged",
				killedAt.Round(time.Millisecond), len(students), c.ackedStarts.Load(), c.ackedSaves.Load(), c.ackedEnds.Load())

			second := startChild(t, dsn, filepath.Join(logs, "serve-2.log"))
			c = newCrashClient(second.url)
			c.verify(t, c.login(t, "root", "secret"), students)
			c.client.CloseIdleConnections()
			second.stop(t)
		})
	}
}

// crashClient speaks the public HTTP API to one server.
type crashClient struct {
	base   string
	client *http.Client
	exam   string // the exam's slug
	// dead is set once the server is known to be gone: a request sent
	// after it is not in doubt, as it cannot have reached the server.
	dead atomic.Bool
	// What was acknowledged so far, to time the kill.
	ackedStarts, ackedSaves, ackedEnds atomic.Int64
}

func newCrashClient(base string) *crashClient {
	// One connection per student, as their browsers would have.
	return &crashClient{base: base, exam: "crash-test", client: &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: crashStudents + 1,
		},
	}}
}

// do sends one request and reads the whole answer. err is a failure of the
// transport (refused, reset, cut short): the server may or may not have
// done what was asked.
func (c *crashClient) do(method, path, token string, body any) (status int, answer []byte, header http.Header, err error) {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, payload)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "JWT "+token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err = io.ReadAll(resp.Body)
	return resp.StatusCode, answer, resp.Header, err
}

// write sends a request (a write, or a read that admission control may
// refuse on PostgreSQL), retrying it after each 503 as a client should
// (after Retry-After, jittered; capped at a second to keep the test short).
// A 503 acknowledges nothing; only the final status does.
func (c *crashClient) write(method, path, token string, body any) (int, []byte, error) {
	for {
		status, answer, header, err := c.do(method, path, token, body)
		if err != nil || status != http.StatusServiceUnavailable {
			return status, answer, err
		}
		wait := time.Second
		if secs, err := strconv.Atoi(header.Get("Retry-After")); err == nil && secs >= 0 {
			wait = min(wait, time.Duration(secs)*time.Second)
		}
		time.Sleep(wait + rand.N(wait/4+1))
	}
}

// mustJSON sends a request of the setup or of the check, which must succeed
// with want, and decodes the answer into out.
func (c *crashClient) mustJSON(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	status, answer, err := c.write(method, path, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, answer)
		}
	}
}

func (c *crashClient) login(t *testing.T, username, password string) string {
	t.Helper()
	var v struct{ Token string }
	c.mustJSON(t, http.MethodPost, "/api/v2.2/auth-token/", "", map[string]string{"username": username, "password": password}, http.StatusOK, &v)
	return v.Token
}

// outcome is what a client knows of one write request.
type outcome int

const (
	notSent outcome = iota
	inDoubt         // sent, but the server died before it answered: done or not
	acked           // answered with success: it must survive the crash
	refused         // answered with an error: nothing done
)

// crashStudent is one student's run and what the server acknowledged to it.
type crashStudent struct {
	username, token string
	retakes         bool // start, save a few times and end, again and again; or else start once and save
	attempts        []*crashAttempt
}

// crashAttempt is one attempt, or one start that was not acknowledged.
type crashAttempt struct {
	id         int64 // 0 unless the start was acknowledged
	start, end outcome
	items      []*crashItem
	saves      int // acknowledged
}

// crashItem is one question of a student's attempt.
type crashItem struct {
	id      int64   // the user answer's id
	answers []int64 // the question's answer ids: bit i of a save number selects answers[i]
	sent    int     // the number of the latest save sent
	acked   int     // the number of the latest save acknowledged
}

// selection is the answers that save number n selects.
func (it *crashItem) selection(n int) []int64 {
	ids := []int64{}
	for i, id := range it.answers {
		if n&(1<<i) != 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// number is the save number of a selection, or -1 if it is none.
func (it *crashItem) number(selected []int64) int {
	n := 0
	for _, id := range selected {
		i := slices.Index(it.answers, id)
		if i < 0 || n&(1<<i) != 0 {
			return -1
		}
		n |= 1 << i
	}
	return n
}

// setup imports the students and a published exam of multiple-choice
// questions that may be retaken without limit, and logs the students in.
func (c *crashClient) setup(t *testing.T, admin string) []*crashStudent {
	t.Helper()
	now := time.Now().UTC()
	start, end := now.Add(-time.Hour).Format(time.RFC3339), now.Add(24*time.Hour).Format(time.RFC3339)
	duration := drf.FormatDuration(3 * time.Hour)
	section := bundle.Section{Name: "Crash"}
	for q := range crashQuestions {
		question := bundle.Question{Key: fmt.Sprintf("crash-q%d", q+1), Type: "mcq_multiple", QuestionHTML: fmt.Sprintf("<p>Question %d</p>", q+1)}
		for a := range crashOptions {
			question.Answers = append(question.Answers, bundle.Answer{TextHTML: fmt.Sprintf("<p>Option %d</p>", a+1), IsCorrect: a == 0})
		}
		section.Questions = append(section.Questions, question)
	}
	b := &bundle.Bundle{Format: bundle.Format, Exams: []bundle.Exam{{Slug: c.exam, Title: "Crash test", StartDate: &start,
		EndDate: &end, Duration: &duration, AllowRetake: true, Published: true, Sections: []bundle.Section{section}}}}
	students := make([]*crashStudent, crashStudents)
	for i := range students {
		students[i] = &crashStudent{username: fmt.Sprintf("crash%02d", i+1), retakes: i%3 == 0}
		b.Users = append(b.Users, bundle.User{Username: students[i].username, FirstName: "Crash", LastName: strconv.Itoa(i + 1),
			Role: "student", Password: "pw-" + students[i].username})
	}
	c.mustJSON(t, http.MethodPost, "/api/v2.5/admin/import/", admin, b, http.StatusOK, nil)
	var wg sync.WaitGroup
	for _, s := range students {
		wg.Go(func() {
			var v struct{ Token string }
			status, answer, err := c.write(http.MethodPost, "/api/v2.2/auth-token/", "", map[string]string{"username": s.username, "password": "pw-" + s.username})
			if err != nil || status != http.StatusOK || json.Unmarshal(answer, &v) != nil {
				t.Errorf("%s: login: %d %s %v", s.username, status, answer, err)
			}
			s.token = v.Token
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return students
}

// takeExam is one student, from delay on until the server dies: start an
// attempt and save back to back (each save the next number of the next
// question); a student who retakes ends after a few saves and starts again.
func (c *crashClient) takeExam(t *testing.T, s *crashStudent, delay time.Duration) {
	time.Sleep(delay)
	for !c.dead.Load() {
		a := &crashAttempt{}
		s.attempts = append(s.attempts, a)
		endAfter := -1
		if s.retakes {
			endAfter = 2 + rand.N(8)
		}
		if !c.attempt(t, s, a, endAfter) {
			return
		}
	}
}

// attempt starts a, saves, and ends it after endAfter saves (never if
// negative). It reports whether all went well and the server still lives.
func (c *crashClient) attempt(t *testing.T, s *crashStudent, a *crashAttempt, endAfter int) bool {
	status, answer, err := c.write(http.MethodPost, "/api/v2.2/exams/"+c.exam+"/attempts/", s.token, nil)
	var started struct{ ID int64 }
	switch {
	case err != nil:
		a.start = inDoubt
		return false
	case status != http.StatusCreated || json.Unmarshal(answer, &started) != nil || started.ID == 0:
		a.start = refused
		t.Errorf("%s: start: status %d: %s", s.username, status, answer)
		return false
	}
	a.start, a.id = acked, started.ID
	c.ackedStarts.Add(1)
	base := fmt.Sprintf("/api/v2.2/attempts/%d/", a.id)
	var page struct {
		Results []struct {
			ID       int64
			Question struct{ Answers []struct{ ID int64 } }
		}
	}
	status, answer, err = c.write(http.MethodGet, base+"questions/?page_size=100", s.token, nil)
	if err != nil {
		return false
	}
	if status != http.StatusOK || json.Unmarshal(answer, &page) != nil || len(page.Results) != crashQuestions {
		t.Errorf("%s: questions: status %d: %.300s", s.username, status, answer)
		return false
	}
	for _, r := range page.Results {
		it := &crashItem{id: r.ID}
		for _, ans := range r.Question.Answers {
			it.answers = append(it.answers, ans.ID)
		}
		a.items = append(a.items, it)
	}
	// Paced saves begin at a random point of the first interval, so that
	// the students' saves spread evenly over time.
	next := time.Now().Add(rand.N(crashSaveEvery + 1))
	for n := 0; a.saves != endAfter; n++ {
		if crashSaveEvery > 0 {
			time.Sleep(time.Until(next))
			next = next.Add(crashSaveEvery)
		}
		if c.dead.Load() {
			return false
		}
		it := a.items[n%len(a.items)]
		if it.sent+1 >= 1<<len(it.answers) {
			t.Errorf("%s: item %d: out of save numbers; make the storm shorter or give the questions more answers", s.username, it.id)
			return false
		}
		it.sent++
		status, answer, err := c.write(http.MethodPut, fmt.Sprintf("%squestions/%d/", base, it.id), s.token,
			map[string][]int64{"selected_answers": it.selection(it.sent)})
		if err != nil {
			return false
		}
		var saved struct {
			SelectedAnswers []int64 `json:"selected_answers"`
		}
		if status != http.StatusOK || json.Unmarshal(answer, &saved) != nil {
			t.Errorf("%s: save %d of item %d: status %d: %s", s.username, it.sent, it.id, status, answer)
			return false
		}
		if got := it.number(saved.SelectedAnswers); got != it.sent {
			t.Errorf("%s: save %d of item %d answered with save %d (%v)", s.username, it.sent, it.id, got, saved.SelectedAnswers)
		}
		it.acked = it.sent
		a.saves++
		c.ackedSaves.Add(1)
	}
	if c.dead.Load() {
		return false
	}
	status, answer, err = c.write(http.MethodPut, base+"end/", s.token, nil)
	switch {
	case err != nil:
		a.end = inDoubt
		return false
	case status != http.StatusOK:
		a.end = refused
		t.Errorf("%s: end: status %d: %s", s.username, status, answer)
		return false
	}
	a.end = acked
	c.ackedEnds.Add(1)
	return true
}

// crashCheck is what the check after the restart counted and found wrong.
type crashCheck struct {
	starts, startsInDoubt, ends, endsInDoubt int
	saves, items, savesInDoubt, laterKept    int
	problems                                 []string
}

func (k *crashCheck) problem(format string, args ...any) {
	k.problems = append(k.problems, fmt.Sprintf(format, args...))
}

// verify reads every attempt back through the admin API and checks it
// against what the server acknowledged before it was killed.
func (c *crashClient) verify(t *testing.T, admin string, students []*crashStudent) {
	t.Helper()
	var k crashCheck
	for _, s := range students {
		for _, a := range s.attempts {
			switch a.start {
			case inDoubt:
				k.startsInDoubt++
			case acked:
				k.starts++
			}
			switch a.end {
			case inDoubt:
				k.endsInDoubt++
			case acked:
				k.ends++
			}
			if a.start == acked {
				c.verifyAttempt(t, admin, s, a, &k)
			}
		}
	}
	// Starts in doubt may or may not have made an attempt; acknowledged ones must have.
	var list struct{ Count int }
	var exam struct{ ID int64 }
	c.mustJSON(t, http.MethodGet, "/api/v2.2/exams/"+c.exam+"/", admin, nil, http.StatusOK, &exam)
	c.mustJSON(t, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/attempts/?exams=%d&page_size=1", exam.ID), admin, nil, http.StatusOK, &list)
	if list.Count < k.starts || list.Count > k.starts+k.startsInDoubt {
		k.problem("%d attempts of the exam after the restart; %d starts were acknowledged and %d in doubt", list.Count, k.starts, k.startsInDoubt)
	}
	t.Logf("checked after the restart: %d acknowledged starts (+%d in doubt; %d attempts found), %d acknowledged ends (+%d in doubt), "+
		"%d acknowledged saves on %d items (%d items had a save in doubt; %d of those kept it)",
		k.starts, k.startsInDoubt, list.Count, k.ends, k.endsInDoubt, k.saves, k.items, k.savesInDoubt, k.laterKept)
	const shown = 20
	for _, p := range k.problems[:min(shown, len(k.problems))] {
		t.Error(p)
	}
	if len(k.problems) > shown {
		t.Errorf("… and %d more problems like these", len(k.problems)-shown)
	}
	if k.saves == 0 || k.starts == 0 {
		t.Error("nothing was acknowledged before the kill: the test checked nothing")
	}
}

// verifyAttempt checks one attempt whose start was acknowledged: it exists,
// its state is what its end's outcome allows, and each item holds its last
// acknowledged save or a later one that was in flight.
func (c *crashClient) verifyAttempt(t *testing.T, admin string, s *crashStudent, a *crashAttempt, k *crashCheck) {
	t.Helper()
	var detail struct{ State string }
	c.mustJSON(t, http.MethodGet, fmt.Sprintf("/api/v2.5/admin/attempts/%d/", a.id), admin, nil, http.StatusOK, &detail)
	switch {
	case a.end == acked && detail.State != "Completed":
		k.problem("%s: attempt %d: its end was acknowledged, but it is %s: an acknowledged end was lost", s.username, a.id, detail.State)
	case a.end == notSent && detail.State != "Running":
		k.problem("%s: attempt %d: never ended, but it is %s", s.username, a.id, detail.State)
	}
	var page struct {
		Results struct {
			UserAnswers []struct {
				ID              int64
				SelectedAnswers []int64 `json:"selected_answers"`
			} `json:"user_answers"`
		}
	}
	c.mustJSON(t, http.MethodGet, fmt.Sprintf("/api/v3/admin/attempts/%d/user_answers/?page_size=1000", a.id), admin, nil, http.StatusOK, &page)
	stored := map[int64][]int64{}
	for _, ua := range page.Results.UserAnswers {
		stored[ua.ID] = ua.SelectedAnswers
	}
	k.saves += a.saves
	k.items += len(a.items)
	for _, it := range a.items {
		if it.sent > it.acked {
			k.savesInDoubt++
		}
		selected, ok := stored[it.id]
		got := it.number(selected)
		switch {
		case !ok:
			k.problem("%s: attempt %d: item %d is gone", s.username, a.id, it.id)
		case got < it.acked:
			k.problem("%s: attempt %d: item %d holds save %d (%v), but save %d was acknowledged: an acknowledged save was lost",
				s.username, a.id, it.id, got, selected, it.acked)
		case got > it.sent:
			k.problem("%s: attempt %d: item %d holds %v (save %d), never sent; the last sent was %d",
				s.username, a.id, it.id, selected, got, it.sent)
		case got > it.acked:
			k.laterKept++ // in flight when the server died, and committed: either is right
		}
	}
}
