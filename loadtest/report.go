package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Endpoint names, in the order the report lists them.
const (
	EndpointLogin         = "login"           // POST /api/v2.2/auth-token/ (setup, not part of the storm)
	EndpointStart         = "start"           // POST /api/v2.2/exams/<slug>/attempts/
	EndpointQuestions     = "questions"       // GET /api/v2.2/attempts/<id>/questions/
	EndpointSave          = "save"            // PUT /api/v2.2/attempts/<id>/questions/<item>/
	EndpointHeartbeat     = "heartbeat"       // PUT /api/v2.2/attempts/<id>/heartbeat/
	EndpointEnd           = "end"             // PUT /api/v2.2/attempts/<id>/end/
	EndpointAdminList     = "admin_list"      // GET /api/v2.5/admin/attempts/?ordering=-id&page_size=200
	EndpointAdminExamList = "admin_exam_list" // GET /api/v2.5/admin/attempts/?exams=<id>
	EndpointAdminAttempt  = "admin_attempt"   // GET /api/v2.5/admin/attempts/<id>/
)

var endpointOrder = []string{EndpointLogin, EndpointStart, EndpointQuestions, EndpointSave, EndpointHeartbeat,
	EndpointEnd, EndpointAdminList, EndpointAdminExamList, EndpointAdminAttempt}

// Report is the outcome of a run. It marshals to JSON for scripts; Text
// renders it for people.
type Report struct {
	RunID          string        `json:"run_id"`
	URL            string        `json:"url"`
	Seed           uint64        `json:"seed"`
	Exam           string        `json:"exam"` // the slug
	ExamID         int64         `json:"exam_id"`
	Students       int           `json:"students"`
	LoggedIn       int           `json:"logged_in"` // students who took part in the storm
	Questions      int           `json:"questions"`
	Readers        int           `json:"readers"`
	Ramp           time.Duration `json:"ramp_ns"`
	SaveEvery      time.Duration `json:"save_every_ns"`
	HeartbeatEvery time.Duration `json:"heartbeat_every_ns"`
	Hold           time.Duration `json:"hold_ns"`

	ImportTime time.Duration `json:"import_ns"` // the one import request that creates students and exam
	LoginTime  time.Duration `json:"login_ns"`  // all student logins
	StormTime  time.Duration `json:"storm_ns"`  // from the storm's start to the last answered end

	// SteadySaves counts the answer saves that succeeded between the end of
	// the ramp and the common end moment (the hold), when every student is
	// in; SteadySavesPerSecond is that count over the hold.
	SteadySaves          int64   `json:"steady_saves"`
	SteadySavesPerSecond float64 `json:"steady_saves_per_second"`

	// TimedOut tells that --timeout stopped the run before every student
	// ended, Interrupted that the caller did (Ctrl-C); requests cut short
	// either way are counted in Cancelled, not as errors.
	TimedOut    bool  `json:"timed_out"`
	Interrupted bool  `json:"interrupted"`
	Cancelled   int64 `json:"cancelled"`
	// Abandoned counts students who stopped before their end request: their
	// start or questions request failed, or the timeout came first.
	Abandoned int64 `json:"abandoned"`

	Endpoints []EndpointStats `json:"endpoints"`
	// Unavailable sums up the 503 answers of every endpoint.
	Unavailable UnavailableStats `json:"unavailable"`
	Cleanup     *CleanupResult   `json:"cleanup,omitempty"`
}

