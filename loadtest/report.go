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
	Cleanup   *CleanupResult  `json:"cleanup,omitempty"`
}

// EndpointStats sums up the requests of one endpoint. Latencies run from
// sending the request to reading the whole response body, in milliseconds.
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
	fmt.Fprintf(tw, "%-*s\tcount\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t\n", width, "endpoint")
	for _, e := range r.Endpoints {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", width, e.Name, e.Count, e.Failed, e.PerSecond, e.P50, e.P95, e.P99, e.Max)
	}
	if err := tw.Flush(); err != nil {
		return err
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
}

func newRecorder() *recorder {
	return &recorder{endpoints: map[string]*endpointRecord{}}
}

// record counts one request sent at sent and fully answered after d; status
// is the HTTP status, 0 for a transport error; failure describes a failed
// request ("" for a success).
func (rec *recorder) record(endpoint string, sent time.Time, d time.Duration, status int, failure string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	e := rec.endpoints[endpoint]
	if e == nil {
		e = &endpointRecord{errors: map[int]int64{}, samples: map[int]string{}, first: sent}
		rec.endpoints[endpoint] = e
	}
	e.hist.record(d)
	if sent.Before(e.first) {
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

// counts returns the number of requests per endpoint, and under "" the
// number of failed requests of all endpoints.
func (rec *recorder) counts() map[string]int64 {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := map[string]int64{}
	for name, e := range rec.endpoints {
		out[name] = e.hist.total
		for _, n := range e.errors {
			out[""] += n
		}
	}
	return out
}

// stats returns the stats of every endpoint that saw a request, in report order.
func (rec *recorder) stats() []EndpointStats {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var out []EndpointStats
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
		out = append(out, s)
	}
	return out
}