// EndpointStats sums up the requests of one endpoint. Latencies run from
// sending the request to reading the whole response body, in milliseconds;
// for a request answered 503 with Retry-After and sent again, from sending
// its first attempt to reading its final answer, the waits included. Such a
// request counts once in Count, and in Failed only if its final answer is
// an error.
type EndpointStats struct {
	Name   string `json:"name"`
	Count  int64  `json:"count"`
	Failed int64  `json:"failed"`
	// Errors counts failed requests by HTTP status; status 0 is a transport
	// error (refused connection, reset, client timeout). ErrorSamples holds
	// the first message or response body seen for each status.
	Errors       map[int]int64  `json:"errors"`
	ErrorSamples map[int]string `json:"error_samples"`
	// PerSecond is Count over the endpoint's own active span, from its first
	// request sent to its last response read: for start it is the rate over
	// the ramp, for end the rate at which the common end moment was served.
	PerSecond float64 `json:"per_second"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	Mean      float64 `json:"mean_ms"`

	// Retries counts the 503 answers with Retry-After that were waited out
	// and the request sent again. GaveUp counts the requests still answered
	// 503 when the retries ran out (--max-retries, or the request timeout):
	// they are also in Failed and Errors[503], as is a 503 without
	// Retry-After.
	Retries int64 `json:"retries"`
	GaveUp  int64 `json:"gave_up"`
	// Unavailable sums up the endpoint's 503 answers by themselves.
	Unavailable UnavailableStats `json:"unavailable"`
}

// UnavailableStats sums up 503 answers (the server shedding load) on their
// own: every attempt answered 503 counts, retried or not, timed from sending
// it to reading the answer, in milliseconds. It tells how fast the server
// refuses what it cannot take.
type UnavailableStats struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// CleanupResult tells what --cleanup deleted.
type CleanupResult struct {
	StudentsDeleted int    `json:"students_deleted"`
	ExamDeleted     bool   `json:"exam_deleted"`
	Error           string `json:"error,omitempty"`
}

// Errors is the number of failed requests over all endpoints.
func (r *Report) Errors() int64 {
	var n int64
	for _, e := range r.Endpoints {
		n += e.Failed
	}
	return n
}

// Retries is the number of retried 503 answers over all endpoints.
func (r *Report) Retries() int64 {
	var n int64
	for _, e := range r.Endpoints {
		n += e.Retries
	}
	return n
}

// Endpoint returns the stats of the named endpoint (zero when it saw no request).
func (r *Report) Endpoint(name string) EndpointStats {
	for _, e := range r.Endpoints {
		if e.Name == name {
			return e
		}
	}
	return EndpointStats{Name: name}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Text writes the setup summary and the aligned table of endpoints.
func (r *Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "examhall loadtest: run %s against %s (seed %d)\n", r.RunID, r.URL, r.Seed)
	fmt.Fprintf(&b, "  exam %s (id %d), %d questions; %d students, %d logged in; %d admin readers\n",
		r.Exam, r.ExamID, r.Questions, r.Students, r.LoggedIn, r.Readers)
	saveEvery := r.SaveEvery.String()
	if r.SaveEvery == 0 {
		saveEvery = "back-to-back"
	}
	fmt.Fprintf(&b, "  ramp %s, saves %s, heartbeat every %s, hold %s\n", r.Ramp, saveEvery, r.HeartbeatEvery, r.Hold)
	fmt.Fprintf(&b, "  setup: import %s, logins %s; storm %s\n", round(r.ImportTime), round(r.LoginTime), round(r.StormTime))
	fmt.Fprintf(&b, "  steady phase (the %s hold): %d saves, %.1f saves/s\n", r.Hold, r.SteadySaves, r.SteadySavesPerSecond)
	if r.Abandoned > 0 {
		fmt.Fprintf(&b, "  %d students stopped before their end request (see the errors)\n", r.Abandoned)
	}
	switch {
	case r.TimedOut:
		fmt.Fprintf(&b, "  STOPPED BY --timeout before every student ended (%d requests cut short)\n", r.Cancelled)
	case r.Interrupted:
		fmt.Fprintf(&b, "  INTERRUPTED before every student ended (%d requests cut short)\n", r.Cancelled)
	}
	b.WriteString("\n")
	// Numbers align right; the names are padded by hand to align left.
	width := len("endpoint")
	for _, e := range r.Endpoints {
		width = max(width, len(e.Name))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\tretries\t\n", width, "endpoint")
	for _, e := range r.Endpoints {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", width, e.Name, e.Count, e.Failed, e.PerSecond,
			e.P50, e.P95, e.P99, e.Max, e.Retries)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Unavailable.Count > 0 {
		b.WriteString("\n503 answers (server overloaded). One with Retry-After is waited out (jittered) and the request\n" +
			"sent again, up to --max-retries: the table above counts that request once, timed from its first\n" +
			"attempt to its final answer. Below, the 503 answers themselves:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-*s\t503s\tretries\tgave up\tp50 ms\tp99 ms\tmax ms\t\n", width, "endpoint")
		row := func(name string, u UnavailableStats, retries, gaveUp int64) {
			fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", width, name, u.Count, retries, gaveUp, u.P50, u.P99, u.Max)
		}
		var gaveUp int64
		for _, e := range r.Endpoints {
			if e.Unavailable.Count > 0 {
				row(e.Name, e.Unavailable, e.Retries, e.GaveUp)
			}
			gaveUp += e.GaveUp
		}
		row("all", r.Unavailable, r.Retries(), gaveUp)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if r.Errors() > 0 {
		b.WriteString("\nerrors by status:\n")
		for _, e := range r.Endpoints {
			statuses := make([]int, 0, len(e.Errors))
			for status := range e.Errors {
				statuses = append(statuses, status)
			}
			slices.Sort(statuses)
			for _, status := range statuses {
				label := strconv.Itoa(status)
				if status == 0 {
					label = "transport"
				}
				fmt.Fprintf(&b, "  %-15s %-9s %6d  e.g. %s\n", e.Name, label, e.Errors[status], e.ErrorSamples[status])
			}
		}
	}
	if c := r.Cleanup; c != nil {
		fmt.Fprintf(&b, "\ncleanup: %d students deleted, exam deleted: %v", c.StudentsDeleted, c.ExamDeleted)
		if c.Error != "" {
			fmt.Fprintf(&b, " (%s)", c.Error)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// recorder collects the requests of every endpoint; it is safe for
// concurrent use.
type recorder struct {
	mu        sync.Mutex
	endpoints map[string]*endpointRecord
}

type endpointRecord struct {
	hist        histogram
	errors      map[int]int64
	samples     map[int]string
	first, last time.Time

	retries, gaveUp int64
	unavailable     *histogram // made at the first 503: most runs see none
}

func newRecorder() *recorder {
	return &recorder{endpoints: map[string]*endpointRecord{}}
}

// endpoint returns the record of name, made on first use; rec.mu is held.
func (rec *recorder) endpoint(name string) *endpointRecord {
	e := rec.endpoints[name]
	if e == nil {
		e = &endpointRecord{errors: map[int]int64{}, samples: map[int]string{}}
		rec.endpoints[name] = e
	}
	return e
}

// record counts one request first sent at sent and finally answered after d;
// status is the HTTP status of the final answer, 0 for a transport error;
// failure describes a failed request ("" for a success).
func (rec *recorder) record(endpoint string, sent time.Time, d time.Duration, status int, failure string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	e := rec.endpoint(endpoint)
	e.hist.record(d)
	if e.first.IsZero() || sent.Before(e.first) {
		e.first = sent
	}
	if done := sent.Add(d); done.After(e.last) {
		e.last = done
	}
	if failure != "" {
		e.errors[status]++
		if _, ok := e.samples[status]; !ok {
			e.samples[status] = failure
		}
	}
}

// unavailable times one 503 answer, d from sending its attempt to reading it.
func (rec *recorder) unavailable(endpoint string, d time.Duration) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	e := rec.endpoint(endpoint)
	if e.unavailable == nil {
		e.unavailable = &histogram{}
	}
	e.unavailable.record(d)
}

// retry counts a 503 answer that is waited out and sent again.
func (rec *recorder) retry(endpoint string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.endpoint(endpoint).retries++
}

// gaveUp counts a request still answered 503 when its retries ran out.
func (rec *recorder) gaveUp(endpoint string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.endpoint(endpoint).gaveUp++
}

// tally is what the progress lines show.
type tally struct {
	requests        map[string]int64 // by endpoint
	errors, retries int64            // of all endpoints
}

func (rec *recorder) tally() tally {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	t := tally{requests: map[string]int64{}}
	for name, e := range rec.endpoints {
		t.requests[name] = e.hist.total
		t.retries += e.retries
		for _, n := range e.errors {
			t.errors += n
		}
	}
	return t
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// stats returns the stats of every endpoint that saw a request, in report
// order, and those of the 503 answers of them all.
func (rec *recorder) stats() ([]EndpointStats, UnavailableStats) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []EndpointStats
	var all histogram
	for _, name := range endpointOrder {
		e := rec.endpoints[name]
		if e == nil {
			continue
		}
		s := EndpointStats{Name: name, Count: e.hist.total, Errors: map[int]int64{}, ErrorSamples: map[int]string{},
			P50: ms(e.hist.percentile(50)), P95: ms(e.hist.percentile(95)), P99: ms(e.hist.percentile(99)),
			Max: ms(e.hist.max), Mean: ms(e.hist.mean())}
		for status, n := range e.errors {
			s.Errors[status] = n
			s.ErrorSamples[status] = e.samples[status]
			s.Failed += n
		}
		if span := e.last.Sub(e.first); span > 0 {
			s.PerSecond = float64(s.Count) / span.Seconds()
		}
		s.Retries, s.GaveUp = e.retries, e.gaveUp
		if e.unavailable != nil {
			s.Unavailable = unavailableStats(e.unavailable)
			all.merge(e.unavailable)
		}
		out = append(out, s)
	}
	return out, unavailableStats(&all)
}

func unavailableStats(h *histogram) UnavailableStats {
	return UnavailableStats{Count: h.total, P50: ms(h.percentile(50)), P99: ms(h.percentile(99)), Max: ms(h.max)}
}
